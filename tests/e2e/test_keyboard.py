"""Keyboard alone: the skip link leads to the content and focus is always visible."""


async def test_skip_link_is_the_first_stop_and_jumps_to_main(page):
    await page.goto("/")
    await page.keyboard.press("Tab")
    focused = await page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Zum Inhalt springen"
    outline = await page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    await page.keyboard.press("Enter")
    assert await page.evaluate("location.hash") == "#main"
