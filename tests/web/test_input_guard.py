"""Control characters in any input: a clear refusal or a cleaned value, never a 500.

The walk covers every route of the route matrix, anonymous and logged in, with NUL and
other control characters in the query, the form body, JSON bodies and the path.
"""

from __future__ import annotations

import pytest

from mediathek.catalogue.tables import Title
from mediathek.reports.stocktake import list_stocktakes
from mediathek.web.input_guard import clean_form_text, clean_query, form_body
from tests.web.test_route_matrix import PARAM, SKIP_PREFIXES, browser, fill, handlers, world

__all__ = ["world"]  # the fixture, imported for this module's tests

# Names that many forms and queries read, so that the values reach real handler code.
FIELDS = [
    "q",
    "email",
    "password",
    "name",
    "title",
    "barcode",
    "reason",
    "note",
    "bezeichnung",
    "signaturen",
    "regal",
    "jahr",
    "von",
    "bis",
    "next",
    "weiter",
    "role",
    "card",
]
NUL = "Mediathek\x00"


def with_control(path: str, value: str) -> str:
    """A path whose string parameters carry ``value`` (int parameters keep their ids)."""

    def one(m):
        return value if m.group(2) != "int" else m.group(0)

    return PARAM.sub(one, path)


@pytest.mark.parametrize("persona", ["anonymous", "admin", "teacher"])
async def test_no_route_answers_control_characters_with_a_server_error(app, world, persona):
    things, accounts, values = world
    failures = []
    walked = 0
    for route, handler in handlers(app):
        if route.path.startswith(SKIP_PREFIXES):
            continue
        path = fill(route.path, values)
        is_api = path.startswith("/api/")
        for method in sorted(handler.http_methods - {"OPTIONS", "HEAD"}):
            requests = [
                # Control characters in the query are dropped: the handler answers as
                # it does to the query without them.
                ("query", path + "?" + "&".join(f"{f}=%00x" for f in FIELDS), {}, None),
                ("query-ctl", path + "?q=a%01%1b%7fb&%00=1", {}, None),
            ]
            if "{" in route.path and ":str}" in route.path:
                raw = fill(with_control(route.path, "%00" * 12), values)
                requests.append(("path", raw, {}, 400))
            if method not in ("GET", "DELETE"):
                if is_api:
                    body = {f: NUL for f in FIELDS}
                    requests.append(("json", path, {"json": body}, 400))
                    requests.append(("json-ctl", path, {"json": {"q": "a\x1bb"}}, 400))
                else:
                    requests.append(("form", path, {"data": {f: NUL for f in FIELDS}}, 400))
                    # Dropped, not refused: the handler answers as it does to normal input.
                    form = {f: "Regal\x0b A\x01" for f in FIELDS}
                    requests.append(("form-ctl", path, {"data": form}, None))
            for kind, url, kwargs, want in requests:
                async with browser(app, accounts.get(persona)) as c:
                    r = await c.request(method, url, follow_redirects=False, **kwargs)
                walked += 1
                if r.status_code >= 500 or (want is not None and r.status_code != want):
                    failures.append(f"{method} {url} [{kind}] as {persona}: {r.status_code}")
                elif want == 400:
                    wanted_type = "application/problem+json" if is_api else "text/html"
                    if not r.headers["content-type"].startswith(wanted_type):
                        failures.append(f"{method} {url} [{kind}]: {r.headers['content-type']}")
    assert walked > 200
    assert failures == []


async def test_login_with_a_nul_gets_a_german_page_not_a_server_error(client):
    r = await client.post("/anmelden", data={"email": "anna\x00@example.org", "password": "x"})
    assert r.status_code == 400
    assert "unzulässige Steuerzeichen" in r.text and "<html" in r.text
    forgot = await client.post("/passwort-vergessen", data={"email": "\x00"})
    assert forgot.status_code == 400


async def test_api_search_with_a_nul_answers_as_without_it(client):
    await Title.insert(Title(title="Bildkarten Obst", media_type="picture_cards"))
    r = await client.get("/api/v1/titles", params={"q": "Bild\x00karten\x1f"})
    plain = await client.get("/api/v1/titles", params={"q": "Bildkarten"})
    assert r.status_code == 200 and r.json() == plain.json()
    assert "Bildkarten Obst" in r.text


async def test_api_json_with_a_nul_gets_a_problem_document(client_for, staff):
    async with client_for(staff) as c:
        r = await c.post("/api/v1/patrons", json={"last_name": "X\x00", "category": "institution"})
    assert r.status_code == 400
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["errors"] == {"last_name": "Enthält unzulässige Steuerzeichen."}


async def test_a_stocktake_shelf_mark_with_control_characters_never_breaks_its_pages(
    client_for, staff
):
    async with client_for(staff) as c:
        refused = await c.post(
            "/verwaltung/revision", data={"bezeichnung": "Regal\x00", "signaturen": "SPI\x00"}
        )
        assert refused.status_code == 400 and "Steuerzeichen" in refused.text
        assert await list_stocktakes() == []
        started = await c.post(
            "/verwaltung/revision",
            data={"bezeichnung": "Spiele\x0b Regal", "signaturen": "SPI\x01\nBIL"},
            follow_redirects=False,
        )
        assert started.status_code == 303
        url = started.headers["location"]
        scan = await c.post(url + "/scan", data={"barcode": "M1\x00", "regal": "SPI\x00 1"})
        assert scan.status_code == 400
        page = await c.get(url)
        overview = await c.get("/verwaltung/revision")
    assert page.status_code == 200 and overview.status_code == 200
    (stocktake,) = await list_stocktakes()
    assert stocktake["label"] == "Spiele Regal"


@pytest.mark.parametrize("path", ["/static/css/%00.css", "/static/%00", "/static/css/a%01.css"])
async def test_a_static_path_with_control_characters_is_refused_not_a_server_error(client, path):
    r = await client.get(path)
    assert r.status_code == 400


async def test_a_statistics_year_in_other_digits_is_a_german_message(client_for, staff):
    async with client_for(staff) as c:
        page = await c.get("/verwaltung/statistik", params={"jahr": "³"})
        api = await c.get("/api/v1/statistics", params={"jahr": "²⁰²⁶"})
        arabic = await c.get("/verwaltung/statistik", params={"jahr": "٢٠٢٦"})
    assert page.status_code == 422 and "Bitte geben Sie ein Jahr wie 2026 an." in page.text
    assert api.status_code == 422 and api.json()["errors"]["jahr"]
    assert arabic.status_code == 422


def test_form_fields_keep_tabs_and_line_breaks_and_drop_other_controls():
    assert clean_form_text("Zeile 1\r\n\tZeile 2\x0b\x0c\x1b") == "Zeile 1\r\n\tZeile 2"
    rewritten, refused = form_body(b"a=x%0By&b=1%0A2")
    assert refused is None and rewritten == b"a=xy&b=1%0A2"
    assert form_body(b"a=x%00") == (None, "a")
    assert form_body(b"a=plain+text") == (None, None)
    assert clean_query(b"q=ok&seite=%0A2") == b"q=ok&seite=2"
    assert clean_query(b"q=%C3%A4rger+x") is None
