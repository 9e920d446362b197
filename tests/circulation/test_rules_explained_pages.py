"""The lending rules as a teacher and staff meet them on the pages: a shortened due date says
why at the desk, on the receipt, in the API and in Mein Konto; a long-overdue loan is not
renewed online; staff renew it with a reason; a closure says how many dates it moved."""

from __future__ import annotations

from datetime import timedelta

import pytest

from mediathek.audit import AuditLog
from mediathek.catalogue.tables import Copy
from mediathek.circulation.tables import Loan
from mediathek.clock import today as library_today
from mediathek.notifications.tables import Notification, NotificationKind
from mediathek.opening_calendar import load_calendar
from mediathek.reservations.tables import Booking, BookingStatus
from tests.factories import lend, title_with_copy_ids


@pytest.fixture
def today():
    """The pages ask the clock (Europe/Berlin): these tests use the same day."""
    return library_today()


async def scan(c, code, ausweis="", **extra):
    return await c.post(
        "/theke/scan",
        data={"code": code, "ausweis": ausweis, **extra},
        headers={"HX-Request": "true"},
    )


async def test_a_loan_shortened_by_a_booking_says_why_everywhere(
    client_for, staff, teacher_anna, volunteer_ben, today
):
    title_id, [copy_id] = await title_with_copy_ids(1, name="Medienkoffer Kita")
    await Booking.insert(
        Booking(
            title=title_id,
            patron=volunteer_ben.patron_id,
            copy=copy_id,
            start_on=today + timedelta(days=12),
            end_on=today + timedelta(days=16),
            status=BookingStatus.confirmed,
        )
    )
    code = (await Copy.select(Copy.barcode).where(Copy.id == copy_id).first())["barcode"]
    async with client_for(staff) as c:
        await scan(c, teacher_anna.card)
        lent = await scan(c, code, teacher_anna.card)
        assert "Ausgeliehen: „Medienkoffer Kita“" in lent.text
        assert "data-due-reason" in lent.text and "für einen Zeitraum reserviert" in lent.text
        receipt = await c.get(f"/theke/quittung?ausweis={teacher_anna.card}")
        assert "für einen Zeitraum reserviert" in receipt.text
        api = await c.get(f"/api/v1/loans?patron_id={teacher_anna.patron_id}")
        [doc] = api.json()
        assert "für einen Zeitraum reserviert" in doc["due_reason"]
    async with client_for(teacher_anna) as c:
        account = await c.get("/konto")
        assert "für einen Zeitraum reserviert" in account.text


async def overdue(anna, today, days_over: int, level: int) -> int:
    _, [copy_id] = await title_with_copy_ids(1, name="Memo Tiere")
    loan_id = await lend(copy_id, anna.patron_id, today - timedelta(days=days_over + 28))
    await Loan.update(
        {Loan.due_on: today - timedelta(days=days_over), Loan.reminder_level: level}
    ).where(Loan.id == loan_id)
    return loan_id


async def test_a_teacher_at_the_second_reminder_is_told_to_bring_it_back(
    client_for, teacher_anna, today
):
    loan_id = await overdue(teacher_anna, today, 15, 2)
    async with client_for(teacher_anna) as c:
        account = await c.get("/konto")
        assert "Online nicht mehr verlängerbar" in account.text
        assert f"/konto/ausleihen/{loan_id}/verlaengern" not in account.text
        refused = await c.post(
            f"/konto/ausleihen/{loan_id}/verlaengern", headers={"HX-Request": "true"}
        )
        assert refused.status_code == 200
        assert "Nicht verlängert" in refused.text and "2. Mahnung" in refused.text
        api = await c.post(f"/api/v1/loans/{loan_id}/renew")
        assert api.status_code == 409 and "2. Mahnung" in api.json()["detail"]
    loan = await Loan.select(Loan.renewals).where(Loan.id == loan_id).first()
    assert loan["renewals"] == 0


async def test_staff_renew_a_long_overdue_loan_at_the_desk_with_a_reason(
    client_for, staff, teacher_anna, today
):
    loan_id = await overdue(teacher_anna, today, 15, 2)
    async with client_for(staff) as c:
        data = {"ausweis": teacher_anna.card, "loan_id": str(loan_id)}
        refused = await c.post("/theke/verlaengern", data=data, headers={"HX-Request": "true"})
        assert "Begründung" in refused.text
        renewed = await c.post(
            "/theke/verlaengern",
            data={**data, "override_reason": "Kurs läuft länger"},
            headers={"HX-Request": "true"},
        )
        assert "Verlängert: „Memo Tiere“" in renewed.text
        # The same through the API, for a second loan.
        other = await overdue(teacher_anna, today, 16, 2)
        api = await c.post(f"/api/v1/loans/{other}/renew", json={"override_reason": "Absprache"})
        assert api.status_code == 200, api.text
    reasons = await AuditLog.select(AuditLog.object_id).where(
        AuditLog.action == "loan.renew_override"
    )
    assert {r["object_id"] for r in reasons} == {str(loan_id), str(other)}


async def test_a_closure_tells_staff_how_many_dates_moved(client_for, admin, teacher_anna, today):
    calendar = await load_calendar(today)
    due = calendar.next_opening_day(today + timedelta(days=10))
    _, [copy_id] = await title_with_copy_ids(1, name="Wimmelbuch Stadt")
    loan_id = await lend(copy_id, teacher_anna.patron_id, today, due)
    async with client_for(admin) as c:
        page = await c.post(
            "/admin/kalender/schliesstage",
            data={"start_on": due.isoformat(), "end_on": due.isoformat(), "label": "Fortbildung"},
            follow_redirects=True,
        )
        assert page.status_code == 200
        assert "verschoben: 1 Rückgabedatum, 0 Abholfristen" in page.text
    moved = await Loan.select(Loan.due_on, Loan.due_reason).where(Loan.id == loan_id).first()
    assert moved["due_on"] > due and moved["due_reason"] == "closure:Fortbildung"
    assert (
        await Notification.count().where(
            Notification.kind == NotificationKind.dates_moved,
            Notification.patron == teacher_anna.patron_id,
        )
        == 1
    )


async def test_how_it_works_states_the_renewal_rules(client):
    page = await client.get("/so-funktionierts")
    assert "ab dem bisherigen Rückgabetag" in page.text
    assert "Ab der 2. Mahnung können Sie nicht mehr online verlängern" in page.text
    assert "Läuft Ihr Ausweis vorher ab" in page.text
    assert "14 Tage vor dem Ablauf" in page.text
