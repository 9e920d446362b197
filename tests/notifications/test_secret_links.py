"""One-time links reach their owner only: never the outbox pages, the API or the database."""

from __future__ import annotations

import json

from mediathek.notifications.delivery import deliver_outbox
from mediathek.notifications.kinds import REDACTED_LINK
from mediathek.notifications.tables import Notification
from mediathek.passwords import token_digest
from mediathek.patrons.tables import OneTimeToken
from tests.factories import arm_csrf, http_client
from tests.fakes import links_in

NEW_PASSWORD = "admin-neu-und-lang-42"


async def everything_staff_can_read(c, notice_id: int) -> str:
    """Outbox list, the notice page, its HTML part, the JSON API (list and search)."""
    pages = [
        await c.get("/verwaltung/benachrichtigungen"),
        await c.get(f"/verwaltung/benachrichtigungen/{notice_id}"),
        await c.get(f"/verwaltung/benachrichtigungen/{notice_id}/html"),
        await c.get("/api/v1/notifications"),
        await c.get("/api/v1/notifications", params={"q": "passwort"}),
    ]
    assert all(p.status_code == 200 for p in pages)
    return "\n".join(p.text for p in pages)


async def stored_notices() -> str:
    rows = await Notification.select().output(load_json=True)
    return json.dumps(rows, default=str)


async def test_staff_cannot_take_over_the_admin_through_a_reset_notice(
    app, client, client_for, staff, admin, mail_settings, smtp_server
):
    app.state.settings = mail_settings
    # Anyone may ask for a reset link for the admin's address …
    r = await client.post("/passwort-vergessen", data={"email": admin.email})
    assert r.status_code == 200
    notice = await Notification.select(Notification.id).first()

    # … staff reading the outbox before and after delivery find nothing to follow.
    async with client_for(staff) as c:
        before = await everything_staff_can_read(c, notice["id"])
        await deliver_outbox(mail_settings)
        after = await everything_staff_can_read(c, notice["id"])
    for seen in (before, after):
        assert "/passwort-setzen/" not in seen
        assert REDACTED_LINK in seen or "Link entfernt" in seen

    # Only the real recipient's mailbox has the link, and it works.
    [mail] = smtp_server.inbox.to(admin.email)
    [path] = links_in(mail)
    token = path.rsplit("/", 1)[1]
    assert token not in before + after
    assert token not in await stored_notices()
    # What the database keeps of the token is its digest, nothing more.
    assert await OneTimeToken.exists().where(OneTimeToken.token_hash == token_digest(token))
    assert not await OneTimeToken.exists().where(OneTimeToken.token_hash == token)
    page = await client.get(path)
    assert page.status_code == 200 and admin.email in page.text
    r = await client.post(
        path,
        data={"password": NEW_PASSWORD, "password_repeat": NEW_PASSWORD},
        follow_redirects=False,
    )
    assert r.status_code == 303
    # The new password works in a fresh browser (CSRF tokens belong to one session).
    async with http_client(app) as browser:
        await arm_csrf(browser)
        login = await browser.post(
            "/anmelden",
            data={"email": admin.email, "password": NEW_PASSWORD},
            follow_redirects=False,
        )
    assert login.status_code == 303


async def test_sending_a_reset_notice_again_makes_a_new_link_and_retires_the_old(
    client, client_for, staff, teacher_anna, mail_settings, smtp_server
):
    await client.post("/passwort-vergessen", data={"email": teacher_anna.email})
    await deliver_outbox(mail_settings)
    notice = await Notification.select(Notification.id).first()
    async with client_for(staff) as c:
        r = await c.post(f"/api/v1/notifications/{notice['id']}/resend")
        assert r.status_code == 200
    await deliver_outbox(mail_settings)
    first, second = smtp_server.inbox.to(teacher_anna.email)
    assert first["Message-ID"] != second["Message-ID"]
    [old], [new] = links_in(first), links_in(second)
    assert old != new
    assert (await client.get(old)).status_code == 410
    assert (await client.get(new)).status_code == 200


async def test_a_link_stored_readable_before_is_neither_shown_nor_sent(
    client_for, staff, teacher_anna, mail_settings, smtp_server
):
    # A notice as it was stored before links were minted at delivery.
    secret = "http://testserver.local/passwort-setzen/" + "A" * 43
    rows = await Notification.insert(
        Notification(
            key="password_reset:legacy",
            patron=teacher_anna.patron_id,
            recipient=teacher_anna.email,
            kind="password_reset",
            payload={"link": secret},
        )
    ).returning(Notification.id)
    async with client_for(staff) as c:
        seen = await everything_staff_can_read(c, rows[0]["id"])
    assert secret not in seen and "A" * 43 not in seen
    result = await deliver_outbox(mail_settings)
    assert result["failed"] == 1 and smtp_server.inbox.messages == []
    row = await Notification.select().where(Notification.id == rows[0]["id"]).first()
    assert row["status"] == "failed" and "Link" in row["last_error"]


async def test_an_invite_link_in_the_mail_sets_the_password(
    client, client_for, staff, walkin_carla, mail_settings, smtp_server
):
    async with client_for(staff) as c:
        await c.post(f"/verwaltung/ausleihende/{walkin_carla.patron_id}/einladen")
        notice = await Notification.select(Notification.id).first()
        seen = await everything_staff_can_read(c, notice["id"])
        await deliver_outbox(mail_settings)
        seen += await everything_staff_can_read(c, notice["id"])
    [path] = links_in(smtp_server.inbox.to(walkin_carla.email)[0])
    assert path.rsplit("/", 1)[1] not in seen and "/passwort-setzen/" not in seen
    assert (await client.get(path)).status_code == 200
