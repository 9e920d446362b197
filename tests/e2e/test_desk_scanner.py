"""The desk driven exactly like a USB scanner does it: characters typed, then Enter."""

import sqlite3
from contextlib import closing

from playwright.async_api import expect

from mediathek.catalogue.barcodes import make_code
from mediathek.db import sqlite_path
from tests.e2e.conftest import login


def demo_codes(database_url: str) -> dict[str, str]:
    with closing(sqlite3.connect(sqlite_path(database_url))) as conn:
        card = conn.execute(
            "SELECT card_barcode FROM patron p WHERE blocked_reason = '' AND NOT EXISTS ("
            " SELECT 1 FROM loan l WHERE l.patron = p.id AND l.returned_at IS NULL"
            " AND l.due_on < date('now', '-10 days')) ORDER BY id LIMIT 1"
        ).fetchone()[0]
        kit = conn.execute(
            "SELECT c.barcode FROM copy c JOIN title t ON t.id = c.title "
            "WHERE t.media_type = 'kit' AND c.status = 'available' "
            "AND EXISTS (SELECT 1 FROM component k WHERE k.title = t.id) ORDER BY c.id LIMIT 1"
        ).fetchone()[0]
        book = conn.execute(
            "SELECT c.barcode FROM copy c JOIN title t ON t.id = c.title "
            "WHERE t.media_type = 'book' AND c.status = 'available' ORDER BY c.id LIMIT 1"
        ).fetchone()[0]
    return {"card": card, "kit": kit, "book": book}


async def scan(page, code: str) -> None:
    await page.keyboard.type(code)
    await page.keyboard.press("Enter")


async def test_desk_lends_returns_a_kit_with_a_missing_part_and_overrides_a_refusal(
    page, live_server
):
    codes = demo_codes(live_server.database_url)
    await login(page, "theke@mediathek.example")
    await page.goto("/theke")
    mode = page.locator("#desk-mode")
    assert "Rückgabe" in await mode.inner_text()
    # The scan field has the focus: the scanner can type straight away.
    assert await page.evaluate("document.activeElement.id") == "scan-code"

    await scan(page, codes["card"])
    await page.locator(".desk-lend").wait_for()
    assert "Ausleihe" in await mode.inner_text()
    assert codes["card"] in page.url

    # Two items scanned straight after each other, as fast as a scanner types: none is lost.
    await scan(page, codes["kit"])
    await scan(page, codes["book"])
    await page.locator(f"tr[data-barcode='{codes['kit']}'] .badge-ok").wait_for()
    await page.locator(f"tr[data-barcode='{codes['book']}'] .badge-ok").wait_for()
    # Each checkout sent only its row: the list still counts right and shows the newest first.
    barcodes = await page.locator("#desk-loans-body tr").evaluate_all(
        "rows => rows.map(r => r.dataset.barcode)"
    )
    assert barcodes[:2] == [codes["book"], codes["kit"]]
    heading = await page.locator("#desk-loans-heading").inner_text()
    assert heading == f"Ausgeliehen ({len(barcodes)})"
    assert "Ausgeliehen" in await page.locator("#desk-result").inner_text()
    assert "zurück bis" in await page.locator("#desk-result").inner_text()

    # Close the card: back in return mode, the kit asks for its parts.
    await page.get_by_role("button", name="Fertig – Ausweis schließen").click()
    await page.locator(".desk-return").wait_for()
    await page.locator("#scan-code").focus()
    await scan(page, codes["kit"])
    checklist = page.locator(".checklist-form")
    await checklist.wait_for()
    boxes = checklist.locator("input[type=checkbox]")
    for i in range(1, await boxes.count()):  # the first part is missing
        await boxes.nth(i).check()
    await page.get_by_role("button", name="Rückgabe buchen").click()
    await page.get_by_text("unvollständig").wait_for()

    # The incomplete kit is refused for the next loan; staff lend it anyway with a reason.
    await page.locator("#scan-code").focus()
    await scan(page, codes["card"])
    await page.locator(".desk-lend").wait_for()
    await scan(page, codes["kit"])
    await page.locator(".override-form").wait_for()
    assert "nicht ausleihbar" in await page.locator("#desk-result").inner_text()
    await page.get_by_label("Trotzdem ausleihen – Grund").fill("Teil wird nachgereicht")
    await page.get_by_role("button", name="Trotzdem ausleihen").click()
    await page.get_by_text("Ausnahme wurde protokolliert").wait_for()

    # A mistaken scan is taken back with one click.
    await page.get_by_role("button", name="Letzte Aktion rückgängig").click()
    await page.get_by_text("rückgängig gemacht").wait_for()
    await expect(page.locator("#scan-code")).to_be_focused()


def new_patron_card(database_url: str) -> str:
    """A patron with nothing on loan (every demo patron has loans)."""
    card = make_code("K", 999_001)
    with closing(sqlite3.connect(sqlite_path(database_url))) as conn:
        conn.execute(
            "INSERT INTO patron (first_name, last_name, category, card_barcode, email) "
            "VALUES ('Nora', 'Neu', 'volunteer_teacher', ?, 'nora.neu@example.org')",
            (card,),
        )
        conn.commit()
    return card


async def test_the_first_loan_of_a_patron_fills_the_empty_list(page, live_server):
    codes = demo_codes(live_server.database_url)
    card = new_patron_card(live_server.database_url)
    await login(page, "theke@mediathek.example")
    await page.goto("/theke")
    await scan(page, card)
    await page.locator(".desk-lend").wait_for()
    assert "Keine offenen Ausleihen" in await page.locator("#desk-loans").inner_text()
    await scan(page, codes["book"])
    await page.locator(f"tr[data-barcode='{codes['book']}'] .badge-ok").wait_for()
    assert await page.locator("#desk-loans-heading").inner_text() == "Ausgeliehen (1)"
    assert "Keine offenen Ausleihen" not in await page.locator("#desk-loans").inner_text()
    await expect(page.locator("#scan-code")).to_be_focused()
