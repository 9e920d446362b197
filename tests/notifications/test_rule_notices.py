"""Reminders that do not invite what the rules refuse, and the notices of the lending rules
(card runs out, a closure moved her dates), delivered to a real SMTP server."""

from __future__ import annotations

from datetime import date, timedelta

from mediathek.circulation import card_expiry, closures
from mediathek.notifications.delivery import deliver_outbox
from mediathek.notifications.reminders import create_reminders
from mediathek.patrons.tables import Patron
from tests.factories import lend_new_title


async def test_the_last_reminder_is_last_everywhere_and_does_not_offer_renewal(
    teacher_anna, mail_settings, smtp_server, today
):
    await lend_new_title(teacher_anna.patron_id, today - timedelta(days=28), title="Story Cubes")
    await create_reminders(today)
    await deliver_outbox(mail_settings)
    [msg] = smtp_server.inbox.to(teacher_anna.email)
    assert msg["Subject"].startswith("Letzte Mahnung")
    for part in (msg.get_body(("plain",)).get_content(), msg.get_body(("html",)).get_content()):
        assert "3. Mahnung" not in part and "letzte Mahnung" in part
        assert "online verlängern:" not in part
        assert "nicht mehr online verlängern" in part


async def test_the_first_reminder_still_offers_online_renewal(
    teacher_anna, mail_settings, smtp_server, today
):
    await lend_new_title(teacher_anna.patron_id, today - timedelta(days=7))
    await create_reminders(today)
    await deliver_outbox(mail_settings)
    [msg] = smtp_server.inbox.to(teacher_anna.email)
    text = msg.get_body(("plain",)).get_content()
    assert "online verlängern: http://testserver.local/konto" in text


async def test_the_card_expiry_notice_names_the_day(
    teacher_anna, mail_settings, smtp_server, today
):
    await Patron.update({Patron.expires_on: today + timedelta(days=14)}).where(
        Patron.id == teacher_anna.patron_id
    )
    await card_expiry.run_daily(today)
    await deliver_outbox(mail_settings)
    [msg] = smtp_server.inbox.to(teacher_anna.email)
    assert msg["Subject"] == "Ihr Bibliotheksausweis läuft am 24.03.2026 ab"
    assert "an der Theke verlängern" in msg.get_body(("plain",)).get_content()


async def test_a_closure_tells_the_borrower_her_new_date(
    teacher_anna, mail_settings, smtp_server, today
):
    await lend_new_title(teacher_anna.patron_id, date(2026, 3, 20), title="Memo Tiere")
    await closures.close(date(2026, 3, 20), date(2026, 3, 20), "Fortbildung", today=today)
    await deliver_outbox(mail_settings)
    [msg] = smtp_server.inbox.to(teacher_anna.email)
    assert "Fortbildung" in msg["Subject"]
    text = msg.get_body(("plain",)).get_content()
    assert "Memo Tiere" in text and "Rückgabe bis: jetzt 23.03.2026 (statt 20.03.2026)" in text
