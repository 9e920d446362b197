"""A teacher searches the catalogue in a real browser: live results, facets, back button."""

import re


async def test_typing_shows_live_results_and_the_url_follows(page):
    await page.goto("/katalog")
    await page.get_by_label(re.compile("^Suchen nach")).press_sequentially("Bildkar", delay=40)
    await page.wait_for_url(re.compile(r"/katalog\?q=Bildkar"))
    first = page.locator(".search-hit h3 a").first
    await first.wait_for()
    assert "Bildkarten" in await first.inner_text()
    # Only the results were swapped: the box keeps its focus and text while typing.
    assert await page.evaluate("document.activeElement.id") == "q"


async def test_a_facet_click_filters_and_the_back_button_restores_the_search(page):
    await page.goto("/katalog?sortierung=titel")
    heading = page.locator("#h-results")
    everything = await heading.inner_text()
    await page.get_by_label(re.compile(r"^Spiel \(")).check()
    await page.wait_for_url(re.compile(r"medienart=game"))
    await page.wait_for_function(
        "text => document.querySelector('#h-results').innerText !== text", arg=everything
    )
    assert await page.get_by_label(re.compile(r"^Spiel \(")).is_checked()
    metas = await page.locator(".search-hit .meta:first-of-type").all_inner_texts()
    assert metas and all(m.startswith("Spiel") for m in metas)
    await page.go_back()
    await page.wait_for_url(re.compile(r"/katalog\?sortierung=titel$"))
    await page.wait_for_function(
        "text => document.querySelector('#h-results').innerText === text", arg=everything
    )
    assert not await page.get_by_label(re.compile(r"^Spiel \(")).is_checked()
    assert await page.get_by_label("Sortieren nach").input_value() == "titel"


async def test_without_javascript_the_form_still_searches(browser, live_server):
    context = await browser.new_context(
        base_url=live_server.url, locale="de-DE", java_script_enabled=False
    )
    page = await context.new_page()
    await page.goto("/katalog")
    await page.get_by_label(re.compile("^Suchen nach")).fill("Medienkoffer")
    await page.get_by_role("button", name="Suchen", exact=True).click()
    await page.wait_for_url(re.compile(r"q=Medienkoffer"))
    assert "Medienkoffer" in await page.locator(".search-hit h3 a").first.inner_text()
    await context.close()


async def test_the_home_page_example_shows_its_filters_as_chips_that_can_be_removed(page):
    await page.goto("/")
    await page.get_by_role("searchbox").first.fill("Bildkarten A1 Arabisch Kita")
    await page.keyboard.press("Enter")
    await page.wait_for_url(re.compile(r"/katalog\?q=Bildkarten"))
    chips = page.locator(".recognised .chip")
    assert await chips.count() == 4
    assert "Kita" in await chips.nth(3).inner_text()
    titles = " ".join(await page.locator(".search-hit h3").all_inner_texts())
    assert "Bildkarten Obst und Gemüse" in titles and "Bildkarten Mein Körper" in titles
    await page.get_by_role("link", name=re.compile("Filter entfernen: Kita")).click()
    await page.wait_for_url(re.compile(r"q=Bildkarten\+A1\+Arabisch$"))
    await page.wait_for_function("document.querySelectorAll('.recognised .chip').length === 3")


async def test_an_empty_search_offers_the_way_out_in_the_browser(page):
    await page.goto("/katalog?q=Quartett+Krippe")
    assert await page.locator("#h-results").inner_text() == "Nichts gefunden"
    way_out = page.get_by_role("link", name="Ohne ‚Krippe‘ 1 Treffer")
    assert "Ohne ‚Quartett‘" in await page.locator(".relaxations").inner_text()
    # The facets stay, with the counts of the words alone.
    assert await page.get_by_label("Deutsch (1)").count() == 1
    await way_out.click()
    await page.wait_for_url(re.compile(r"q=Quartett$"))
    assert await page.locator(".search-hit h3 a").first.inner_text() == "Quartett Familie"


async def test_on_a_phone_the_first_hit_is_on_the_first_screen_and_nothing_overflows(
    browser, live_server
):
    context = await browser.new_context(
        base_url=live_server.url, locale="de-DE", viewport={"width": 390, "height": 844}
    )
    page = await context.new_page()
    await page.goto("/katalog?q=Bildkarten+A1+Arabisch+Kita")
    first = await page.locator(".search-hit").first.bounding_box()
    assert first["y"] + first["height"] <= 844
    assert await page.evaluate("document.documentElement.scrollWidth") <= 390
    # The filters fold behind one button that tells how many are set.
    toggle = page.locator("summary.filter-toggle")
    assert (await toggle.inner_text()).strip() == "Filter (4)"
    spiel = page.get_by_label(re.compile(r"^Bildwörterbuch \("))
    assert not await spiel.is_visible()
    await toggle.click()
    assert await page.locator(".facets input[type=checkbox]").first.is_visible()
    for path in ["/katalog", "/katalog?q=Medienkoffer", "/titel/1", "/titel/160"]:
        await page.goto(path)
        await page.wait_for_load_state("networkidle")
        width = await page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, (path, width)
    await context.close()
