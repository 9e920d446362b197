"""The desk driven exactly like a USB scanner does it: characters typed, then Enter."""

import time
from datetime import date, timedelta

import pytest
from playwright.async_api import expect

from mediathek.catalogue.barcodes import make_code
from tests.e2e.live import fetch_rows, login


async def demo_codes(database_url: str) -> dict[str, str]:
    """A card with room to borrow, an available kit with parts and an available book of the
    demo data (SQLite or PostgreSQL)."""
    long_overdue = (date.today() - timedelta(days=10)).isoformat()
    [(card,)] = await fetch_rows(
        database_url,
        "SELECT card_barcode FROM patron p WHERE blocked_reason = '' AND NOT EXISTS ("
        " SELECT 1 FROM loan l WHERE l.patron = p.id AND l.returned_at IS NULL"
        f" AND l.due_on < '{long_overdue}') ORDER BY id LIMIT 1",
    )
    [(kit,)] = await fetch_rows(
        database_url,
        "SELECT c.barcode FROM copy c JOIN title t ON t.id = c.title "
        "WHERE t.media_type = 'kit' AND c.status = 'available' "
        "AND EXISTS (SELECT 1 FROM component k WHERE k.title = t.id) ORDER BY c.id LIMIT 1",
    )
    [(book,)] = await fetch_rows(
        database_url,
        "SELECT c.barcode FROM copy c JOIN title t ON t.id = c.title "
        "WHERE t.media_type = 'book' AND c.status = 'available' ORDER BY c.id LIMIT 1",
    )
    return {"card": card, "kit": kit, "book": book}


async def scan(page, code: str) -> None:
    await page.keyboard.type(code)
    await page.keyboard.press("Enter")


async def test_desk_lends_returns_a_kit_with_a_missing_part_and_overrides_a_refusal(
    page, live_server
):
    codes = await demo_codes(live_server.database_url)
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
    await page.locator("#desk-result").get_by_text("unvollständig").wait_for()

    # The incomplete kit is refused for the next loan; staff lend it anyway with a reason.
    await page.locator("#scan-code").focus()
    await scan(page, codes["card"])
    await page.locator(".desk-lend").wait_for()
    await scan(page, codes["kit"])
    await page.locator(".override-form").wait_for()
    assert "nicht ausleihbar" in await page.locator("#desk-result").inner_text()
    await page.get_by_label("Trotzdem ausleihen – Grund").fill("Teil wird nachgereicht")
    await page.get_by_role("button", name="Trotzdem ausleihen").click()
    await page.locator("#desk-result").get_by_text("Ausnahme wurde protokolliert").wait_for()

    # A mistaken scan is taken back with one click.
    await page.get_by_role("button", name="Letzte Aktion rückgängig").click()
    await page.locator("#desk-result").get_by_text("rückgängig gemacht").wait_for()
    await expect(page.locator("#scan-code")).to_be_focused()


async def new_patron_card(database_url: str, number: int = 999_001) -> str:
    """A patron with nothing on loan (every demo patron has loans)."""
    card = make_code("K", number)
    await fetch_rows(
        database_url,
        "INSERT INTO patron (first_name, last_name, category, card_barcode, email) "
        f"VALUES ('Nora', 'Neu', 'volunteer_teacher', '{card}', 'nora.neu{number}@example.org') "
        "RETURNING id",
    )
    return card


async def test_the_first_loan_of_a_patron_fills_the_empty_list(page, live_server):
    codes = await demo_codes(live_server.database_url)
    card = await new_patron_card(live_server.database_url)
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


async def burst_fixture(database_url: str, latency: int) -> tuple[str, list[str]]:
    """A new patron (room for ten loans) and ten copies nobody holds or books."""
    card = make_code("K", 999_100 + latency)
    await fetch_rows(
        database_url,
        "INSERT INTO patron (first_name, last_name, category, card_barcode, email) VALUES "
        f"('Scan', 'Schnell', 'paid_teacher', '{card}', 'scan{latency}@example.org') "
        "RETURNING id",
    )
    rows = await fetch_rows(
        database_url,
        "SELECT c.barcode FROM copy c JOIN title t ON t.id = c.title "
        "WHERE c.status = 'available' AND t.media_type = 'book' "
        "AND NOT EXISTS (SELECT 1 FROM hold h WHERE h.title = c.title) "
        "AND NOT EXISTS (SELECT 1 FROM booking b WHERE b.title = c.title) "
        "ORDER BY c.id LIMIT 10",
    )
    return card, [r[0] for r in rows]


async def emulate_latency(page, latency_ms: int) -> None:
    cdp = await page.context.new_cdp_session(page)
    await cdp.send("Network.enable")
    await cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": latency_ms, "downloadThroughput": -1, "uploadThroughput": -1},
    )


async def type_burst(page, codes: list[str]) -> None:
    # As a USB scanner: 2 ms per key, Enter, and straight on with the next code.
    for code in codes:
        await page.keyboard.type(code, delay=2)
        await page.keyboard.press("Enter")


