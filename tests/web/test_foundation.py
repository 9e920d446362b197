"""The app runs: German pages, health check, OpenAPI, static files, login, CSRF."""

from mediathek.catalogue.tables import Title
from tests.factories import PASSWORD


async def test_home_page_is_german_and_shows_the_catalogue(client, db):
    await Title.insert(Title(title="Bildkarten Obst und Gemüse", media_type="picture_cards"))
    r = await client.get("/")
    assert r.status_code == 200
    assert '<html lang="de" dir="ltr">' in r.text
    assert "Im Katalog suchen" in r.text and "Bildkarten Obst und Gemüse" in r.text
    assert "Impressum" in r.text and "Datenschutz" in r.text and "Barrierefreiheit" in r.text


async def test_pages_load_nothing_from_third_parties(client):
    r = await client.get("/")
    assert "http://" not in r.text.replace("http://testserver.local", "")
    assert "https://" not in r.text
    assert "/static/vendor/htmx-" in r.text


async def test_security_headers_are_set(client):
    r = await client.get("/")
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "same-origin"


async def test_healthz_checks_the_database(client):
    r = await client.get("/healthz")
    assert r.status_code == 200 and r.json() == {"status": "ok", "database": "ok"}


async def test_unknown_page_is_a_german_404(client):
    r = await client.get("/gibt-es-nicht")
    assert r.status_code == 404 and "Seite nicht gefunden" in r.text


async def test_unknown_api_path_is_a_problem_document(client):
    r = await client.get("/api/v1/gibt-es-nicht")
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["status"] == 404


async def test_openapi_schema_is_served(client):
    r = await client.get("/schema/openapi.json")
    assert r.status_code == 200 and r.json()["info"]["title"] == "Mediathek API"


async def test_vendored_htmx_is_served(client):
    r = await client.get("/static/vendor/htmx-2.0.11.min.js")
    assert r.status_code == 200 and "htmx" in r.text[:2000]


async def test_anonymous_visits_create_no_server_side_session(client, db):
    from mediathek.patrons.tables import WebSession

    for _ in range(5):
        await client.get("/")
    assert await WebSession.count() == 0
    assert "mediathek_session" not in client.cookies


async def test_login_with_correct_password_starts_a_session(client, staff):
    r = await client.post(
        "/anmelden",
        data={"email": staff.email, "password": PASSWORD, "next": "/"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    cookie = next(c for c in r.headers.get_list("set-cookie") if "mediathek_session=" in c)
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax")
    home = await client.get("/")
    assert "Sabine Theke" in home.text and "Abmelden" in home.text


async def test_login_with_wrong_password_says_so_in_german(client, staff):
    r = await client.post("/anmelden", data={"email": staff.email, "password": "falsch"})
    assert r.status_code == 400
    assert "E-Mail-Adresse oder Passwort stimmen nicht" in r.text


async def test_login_redirects_only_to_local_paths(client, staff):
    r = await client.post(
        "/anmelden",
        data={"email": staff.email, "password": PASSWORD, "next": "https://evil.example/"},
        follow_redirects=False,
    )
    assert r.headers["location"] == "/"


async def test_forms_without_csrf_token_are_refused(app, staff):
    from tests.factories import http_client

    async with http_client(app) as c:
        r = await c.post("/anmelden", data={"email": staff.email, "password": PASSWORD})
    assert r.status_code == 403 and "Seite neu" in r.text


async def test_logout_ends_the_session(client_for, staff, db):
    from mediathek.patrons.tables import WebSession

    async with client_for(staff) as c:
        assert await WebSession.count() == 1
        r = await c.post("/abmelden")
        assert r.status_code in (200, 303)
        assert await WebSession.count() == 0


async def test_staff_overview_is_for_staff_only(client, client_for, staff, teacher_anna):
    assert (await client.get("/verwaltung", follow_redirects=False)).status_code == 303
    async with client_for(teacher_anna) as c:
        assert (await c.get("/verwaltung")).status_code == 403
    async with client_for(staff) as c:
        assert (await c.get("/verwaltung")).status_code == 200


async def test_wrong_method_on_an_api_path_names_the_allowed_ones(client):
    r = await client.put("/api/v1/patrons")
    assert r.status_code == 405 and "GET" in r.headers["allow"]


async def test_home_page_counts_follow_the_catalogue(client, db):
    from mediathek.catalogue.tables import CopyStatus
    from tests.factories import add_title

    await add_title("Tier-Memo", media_type="game", copies=(CopyStatus.available,))
    first = (await client.get("/")).text
    assert "1 Titel im Bestand, davon 1 jetzt im Regal" in first
    await add_title("Tierbuch", media_type="book", copies=(CopyStatus.on_loan,))
    second = (await client.get("/")).text
    assert "2 Titel im Bestand, davon 1 jetzt im Regal" in second
    assert second.index("Tierbuch") < second.index("Tier-Memo")  # newest first
