"""Staff scan a shelf with a keyboard (a USB scanner types and presses Enter)."""

import sqlite3

from tests.e2e.live import login


def shelf_with_copies(database_url: str) -> tuple[str, list[str]]:
    path = database_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as conn:
        shelf = conn.execute(
            "SELECT shelf_mark FROM copy WHERE status = 'available' GROUP BY shelf_mark "
            "HAVING count(*) BETWEEN 3 AND 8 ORDER BY shelf_mark LIMIT 1"
        ).fetchone()[0]
        codes = [
            r[0]
            for r in conn.execute(
                "SELECT barcode FROM copy WHERE shelf_mark = ? AND status = 'available' "
                "ORDER BY barcode",
                (shelf,),
            )
        ]
    return shelf, codes


async def test_staff_scan_a_shelf_by_keyboard_and_see_what_is_missing(page, live_server):
    shelf, codes = shelf_with_copies(live_server.database_url)
    await login(page, "theke@mediathek.example")
    await page.goto("/verwaltung/revision")
    await page.get_by_label("Bezeichnung").fill("Revision im Test")
    await page.get_by_label("Signaturen (Anfang)").fill(shelf)
    await page.get_by_role("button", name="Beginnen").click()
    await page.get_by_role("heading", name="Revision im Test").wait_for()
    await page.get_by_label("Regal / Signatur, das Sie gerade scannen").fill(shelf)
    barcode = page.get_by_label("Barcode scannen")
    await barcode.focus()
    *found, missing = codes
    for n, code in enumerate(found + [found[0]], start=1):
        # Like a scanner: type into the focused field and press Enter, nothing else.
        await page.keyboard.type(code)
        await page.keyboard.press("Enter")
        await page.get_by_text(f"{min(n, len(found))} Barcodes erfasst.").wait_for()
        assert await page.evaluate("document.activeElement.id") == "f-barcode"
    await page.get_by_text("war schon erfasst.").wait_for()
    await page.get_by_role("heading", name="Nicht gefunden (1)").wait_for()
    missing_table = page.locator(
        "section", has=page.get_by_role("heading", name="Nicht gefunden (1)")
    )
    assert missing in await missing_table.inner_text()
