import dataclasses
from datetime import UTC, date, timedelta

import pytest

from mediathek.audit import AuditLog
from mediathek.catalogue.tables import Copy, CopyStatus
from mediathek.circulation import corrections, services
from mediathek.circulation.policy import (
    ComponentsToCheck,
    CopyAlreadyLent,
    CopySetAside,
    LoanLimitReached,
    OverdueTooLong,
    PatronBlocked,
    RenewalRefused,
)
from mediathek.circulation.tables import CategoryLimit, Closure, Loan
from mediathek.errors import InvalidInput
from mediathek.notifications.tables import Notification
from mediathek.reservations.tables import Booking, BookingStatus, Hold, HoldStatus
from mediathek.vocab import MediaType
from tests.factories import title_with_copies


async def copy_status(code: str) -> str:
    return (await Copy.select(Copy.status).where(Copy.barcode == code).first())["status"]


async def test_checkout_lends_the_copy_with_a_due_date_on_an_opening_day(
    teacher_anna, staff, today
):
    await Closure.insert(
        Closure(start_on=date(2026, 4, 7), end_on=date(2026, 4, 8), label="Fortbildung")
    )
    _, [code] = await title_with_copies()
    result = await services.checkout(
        teacher_anna.card, code, today=today, staff_id=staff.account_id
    )
    # 10.3. + 28 days = 7.4. (closed) → 9.4.
    assert result.due_on == date(2026, 4, 9)
    assert await copy_status(code) == CopyStatus.on_loan
    assert await Loan.count().where(Loan.returned_at.is_null()) == 1


async def test_checkout_of_a_lent_copy_is_refused_without_override(
    teacher_anna, volunteer_ben, staff, today
):
    _, [code] = await title_with_copies()
    await services.checkout(teacher_anna.card, code, today=today, staff_id=staff.account_id)
    with pytest.raises(CopyAlreadyLent) as err:
        await services.checkout(
            volunteer_ben.card, code, today=today, staff_id=staff.account_id, override_reason="egal"
        )
    assert "schon ausgeliehen" in err.value.message


async def test_blocked_patron_is_refused_and_staff_may_override_with_a_logged_reason(
    volunteer_dora_blocked, staff, today
):
    _, [code] = await title_with_copies()
    with pytest.raises(PatronBlocked) as err:
        await services.checkout(volunteer_dora_blocked.card, code, today=today, staff_id=None)
    assert "gesperrt" in err.value.message
    assert await copy_status(code) == CopyStatus.available
    result = await services.checkout(
        volunteer_dora_blocked.card,
        code,
        today=today,
        staff_id=staff.account_id,
        override_reason="Rückgabe ist geklärt",
    )
    assert result.overridden
    log = await AuditLog.select().where(AuditLog.action == "loan.override").output(load_json=True)
    assert log[0]["detail"]["reason"] == "Rückgabe ist geklärt"


async def test_loan_limit_is_enforced(teacher_anna, today):
    await CategoryLimit.insert(CategoryLimit(patron_category="paid_teacher", max_loans=1))
    _, codes = await title_with_copies(copies=2)
    await services.checkout(teacher_anna.card, codes[0], today=today, staff_id=None)
    with pytest.raises(LoanLimitReached):
        await services.checkout(teacher_anna.card, codes[1], today=today, staff_id=None)


async def test_patron_with_second_reminder_level_is_refused(teacher_anna, today):
    _, codes = await title_with_copies(copies=2)
    await services.checkout(
        teacher_anna.card, codes[0], today=today - timedelta(days=50), staff_id=None
    )
    with pytest.raises(OverdueTooLong) as err:
        await services.checkout(teacher_anna.card, codes[1], today=today, staff_id=None)
    assert "2. Mahnung" in err.value.message


async def test_return_of_a_copy_someone_waits_for_goes_to_the_hold_shelf(
    teacher_anna, volunteer_ben, today
):
    title_id, [code] = await title_with_copies()
    await services.checkout(teacher_anna.card, code, today=today, staff_id=None)
    await Hold.insert(Hold(title=title_id, patron=volunteer_ben.patron_id))
    result = await services.checkin(code, today=today, staff_id=None)
    assert "Ben Yilmaz" in result.hold_message and "Abholregal" in result.hold_message
    assert await copy_status(code) == CopyStatus.on_hold_shelf
    hold = await Hold.select().first()
    assert hold["status"] == HoldStatus.ready and hold["pickup_until"] == date(2026, 3, 19)
    assert await Notification.count() == 1
    # The copy is set aside for Ben: Anna cannot take it again, Ben can.
    with pytest.raises(CopySetAside):
        await services.checkout(teacher_anna.card, code, today=today, staff_id=None)
    await services.checkout(volunteer_ben.card, code, today=today, staff_id=None)
    assert (await Hold.select(Hold.status).first())["status"] == HoldStatus.fulfilled


