"""Every registered route × anonymous, teacher, another teacher, staff and admin.

The expected outcome follows from the access each route declares, so a new route is
checked the moment it exists: without an access rule the app does not even start.
Path parameters are filled with objects that belong to teacher_anna (see
``tests/factories.py``); the other teacher must never get at them.
"""

from __future__ import annotations

import re
from contextlib import asynccontextmanager

import pytest

from mediathek.patrons.sessions import start_session
from mediathek.web.auth import SESSION_COOKIE
from mediathek.web.guards import Access, is_automatic, route_access
from tests.factories import annas_things, arm_csrf, http_client, path_values

PERSONAS = ["anonymous", "teacher", "other_teacher", "staff", "admin"]
PARAM = re.compile(r"\{(\w+):(\w+)\}")
# Served by Litestar itself (static files, the OpenAPI document): public, not ours to walk.
SKIP_PREFIXES = ("/static", "/schema")
# Parameters that name something of one patron's; titles and copies belong to everyone.
PERSONAL = {"patron_id", "account_id", "loan_id", "hold_id", "booking_id", "token_id", "notice_id"}


def handlers(app):
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            if is_automatic(handler):
                continue
            yield route, handler


def test_every_handler_declares_its_access(app):
    missing = [
        f"{route.path} {handler.handler_name}"
        for route, handler in handlers(app)
        if route_access(handler) is None
    ]
    assert missing == []


def fill(path: str, values: dict) -> str:
    def one(m: re.Match) -> str:
        name, kind = m.group(1), m.group(2)
        if kind == "int":
            return str(values.get(name, 1))
        return "x" * 20  # tokens, slugs: a well-formed value that matches nothing

    return PARAM.sub(one, path)


def expectation(access: Access, persona: str, has_object: bool) -> str:
    """'login' (sent to the login), 'forbidden', 'allowed' or 'not_yours' (403/404)."""
    if access in (Access.public, Access.anonymous):
        return "allowed"
    if persona == "anonymous":
        return "login"
    if access == Access.login:
        allowed = True
    elif access == Access.patron:
        allowed = persona in ("teacher", "other_teacher")
    elif access == Access.staff:
        allowed = persona in ("staff", "admin")
    else:
        allowed = persona == "admin"
    if not allowed:
        return "forbidden"
    if persona == "other_teacher" and has_object:
        return "not_yours"
    return "allowed"


@pytest.fixture
async def world(app, teacher_anna, volunteer_ben, staff, admin, today):
    things = await annas_things(teacher_anna, staff, today)
    accounts = {
        "teacher": teacher_anna,
        "other_teacher": volunteer_ben,
        "staff": staff,
        "admin": admin,
    }
    return things, accounts, path_values(things, teacher_anna)


@asynccontextmanager
async def browser(app, persona):
    async with http_client(app) as c:
        if persona is not None:
            c.cookies.set(SESSION_COOKIE, await start_session(persona.account_id))
        await arm_csrf(c)
        yield c


async def test_route_matrix(app, world):
    things, accounts, values = world
    failures = []
    walked = 0
    for route, handler in handlers(app):
        if route.path.startswith(SKIP_PREFIXES):
            continue
        access = route_access(handler)
        path = fill(route.path, values)
        is_api = path.startswith("/api/")
        has_object = any(name in PERSONAL for name, _ in PARAM.findall(route.path))
        for method in sorted(handler.http_methods - {"OPTIONS", "HEAD"}):
            for name in PERSONAS:
                # A fresh browser per request: some routes log out or change the session.
                async with browser(app, accounts.get(name)) as c:
                    kwargs = {"json": {}} if is_api else {"data": {}}
                    if method in ("GET", "DELETE"):
                        kwargs = {}
                    r = await c.request(method, path, follow_redirects=False, **kwargs)
                walked += 1
                want = expectation(access, name, has_object)
                status = r.status_code
                problem = ""
                if status >= 500:
                    problem = "server error"
                elif want == "login":
                    if is_api:
                        ok = status == 401 and r.headers["content-type"].startswith(
                            "application/problem+json"
                        )
                    else:
                        ok = status == 303 and r.headers["location"].startswith("/anmelden")
                    problem = "" if ok else "anonymous not sent to login"
                elif want == "forbidden" and status != 403:
                    problem = "expected 403"
                elif want == "not_yours" and status not in (403, 404):
                    problem = "another teacher got at anna's object"
                elif want == "allowed" and status in (401, 403):
                    problem = "refused although allowed"
                if problem:
                    failures.append(f"{method} {path} as {name}: {status} ({problem})")
    assert walked > 50
    assert failures == []


