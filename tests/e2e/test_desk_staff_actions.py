"""A librarian finds a borrower by name with the keyboard only, and confirms a staff action
in the page's dialog (with a note), then takes it back."""

import re

from playwright.async_api import expect

from mediathek.catalogue.barcodes import make_code
from tests.e2e.live import fetch_rows, login
from tests.e2e.test_accessibility import AXE, AXE_RUN


async def add_patron(database_url: str, first: str, last: str, number: int, notes: str = "") -> str:
    """A borrower in the live server's database (SQLite or PostgreSQL); returns her card."""
    card = make_code("K", number)
    await fetch_rows(
        database_url,
        "INSERT INTO patron (first_name, last_name, category, card_barcode, email, notes) "
        f"VALUES ('{first}', '{last}', 'volunteer_teacher', '{card}', "
        f"'{last.lower()}{number}@example.org', '{notes}') RETURNING id",
    )
    return card


async def axe(page) -> list:
    await page.add_script_tag(path=str(AXE))
    return await page.evaluate(AXE_RUN)


async def test_a_borrower_without_her_card_is_found_by_name_with_the_keyboard(browser, live_server):
    url = live_server.database_url
    await add_patron(url, "Ottilie", "Wunderlich", 999_101, notes="Bringt Kita-Gruppe mit.")
    card = await add_patron(url, "Otto", "Wunderlich", 999_102)
    context = await browser.new_context(base_url=live_server.url, locale="de-DE", bypass_csp=True)
    page = await context.new_page()
    await login(page, "theke@mediathek.example")
    await page.goto("/theke")
    field = page.locator("#scan-code")
    await expect(field).to_be_focused()
    await page.keyboard.type("wunder", delay=40)
    options = page.get_by_role("option")
    await expect(options).to_have_count(2)
    await expect(field).to_have_attribute("aria-expanded", "true")
    await expect(page.locator("#borrower-status")).to_contain_text("2 Personen gefunden")
    assert await axe(page) == []
    # Down twice: the second is Otto; the focus never leaves the field.
    await page.keyboard.press("ArrowDown")
    await page.keyboard.press("ArrowDown")
    active = await field.get_attribute("aria-activedescendant")
    await expect(page.locator(f"#{active}")).to_have_attribute("aria-selected", "true")
    await expect(page.locator(f"#{active}")).to_contain_text("Otto Wunderlich")
    await expect(field).to_be_focused()
    await page.keyboard.press("Enter")
    await page.locator(".desk-lend").wait_for()
    await expect(page.locator("#patron-heading")).to_have_text("Otto Wunderlich")
    assert card in page.url
    await expect(field).to_have_attribute("aria-expanded", "false")
    await expect(field).to_have_value("")
    # Escape closes the list without opening anyone; a typed code never opens it.
    await page.keyboard.type("wunder", delay=40)
    await expect(options).to_have_count(2)
    await page.keyboard.press("Escape")
    await expect(options).to_have_count(0)
    await field.fill("")
    await page.keyboard.type("K00", delay=40)
    await page.wait_for_timeout(400)
    await expect(options).to_have_count(0)
    await context.close()


async def test_lost_on_the_overdue_list_asks_in_a_dialog_and_is_undone_right_after(
    browser, live_server
):
    context = await browser.new_context(base_url=live_server.url, locale="de-DE", bypass_csp=True)
    page = await context.new_page()
    await login(page, "theke@mediathek.example")
    await page.goto("/verwaltung/ueberfaellig")
    button = page.get_by_role("button", name="Verloren").first
    title = (await button.inner_text()).split(":", 1)[1].strip()
    await button.click()
    dialog = page.get_by_role("dialog")
    await expect(dialog).to_be_visible()
    await expect(dialog).to_contain_text("als verloren markieren?")
    note = dialog.get_by_label("Notiz (freiwillig, wird protokolliert)")
    await expect(note).to_be_focused()
    assert await axe(page) == []
    # Escape: nothing happens, the focus is back on the button.
    await page.keyboard.press("Escape")
    await expect(dialog).to_be_hidden()
    await expect(button).to_be_focused()
    assert page.url.endswith("/verwaltung/ueberfaellig")
    await button.press("Enter")
    await expect(dialog).to_be_visible()
    await note.fill("Familie umgezogen")
    await dialog.get_by_role("button", name="Als verloren markieren").click()
    result = page.locator("#desk-result")
    await expect(result).to_contain_text(f"„{title}“ ist als verloren markiert")
    await page.get_by_role("button", name="Doch nicht verloren – rückgängig").click()
    await expect(result).to_contain_text("nicht mehr als verloren markiert")
    # Back on the list: the loan is overdue again, nothing was lost.
    await page.goto("/verwaltung/ueberfaellig")
    again = page.get_by_role("button", name=re.compile(rf"^Verloren\W+{re.escape(title)}$"))
    await expect(again.first).to_be_visible()
    await context.close()