async def test_kit_return_asks_for_components_and_incomplete_goes_to_check(teacher_anna, today):
    _, [code] = await title_with_copies(
        "Medienkoffer Familie", MediaType.kit, components=[("Handpuppe", 1), ("Bildkarten", 40)]
    )
    await services.checkout(teacher_anna.card, code, today=today, staff_id=None)
    with pytest.raises(ComponentsToCheck) as err:
        await services.checkin(code, today=today, staff_id=None)
    assert [c["name"] for c in err.value.components] == ["Handpuppe", "Bildkarten"]
    assert await Loan.count().where(Loan.returned_at.is_null()) == 1
    result = await services.checkin(
        code, today=today, staff_id=None, missing_components=["Handpuppe"]
    )
    assert result.missing == ["Handpuppe"]
    assert await copy_status(code) == CopyStatus.needs_check
    copy = await Copy.select(Copy.status_note).first()
    assert copy["status_note"] == "Fehlt: Handpuppe"


async def test_return_of_a_copy_not_on_loan_is_harmless(today):
    _, [code] = await title_with_copies()
    result = await services.checkin(code, today=today, staff_id=None)
    assert not result.was_on_loan and "nicht ausgeliehen" in result.message


async def test_renewal_is_refused_when_others_wait(teacher_anna, volunteer_ben, today):
    title_id, [code] = await title_with_copies()
    lent = await services.checkout(teacher_anna.card, code, today=today, staff_id=None)
    renewed = await services.renew(
        lent.loan_id, today=today + timedelta(days=20), by_patron_id=teacher_anna.patron_id
    )
    assert renewed.due_on > lent.due_on and renewed.renewals == 1
    await Hold.insert(Hold(title=title_id, patron=volunteer_ben.patron_id))
    with pytest.raises(RenewalRefused) as err:
        await services.renew(lent.loan_id, today=today, by_patron_id=teacher_anna.patron_id)
    assert "warten" in err.value.message


async def test_renewal_is_refused_after_the_maximum(teacher_anna, today):
    _, [code] = await title_with_copies()
    lent = await services.checkout(teacher_anna.card, code, today=today, staff_id=None)
    for _ in range(2):
        await services.renew(lent.loan_id, today=today, staff_id=None)
    with pytest.raises(RenewalRefused) as err:
        await services.renew(lent.loan_id, today=today, staff_id=None)
    assert "2-mal" in err.value.message


async def test_renewal_stops_before_a_booking_and_then_is_refused_uncounted(
    teacher_anna, volunteer_ben, today
):
    title_id, [code] = await title_with_copies()
    copy_id = (await Copy.select(Copy.id).first())["id"]
    await Booking.insert(
        Booking(
            title=title_id,
            patron=volunteer_ben.patron_id,
            copy=copy_id,
            start_on=date(2026, 4, 20),
            end_on=date(2026, 4, 24),
            status=BookingStatus.confirmed,
        )
    )
    lent = await services.checkout(teacher_anna.card, code, today=today, staff_id=None)
    assert lent.due_on == date(2026, 4, 7) and lent.due_reason == ""
    # Counted from 7.4. the renewal would run into Ben's course (from 20.4., one buffer day):
    # it ends on the opening day before, and says why.
    renewed = await services.renew(lent.loan_id, today=today + timedelta(days=20), staff_id=None)
    assert renewed.due_on == date(2026, 4, 17) and renewed.due_reason == "booking:2026-04-17"
    with pytest.raises(RenewalRefused) as err:
        await services.renew(lent.loan_id, today=today + timedelta(days=21), staff_id=None)
    assert "nicht verschieben" in err.value.message and "reserviert" in err.value.message
    loan = await Loan.select(Loan.renewals, Loan.due_reason).where(Loan.id == lent.loan_id).first()
    assert loan["renewals"] == 1 and loan["due_reason"] == "booking:2026-04-17"


async def test_a_patron_cannot_renew_someone_elses_loan(teacher_anna, volunteer_ben, today):
    _, [code] = await title_with_copies()
    lent = await services.checkout(teacher_anna.card, code, today=today, staff_id=None)
    with pytest.raises(services.NotFound):
        await services.renew(lent.loan_id, today=today, by_patron_id=volunteer_ben.patron_id)


