"""A broken address fails its own notice, with the reason, and never stops the others."""

from __future__ import annotations

from datetime import timedelta

from mediathek.notifications.delivery import deliver_outbox
from mediathek.notifications.outbox import enqueue
from mediathek.notifications.reminders import create_reminders
from mediathek.notifications.tables import Notification, NotificationKind
from mediathek.patrons.tables import Patron
from tests.factories import lend_new_title

NEWLINE = "x@example.org\nbcc:y@evil.example"
COMMA = "x@example.org,y@evil.example"


async def test_a_stored_broken_address_fails_alone_and_the_rest_go_out_in_the_same_run(
    client_for, staff, teacher_anna, volunteer_ben, mail_settings, smtp_server, today
):
    # Rows written before addresses were checked: inserted directly, ahead of the good ones.
    for n, address in enumerate((NEWLINE, COMMA)):
        await enqueue(NotificationKind.test, key=f"broken:{n}", recipient=address)
    await lend_new_title(teacher_anna.patron_id, today - timedelta(days=7))
    await lend_new_title(volunteer_ben.patron_id, today - timedelta(days=7))
    await create_reminders(today)

    result = await deliver_outbox(mail_settings)

    assert result["failed"] == 2 and result["sent"] == 2 and not result["error"]
    assert {m["To"] for m in smtp_server.inbox.messages} == {
        teacher_anna.email,
        volunteer_ben.email,
    }
    # Nobody else got anything: no Bcc header, no second envelope recipient.
    assert all("evil" not in m.as_string() for m in smtp_server.inbox.messages)
    rows = await Notification.select().order_by(Notification.id)
    assert [r["status"] for r in rows] == ["failed", "failed", "sent", "sent"]
    assert all("Ungültige E-Mail-Adresse" in r["last_error"] for r in rows[:2])
    # Staff see which one failed and why, on the outbox page and in the API.
    async with client_for(staff) as c:
        page = await c.get("/verwaltung/benachrichtigungen", params={"status": "failed"})
        api = await c.get("/api/v1/notifications", params={"status": "failed"})
    assert "Ungültige E-Mail-Adresse" in page.text
    assert [i["status"] for i in api.json()["items"]] == ["failed", "failed"]
    assert all("Ungültige E-Mail-Adresse" in i["last_error"] for i in api.json()["items"])
    # The next run does not trip over them again.
    again = await deliver_outbox(mail_settings)
    assert again["failed"] == 0 and again["sent"] == 0


async def test_a_patron_whose_stored_address_is_broken_does_not_stop_the_reminders(
    teacher_anna, volunteer_ben, mail_settings, smtp_server, today
):
    await lend_new_title(teacher_anna.patron_id, today - timedelta(days=7))
    await lend_new_title(volunteer_ben.patron_id, today - timedelta(days=7))
    await Patron.update({Patron.email: NEWLINE}).where(Patron.id == teacher_anna.patron_id)
    await create_reminders(today)
    result = await deliver_outbox(mail_settings)
    assert result["failed"] == 1 and result["sent"] == 1
    assert [m["To"] for m in smtp_server.inbox.messages] == [volunteer_ben.email]


async def test_a_5xx_for_one_recipient_fails_that_notice_and_the_run_goes_on(
    teacher_anna, volunteer_ben, mail_settings, smtp_server, today
):
    smtp_server.inbox.refuse.add(teacher_anna.email)
    await lend_new_title(teacher_anna.patron_id, today - timedelta(days=7))
    await lend_new_title(volunteer_ben.patron_id, today - timedelta(days=7))
    await create_reminders(today)
    result = await deliver_outbox(mail_settings)
    assert result["failed"] == 1 and result["sent"] == 1
    failed = await Notification.select().where(Notification.status == "failed").first()
    assert failed["recipient"] == teacher_anna.email and "550" in failed["last_error"]


async def test_a_message_the_mail_library_cannot_write_fails_alone(mail_settings, smtp_server):
    from mediathek.notifications.mailer import Mailer, SendFailure
    from mediathek.notifications.messages import Rendered, build_message

    rendered = Rendered(subject="Test", text="Hallo\n", html="<p>Hallo</p>")
    broken = build_message(mail_settings, rendered, "a@example.org", "<m1@example.org>")
    broken.replace_header("To", NEWLINE)  # what an unchecked stored address used to make
    good = build_message(mail_settings, rendered, "b@example.org", "<m2@example.org>")
    async with Mailer(mail_settings) as mailer:
        try:
            await mailer.send(broken, "a@example.org")
        except SendFailure as failure:
            assert failure.permanent and not failure.server, failure.message
            assert "lässt sich nicht senden" in failure.message
        else:
            raise AssertionError("the broken message went out")
        await mailer.send(good, "b@example.org")
    assert [m["To"] for m in smtp_server.inbox.messages] == ["b@example.org"]