# Whole areas of the site and the least access a route there may declare.
AREA_FLOOR = [
    ("/admin", {Access.admin}),
    ("/verwaltung", {Access.staff, Access.admin}),
    ("/theke", {Access.staff, Access.admin}),
    ("/konto", {Access.patron}),
    ("/api/v1/patrons", {Access.staff, Access.admin}),
]


def test_staff_admin_and_account_areas_declare_strict_enough_access(app):
    wrong = []
    for route, handler in handlers(app):
        for prefix, allowed in AREA_FLOOR:
            if route.path == prefix or route.path.startswith(prefix + "/"):
                if route_access(handler) not in allowed:
                    wrong.append(f"{route.path} {handler.handler_name}: {route_access(handler)}")
                break
    assert wrong == []


async def test_every_get_route_answers_head_as_get_without_a_body(app, world):
    """Uptime monitors and link checkers ask with HEAD: same status and headers, no body."""
    things, accounts, values = world
    failures = []
    walked = 0
    for route, handler in handlers(app):
        if "GET" not in handler.http_methods or route.path.startswith(SKIP_PREFIXES):
            continue
        path = fill(route.path, values)
        for name in PERSONAS:
            answers = {}
            for method in ("GET", "HEAD"):
                async with browser(app, accounts.get(name)) as c:
                    answers[method] = await c.request(method, path, follow_redirects=False)
            walked += 1
            get, head = answers["GET"], answers["HEAD"]
            if head.status_code != get.status_code:
                failures.append(f"HEAD {path} as {name}: {head.status_code}, GET {get.status_code}")
            elif head.content:
                failures.append(f"HEAD {path} as {name}: a body of {len(head.content)} bytes")
            elif head.headers.get("content-type") != get.headers.get("content-type"):
                failures.append(f"HEAD {path} as {name}: another content type")
    assert walked > 100
    assert failures == []


async def test_static_files_and_the_api_description_answer_head(client):
    for path in ("/static/css/mediathek.css", "/schema/openapi.json"):
        r = await client.head(path)
        assert r.status_code == 200 and r.content == b"", path
        assert r.headers["x-content-type-options"] == "nosniff", path


# Pages a teacher needs before she has an account: open to everyone, and showing nothing
# about any borrower.
PUBLIC_INFO_PAGES = ["/kontakt", "/so-funktionierts"]


async def test_information_pages_are_public_and_show_no_personal_data(app, world):
    declared = {route.path: route_access(h) for route, h in handlers(app)}
    things, accounts, _ = world
    for path in PUBLIC_INFO_PAGES:
        assert declared[path] == Access.public
        for name in PERSONAS:
            async with browser(app, accounts.get(name)) as c:
                page = await c.get(path)
            assert page.status_code == 200, (path, name)
            body = page.text.split("<main", 1)[1]
            assert "Berger" not in body and things.loan_title not in body, (path, name)


# Routes where staff act for a borrower or take back what they did: staff only, and the two
# API routes where a teacher reserves for herself take a borrower only from staff.
STAFF_ACTIONS = [
    ("/theke/ausleihende", "GET"),
    ("/theke/vormerken", "POST"),
    ("/theke/verloren-rueckgaengig", "POST"),
    ("/verwaltung/ausleihende/{patron_id:int}/vormerken", "POST"),
    ("/verwaltung/revision/{stocktake_id:int}/rueckgaengig", "POST"),
    ("/verwaltung/titel/{title_id:int}/wieder-aufnehmen", "POST"),
]


def test_routes_where_staff_act_for_others_are_for_staff(app):
    declared = {
        (route.path, method): route_access(handler)
        for route, handler in handlers(app)
        for method in handler.http_methods
    }
    for path, method in STAFF_ACTIONS:
        assert declared.get((path, method)) == Access.staff, path
    for path in ("/api/v1/holds", "/api/v1/bookings"):
        assert declared[(path, "POST")] == Access.login, path
