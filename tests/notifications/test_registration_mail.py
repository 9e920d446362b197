"""Waiting after self-registration is not an empty room: a confirmation says what comes next."""

from __future__ import annotations

from mediathek.notifications.delivery import deliver_outbox
from mediathek.notifications.tables import Notification
from tests.patrons.test_registration import FORM


async def test_registration_sends_a_confirmation_with_what_happens_next(
    client, client_for, admin, mail_settings, smtp_server
):
    async with client_for(admin) as c:
        await c.post(
            "/admin/kontakt",
            data={
                "name": "Mediathek im KI",
                "address": "Am Markt 5, 12345 Musterstadt",
                "phone": "02345 67-890",
                "email": "ausleihe@musterstadt.example",
                "opening_hours_text": "",
                "approval_days": "2",
            },
        )
        await c.post(
            "/admin/kalender/oeffnungstage",
            data={"open-1": "1", "hours-1": "9–16 Uhr", "open-3": "1", "hours-3": "14–18 Uhr"},
        )
    page = await client.post("/registrieren", data=FORM)
    assert "höchstens 2 Werktage" in page.text and "an der Theke" in page.text
    await deliver_outbox(mail_settings)
    [msg] = smtp_server.inbox.to("lena.vogel@example.org")
    assert msg["Subject"] == "Ihre Registrierung bei der Mediathek ist eingegangen"
    for part in (msg.get_body(("plain",)).get_content(), msg.get_body(("html",)).get_content()):
        assert "Lena Vogel" in part
        assert "höchstens 2 Werktage" in part
        assert "Bibliotheksausweis bekommen Sie an der Theke" in part
        assert "Dienstag: 9–16 Uhr" in part and "Donnerstag: 14–18 Uhr" in part
        assert "Am Markt 5, 12345 Musterstadt" in part
        assert "http://testserver.local/so-funktionierts" in part


async def test_registering_an_address_with_a_login_sends_nothing(client, teacher_anna):
    await client.post("/registrieren", data={**FORM, "email": teacher_anna.email})
    assert await Notification.count() == 0


async def test_the_confirmation_reads_english_for_an_english_speaker(
    client, mail_settings, smtp_server
):
    await client.post("/registrieren", data={**FORM, "preferred_language": "en"})
    await deliver_outbox(mail_settings)
    [msg] = smtp_server.inbox.to("lena.vogel@example.org")
    assert msg["Subject"] == "We have received your registration with the Mediathek"
    text = msg.get_body(("plain",)).get_content()
    assert "at most 3 working days" in text and "printed library card at the desk" in text