async def logged_codes(page) -> list[str]:
    """The codes of the session log, oldest first, as the page took them off the field."""
    heads = await page.locator("#desk-log-list .log-head").all_inner_texts()
    return [h.split(" · ", 1)[1] for h in reversed(heads)]


@pytest.mark.parametrize("latency", [0, 100, 300])
async def test_ten_scans_at_scanner_speed_are_lent_and_returned_none_lost(
    page, live_server, latency
):
    card, codes = await burst_fixture(live_server.database_url, latency)
    assert len(codes) == 10
    await login(page, "theke@mediathek.example")
    await page.goto("/theke")
    await emulate_latency(page, latency)
    done = page.locator("#desk-log-list .log-done")

    started = time.monotonic()
    await type_burst(page, [card, *codes])
    await expect(done).to_have_count(11, timeout=60_000)
    lent_in = time.monotonic() - started
    assert await logged_codes(page) == [card, *codes]  # none glued, none lost, in order
    texts = await page.locator("#desk-log-list .log-text").all_inner_texts()
    assert all(t.startswith("Ausgeliehen:") for t in texts[:10]), texts
    rows = await page.locator("#desk-loans-body tr").evaluate_all(
        "rows => rows.map(r => r.dataset.barcode)"
    )
    assert rows == list(reversed(codes))
    assert await page.locator("#desk-loans-heading").inner_text() == "Ausgeliehen (10)"
    open_loans = await fetch_rows(
        live_server.database_url,
        "SELECT c.barcode FROM loan l JOIN copy c ON c.id = l.copy JOIN patron p "
        f"ON p.id = l.patron WHERE p.card_barcode = '{card}' AND l.returned_at IS NULL",
    )
    assert sorted(r[0] for r in open_loans) == sorted(codes)

    await page.get_by_role("button", name="Fertig – Ausweis schließen").click()
    await page.locator(".desk-return").wait_for()
    await page.locator("#scan-code").focus()
    started = time.monotonic()
    await type_burst(page, codes)
    await expect(done).to_have_count(22, timeout=60_000)  # with the closing of the card
    returned_in = time.monotonic() - started
    texts = await page.locator("#desk-log-list .log-text").all_inner_texts()
    assert all(t.startswith("Zurück:") for t in texts[:10]), texts
    loans = await fetch_rows(
        live_server.database_url,
        "SELECT count(*), count(l.returned_at) FROM loan l JOIN patron p ON p.id = l.patron "
        f"WHERE p.card_barcode = '{card}'",
    )
    assert loans == [(10, 10)]  # ten loans, each returned, none twice
    print(f"\nlatency {latency} ms: ten loans {lent_in:.2f} s, ten returns {returned_in:.2f} s")


async def test_a_kit_in_a_return_stack_holds_the_queue_until_its_parts_are_checked(
    page, live_server
):
    codes = await demo_codes(live_server.database_url)
    card = await new_patron_card(live_server.database_url, 999_002)
    await login(page, "theke@mediathek.example")
    await page.goto("/theke")
    done = page.locator("#desk-log-list .log-done")
    await type_burst(page, [card, codes["kit"], codes["book"]])
    await expect(done).to_have_count(3, timeout=30_000)
    await page.get_by_role("button", name="Fertig – Ausweis schließen").click()
    await page.locator(".desk-return").wait_for()
    await page.locator("#scan-code").focus()

    # The kit and the book behind it, scanned straight after each other.
    await type_burst(page, [codes["kit"], codes["book"]])
    await page.locator(".checklist-form").wait_for()
    await page.wait_for_timeout(500)  # time enough for the book, were it sent
    status = page.locator("#desk-queue-status")
    assert "offene Frage" in await status.inner_text()
    assert (await page.locator("#desk-log-list .log-text").first.inner_text()) == "wartet"
    book_loan = (
        "SELECT count(*) FROM loan l JOIN copy c ON c.id = l.copy "
        f"WHERE c.barcode = '{codes['book']}' AND l.returned_at IS NULL"
    )
    assert await fetch_rows(live_server.database_url, book_loan) == [(1,)]

    await page.get_by_role("button", name="Alles vollständig").click()
    await expect(page.locator("#desk-log-list .log-text").first).to_contain_text(
        "Zurück:", timeout=30_000
    )
    assert await fetch_rows(live_server.database_url, book_loan) == [(0,)]
    texts = await page.locator("#desk-log-list .log-text").all_inner_texts()
    assert texts[1].startswith("Zurück:") and "Medienkoffer" in texts[1]  # the kit, answered
    await expect(status).to_be_hidden()


