"""A librarian after a return stack (no card scanned) prints and e-mails the borrower's
receipt; renews a long-overdue loan with a reason; closes a card while a question is open."""

import json
import os
from datetime import date, timedelta

from playwright.async_api import expect

from tests.e2e.live import fetch_rows, login
from tests.e2e.test_accessibility import AXE, AXE_RUN
from tests.e2e.test_desk_scanner import demo_codes, new_patron_card, type_burst


async def axe(page) -> list:
    await page.add_script_tag(path=str(AXE))
    return await page.evaluate(AXE_RUN)


async def shot(page, name: str) -> None:
    """A screenshot to look at (MEDIATHEK_SCREENSHOTS=dir), none otherwise."""
    where = os.environ.get("MEDIATHEK_SCREENSHOTS")
    if where:
        await page.screenshot(path=f"{where}/{name}.png", full_page=True)


async def new_context(browser, live_server, **extra):
    context = await browser.new_context(
        base_url=live_server.url, locale="de-DE", bypass_csp=True, **extra
    )
    page = await context.new_page()
    await login(page, "theke@mediathek.example")
    return context, page


async def test_after_a_return_stack_the_borrowers_receipt_is_printed_and_emailed(
    browser, live_server
):
    codes = await demo_codes(live_server.database_url)
    card = await new_patron_card(live_server.database_url, 999_201)
    [(patron_id,)] = await fetch_rows(
        live_server.database_url, f"SELECT id FROM patron WHERE card_barcode = '{card}'"
    )
    context, page = await new_context(browser, live_server)
    await page.goto("/theke")
    done = page.locator("#desk-log-list .log-done")
    await type_burst(page, [card, codes["book"], codes["kit"]])
    await expect(done).to_have_count(3, timeout=30_000)
    await page.get_by_role("button", name="Fertig – Ausweis schließen").click()
    await page.locator(".desk-return").wait_for()
    await page.locator("#scan-code").focus()

    # The stack comes back without her card: the book, then the kit with its checklist.
    await type_burst(page, [codes["book"], codes["kit"]])
    await page.locator(".checklist-form").wait_for()
    await page.get_by_role("button", name="Alles vollständig").click()
    await expect(page.locator("#desk-log-list .log-text").first).to_contain_text(
        "Zurück:", timeout=30_000
    )
    # Each return in the log names its receipt; the result box offers print and e-mail.
    receipts = page.locator("#desk-log-list .log-receipt")
    await expect(receipts).to_have_count(2)
    href = f"/theke/quittung?ausleihende={patron_id}"
    assert await receipts.first.get_attribute("href") == href
    result = page.locator("#desk-result")
    await expect(result.get_by_role("link", name="Rückgabe-Quittung drucken")).to_be_visible()
    assert await axe(page) == []
    await shot(page, "desk-return-receipt")

    await result.get_by_role("button", name="Rückgabe-Quittung per E-Mail").click()
    await expect(page.locator("#desk-result")).to_contain_text(
        "Die Quittung wird per E-Mail geschickt."
    )
    await expect(page.locator("#scan-code")).to_be_focused()
    [(payload,)] = await fetch_rows(
        live_server.database_url,
        f"SELECT payload FROM notification WHERE kind = 'loan_receipt' AND patron = {patron_id}",
    )
    returned = json.loads(payload)["returned"]
    assert sorted(i["barcode"] for i in returned) == sorted([codes["book"], codes["kit"]])
    assert any(i["parts"] for i in returned)  # the kit with its parts

    printed = await context.new_page()
    await printed.goto(href)
    article = printed.locator("article.receipt")
    await expect(article.get_by_role("heading", level=1)).to_have_text("Rückgabe-Quittung")
    await expect(article).to_contain_text("Heute zurückgegeben")
    await expect(article).to_contain_text(codes["kit"])
    await expect(article).to_contain_text("Bestandteile:")
    assert await axe(printed) == []
    await shot(printed, "return-receipt")
    await printed.set_viewport_size({"width": 390, "height": 844})
    width = await printed.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    await context.close()


