"""Mein Konto: own data only, profile, password, data download, deletion (DSGVO)."""

import pytest

from mediathek.circulation.tables import Loan
from mediathek.core_tables import AuditLog
from mediathek.patrons.tables import Account, Patron, WebSession
from mediathek.reservations.tables import Booking, Hold
from tests.access_fixtures import annas_things
from tests.conftest import PASSWORD

NEW = "ein-neues-passwort-99"


@pytest.fixture
async def things(teacher_anna, staff, today):
    return await annas_things(teacher_anna, staff, today)


async def test_teacher_sees_her_loans_holds_and_bookings(client_for, teacher_anna, things):
    async with client_for(teacher_anna) as c:
        page = await c.get("/konto")
    assert page.status_code == 200
    assert things.loan_title in page.text and "Memo Tiere (Annas Vormerkung)" in page.text
    assert "09.04.2026" in page.text  # booking start, German date


async def test_another_teacher_never_sees_annas_things(client_for, volunteer_ben, things):
    async with client_for(volunteer_ben) as c:
        page = await c.get("/konto")
        data = (await c.get("/konto/daten.json")).json()
    assert "Annas" not in page.text and "Berger" not in page.text
    assert data["patron"]["last_name"] == "Yilmaz"
    assert data["loans"] == [] and data["holds"] == [] and data["bookings"] == []


async def test_staff_without_a_card_have_no_mein_konto(client_for, staff):
    async with client_for(staff) as c:
        assert (await c.get("/konto")).status_code == 403


async def test_profile_and_email_language_can_be_changed(client_for, teacher_anna):
    async with client_for(teacher_anna) as c:
        r = await c.post(
            "/konto/profil",
            data={"preferred_language": "en", "city": "Essen", "email": "neu@example.org"},
        )
        assert r.status_code in (200, 303)
        bad = await c.post("/konto/profil", data={"preferred_language": "fr"})
        # She chose English: the page, and its error, are in English now.
        assert bad.status_code == 422 and "one of the languages offered" in bad.text
    row = await Patron.select().where(Patron.id == teacher_anna.patron_id).first()
    assert row["preferred_language"] == "en" and row["city"] == "Essen"
    assert row["email"] == teacher_anna.email  # a new address counts once its owner confirms it


async def test_teacher_corrects_her_name_and_phone(client_for, teacher_anna):
    async with client_for(teacher_anna) as c:
        r = await c.post(
            "/konto/profil",
            data={"first_name": "Anna-Lena", "last_name": "Berger-Kaya", "phone": "0211 1234"},
        )
        assert r.status_code in (200, 303)
        page = await c.get("/konto")
        assert "Anna-Lena Berger-Kaya" in page.text.split("</header>", 1)[0]
        empty = await c.post("/konto/profil", data={"first_name": "Anna", "last_name": " "})
        assert empty.status_code == 422 and "Bitte geben Sie einen Nachnamen" in empty.text
    row = await Patron.select().where(Patron.id == teacher_anna.patron_id).first()
    assert (row["first_name"], row["last_name"], row["phone"]) == (
        "Anna-Lena",
        "Berger-Kaya",
        "0211 1234",
    )
    account = await Account.select().where(Account.patron == teacher_anna.patron_id).first()
    assert account["display_name"] == "Anna-Lena Berger-Kaya"


async def test_changing_the_password_ends_other_sessions(client_for, teacher_anna):
    async with client_for(teacher_anna) as other_device, client_for(teacher_anna) as c:
        wrong = await c.post(
            "/konto/passwort",
            data={"current_password": "falsch", "password": NEW, "password_repeat": NEW},
        )
        assert wrong.status_code == 422 and "bisherige Passwort stimmt nicht" in wrong.text
        r = await c.post(
            "/konto/passwort",
            data={"current_password": PASSWORD, "password": NEW, "password_repeat": NEW},
            follow_redirects=False,
        )
        assert r.status_code == 303
        # This browser got a fresh session cookie with the redirect.
        c.cookies.clear()
        c.cookies.set("mediathek_session", r.cookies["mediathek_session"])
        assert (await c.get("/konto", follow_redirects=False)).status_code == 200
        assert (await other_device.get("/konto", follow_redirects=False)).status_code == 303
    assert await WebSession.count() == 1


async def test_data_download_is_json_with_everything_about_me(client_for, teacher_anna, things):
    async with client_for(teacher_anna) as c:
        r = await c.get("/konto/daten.json")
    assert r.headers["content-type"].startswith("application/json")
    assert "attachment" in r.headers["content-disposition"]
    data = r.json()
    assert data["patron"]["card_barcode"] == teacher_anna.card
    assert data["account"]["email"] == teacher_anna.email
    assert {loan["title"] for loan in data["loans"]} == {things.loan_title}
    assert len(data["holds"]) == 1 and len(data["bookings"]) == 1
    assert data["notifications"] == []


async def test_deletion_is_refused_while_loans_are_open(client_for, teacher_anna, staff, things):
    async with client_for(teacher_anna) as c:
        await c.post("/konto/loeschen")
    async with client_for(staff) as c:
        page = await c.get("/verwaltung/loeschantraege")
        assert "Anna Berger" in page.text and "erst nach Rückgabe möglich" in page.text
        r = await c.post(f"/verwaltung/loeschantraege/{teacher_anna.patron_id}/loeschen")
    assert r.status_code == 409 and "offene Ausleihe" in r.text
    assert await Patron.exists().where(Patron.id == teacher_anna.patron_id)


async def test_deletion_removes_patron_account_holds_bookings_and_anonymises_loans(
    client_for, teacher_anna, staff, things
):
    await Loan.update({Loan.returned_at: Loan.loaned_at}).where(Loan.id == things.loan_id)
    async with client_for(teacher_anna) as c:
        await c.post("/konto/loeschen")
    async with client_for(staff) as c:
        r = await c.post(f"/verwaltung/loeschantraege/{teacher_anna.patron_id}/loeschen")
        assert r.status_code in (200, 303)
    assert not await Patron.exists().where(Patron.id == teacher_anna.patron_id)
    assert not await Account.exists().where(Account.email == teacher_anna.email)
    assert await Hold.count() == 0 and await Booking.count() == 0
    loans = await Loan.select(Loan.patron, Loan.anonymised_at, Loan.patron_category)
    assert len(loans) == 2
    assert all(row["patron"] is None and row["anonymised_at"] for row in loans)
    assert all(row["patron_category"] == "paid_teacher" for row in loans)
    audit = await AuditLog.select(AuditLog.action, AuditLog.object_id).first()
    assert audit == {"action": "patron.deleted", "object_id": str(teacher_anna.patron_id)}
