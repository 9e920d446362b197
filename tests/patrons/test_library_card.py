"""The printed library card carries a Code128 barcode that a real reader decodes."""

import asyncio

from tests.e2e.live import CHROMIUM, CHROMIUM_ARGS


async def test_library_card_page_barcode_is_readable_by_a_scanner(
    client_for, staff, teacher_anna, tmp_path
):
    async with client_for(staff) as c:
        page_html = (await c.get(f"/verwaltung/ausleihende/{teacher_anna.patron_id}/ausweis")).text
        css = (await c.get("/static/css/patrons.css")).text
    assert "Anna Berger" in page_html and teacher_anna.card in page_html
    # Render the card the way a browser prints it, then read the screenshot like a scanner.
    card = page_html.split('<article class="library-card"', 1)[1].split("</article>", 1)[0]
    html = (
        f"<html><head><style>{css}</style></head>"
        f"<body><article class='library-card'{card}</article></body></html>"
    )
    from playwright.async_api import async_playwright

    shot = tmp_path / "card.png"
    async with async_playwright() as p:
        browser = await p.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        page = await browser.new_page(device_scale_factor=2)
        await page.set_content(html)
        await page.locator(".library-card").screenshot(path=str(shot))
        await browser.close()
    proc = await asyncio.create_subprocess_exec(
        "zbarimg", "--quiet", "--raw", str(shot), stdout=asyncio.subprocess.PIPE
    )
    out, _ = await proc.communicate()
    assert out.decode().strip() == teacher_anna.card