async def test_a_long_overdue_loan_is_renewed_with_a_reason_typed_at_the_desk(browser, live_server):
    codes = await demo_codes(live_server.database_url)
    card = await new_patron_card(live_server.database_url, 999_202)
    context, page = await new_context(browser, live_server)
    await page.goto("/theke")
    await type_burst(page, [card, codes["book"]])
    await expect(page.locator("#desk-log-list .log-done")).to_have_count(2, timeout=30_000)
    long_ago = (date.today() - timedelta(days=20)).isoformat()
    await fetch_rows(
        live_server.database_url,
        f"UPDATE loan SET due_on = '{long_ago}', reminder_level = 2 WHERE returned_at IS NULL "
        f"AND patron = (SELECT id FROM patron WHERE card_barcode = '{card}') RETURNING id",
    )
    await page.goto(f"/theke?ausweis={card}")
    await page.get_by_role("button", name="Verlängern").click()
    reason = page.get_by_label("Trotzdem verlängern – Grund (wird protokolliert)")
    # The question is asked in the result box, and the reason field has the focus.
    await expect(reason).to_be_focused()
    await expect(page.locator("#desk-result")).to_contain_text("Verlängern nur mit Begründung")
    assert await axe(page) == []
    await shot(page, "desk-renew-reason")
    await page.keyboard.type("Kurs läuft bis Ostern")
    await page.keyboard.press("Enter")
    await expect(page.locator("#desk-result")).to_contain_text("Begründung wurde protokolliert")
    await expect(page.locator("#scan-code")).to_be_focused()
    rows = await fetch_rows(
        live_server.database_url,
        "SELECT detail FROM audit_log WHERE action = 'loan.renew_override'",
    )
    details = [r[0] if isinstance(r[0], dict) else json.loads(r[0]) for r in rows]
    assert any(d.get("reason") == "Kurs läuft bis Ostern" for d in details), details
    await context.close()


async def test_closing_the_card_while_a_question_is_open_leaves_it_marked_unanswered(
    browser, live_server
):
    [(isbn,)] = await fetch_rows(
        live_server.database_url,
        "SELECT t.isbn FROM title t JOIN copy c ON c.title = t.id WHERE c.status = 'available' "
        "AND t.isbn <> '' GROUP BY t.isbn HAVING count(*) > 1 ORDER BY t.isbn LIMIT 1",
    )
    codes = await demo_codes(live_server.database_url)
    card = await new_patron_card(live_server.database_url, 999_203)
    context, page = await new_context(browser, live_server)
    await page.goto("/theke")
    # An ISBN that several copies carry asks which one; the book behind it waits.
    await type_burst(page, [card, isbn, codes["book"]])
    await expect(page.locator("#desk-result")).to_contain_text("Mehrere Exemplare passen")
    status = page.locator("#desk-queue-status")
    await expect(status).to_contain_text("offene Frage")
    await page.get_by_role("button", name="Fertig – Ausweis schließen").click()
    await page.locator(".desk-return").wait_for()
    # The question is gone from the screen, not from the log: marked until dismissed.
    entry = page.locator("#desk-log-list li", has_text=isbn)
    await expect(entry).to_contain_text("nicht beantwortet")
    await expect(entry.locator(".badge-error")).to_have_text("Nicht erledigt")
    # The book was scanned for her card: it is not sent in return mode, but set aside,
    # marked, to be scanned again.
    book = page.locator("#desk-log-list li", has_text=codes["book"])
    await expect(book).to_contain_text("Nicht gesendet")
    await expect(status).to_be_hidden()
    [(loans,)] = await fetch_rows(
        live_server.database_url,
        "SELECT count(*) FROM loan l JOIN patron p ON p.id = l.patron "
        f"WHERE p.card_barcode = '{card}'",
    )
    assert loans == 0
    assert await axe(page) == []
    await context.close()


async def test_scans_left_waiting_in_a_closed_tab_are_sent_by_the_next_desk_tab_once(
    browser, live_server
):
    codes = await demo_codes(live_server.database_url)
    card = await new_patron_card(live_server.database_url, 999_204)
    context, page = await new_context(browser, live_server)
    await page.goto("/theke")
    await type_burst(page, [card])
    await expect(page.locator("#desk-log-list .log-done")).to_have_count(1, timeout=30_000)

    async def unreachable(route):
        await route.abort("internetdisconnected")

    # The network is gone; a book is scanned for her, then the tab is closed.
    await page.route("**/theke/scan", unreachable)
    await type_burst(page, [codes["book"]])
    await expect(page.locator("#desk-queue-status")).to_contain_text("Keine Verbindung")
    await page.close()

    # The next desk tab (once the closed one has been silent long enough) takes it over.
    other = await context.new_page()
    await other.goto("/kontakt")
    await other.evaluate(
        "Object.keys(localStorage).filter(k => k.startsWith('mediathek-desk-alive:'))"
        ".forEach(k => localStorage.setItem(k, '0'))"
    )
    await other.goto("/theke")
    first = other.locator("#desk-log-list .log-text").first
    await expect(first).to_contain_text("Ausgeliehen:", timeout=30_000)
    await expect(other.locator("#desk-log-list li").first).to_contain_text(codes["book"])
    assert card in other.url
    [(loans,)] = await fetch_rows(
        live_server.database_url,
        "SELECT count(*) FROM loan l JOIN patron p ON p.id = l.patron "
        f"WHERE p.card_barcode = '{card}'",
    )
    assert loans == 1
    # A third tab finds nothing left to take over.
    third = await context.new_page()
    await third.goto("/theke")
    await expect(third.locator("#desk-queue-status")).to_be_hidden()
    await context.close()
