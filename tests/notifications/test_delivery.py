"""Delivering the outbox to a real SMTP server: once, in the right words, never lost."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from mediathek.clock import now
from mediathek.notifications import delivery
from mediathek.notifications.delivery import deliver_outbox, resend
from mediathek.notifications.kinds import ALL_RETURNED
from mediathek.notifications.outbox import enqueue, notice_key
from mediathek.notifications.reminders import create_reminders
from mediathek.notifications.tables import Notification, NotificationKind, NotificationStatus
from mediathek.patrons.tables import Patron
from tests.factories import close_loan, lend_new_title


async def statuses() -> list[str]:
    return [r["status"] for r in await Notification.select(Notification.status)]


async def test_running_the_whole_job_twice_sends_nothing_new(
    teacher_anna, mail_settings, smtp_server, today
):
    await lend_new_title(teacher_anna.patron_id, today - timedelta(days=7))
    for _ in range(2):
        await create_reminders(today)
        await deliver_outbox(mail_settings)
    assert len(smtp_server.inbox.messages) == 1


async def test_german_digest_lists_every_item_with_contact_and_renew_link(
    teacher_anna, mail_settings, smtp_server, today
):
    a = await lend_new_title(
        teacher_anna.patron_id, today + timedelta(days=3), title="Tiptoi Wörter"
    )
    b = await lend_new_title(teacher_anna.patron_id, today - timedelta(days=14), title="Memo Tiere")
    await create_reminders(today)
    await deliver_outbox(mail_settings)
    [msg] = smtp_server.inbox.to(teacher_anna.email)
    assert msg["Subject"] == "2. Mahnung: Bitte bringen Sie Ihre Medien zurück"
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    for part in (text, html):
        assert "Tiptoi Wörter" in part and "Memo Tiere" in part
        assert a["barcode"] in part and b["barcode"] in part
        assert "13.03.2026" in part  # due date of the first item, German format
        assert "http://testserver.local/konto" in part
        assert "Musterstraße 1" in part
    assert "2. Mahnung" in text and "bald fällig" in text


async def test_english_digest_for_a_patron_who_reads_english(
    volunteer_ben, mail_settings, smtp_server, today
):
    await lend_new_title(volunteer_ben.patron_id, today - timedelta(days=28), title="Story Cubes")
    await lend_new_title(
        volunteer_ben.patron_id, today - timedelta(days=7), title="Picture Dictionary"
    )
    await create_reminders(today)
    await deliver_outbox(mail_settings)
    [msg] = smtp_server.inbox.to(volunteer_ben.email)
    assert msg["Subject"] == "Final reminder: please return your items"
    text = msg.get_body(("plain",)).get_content()
    assert "Story Cubes" in text and "Picture Dictionary" in text
    assert "10 Feb 2026" in text and "Opening days" in text


async def test_smtp_down_keeps_everything_queued_and_sends_exactly_once_later(
    teacher_anna, volunteer_ben, mail_settings, smtp_server, today
):
    await lend_new_title(teacher_anna.patron_id, today - timedelta(days=7))
    await lend_new_title(volunteer_ben.patron_id, today - timedelta(days=7))
    await create_reminders(today)
    smtp_server.stop()
    result = await deliver_outbox(mail_settings)
    assert "nicht erreichbar" in result["error"]
    assert await statuses() == ["queued", "queued"]
    smtp_server.start()
    await deliver_outbox(mail_settings)
    await deliver_outbox(mail_settings)
    assert len(smtp_server.inbox.messages) == 2
    assert await statuses() == ["sent", "sent"]


async def test_a_crash_after_sending_resends_with_the_same_message_id(
    teacher_anna, mail_settings, smtp_server, today, monkeypatch
):
    await lend_new_title(teacher_anna.patron_id, today - timedelta(days=7))
    await create_reminders(today)

    async def crash(notice_ids, at):
        raise RuntimeError("Stromausfall")

    monkeypatch.setattr(delivery, "mark_sent", crash)
    with pytest.raises(RuntimeError):
        await deliver_outbox(mail_settings)
    monkeypatch.undo()
    assert await statuses() == ["queued"]
    await deliver_outbox(mail_settings)
    first, second = smtp_server.inbox.messages
    # SMTP has no "did you get it?": the mail goes out twice, recognisably the same one.
    assert first["Message-ID"] == second["Message-ID"]
    assert await statuses() == ["sent"]


async def test_items_returned_before_delivery_are_left_out(
    teacher_anna, mail_settings, smtp_server, today
):
    kept = await lend_new_title(teacher_anna.patron_id, today - timedelta(days=7), title="Behalten")
    back = await lend_new_title(teacher_anna.patron_id, today - timedelta(days=7), title="Zurück")
    await create_reminders(today)
    await close_loan(back["loan_id"])
    await deliver_outbox(mail_settings)
    [msg] = smtp_server.inbox.messages
    text = msg.get_body(("plain",)).get_content()
    assert kept["barcode"] in text and back["barcode"] not in text


async def test_a_digest_whose_items_all_came_back_is_not_sent(
    teacher_anna, mail_settings, smtp_server, today
):
    loan = await lend_new_title(teacher_anna.patron_id, today - timedelta(days=7))
    await create_reminders(today)
    await close_loan(loan["loan_id"])
    await deliver_outbox(mail_settings)
    assert smtp_server.inbox.messages == []
    row = await Notification.select(Notification.status, Notification.last_error).first()
    assert row == {"status": "sent", "last_error": ALL_RETURNED}


async def test_nothing_goes_to_a_deleted_patron(teacher_anna, mail_settings, smtp_server, today):
    await lend_new_title(teacher_anna.patron_id, today - timedelta(days=7))
    await create_reminders(today)
    await Patron.delete().where(Patron.id == teacher_anna.patron_id)
    await deliver_outbox(mail_settings)
    assert smtp_server.inbox.messages == []


async def test_a_refused_address_is_marked_failed_for_staff(
    teacher_anna, mail_settings, smtp_server, today
):
    smtp_server.inbox.refuse.add(teacher_anna.email)
    await lend_new_title(teacher_anna.patron_id, today - timedelta(days=7))
    await create_reminders(today)
    await deliver_outbox(mail_settings)
    row = await Notification.select(Notification.status, Notification.last_error).first()
    assert row["status"] == NotificationStatus.failed
    assert "550" in row["last_error"]


async def test_resend_delivers_again_with_a_new_message_id(
    teacher_anna, mail_settings, smtp_server, today
):
    notice_id = await enqueue(
        NotificationKind.hold_ready,
        key=notice_key(NotificationKind.hold_ready, teacher_anna.patron_id, today, 7),
        patron_id=teacher_anna.patron_id,
        payload={"title": "Memo Tiere", "pickup_until": "2026-03-19", "barcode": "M1"},
    )
    await deliver_outbox(mail_settings)
    assert await resend(notice_id)
    await deliver_outbox(mail_settings)
    first, second = smtp_server.inbox.messages
    assert "19.03.2026" in first.get_body(("plain",)).get_content()
    assert first["Message-ID"] != second["Message-ID"]


async def test_a_retry_waits_for_its_backoff(teacher_anna, mail_settings, smtp_server, today):
    await lend_new_title(teacher_anna.patron_id, today - timedelta(days=7))
    await create_reminders(today)
    await Notification.update({Notification.next_attempt_at: now() + timedelta(minutes=10)}).where(
        Notification.id > 0
    )
    await deliver_outbox(mail_settings)
    assert smtp_server.inbox.messages == []
    await deliver_outbox(mail_settings, at=now() + timedelta(minutes=11))
    assert len(smtp_server.inbox.messages) == 1


async def test_two_concurrent_runs_never_send_the_same_notice(
    teacher_anna, volunteer_ben, kita_sonnenschein, mail_settings, smtp_server, today
):
    for persona in (teacher_anna, volunteer_ben, kita_sonnenschein):
        for _ in range(3):
            await lend_new_title(persona.patron_id, today - timedelta(days=7))
    await asyncio.gather(create_reminders(today), create_reminders(today))
    results = await asyncio.gather(*(deliver_outbox(mail_settings) for _ in range(4)))
    assert sum(r.get("sent", 0) for r in results) == 3
    ids = [m["Message-ID"] for m in smtp_server.inbox.messages]
    assert len(ids) == 3 == len(set(ids))


async def test_a_notice_that_cannot_be_rendered_fails_alone(
    teacher_anna, mail_settings, smtp_server, today
):
    await Notification.insert(
        Notification(
            key="kaputt",
            patron=teacher_anna.patron_id,
            recipient="x@example.org",
            kind="gibt_es_nicht",
            payload={},
        )
    )
    await lend_new_title(teacher_anna.patron_id, today - timedelta(days=7))
    await create_reminders(today)
    await deliver_outbox(mail_settings)
    assert len(smtp_server.inbox.messages) == 1
    broken = await Notification.select().where(Notification.key == "kaputt").first()
    assert broken["status"] == "failed" and "Vorlage fehlerhaft" in broken["last_error"]


# AUTH without TLS is what aiosmtpd warns about; fine on 127.0.0.1 in a test.
@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
async def test_delivery_logs_in_with_the_configured_credentials(settings, teacher_anna, today):
    import dataclasses

    from tests.fakes import SmtpServer

    server = SmtpServer(login=("mediathek", "geheim"))
    server.start()
    try:
        base = dataclasses.replace(settings, smtp_port=server.port, smtp_username="mediathek")
        await lend_new_title(teacher_anna.patron_id, today - timedelta(days=7))
        await create_reminders(today)
        wrong = dataclasses.replace(base, smtp_password="falsch", smtp_timeout=3)
        refused = await deliver_outbox(wrong)
        assert refused["error"] and refused["sent"] == 0
        assert await statuses() == ["queued"]
        await deliver_outbox(dataclasses.replace(base, smtp_password="geheim"))
        assert len(server.inbox.messages) == 1
    finally:
        server.stop()
