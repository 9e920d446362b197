"""The desk's script speaks the page's language: staff who chose English read the queue and
the session log in English, while the scans work as in German."""

from playwright.async_api import expect

from tests.e2e.live import login
from tests.e2e.test_desk_scanner import demo_codes, new_patron_card, type_burst


async def test_the_queue_and_the_log_speak_english(page, live_server):
    codes = await demo_codes(live_server.database_url)
    card = await new_patron_card(live_server.database_url, 999_101)
    await login(page, "theke@mediathek.example")
    await page.goto("/sprache/en")
    await page.goto("/theke")
    await expect(page.locator("h1")).to_have_text("Desk")
    await type_burst(page, [card])
    await expect(page.locator("#desk-log-list .log-done")).to_have_count(1, timeout=30_000)

    async def unreachable(route):
        await route.abort("internetdisconnected")

    await page.route("**/theke/scan", unreachable)
    await type_burst(page, [codes["book"]])
    status = page.locator("#desk-queue-status")
    await expect(status).to_contain_text(
        "No connection to the server. 1 scan is waiting", timeout=30_000
    )
    assert (await page.locator("#desk-log-list .log-text").first.inner_text()) == "waiting"

    await page.unroute("**/theke/scan")
    await page.evaluate("window.dispatchEvent(new Event('online'))")
    await expect(page.locator("#desk-log-list .log-text").first).to_contain_text(
        "Lent:", timeout=30_000
    )
    await expect(status).to_be_hidden()

    # A copy already on loan to her: refused, and the log marks it in English.
    await type_burst(page, [codes["book"]])
    await expect(page.locator("#desk-log-list .log-error .badge").first).to_have_text(
        "Not done", timeout=30_000
    )
    await expect(page.get_by_role("button", name=f"Seen: {codes['book']}")).to_be_visible()
