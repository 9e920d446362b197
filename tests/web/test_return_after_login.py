"""After an expired session, logging in leads back to the page she was on – never elsewhere."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from mediathek.patrons.tables import WebSession
from mediathek.web.return_to import return_target, safe_next
from tests.factories import PASSWORD


async def _expire_sessions() -> None:
    await WebSession.update(
        {WebSession.expires_at: datetime.now(UTC) - timedelta(minutes=1)}, force=True
    )


def _weiter(location: str) -> str:
    assert location.startswith("/anmelden")
    return parse_qs(urlsplit(location).query)["weiter"][0]


async def test_a_form_sent_after_expiry_returns_to_its_page_after_login(client_for, teacher_anna):
    async with client_for(teacher_anna) as c:
        await _expire_sessions()
        r = await c.post(
            "/konto/ausleihen/alle-verlaengern",
            headers={"Referer": "http://testserver.local/konto/ausleihen"},
            follow_redirects=False,
        )
        assert r.status_code == 303
        target = _weiter(r.headers["location"])
        assert target == "/konto/ausleihen"
        form = await c.get(r.headers["location"])
        assert 'name="next" value="/konto/ausleihen"' in form.text
        assert "dort weiter, wo Sie waren" in form.text
        # A browser replaces the old cookie with the new one; the test client would keep both.
        c.cookies.delete("mediathek_session")
        # The login page's own token, as its form and page scripts send it.
        c.headers["x-csrftoken"] = c.cookies.get("mediathek_csrf", "")
        login = await c.post(
            "/anmelden",
            data={"email": teacher_anna.email, "password": PASSWORD, "next": target},
            follow_redirects=False,
        )
        assert login.headers["location"] == "/konto/ausleihen"
        page = await c.get(login.headers["location"])
    assert page.status_code == 200 and "Meine Ausleihen" in page.text


async def test_an_htmx_request_after_expiry_names_the_page_it_came_from(client_for, teacher_anna):
    async with client_for(teacher_anna) as c:
        await _expire_sessions()
        r = await c.post(
            "/konto/ausleihen/1/verlaengern",
            headers={"HX-Request": "true", "HX-Current-URL": "http://testserver.local/konto"},
        )
    assert _weiter(r.headers["HX-Redirect"]) == "/konto"


async def test_a_form_from_another_site_does_not_choose_the_target(client_for, teacher_anna):
    async with client_for(teacher_anna) as c:
        await _expire_sessions()
        r = await c.post(
            "/konto/ausleihen/alle-verlaengern",
            headers={"Referer": "https://evil.example/konto"},
            follow_redirects=False,
        )
    assert r.headers["location"] == "/anmelden"  # the login then picks her account


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "https://evil.example",
        "/\\evil.example",
        "/\r//evil.example",
        "\t//evil.example",
    ],
)
async def test_login_never_redirects_to_another_site(client, teacher_anna, target):
    r = await client.post(
        "/anmelden",
        data={"email": teacher_anna.email, "password": PASSWORD, "next": target},
        follow_redirects=False,
    )
    location = r.headers["location"]
    assert location.startswith("/") and not location.startswith(("//", "/\\"))
    assert "evil" not in location


async def test_login_form_drops_a_foreign_target(client):
    page = await client.get("/anmelden", params={"weiter": "//evil.example"})
    assert 'name="next" value=""' in page.text


async def test_without_a_target_a_teacher_lands_on_her_account_and_staff_on_home(
    client, teacher_anna, staff
):
    teacher = await client.post(
        "/anmelden",
        data={"email": teacher_anna.email, "password": PASSWORD},
        follow_redirects=False,
    )
    assert teacher.headers["location"] == "/konto"
    client.cookies.delete("mediathek_session")
    other = await client.post(
        "/anmelden", data={"email": staff.email, "password": PASSWORD}, follow_redirects=False
    )
    assert other.headers["location"] == "/"


def test_safe_next_keeps_local_paths_with_their_query():
    assert (
        safe_next("/katalog?q=Bildkarten&medienart=game") == "/katalog?q=Bildkarten&medienart=game"
    )
    assert safe_next("/konto") == "/konto"
    for bad in ("", None, "konto", "//x.example", "https://x.example/", "/\\x.example", "/a\nb"):
        assert safe_next(bad) == ""


def test_a_get_returns_to_itself_and_a_post_to_the_page_it_was_sent_from():
    assert return_target("GET", "/konto/ausleihen", "", {}) == "/konto/ausleihen"
    assert return_target("GET", "/katalog", "q=a", {}) == "/katalog?q=a"
    headers = {"host": "m.example", "referer": "https://m.example/titel/5?x=1"}
    assert return_target("POST", "/titel/5/vormerken", "", headers) == "/titel/5?x=1"
    assert return_target("POST", "/titel/5/vormerken", "", {"host": "m.example"}) == ""
    foreign = {"host": "m.example", "referer": "https://evil.example/titel/5"}
    assert return_target("POST", "/titel/5/vormerken", "", foreign) == ""
