"""axe-core finds no serious or critical violation on any page, for any role.

The pages are not listed by hand: every GET route of the app that renders HTML is visited by
the least privileged role that may use it (and the home page by every role, since the header
differs by role), so a new page is checked without anyone adding it here.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mediathek.app import create_app
from mediathek.settings import Settings
from mediathek.web.guards import Access, is_automatic, route_access
from tests.e2e.live import login

AXE = next((Path(__file__).parent / "vendor").glob("axe-*.min.js"))

ROLE_FOR_ACCESS = {
    Access.public: None,
    Access.anonymous: None,
    Access.login: "teacher",
    Access.patron: "teacher",
    Access.staff: "staff",
    Access.admin: "admin",
}
LOGINS = {
    "teacher": "anna.berger@mediathek.example",
    "staff": "theke@mediathek.example",
    "admin": "admin@mediathek.example",
}
# Files and machine endpoints, not pages for people.
NOT_PAGES = re.compile(
    r"(\.(csv|svg|ics|json|png|jpg|yaml|xlsx|txt)$)|^/(api|schema|static)/|^/healthz"
)


def html_pages() -> dict[str | None, list[str]]:
    """GET paths per role; path parameters are filled with 1 (the demo's first row)."""
    app = create_app(Settings(database_url="sqlite:////tmp/axe-route-list.sqlite3"))
    pages: dict[str | None, list[str]] = {None: [], "teacher": [], "staff": [], "admin": []}
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            if is_automatic(handler) or "GET" not in getattr(handler, "http_methods", ()):
                continue
            path = re.sub(r"\{[^}]+\}", "1", route.path)
            if NOT_PAGES.search(path):
                continue
            role = ROLE_FOR_ACCESS[route_access(handler)]
            if path not in pages[role]:
                pages[role].append(path)
    return pages


PAGES = html_pages()
# Pages a teacher reads before she logs in; checked here by name so they never drop out.
PUBLIC_INFO_PAGES = ["/kontakt", "/so-funktionierts"]


def test_public_information_pages_are_in_the_list():
    assert set(PUBLIC_INFO_PAGES) <= set(PAGES[None])


AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations
    .filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
}"""


async def violations_on(page, path: str) -> list:
    response = await page.goto(path)
    if response is None or response.status >= 400:
        return []  # e.g. an id the demo data does not have; the route matrix covers access
    if "text/html" not in (response.headers.get("content-type") or ""):
        return []
    await page.add_script_tag(path=str(AXE))
    return [{"page": path, **v} for v in await page.evaluate(AXE_RUN)]


@pytest.mark.parametrize("role", [None, "teacher", "staff", "admin"])
async def test_no_serious_accessibility_violations(browser, live_server, role):
    context = await browser.new_context(base_url=live_server.url, locale="de-DE", bypass_csp=True)
    page = await context.new_page()
    if role:
        await login(page, LOGINS[role])
    found = []
    for path in ["/", *PAGES[role]]:
        found += await violations_on(page, path)
    await context.close()
    assert found == [], "\n".join(str(v) for v in found)


async def test_staff_and_admin_pages_in_english_have_no_serious_violations(browser, live_server):
    """Staff and admins may work in English: every page of theirs is checked in it too."""
    found = []
    for role in ("staff", "admin"):
        context = await browser.new_context(
            base_url=live_server.url, locale="de-DE", bypass_csp=True
        )
        page = await context.new_page()
        await login(page, LOGINS[role])
        await page.goto("/sprache/en")
        for path in ["/", *PAGES[role]]:
            found += await violations_on(page, path)
            assert await page.evaluate("document.documentElement.lang") == "en", path
        await context.close()
    assert found == [], "\n".join(str(v) for v in found)


# What a visitor and a teacher read, in the languages besides German (Arabic right to left).
TRANSLATED_PAGES = {
    None: [
        "/",
        "/katalog",
        "/katalog?q=Bildkarten",
        "/titel/1",
        "/kontakt",
        "/so-funktionierts",
        "/anmelden",
        "/registrieren",
        "/passwort-vergessen",
    ],
    "teacher": [
        "/konto",
        "/konto/ausleihen",
        "/konto/reservierungen",
        "/titel/1/reservieren",
        "/merkliste",
        "/sets",
    ],
}


@pytest.mark.parametrize("lang", ["en", "uk", "ar"])
@pytest.mark.parametrize("role", [None, "teacher"])
async def test_translated_pages_have_no_serious_violations(browser, live_server, role, lang):
    context = await browser.new_context(base_url=live_server.url, locale="de-DE", bypass_csp=True)
    page = await context.new_page()
    if role:
        await login(page, LOGINS[role])
    await page.goto(f"/sprache/{lang}")
    found = []
    for path in TRANSLATED_PAGES[role]:
        found += await violations_on(page, path)
        assert await page.evaluate("document.documentElement.lang") == lang, path
    await context.close()
    assert found == [], "\n".join(str(v) for v in found)
