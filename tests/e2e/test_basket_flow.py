"""A teacher plans her course week with the Merkliste in a real browser."""

import os
from datetime import timedelta

from tests.e2e.live import login
from tests.factories import next_years_monday

SHOTS = os.environ.get("MEDIATHEK_SCREENSHOTS", "")


async def shot(page, name: str) -> None:
    if SHOTS:
        await page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


async def test_a_teacher_books_titles_from_the_results_together_for_a_week(browser, live_server):
    monday = next_years_monday() + timedelta(days=14)
    friday = monday + timedelta(days=4)

    # Ben has booked the first Bildkarten title for that week already.
    ben_context = await browser.new_context(base_url=live_server.url, locale="de-DE")
    ben = await ben_context.new_page()
    await login(ben, "ben.yilmaz@mediathek.example")
    await ben.goto("/katalog?q=Bildkarten")
    hits = ben.locator(".search-hit")
    first_href = await hits.nth(0).locator("h3 a").get_attribute("href")
    first_title = (await hits.nth(0).locator("h3 a").inner_text()).strip()
    second_title = (await hits.nth(1).locator("h3 a").inner_text()).strip()
    await ben.goto(f"{first_href}/reservieren")
    box = ben.locator("#reservation-box")
    await box.get_by_label("Erster Tag").fill(monday.isoformat())
    await box.get_by_label("Letzter Tag").fill(friday.isoformat())
    await box.get_by_role("button", name="Reservieren", exact=True).click()
    await box.get_by_text("Reserviert.").wait_for()
    await ben_context.close()

    context = await browser.new_context(base_url=live_server.url, locale="de-DE")
    page = await context.new_page()
    await login(page, "anna.berger@mediathek.example")
    await page.goto("/katalog?q=Bildkarten")
    hits = page.locator(".search-hit")
    for i in (0, 1):
        await hits.nth(i).get_by_role("link", name="Auf die Merkliste").click()
        await hits.nth(i).get_by_text("Auf der Merkliste").wait_for()
    await shot(page, "basket-results")

    await page.get_by_role("link", name="Merkliste", exact=True).click()
    await page.get_by_role("heading", name="2 Titel auf Ihrer Merkliste").wait_for()
    # She wants every copy of the first title: one of them is Ben's that week.
    first_row = page.locator(".basket-item").filter(has_text=first_title)
    quantity = first_row.get_by_label("Anzahl")
    await quantity.fill(await quantity.get_attribute("max"))
    await first_row.get_by_role("button", name="Ändern").click()
    await page.get_by_text("Die Anzahl ist geändert.").wait_for()

    await page.get_by_label("Erster Tag (Abholung)").fill(monday.isoformat())
    await page.get_by_label("Letzter Tag (Rückgabe)").fill(friday.isoformat())
    await page.get_by_role("button", name="Alle reservieren").click()

    result = page.locator("#basket-result")
    await result.get_by_text(
        f"Abholen ab Mo {monday:%d.%m.}, zurückbringen bis Fr {friday:%d.%m.}"
    ).wait_for()
    booked = result.locator(".alert-ok")
    await booked.get_by_role("link", name=second_title).wait_for()
    rest = result.locator(".basket-rest > li").filter(has_text=first_title)
    assert await rest.count() == 1
    text = await rest.inner_text()
    assert "frei" in text
    assert "Angebot:" in text or "Stattdessen frei:" in text
    await shot(page, "basket-booked")

    await page.goto("/konto/reservierungen")
    await page.locator("#my-bookings").get_by_text(second_title).first.wait_for()
    await context.close()


async def test_the_merkliste_and_the_sets_fit_a_phone_screen(browser, live_server):
    context = await browser.new_context(
        base_url=live_server.url, locale="de-DE", viewport={"width": 390, "height": 844}
    )
    page = await context.new_page()
    await login(page, "anna.berger@mediathek.example")
    await page.goto("/katalog?q=Bildkarten")
    await page.locator(".search-hit").first.get_by_role("link", name="Auf die Merkliste").click()
    await page.locator(".search-hit").first.get_by_text("Auf der Merkliste").wait_for()
    for path in ("/katalog?q=Bildkarten", "/merkliste", "/sets"):
        await page.goto(path)
        width = await page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{path} scrolls sideways ({width} px)"
        await shot(page, "phone" + path.replace("/", "-").replace("?", "-"))
    await context.close()
