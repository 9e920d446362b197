"""Login rate limit: per (account, client), atomic, not fooled by forged headers, and the
owner hears about it."""

from __future__ import annotations

import asyncio
import dataclasses
import ipaddress
from contextlib import asynccontextmanager

import httpx

from mediathek.app import create_app
from mediathek.notifications.delivery import deliver_outbox
from mediathek.notifications.tables import Notification, NotificationKind
from mediathek.patrons import logins
from mediathek.web.auth import client_address
from tests.factories import PASSWORD

WRONG = "falsch-falsch-falsch"


@asynccontextmanager
async def device(app, address: str, headers: dict | None = None):
    """A browser on the device with this address (the peer address the server sees)."""
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    async with httpx.AsyncClient(
        transport=transport, base_url="http://testserver.local", headers=headers or {}
    ) as c:
        await c.get("/healthz")
        c.headers["x-csrftoken"] = c.cookies.get("mediathek_csrf", "")
        yield c


async def login(c, email, password, **headers):
    return await c.post(
        "/anmelden",
        data={"email": email, "password": password},
        headers=headers,
        follow_redirects=False,
    )


async def test_the_right_password_works_from_another_device_while_one_is_blocked(app, admin):
    async with device(app, "198.51.100.7") as stranger, device(app, "203.0.113.20") as owner:
        for _ in range(5):
            assert (await login(stranger, admin.email, WRONG)).status_code == 400
        blocked = await login(stranger, admin.email, PASSWORD)
        assert blocked.status_code == 429 and "Zu viele fehlgeschlagene" in blocked.text
        assert (await login(owner, admin.email, PASSWORD)).status_code == 303
        assert "mediathek_session" in owner.cookies


async def test_a_school_behind_one_address_is_not_locked_out_by_other_accounts(app, teacher_anna):
    async with device(app, "192.0.2.55") as school:
        for n in range(25):
            await login(school, f"kollegin{n}@example.org", WRONG)
        assert (await login(school, teacher_anna.email, PASSWORD)).status_code == 303


async def test_a_correct_password_clears_only_its_own_device(app, teacher_anna):
    async with device(app, "192.0.2.1") as one, device(app, "192.0.2.2") as two:
        for _ in range(4):
            await login(one, teacher_anna.email, WRONG)
            await login(two, teacher_anna.email, WRONG)
        assert (await login(one, teacher_anna.email, PASSWORD)).status_code == 303
        await login(two, teacher_anna.email, WRONG)
        assert (await login(two, teacher_anna.email, PASSWORD)).status_code == 429
    async with device(app, "192.0.2.1") as one_again:  # a new browser on the first device
        assert (await login(one_again, teacher_anna.email, PASSWORD)).status_code == 303


async def test_twenty_parallel_wrong_passwords_get_exactly_five_checks(
    db, teacher_anna, monkeypatch
):
    checks = []
    real = logins.verify_password

    def counting(password_hash, password):
        checks.append(password)
        return real(password_hash, password)

    monkeypatch.setattr(logins, "verify_password", counting)
    results = await asyncio.gather(
        *[logins.login(teacher_anna.email, WRONG, "198.51.100.9") for _ in range(20)],
        return_exceptions=True,
    )
    refused = [r for r in results if isinstance(r, logins.TooManyAttempts)]
    failed = [r for r in results if isinstance(r, logins.LoginFailed)]
    assert len(checks) == 5
    assert len(failed) == 5 and len(refused) == 15, results


async def test_a_forged_forwarded_for_from_an_ordinary_client_is_ignored(app, teacher_anna):
    async with device(app, "198.51.100.7") as attacker:
        for n in range(5):
            r = await login(
                attacker, teacher_anna.email, WRONG, **{"x-forwarded-for": f"10.9.{n}.1"}
            )
            assert r.status_code == 400
        r = await login(attacker, teacher_anna.email, PASSWORD, **{"x-forwarded-for": "10.9.9.9"})
    assert r.status_code == 429


async def test_behind_a_configured_proxy_each_forwarded_client_counts_on_its_own(
    settings, db, teacher_anna
):
    proxied = dataclasses.replace(settings, trusted_proxies=(ipaddress.ip_network("10.0.0.0/24"),))
    app = create_app(proxied, engine=db, own_pool=False)
    async with device(app, "10.0.0.2") as proxy:
        for _ in range(5):
            await login(proxy, teacher_anna.email, WRONG, **{"x-forwarded-for": "198.51.100.7"})
        blocked = await login(
            proxy, teacher_anna.email, PASSWORD, **{"x-forwarded-for": "198.51.100.7"}
        )
        other = await login(
            proxy, teacher_anna.email, PASSWORD, **{"x-forwarded-for": "203.0.113.4, 10.0.0.3"}
        )
    assert blocked.status_code == 429 and other.status_code == 303


def test_client_address_believes_forwarded_for_only_from_trusted_proxies():
    proxies = (ipaddress.ip_network("10.0.0.0/8"),)

    def scope(peer, forwarded=None):
        headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded else []
        return {"client": (peer, 1), "headers": headers}

    assert client_address(scope("198.51.100.7", "1.2.3.4"), proxies) == "198.51.100.7"
    assert client_address(scope("127.0.0.1", "1.2.3.4"), ()) == "127.0.0.1"
    assert client_address(scope("10.0.0.2", "1.2.3.4"), proxies) == "1.2.3.4"
    # A client can prepend anything; the hop our proxy added is the last untrusted one.
    assert client_address(scope("10.0.0.2", "6.6.6.6, 1.2.3.4, 10.0.0.9"), proxies) == "1.2.3.4"
    assert client_address(scope("10.0.0.2"), proxies) == "10.0.0.2"


async def test_the_owner_gets_exactly_one_warning_email(app, settings, teacher_anna, smtp_server):
    async with device(app, "198.51.100.7") as one, device(app, "198.51.100.8") as two:
        for _ in range(7):
            await login(one, teacher_anna.email, WRONG)
            await login(two, teacher_anna.email, WRONG)
    warnings = await Notification.select(Notification.recipient, Notification.language).where(
        Notification.kind == NotificationKind.login_warning
    )
    assert warnings == [{"recipient": teacher_anna.email, "language": "de"}]
    mail = dataclasses.replace(
        settings, smtp_host="127.0.0.1", smtp_port=smtp_server.port, smtp_timeout=5
    )
    await deliver_outbox(mail)
    [message] = smtp_server.inbox.to(teacher_anna.email)
    assert message["Subject"] == "Mehrere falsche Anmeldeversuche bei Ihrem Mediathek-Konto"
    body = message.get_body(("plain",)).get_content()
    assert "Ihr Passwort wurde nicht erraten" in body and "15 Minuten" in body


async def test_failed_logins_for_unknown_addresses_warn_nobody(client):
    for _ in range(6):
        await login(client, "niemand@example.org", WRONG)
    assert await Notification.count() == 0
