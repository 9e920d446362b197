"""Answers made by the framework (unknown path, wrong method, bad input, a crash) carry the
same security headers as every page."""

from __future__ import annotations

import pytest

from mediathek import home_pages
from mediathek.web.middleware import SECURITY_HEADERS


def assert_secured(response) -> None:
    missing = [k for k, v in SECURITY_HEADERS.items() if response.headers.get(k) != v]
    assert missing == [], f"{response.status_code} {response.request.url.path}: {missing}"


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/gibt-es-nicht", 404),
        ("GET", "/api/v1/gibt-es-nicht", 404),
        ("HEAD", "/gibt-es-nicht", 404),
        ("DELETE", "/", 405),
        ("PUT", "/api/v1/search", 405),
        ("GET", "/api/v1/search?q=" + "x" * 1001, 400),
    ],
)
async def test_framework_error_answers_carry_the_security_headers(client, method, path, status):
    r = await client.request(method, path)
    assert r.status_code == status
    assert_secured(r)


async def test_a_crash_answers_500_with_the_security_headers(client, monkeypatch):
    async def broken() -> dict:
        raise RuntimeError("kaputt")

    monkeypatch.setattr(home_pages, "home_overview", broken)
    for path in ("/", "/?x=1"):
        r = await client.get(path)
        assert r.status_code == 500
        assert "schiefgegangen" in r.text
        assert_secured(r)


async def test_a_refused_form_and_a_login_redirect_carry_the_security_headers(client):
    refused = await client.post("/anmelden", data={"email": "a@b.de"}, headers={"x-csrftoken": ""})
    assert refused.status_code == 403
    assert_secured(refused)
    redirect = await client.get("/verwaltung", follow_redirects=False)
    assert redirect.status_code == 303
    assert_secured(redirect)
