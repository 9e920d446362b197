"""Staff pages and the JSON API of the outbox; admin pages for reminders and templates."""

from __future__ import annotations

from datetime import timedelta

from mediathek.notifications.reminders import create_reminders
from mediathek.notifications.tables import Notification
from mediathek.site_settings import get_setting
from tests.factories import lend_new_title


async def test_staff_see_the_outbox_with_filters(client_for, staff, teacher_anna, today):
    await lend_new_title(teacher_anna.patron_id, today - timedelta(days=7))
    await create_reminders(today)
    async with client_for(staff) as c:
        page = await c.get("/verwaltung/benachrichtigungen")
        assert page.status_code == 200
        assert teacher_anna.email in page.text and "wartet" in page.text
        none = await c.get("/verwaltung/benachrichtigungen?status=failed")
        assert teacher_anna.email not in none.text
        found = await c.get("/verwaltung/benachrichtigungen", params={"suche": "anna"})
        assert teacher_anna.email in found.text
        fragment = await c.get("/verwaltung/benachrichtigungen", headers={"HX-Request": "true"})
        assert "<html" not in fragment.text and teacher_anna.email in fragment.text


async def test_staff_read_a_notice_and_send_it_again(client_for, staff, teacher_anna, today):
    await lend_new_title(teacher_anna.patron_id, today - timedelta(days=7), title="Memo Tiere")
    await create_reminders(today)
    notice = await Notification.select(Notification.id).first()
    await Notification.update({Notification.status: "failed"}).where(Notification.id > 0)
    async with client_for(staff) as c:
        page = await c.get(f"/verwaltung/benachrichtigungen/{notice['id']}")
        assert "Memo Tiere" in page.text and "1. Mahnung" in page.text
        html = await c.get(f"/verwaltung/benachrichtigungen/{notice['id']}/html")
        assert "<table" in html.text and "Memo Tiere" in html.text
        assert html.headers["content-security-policy"].startswith("sandbox")
        again = await c.post(f"/verwaltung/benachrichtigungen/{notice['id']}/erneut-senden")
        assert again.status_code == 303
        missing = await c.get("/verwaltung/benachrichtigungen/999999")
        assert missing.status_code == 404
    row = await Notification.select(Notification.status).first()
    assert row["status"] == "queued"


async def test_a_teacher_cannot_see_the_outbox(client_for, teacher_anna):
    async with client_for(teacher_anna) as c:
        assert (await c.get("/verwaltung/benachrichtigungen")).status_code == 403
        assert (await c.get("/api/v1/notifications")).status_code == 403


async def test_test_email_reaches_the_smtp_server(
    app, client_for, admin, smtp_server, mail_settings
):
    app.state.settings = mail_settings
    async with client_for(admin) as c:
        sent = await c.post(
            "/verwaltung/benachrichtigungen/test", data={"email": "pruef@example.org"}
        )
        assert "Test-E-Mail an pruef@example.org gesendet" in sent.text
        bad = await c.post("/verwaltung/benachrichtigungen/test", data={"email": "kein at"})
        assert "gültige E-Mail-Adresse" in bad.text
    [msg] = smtp_server.inbox.messages
    assert msg["Subject"] == "Test-E-Mail der Mediathek"


async def test_test_email_tells_when_the_server_is_down(
    app, client_for, admin, mail_settings, smtp_server
):
    smtp_server.stop()
    app.state.settings = mail_settings
    async with client_for(admin) as c:
        page = await c.post("/verwaltung/benachrichtigungen/test", data={"email": "a@example.org"})
    assert "nicht erreichbar" in page.text


async def test_level_three_list_for_staff(client_for, staff, teacher_anna, today):
    await lend_new_title(teacher_anna.patron_id, today - timedelta(days=30), title="Koffer Kita")
    await create_reminders(today)
    async with client_for(staff) as c:
        page = await c.get("/verwaltung/mahnstufe-3")
    assert "Anna Berger" in page.text and "Koffer Kita" in page.text


