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
    context = await browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = await context.new_page()
    await page.goto("/katalog")
    await page.get_by_label(re.compile("^Suchen nach")).fill("Medienkoffer")
    await page.get_by_role("button", name="Suchen", exact=True).click()
    await page.wait_for_url(re.compile(r"q=Medienkoffer"))
    assert "Medienkoffer" in await page.locator(".search-hit h3 a").first.inner_text()
    await context.close()