async def test_undo_of_checkout_and_of_checkin(teacher_anna, today):
    _, [code] = await title_with_copies()
    lent = await services.checkout(teacher_anna.card, code, today=today, staff_id=None)
    undo = corrections.UndoToken.of_checkout(lent)
    await corrections.undo_last(undo, today=today, staff_id=None)
    assert await Loan.count() == 0 and await copy_status(code) == CopyStatus.available
    lent = await services.checkout(teacher_anna.card, code, today=today, staff_id=None)
    back = await services.checkin(code, today=today, staff_id=None)
    await corrections.undo_last(corrections.UndoToken.of_checkin(back), today=today, staff_id=None)
    assert await Loan.count().where(Loan.returned_at.is_null()) == 1
    assert await copy_status(code) == CopyStatus.on_loan


async def test_mark_lost_ends_the_loan(teacher_anna, today):
    _, [code] = await title_with_copies()
    await services.checkout(teacher_anna.card, code, today=today, staff_id=None)
    await corrections.mark_lost(code, staff_id=None)
    assert await copy_status(code) == CopyStatus.lost
    assert await Loan.count().where(Loan.returned_at.is_null()) == 0


async def test_an_old_undo_cannot_take_back_a_later_loan_of_the_same_copy(
    teacher_anna, volunteer_ben, today
):
    _, [code] = await title_with_copies()
    first = await services.checkout(teacher_anna.card, code, today=today, staff_id=None)
    undo_first = corrections.UndoToken.of_checkout(first)
    await corrections.undo_last(undo_first, today=today, staff_id=None)
    second = await services.checkout(volunteer_ben.card, code, today=today, staff_id=None)
    # Loan ids are never used twice, and the token names the first action, not an id.
    assert second.loan_id > first.loan_id
    with pytest.raises(InvalidInput):
        await corrections.undo_last(undo_first, today=today, staff_id=None)
    # Even a token that carried the new loan's id is refused: it names another moment.
    forged = dataclasses.replace(undo_first, loan_id=second.loan_id)
    with pytest.raises(InvalidInput, match="veraltet"):
        await corrections.undo_last(forged, today=today, staff_id=None)
    assert await Loan.count().where(Loan.returned_at.is_null()) == 1
    assert await copy_status(code) == CopyStatus.on_loan


async def test_an_undone_return_cannot_be_undone_twice_nor_after_a_new_return(teacher_anna, today):
    _, [code] = await title_with_copies()
    await services.checkout(teacher_anna.card, code, today=today, staff_id=None)
    back = await services.checkin(code, today=today, staff_id=None)
    undo = corrections.UndoToken.of_checkin(back)
    await corrections.undo_last(undo, today=today, staff_id=None)
    with pytest.raises(InvalidInput, match="schon rückgängig"):
        await corrections.undo_last(undo, today=today, staff_id=None)
    await services.checkin(code, today=today, staff_id=None)
    with pytest.raises(InvalidInput, match="veraltet"):
        await corrections.undo_last(undo, today=today, staff_id=None)
    assert await copy_status(code) == CopyStatus.available


async def test_an_undo_is_refused_at_another_desk(teacher_anna, today):
    _, [code] = await title_with_copies()
    lent = await services.checkout(teacher_anna.card, code, today=today, staff_id=None)
    undo = corrections.UndoToken.of_checkout(lent, desk="tab-one-1234")
    with pytest.raises(InvalidInput, match="anderen"):
        await corrections.undo_last(undo, today=today, staff_id=None, desk="tab-two-5678")
    await corrections.undo_last(undo, today=today, staff_id=None, desk="tab-one-1234")
    assert await Loan.count() == 0


async def test_applied_requests_are_forgotten_after_a_week(db, today):
    from datetime import datetime

    from mediathek.circulation.once import run_daily
    from mediathek.circulation.tables import AppliedRequest

    old = datetime(2020, 1, 1, tzinfo=UTC)
    await AppliedRequest.insert(
        AppliedRequest(request_id="desk:old-request-1", answer="{}", created_at=old),
        AppliedRequest(request_id="desk:new-request-1", answer="{}"),
    )
    assert await run_daily(today) == {"forgotten": 1}
    rows = await AppliedRequest.select(AppliedRequest.request_id)
    assert rows == [{"request_id": "desk:new-request-1"}]
