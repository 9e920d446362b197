"""The search, a title page and Mein Konto in Arabic, on a phone and on a desk screen: the page
runs right to left, nothing runs off sideways, and codes (ISBN, copy and card numbers) keep
their left-to-right order. Screenshots are kept for a person to look at."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.e2e.live import login

VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desk": {"width": 1280, "height": 900}}

LAYOUT = """() => ({
  lang: document.documentElement.lang,
  dir: document.documentElement.dir,
  scrollWidth: document.documentElement.scrollWidth,
  viewport: window.innerWidth,
  codes: [...document.querySelectorAll('bdi[dir=ltr], [dir=ltr]')]
    .filter(el => el.closest('main'))
    .map(el => ({text: el.textContent.trim(), direction: getComputedStyle(el).direction})),
})"""


def screenshot_dir(tmp_path: Path) -> Path:
    # MEDIATHEK_SCREENSHOTS keeps them after the run (to look at); otherwise a temp folder.
    folder = Path(os.environ.get("MEDIATHEK_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


async def check_page(page, path: str, shot: Path) -> dict:
    response = await page.goto(path)
    assert response is not None and response.status == 200, path
    await page.wait_for_load_state("networkidle")  # the reservation box loads itself
    layout = await page.evaluate(LAYOUT)
    await page.screenshot(path=str(shot), full_page=True)
    await page.screenshot(path=str(shot.with_name(shot.stem + "-top.png")))  # what one sees first
    assert layout["lang"] == "ar" and layout["dir"] == "rtl", (path, layout)
    assert layout["scrollWidth"] <= layout["viewport"], (path, layout)
    assert all(code["direction"] == "ltr" for code in layout["codes"]), (path, layout)
    return layout


@pytest.mark.parametrize("size", VIEWPORTS)
async def test_search_title_and_account_in_arabic(browser, live_server, size, tmp_path):
    shots = screenshot_dir(tmp_path)
    context = await browser.new_context(
        base_url=live_server.url, locale="de-DE", viewport=VIEWPORTS[size]
    )
    page = await context.new_page()
    await login(page, "anna.berger@mediathek.example")
    await page.goto("/sprache/ar")

    search = await check_page(page, "/katalog?q=Bildkarten", shots / f"ar-{size}-katalog.png")
    assert "الفهرس" in await page.locator("h1").inner_text()  # "Katalog"
    hit = page.locator(".search-hit h3 a").first
    href = await hit.get_attribute("href")
    assert search and href and href.startswith("/titel/")

    title = await check_page(page, href, shots / f"ar-{size}-titel.png")
    copies = [c["text"] for c in title["codes"]]
    assert any(c[:1].isalpha() and c[1:].isdigit() for c in copies), copies  # e.g. M0000018
    isbn = page.locator("dt:has-text('ISBN') + dd bdi")
    if await isbn.count():
        assert await isbn.evaluate("el => getComputedStyle(el).direction") == "ltr"

    account = await check_page(page, "/konto", shots / f"ar-{size}-konto.png")
    assert "حسابي" in await page.locator("h1").inner_text()  # "Mein Konto"
    assert account["codes"], "the card number keeps its direction"
    await context.close()
