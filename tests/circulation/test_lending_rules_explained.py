"""Lending rules that explain themselves: a shortened due date says why, renewals count from
the due date and never count when they move nothing, a long-overdue loan is renewed only by
staff with a reason, the card's end caps the due date, a closure moves the dates inside it."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

import pytest

from mediathek.audit import AuditLog
from mediathek.catalogue.tables import Copy
from mediathek.circulation import card_expiry, closures, services
from mediathek.circulation.policy import RenewalNeedsReason, RenewalRefused
from mediathek.circulation.tables import Closure, Loan
from mediathek.errors import InvalidInput
from mediathek.notifications.tables import Notification, NotificationKind
from mediathek.patrons.tables import Patron
from mediathek.reservations.tables import Booking, BookingStatus, Hold, HoldStatus
from tests.factories import title_with_copies


async def book_copy(title_id: int, patron_id: int, start: date, end: date) -> int:
    copy_id = (await Copy.select(Copy.id).where(Copy.title == title_id).first())["id"]
    await Booking.insert(
        Booking(
            title=title_id,
            patron=patron_id,
            copy=copy_id,
            start_on=start,
            end_on=end,
            status=BookingStatus.confirmed,
        )
    )
    return copy_id


async def test_a_loan_shortened_by_a_booking_says_so_and_keeps_saying_it(
    teacher_anna, volunteer_ben, today
):
    title_id, [code] = await title_with_copies("Medienkoffer Kita")
    # Ben's course starts Monday 16.3.: Anna's 28 days shrink to the Friday before the buffer.
    await book_copy(title_id, volunteer_ben.patron_id, date(2026, 3, 16), date(2026, 3, 20))
    lent = await services.checkout(teacher_anna.card, code, today=today, staff_id=None)
    assert lent.due_on == date(2026, 3, 13)
    assert lent.due_reason == "booking:2026-03-13"
    stored = await Loan.select(Loan.due_reason).where(Loan.id == lent.loan_id).first()
    assert stored["due_reason"] == lent.due_reason


async def test_a_usual_loan_has_no_reason(teacher_anna, today):
    _, [code] = await title_with_copies()
    lent = await services.checkout(teacher_anna.card, code, today=today, staff_id=None)
    assert lent.due_on == date(2026, 4, 7) and lent.due_reason == ""


async def test_renewal_counts_from_the_due_date_so_early_clicks_lose_nothing(teacher_anna, today):
    _, [code] = await title_with_copies()
    lent = await services.checkout(teacher_anna.card, code, today=today, staff_id=None)
    first = await services.renew(lent.loan_id, today=today, by_patron_id=teacher_anna.patron_id)
    second = await services.renew(lent.loan_id, today=today, by_patron_id=teacher_anna.patron_id)
    # 7.4. + 28 = 5.5.; 5.5. + 28 = 2.6. – both clicks on the day of the checkout.
    assert (first.due_on, second.due_on) == (date(2026, 5, 5), date(2026, 6, 2))


async def test_a_renewal_that_moves_nothing_is_refused_and_not_counted(teacher_anna, today):
    _, [code] = await title_with_copies()
    lent = await services.checkout(teacher_anna.card, code, today=today, staff_id=None)
    # Her card runs out on the due date: no renewal can move it.
    await Patron.update({Patron.expires_on: lent.due_on}).where(Patron.id == teacher_anna.patron_id)
    with pytest.raises(RenewalRefused, match="nicht verschieben.*Ausweis"):
        await services.renew(lent.loan_id, today=today, by_patron_id=teacher_anna.patron_id)
    loan = await Loan.select(Loan.renewals, Loan.due_on).where(Loan.id == lent.loan_id).first()
    assert loan == {"renewals": 0, "due_on": lent.due_on}


async def test_the_card_expiry_caps_the_due_date_and_says_so(teacher_anna, today):
    await Patron.update({Patron.expires_on: date(2026, 3, 22)}).where(
        Patron.id == teacher_anna.patron_id
    )
    _, [code] = await title_with_copies()
    lent = await services.checkout(teacher_anna.card, code, today=today, staff_id=None)
    assert lent.due_on == date(2026, 3, 20)  # Sunday 22.3. → Friday 20.3.
    assert lent.due_reason == "card:2026-03-22"


async def overdue_loan(persona, today, days_over: int, level: int) -> int:
    _, [code] = await title_with_copies()
    lent = await services.checkout(persona.card, code, today=today, staff_id=None)
    await Loan.update(
        {Loan.due_on: today - timedelta(days=days_over), Loan.reminder_level: level}
    ).where(Loan.id == lent.loan_id)
    return lent.loan_id


async def test_a_teacher_cannot_renew_online_at_the_second_reminder(teacher_anna, today):
    loan_id = await overdue_loan(teacher_anna, today, 15, 2)
    with pytest.raises(RenewalRefused, match="Online verlängern geht nicht mehr"):
        await services.renew(loan_id, today=today, by_patron_id=teacher_anna.patron_id)
    # Not even with a reason: that is for staff.
    with pytest.raises(RenewalRefused):
        await services.renew(
            loan_id, today=today, by_patron_id=teacher_anna.patron_id, override_reason="bitte"
        )
    loan = await Loan.select(Loan.renewals, Loan.reminder_level).where(Loan.id == loan_id).first()
    assert loan == {"renewals": 0, "reminder_level": 2}


async def test_the_reminder_level_counts_even_before_the_reminder_run(teacher_anna, today):
    # 15 days over: level 2 by the days, though no reminder was written yet.
    loan_id = await overdue_loan(teacher_anna, today, 15, 0)
    with pytest.raises(RenewalRefused, match="2. Mahnung"):
        await services.renew(loan_id, today=today, by_patron_id=teacher_anna.patron_id)


async def test_staff_renew_a_long_overdue_loan_only_with_a_logged_reason(
    teacher_anna, staff, today
):
    loan_id = await overdue_loan(teacher_anna, today, 15, 2)
    with pytest.raises(RenewalNeedsReason):
        await services.renew(loan_id, today=today, staff_id=staff.account_id)
    done = await services.renew(
        loan_id, today=today, staff_id=staff.account_id, override_reason="Kurs verlängert"
    )
    assert done.due_on == date(2026, 3, 23)  # 23.2. + 28 days
    entry = (
        await AuditLog.select()
        .where(AuditLog.action == "loan.renew_override")
        .output(load_json=True)
        .first()
    )
    assert entry is not None and entry["object_id"] == str(loan_id)
    assert entry["detail"]["reason"] == "Kurs verlängert" and entry["detail"]["level"] == 2
    level = await Loan.select(Loan.reminder_level).where(Loan.id == loan_id).first()
    assert level["reminder_level"] == 0


async def test_two_renewals_at_once_count_one_each_and_never_one_twice(teacher_anna, today):
    _, [code] = await title_with_copies()
    lent = await services.checkout(teacher_anna.card, code, today=today, staff_id=None)
    results = await asyncio.gather(
        *[
            services.renew(lent.loan_id, today=today, by_patron_id=teacher_anna.patron_id)
            for _ in range(4)
        ],
        return_exceptions=True,
    )
    done = [r for r in results if not isinstance(r, Exception)]
    assert all(isinstance(r, RenewalRefused) for r in results if isinstance(r, Exception))
    loan = await Loan.select(Loan.renewals, Loan.due_on).where(Loan.id == lent.loan_id).first()
    # At most two renewals (the rule), each moved the date once from the one before.
    assert loan["renewals"] == len(done) <= 2
    assert loan["due_on"] == date(2026, 4, 7) + timedelta(days=28 * len(done))


async def test_a_closure_moves_due_dates_pickups_and_booking_starts(
    teacher_anna, volunteer_ben, today
):
    _, [code] = await title_with_copies("Tiptoi Wörter")
    lent = await services.checkout(teacher_anna.card, code, today=today, staff_id=None)
    assert lent.due_on == date(2026, 4, 7)
    # Ben's hold lies on the shelf until 8.4.; his booking of another title starts 7.4.
    hold_title, [_] = await title_with_copies("Memo Tiere")
    hold_copy = (await Copy.select(Copy.id).where(Copy.title == hold_title).first())["id"]
    await Hold.insert(
        Hold(
            title=hold_title,
            patron=volunteer_ben.patron_id,
            copy=hold_copy,
            status=HoldStatus.ready,
            pickup_until=date(2026, 4, 8),
        )
    )
    booked_title, _ = await title_with_copies("Medienkoffer A1")
    await book_copy(booked_title, volunteer_ben.patron_id, date(2026, 4, 7), date(2026, 4, 17))

    result = await closures.close(date(2026, 4, 7), date(2026, 4, 8), "Fortbildung", today=today)

    assert result.count("due_on") == 1 and result.count("pickup_until") == 1
    assert result.count("booking_start") == 1
    assert "1 Rückgabedatum, 1 Abholfrist, 1 Reservierungsbeginn" in result.summary
    loan = await Loan.select(Loan.due_on, Loan.due_reason).where(Loan.id == lent.loan_id).first()
    assert loan["due_on"] == date(2026, 4, 9) and loan["due_reason"] == "closure:Fortbildung"
    assert (await Hold.select(Hold.pickup_until).first())["pickup_until"] == date(2026, 4, 9)
    booking = await Booking.select(Booking.start_on, Booking.end_on).first()
    assert booking == {"start_on": date(2026, 4, 9), "end_on": date(2026, 4, 17)}
    # Each of them hears of it once, with old and new dates.
    notices = (
        await Notification.select(Notification.patron, Notification.payload)
        .where(Notification.kind == NotificationKind.dates_moved)
        .output(load_json=True)
    )
    by_patron = {n["patron"]: n["payload"] for n in notices}
    assert set(by_patron) == {teacher_anna.patron_id, volunteer_ben.patron_id}
    assert by_patron[teacher_anna.patron_id]["items"] == [
        {"title": "Tiptoi Wörter", "what": "due_on", "old": "2026-04-07", "new": "2026-04-09"}
    ]
    assert len(by_patron[volunteer_ben.patron_id]["items"]) == 2


async def test_a_closure_leaves_dates_outside_it_and_bad_input_writes_nothing(teacher_anna, today):
    _, [code] = await title_with_copies()
    lent = await services.checkout(teacher_anna.card, code, today=today, staff_id=None)
    result = await closures.close(date(2026, 4, 8), date(2026, 4, 9), "Umzug", today=today)
    assert result.moved == []
    assert (await Loan.select(Loan.due_on).first())["due_on"] == lent.due_on
    with pytest.raises(InvalidInput):
        await closures.close(date(2026, 4, 9), date(2026, 4, 1), "", today=today)
    assert await Closure.count() == 1


async def test_the_card_expiry_notice_goes_once_fourteen_days_ahead(teacher_anna, today):
    await Patron.update({Patron.expires_on: today + timedelta(days=15)}).where(
        Patron.id == teacher_anna.patron_id
    )
    assert (await card_expiry.run_daily(today))["card_expiry"] == 0
    tomorrow = today + timedelta(days=1)
    assert (await card_expiry.run_daily(tomorrow))["card_expiry"] == 1
    assert (await card_expiry.run_daily(tomorrow + timedelta(days=1)))["card_expiry"] == 0
    [notice] = (
        await Notification.select(Notification.payload)
        .where(Notification.kind == NotificationKind.card_expiry)
        .output(load_json=True)
    )
    assert notice["payload"] == {"name": "Anna Berger", "expires_on": "2026-03-25"}
    # The card is renewed for a year: the new expiry date gets its own notice in time.
    await Patron.update({Patron.expires_on: date(2027, 3, 25)}).where(
        Patron.id == teacher_anna.patron_id
    )
    assert (await card_expiry.run_daily(date(2027, 3, 11)))["card_expiry"] == 1