async def test_a_question_open_when_the_page_is_reloaded_is_asked_again_before_the_queue_goes_on(
    page, live_server
):
    codes = await demo_codes(live_server.database_url)
    card = await new_patron_card(live_server.database_url, 999_005)
    await login(page, "theke@mediathek.example")
    await page.goto("/theke")
    await type_burst(page, [card, codes["kit"], codes["book"]])
    await expect(page.locator("#desk-log-list .log-done")).to_have_count(3, timeout=30_000)
    await page.get_by_role("button", name="Fertig – Ausweis schließen").click()
    await page.locator(".desk-return").wait_for()
    await page.locator("#scan-code").focus()
    await type_burst(page, [codes["kit"], codes["book"]])
    await page.locator(".checklist-form").wait_for()

    # Reloaded with the kit's checklist open: the kit is asked again, the book still waits.
    await page.reload()
    await page.locator(".checklist-form").wait_for(timeout=30_000)
    await expect(page.locator("#desk-queue-status")).to_contain_text("offene Frage")
    book_loan = (
        "SELECT count(*) FROM loan l JOIN copy c ON c.id = l.copy "
        f"WHERE c.barcode = '{codes['book']}' AND l.returned_at IS NULL"
    )
    assert await fetch_rows(live_server.database_url, book_loan) == [(1,)]
    await page.get_by_role("button", name="Alles vollständig").click()
    await expect(page.locator("#desk-log-list .log-text").first).to_contain_text(
        "Zurück:", timeout=30_000
    )
    assert await fetch_rows(live_server.database_url, book_loan) == [(0,)]
    kit_loan = (
        "SELECT count(*) FROM loan l JOIN copy c ON c.id = l.copy "
        f"WHERE c.barcode = '{codes['kit']}' AND l.returned_at IS NULL"
    )
    assert await fetch_rows(live_server.database_url, kit_loan) == [(0,)]


async def test_scans_wait_while_the_server_is_unreachable_survive_a_reload_and_apply_once(
    page, live_server
):
    codes = await demo_codes(live_server.database_url)
    card = await new_patron_card(live_server.database_url, 999_003)
    await login(page, "theke@mediathek.example")
    await page.goto("/theke")
    await type_burst(page, [card])
    await expect(page.locator("#desk-log-list .log-done")).to_have_count(1, timeout=30_000)

    # The network is down: scans are not lost, and the page says so.
    async def unreachable(route):
        await route.abort("internetdisconnected")

    await page.route("**/theke/scan", unreachable)
    await type_burst(page, [codes["book"]])
    status = page.locator("#desk-queue-status")
    await expect(status).to_contain_text("Keine Verbindung zum Server", timeout=30_000)
    await page.reload()
    await expect(status).to_contain_text("Keine Verbindung zum Server", timeout=30_000)
    assert (await page.locator("#desk-log-list .log-text").first.inner_text()) == "wartet"

    # Back, but the first answer is lost on its way: the server applied the scan, the page
    # sends it again with the same id, and the server answers as before.
    lost = []

    async def answer_lost_once(route):
        if not lost:
            await route.fetch()
            lost.append(True)
            await route.abort("connectionreset")
        else:
            await route.continue_()

    await page.unroute("**/theke/scan")
    await page.route("**/theke/scan", answer_lost_once)
    await page.evaluate("window.dispatchEvent(new Event('online'))")
    await expect(page.locator("#desk-log-list .log-text").first).to_contain_text(
        "Ausgeliehen:", timeout=30_000
    )
    await expect(status).to_be_hidden()
    assert lost == [True]
    loans = await fetch_rows(
        live_server.database_url,
        "SELECT count(*) FROM loan l JOIN patron p ON p.id = l.patron "
        f"WHERE p.card_barcode = '{card}'",
    )
    assert loans == [(1,)]


async def test_the_desk_with_its_queue_log_and_a_question_open_stays_accessible(
    browser, live_server
):
    from tests.e2e.test_accessibility import AXE, AXE_RUN

    codes = await demo_codes(live_server.database_url)
    card = await new_patron_card(live_server.database_url, 999_004)
    context = await browser.new_context(base_url=live_server.url, locale="de-DE", bypass_csp=True)
    page = await context.new_page()
    await login(page, "theke@mediathek.example")
    await page.goto("/theke")
    # A loan, a garbled code (refused, marked in the log) and an ISBN with several copies.
    await type_burst(page, [card, codes["book"], "M99999X9"])
    await expect(page.locator("#desk-log-list .log-done")).to_have_count(3, timeout=30_000)
    assert await page.locator("#desk-log-list .log-attention").count() == 1
    await page.add_script_tag(path=str(AXE))
    found = await page.evaluate(AXE_RUN)
    await context.close()
    assert found == [], found


async def test_danger_buttons_look_like_danger_on_every_page(page, live_server):
    await login(page, "theke@mediathek.example")
    danger = "rgb(164, 22, 26)"  # --error
    # A page without the desk's stylesheet: the base button rule once made this one teal.
    await page.goto("/verwaltung/titel/1")
    button = page.get_by_role("button", name="Titel aussondern")
    colour = await button.evaluate("b => getComputedStyle(b).backgroundColor")
    assert colour == danger
    await page.goto("/theke")
    await type_burst(page, [(await demo_codes(live_server.database_url))["card"]])
    await page.locator(".desk-lend").wait_for()
    await page.locator("details.mark-menu summary").first.click()
    lost = page.get_by_role("button", name="Verloren").first
    assert await lost.evaluate("b => getComputedStyle(b).backgroundColor") == danger
