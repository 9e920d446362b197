"""Keyboard alone: the skip link leads to the content, focus is always visible, and the
desk can be worked without a mouse."""

from tests.e2e.test_desk_scanner import demo_codes


async def test_skip_link_is_the_first_stop_and_jumps_to_main(page):
    await page.goto("/")
    await page.keyboard.press("Tab")
    focused = await page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Zum Inhalt springen"
    outline = await page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    await page.keyboard.press("Enter")
    assert await page.evaluate("location.hash") == "#main"


async def press_tab_until(page, name: str, limit: int = 60) -> None:
    """Tab through the page like a keyboard user until the element named ``name`` has focus."""
    for _ in range(limit):
        await page.keyboard.press("Tab")
        label = await page.evaluate(
            "(document.activeElement.innerText || document.activeElement.value || '').trim()"
        )
        if label.startswith(name):
            return
    raise AssertionError(f"{name!r} is not reachable with the Tab key")


async def test_the_desk_works_with_the_keyboard_alone(page, live_server):
    codes = await demo_codes(live_server.database_url)
    await page.goto("/anmelden")
    await page.keyboard.type("theke@mediathek.example")
    await page.keyboard.press("Tab")
    await page.keyboard.type("mediathek-demo")
    await page.keyboard.press("Enter")
    await page.wait_for_url(lambda url: "/anmelden" not in url)
    await page.goto("/theke")
    # The scan field has the focus from the start; a scanner is a keyboard.
    await page.keyboard.type(codes["card"])
    await page.keyboard.press("Enter")
    await page.locator(".desk-lend").wait_for()
    await page.keyboard.type(codes["book"])
    await page.keyboard.press("Enter")
    await page.locator(f"tr[data-barcode='{codes['book']}'] .badge-ok").wait_for()
    # Closing the card is a Tab stop away, and Enter presses it.
    await press_tab_until(page, "Fertig")
    await page.keyboard.press("Enter")
    await page.locator(".desk-return").wait_for()