async def test_admin_changes_reminder_offsets(client_for, admin):
    async with client_for(admin) as c:
        bad = await c.post(
            "/admin/erinnerungen",
            data={"due_soon_days": "2", "level1": "10", "level2": "5", "level3": "30"},
        )
        assert bad.status_code == 422 and "später kommen als die vorige" in bad.text
        ok = await c.post(
            "/admin/erinnerungen",
            data={"due_soon_days": "2", "level1": "5", "level2": "10", "level3": "20"},
        )
        assert ok.status_code == 200 and "Gespeichert" in ok.text
    assert await get_setting("due_soon_days") == 2
    assert await get_setting("overdue_level_days") == [5, 10, 20]


async def test_admin_adapts_a_template_and_the_email_uses_it(
    client_for, admin, teacher_anna, mail_settings, smtp_server, today
):
    from mediathek.notifications.delivery import deliver_outbox

    url = "/admin/email-vorlagen/overdue.de"
    async with client_for(admin) as c:
        assert "angepasst" not in (await c.get("/admin/email-vorlagen")).text
        form = await c.get(url)
        # One subject and one body per language: the standard text, ready to adapt.
        assert 'name="subject"' in form.text and "{{ item_list }}" in form.text
        broken = await c.post(url, data={"subject": "x", "body": "{% if %}", "action": "save"})
        assert broken.status_code == 422 and "Fehler" in broken.text
        empty = await c.post(url, data={"subject": " ", "body": "Text", "action": "save"})
        assert empty.status_code == 422 and "Betreff" in empty.text
        saved = await c.post(
            url,
            data={
                "subject": "Bitte zurückbringen ({{ level }})",
                "body": "Liebe {{ name }},\n\n{{ item_list }}\n\nDanke! https://example.org/x",
            },
        )
        assert saved.status_code == 303
        assert "angepasst" in (await c.get("/admin/email-vorlagen")).text
        assert (await c.get("/admin/email-vorlagen/gibtsnicht.de")).status_code == 404
        assert (await c.get("/admin/email-vorlagen/overdue.de.txt")).status_code == 404
    await lend_new_title(teacher_anna.patron_id, today - timedelta(days=7))
    await create_reminders(today)
    await deliver_outbox(mail_settings)
    message = smtp_server.inbox.messages[0]
    assert message["Subject"] == "Bitte zurückbringen (1)"
    text, html = (part.get_payload(decode=True).decode() for part in message.get_payload())
    assert text.startswith("Liebe Anna Berger,") and "Danke!" in text and "Öffnungszeiten" in text
    # The HTML part is made from the same text: a table of media and a clickable link.
    assert "<table" in html and '<p>Danke! <a href="https://example.org/x">' in html
    async with client_for(admin) as c:
        await c.post(url, data={"action": "reset"})
        assert "angepasst" not in (await c.get("/admin/email-vorlagen")).text


async def test_api_lists_and_resends_notices(client_for, staff, teacher_anna, today):
    await lend_new_title(teacher_anna.patron_id, today - timedelta(days=7))
    await create_reminders(today)
    async with client_for(staff) as c:
        listed = (await c.get("/api/v1/notifications", params={"status": "queued"})).json()
        assert listed["total"] == 1
        item = listed["items"][0]
        assert item["kind"] == "overdue" and item["recipient"] == teacher_anna.email
        done = await c.post(f"/api/v1/notifications/{item['id']}/resend")
        assert done.status_code == 200 and done.json() == {"id": item["id"], "status": "queued"}
        missing = await c.post("/api/v1/notifications/424242/resend")
        assert missing.status_code == 404
        assert missing.headers["content-type"].startswith("application/problem+json")


async def test_the_api_asks_anonymous_callers_to_log_in(client):
    answer = await client.get("/api/v1/notifications")
    assert answer.status_code == 401
    assert answer.headers["content-type"].startswith("application/problem+json")
