"""Session cookies, security headers and CSRF on forms and HTMX requests."""

import dataclasses
from datetime import UTC, datetime, timedelta

from mediathek.app import create_app
from mediathek.patrons.sessions import end_all_sessions
from mediathek.patrons.tables import Account, WebSession
from tests.factories import PASSWORD, arm_csrf, http_client


async def _login_cookie(app, persona, scheme: str = "http") -> str:
    client = http_client(app)
    # A Secure CSRF cookie only comes back over https.
    client.base_url = f"{scheme}://testserver.local"
    async with client as c:
        await arm_csrf(c)
        r = await c.post(
            "/anmelden",
            data={"email": persona.email, "password": PASSWORD},
            follow_redirects=False,
        )
    return next(h for h in r.headers.get_list("set-cookie") if "mediathek_session=" in h)


async def test_session_cookie_is_httponly_lax_and_not_secure_on_http(app, staff):
    cookie = (await _login_cookie(app, staff)).lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie


async def test_session_cookie_is_secure_when_the_site_runs_on_https(settings, db, staff):
    app = create_app(
        dataclasses.replace(settings, base_url="https://mediathek.example"),
        engine=db,
        own_pool=False,
    )
    cookie = (await _login_cookie(app, staff, "https")).lower()
    assert "secure" in cookie and "httponly" in cookie and "samesite=lax" in cookie


async def test_every_page_sends_the_security_headers(client_for, staff):
    async with client_for(staff) as c:
        for path in ("/", "/anmelden", "/verwaltung/ausleihende", "/api/v1/patrons"):
            r = await c.get(path)
            csp = r.headers["content-security-policy"]
            assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp, path
            assert "unsafe-inline" not in csp
            assert r.headers["x-content-type-options"] == "nosniff"
            assert r.headers["referrer-policy"] == "same-origin"


async def test_htmx_post_without_csrf_header_is_refused(app, staff, teacher_anna):
    from mediathek.patrons.sessions import start_session
    from mediathek.web.auth import SESSION_COOKIE

    async with http_client(app) as c:
        c.cookies.set(SESSION_COOKIE, await start_session(staff.account_id))
        await c.get("/healthz")
        r = await c.post(
            f"/verwaltung/ausleihende/{teacher_anna.patron_id}/sperren",
            data={"reason": "Test"},
            headers={"HX-Request": "true"},
        )
        assert r.status_code == 403
        ok = await c.post(
            f"/verwaltung/ausleihende/{teacher_anna.patron_id}/sperren",
            data={"reason": "Test"},
            headers={"HX-Request": "true", "x-csrftoken": c.cookies["mediathek_csrf"]},
        )
        assert ok.status_code == 200 and ok.headers["hx-redirect"]


async def test_pages_with_forms_carry_the_csrf_token(client_for, staff, teacher_anna):
    async with client_for(staff) as c:
        page = await c.get(f"/verwaltung/ausleihende/{teacher_anna.patron_id}")
    assert page.text.count('name="_csrf_token"') >= 2 and "hx-headers=" in page.text


async def test_anonymous_visits_to_account_pages_create_no_session(client, db):
    from mediathek.patrons.tables import WebSession

    for path in ("/registrieren", "/passwort-vergessen", "/anmelden", "/konto"):
        await client.get(path)
    assert await WebSession.count() == 0


async def test_a_session_ends_when_it_expires_on_logout_everywhere_or_a_blocked_account(
    client_for, staff
):
    async def staff_page_open(c) -> bool:
        return (await c.get("/verwaltung", follow_redirects=False)).status_code == 200

    async with client_for(staff) as c:
        assert await staff_page_open(c)
        await WebSession.update(
            {WebSession.expires_at: datetime.now(UTC) - timedelta(minutes=1)}, force=True
        )
        assert not await staff_page_open(c)
    async with client_for(staff) as c:
        await end_all_sessions(staff.account_id)
        assert not await staff_page_open(c)
    async with client_for(staff) as c:
        assert await staff_page_open(c)
        await Account.update({Account.is_active: False}).where(Account.id == staff.account_id)
        assert not await staff_page_open(c)


async def test_a_csrf_token_of_one_session_is_refused_in_another(client_for, staff, teacher_anna):
    block = f"/verwaltung/ausleihende/{teacher_anna.patron_id}/sperren"
    async with client_for(staff) as first, client_for(staff) as second:
        first_token = first.cookies["mediathek_csrf"]
        second_token = second.cookies["mediathek_csrf"]
        assert first_token != second_token
        # The page's forms carry the session's own token.
        page = await first.get(f"/verwaltung/ausleihende/{teacher_anna.patron_id}")
        assert f'value="{first_token}"' in page.text
        stolen = await second.post(
            block, data={"reason": "Test", "_csrf_token": first_token}, headers={"x-csrftoken": ""}
        )
        assert stolen.status_code == 403 and "Seite neu" in stolen.text
        own = await second.post(block, data={"reason": "Test"}, follow_redirects=False)
        assert own.status_code in (200, 303)


async def test_an_anonymous_csrf_token_is_refused_once_logged_in(app, staff, teacher_anna):
    from mediathek.patrons.sessions import start_session
    from mediathek.web.auth import SESSION_COOKIE

    async with http_client(app) as c:
        await arm_csrf(c)
        anonymous = c.headers["x-csrftoken"]
        c.cookies.set(SESSION_COOKIE, await start_session(staff.account_id))
        r = await c.post(
            f"/verwaltung/ausleihende/{teacher_anna.patron_id}/sperren",
            data={"reason": "Test"},
            headers={"x-csrftoken": anonymous},
        )
    assert r.status_code == 403


async def test_anonymous_forms_keep_working_and_a_login_gets_a_token_of_its_own(app, staff):
    async with http_client(app) as c:
        await arm_csrf(c)
        anonymous = c.headers["x-csrftoken"]
        r = await c.post(
            "/anmelden",
            data={"email": staff.email, "password": PASSWORD},
            follow_redirects=False,
        )
        assert r.status_code == 303
        await c.get("/verwaltung")
        assert c.cookies["mediathek_csrf"] not in ("", anonymous)
        # Logged out again, the old session's token is replaced by a fresh anonymous one.
        c.headers["x-csrftoken"] = c.cookies["mediathek_csrf"]
        await c.post("/abmelden")
        await arm_csrf(c)
        again = await c.post(
            "/anmelden",
            data={"email": staff.email, "password": PASSWORD},
            follow_redirects=False,
        )
    assert again.status_code == 303
