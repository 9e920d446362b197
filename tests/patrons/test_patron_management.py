"""Staff register, find, edit and block borrowers; each gets a unique library card code."""

import asyncio

from mediathek.audit import AuditLog
from mediathek.catalogue.barcodes import is_valid_code
from mediathek.patrons import services
from mediathek.patrons.inputs import PatronInput
from mediathek.patrons.tables import Patron


async def test_staff_register_a_patron_and_get_a_valid_card_code(client_for, staff):
    async with client_for(staff) as c:
        r = await c.post(
            "/verwaltung/ausleihende",
            data={
                "first_name": "Maria",
                "last_name": "Kaya",
                "category": "volunteer_teacher",
                "institution": "Sprachcafé Nord",
                "email": "Maria.Kaya@Example.org",
                "preferred_language": "en",
                "expires_on": "31.12.2027",
            },
            follow_redirects=False,
        )
        assert r.status_code == 303
        page = await c.get(r.headers["location"])
    assert "Maria Kaya" in page.text and "Keine offenen Ausleihen" in page.text
    row = await Patron.select().where(Patron.last_name == "Kaya").first()
    assert row["email"] == "maria.kaya@example.org" and row["preferred_language"] == "en"
    assert row["expires_on"].isoformat() == "2027-12-31"
    assert is_valid_code(row["card_barcode"], "K") and row["card_barcode"] in page.text


async def test_invalid_patron_form_is_shown_again_with_german_messages(client_for, staff):
    async with client_for(staff) as c:
        r = await c.post(
            "/verwaltung/ausleihende",
            data={"last_name": "", "category": "astronaut", "email": "kein-at", "expires_on": "x"},
        )
    assert r.status_code == 422
    assert "Bitte geben Sie einen Nachnamen" in r.text
    assert "gültige E-Mail-Adresse" in r.text and "TT.MM.JJJJ" in r.text
    assert await Patron.count() == 0


async def test_search_finds_patrons_by_name_email_institution_and_card(
    client_for, staff, teacher_anna, kita_sonnenschein
):
    async with client_for(staff) as c:
        by_name = await c.get("/verwaltung/ausleihende", params={"q": "anna berger"})
        by_inst = await c.get("/verwaltung/ausleihende", params={"q": "sonnenschein"})
        by_card = await c.get("/verwaltung/ausleihende", params={"q": teacher_anna.card.lower()})
        by_mail = await c.get(
            "/verwaltung/ausleihende",
            params={"q": "kita.sonnenschein@"},
            headers={"HX-Request": "true"},
        )
    assert "Anna Berger" in by_name.text and "Kita Sonnenschein" not in by_name.text
    assert "Kita Sonnenschein" in by_inst.text and "Anna Berger" not in by_inst.text
    assert "Anna Berger" in by_card.text
    assert "<html" not in by_mail.text and "Kita Sonnenschein" in by_mail.text


async def test_edit_changes_contact_data(client_for, staff, teacher_anna):
    async with client_for(staff) as c:
        form = await c.get(f"/verwaltung/ausleihende/{teacher_anna.patron_id}/bearbeiten")
        assert 'value="Berger"' in form.text
        r = await c.post(
            f"/verwaltung/ausleihende/{teacher_anna.patron_id}",
            data={"phone": "0201 12345", "notes": "bringt Koffer immer pünktlich"},
            follow_redirects=False,
        )
    assert r.status_code == 303
    row = await Patron.select().where(Patron.id == teacher_anna.patron_id).first()
    assert row["phone"] == "0201 12345" and row["last_name"] == "Berger"


async def test_blocking_needs_a_reason_and_is_audited(client_for, staff, teacher_anna):
    url = f"/verwaltung/ausleihende/{teacher_anna.patron_id}"
    async with client_for(staff) as c:
        r = await c.post(url + "/sperren", data={"reason": "  "})
        assert r.status_code == 422 and "Grund für die Sperre" in r.text
        await c.post(url + "/sperren", data={"reason": "Koffer unvollständig zurück"})
        page = await c.get(url)
        assert "Gesperrt: Koffer unvollständig zurück" in page.text
        await c.post(url + "/entsperren")
    row = await Patron.select().where(Patron.id == teacher_anna.patron_id).first()
    assert row["blocked_reason"] == ""
    actions = [a["action"] for a in await AuditLog.select(AuditLog.action)]
    assert actions == ["patron.blocked", "patron.unblocked"]


async def test_concurrent_registrations_get_distinct_card_codes(db, today):
    async def register(n: int) -> int:
        return await services.create_patron(
            PatronInput(last_name=f"Person {n}", category="paid_teacher"),
            today=today,
            card_prefix="K",
        )

    await asyncio.gather(*(register(n) for n in range(12)))
    codes = [r["card_barcode"] for r in await Patron.select(Patron.card_barcode)]
    assert len(codes) == 12 and len(set(codes)) == 12


async def test_unknown_patron_is_a_german_404(client_for, staff):
    async with client_for(staff) as c:
        r = await c.get("/verwaltung/ausleihende/999999")
        huge = await c.get("/verwaltung/ausleihende/99999999999")
    assert r.status_code == 404 and "gibt es nicht" in r.text
    assert huge.status_code in (400, 404)


async def test_changing_a_patrons_email_moves_the_login_only_once_confirmed(
    client_for, staff, teacher_anna, volunteer_ben
):
    from mediathek.notifications.tables import Notification
    from mediathek.patrons.tables import Account

    url = f"/verwaltung/ausleihende/{teacher_anna.patron_id}"
    async with client_for(staff) as c:
        taken = await c.post(url, data={"email": volunteer_ben.email})
        assert taken.status_code == 422 and "anderen Konto" in taken.text
        staff_login = await c.post(url, data={"email": staff.email})
        assert staff_login.status_code == 422
        await c.post(url, data={"email": "anna.neu@example.org"})
    # The login moves when Anna confirms the link sent to the new address (test_email_change).
    login = await Account.select(Account.email).where(Account.id == teacher_anna.account_id).first()
    assert login["email"] == teacher_anna.email
    confirm = await Notification.select().where(Notification.kind == "email_change_confirm").first()
    assert confirm["recipient"] == "anna.neu@example.org"
