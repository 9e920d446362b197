"""Mein Konto in a real browser: renew one loan and all loans without the table jumping,
a session that expires while the page is open, and the information pages on a phone."""

from __future__ import annotations

import sqlite3

from tests.e2e.live import login

ANNA = "anna.berger@mediathek.example"


async def _row_ids(page) -> list[str]:
    return await page.locator("#my-loans tbody tr").evaluate_all("rows => rows.map(r => r.id)")


async def test_renewing_keeps_the_rows_in_place_and_renew_all_reports_each_loan(
    browser, live_server
):
    context = await browser.new_context(base_url=live_server.url, locale="de-DE")
    page = await context.new_page()
    await login(page, ANNA)
    # Without a page to go back to, the login lands on her account with the summary on top.
    await page.wait_for_url("**/konto")
    summary = await page.locator("#account-summary").inner_text()
    assert "ausgeliehen" in summary
    before = await _row_ids(page)
    assert before, "the demo gives Anna open loans"
    # The first loan she may renew online (one at the second reminder has no button).
    renewable = page.locator("#my-loans tbody tr").filter(
        has=page.get_by_role("button", name="Verlängern")
    )
    first = page.locator(f"#{await renewable.first.get_attribute('id')}")
    link = first.get_by_role("link").first
    href = await link.get_attribute("href")
    assert href.startswith("/titel/")
    await first.get_by_role("button", name="Verlängern").click()
    await page.locator("#my-loans .alert").first.wait_for()
    assert await _row_ids(page) == before
    await page.locator(f"#{await first.get_attribute('id')}.row-renewed").wait_for()

    await page.get_by_role("button", name="Alle verlängern").click()
    await page.locator(".renew-report li").first.wait_for()
    assert await page.locator(".renew-report li").count() == len(before)
    assert await _row_ids(page) == before

    await page.goto(href)
    assert (await page.title()).endswith("– Mediathek") and "nicht gefunden" not in (
        await page.content()
    )
    await context.close()


async def test_after_the_session_expired_the_login_returns_to_mein_konto(browser, live_server):
    context = await browser.new_context(base_url=live_server.url, locale="de-DE")
    page = await context.new_page()
    await login(page, ANNA)
    await page.goto("/konto/ausleihen")
    # The session ends on the server while the page is open (as after 14 days).
    with sqlite3.connect(live_server.database_url.removeprefix("sqlite:///")) as db:
        db.execute("UPDATE web_session SET expires_at = '2000-01-01T00:00:00+00:00'")
    await page.get_by_role("button", name="Alle verlängern").click()
    await page.wait_for_url(lambda url: url.endswith("/anmelden?weiter=/konto/ausleihen"))
    await page.get_by_text("Danach geht es dort weiter, wo Sie waren.").wait_for()
    await page.get_by_label("E-Mail-Adresse").fill(ANNA)
    await page.get_by_label("Passwort", exact=True).fill("mediathek-demo")
    await page.get_by_role("button", name="Anmelden").click()
    await page.wait_for_url("**/konto/ausleihen")
    await page.get_by_role("heading", name="Meine Ausleihen").wait_for()
    assert "Methode nicht erlaubt" not in await page.content()
    await context.close()


async def test_information_pages_on_a_phone(browser, live_server):
    context = await browser.new_context(
        base_url=live_server.url, locale="de-DE", viewport={"width": 390, "height": 844}
    )
    page = await context.new_page()
    await page.goto("/")
    await page.get_by_role("link", name="So funktioniert die Ausleihe").first.click()
    await page.get_by_role("heading", name="So funktioniert die Ausleihe").wait_for()
    # Nothing is wider than the phone: the rule table scrolls inside its own box.
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    footer = page.locator("footer")
    await footer.get_by_role("link", name="Kontakt und Öffnungszeiten").click()
    await page.get_by_role("heading", name="Öffnungszeiten", exact=True).wait_for()
    assert await page.evaluate("document.documentElement.scrollWidth") <= 390
    await context.close()
