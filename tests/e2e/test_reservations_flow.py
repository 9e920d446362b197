"""A teacher reserves material for her course in a real browser."""

from datetime import timedelta

from tests.e2e.live import login
from tests.factories import next_years_monday


async def test_a_teacher_places_a_hold_and_a_booking_and_sees_them_in_her_list(page):
    await login(page, "anna.berger@mediathek.example")
    await page.goto("/titel/2/reservieren")
    box = page.locator("#reservation-box")
    await box.get_by_role("button", name="Vormerken").click()
    # A copy on the shelf is set aside at once; otherwise she joins the queue.
    await box.locator(".alert-ok").wait_for()
    assert await box.get_by_role("button", name="Vormerken").count() == 0

    # She picks her course week in the calendar with the keyboard: Monday, then Friday.
    monday = next_years_monday()
    friday = monday + timedelta(days=4)
    await page.goto(f"/titel/2/reservieren?ab={monday.isoformat()}")
    box = page.locator("#reservation-box")
    calendar = box.locator("#availability")
    await calendar.locator(f"td[data-day='{monday.isoformat()}'] button").focus()
    await page.keyboard.press("Enter")
    await calendar.get_by_text("Jetzt den Rückgabetag wählen").wait_for()
    await calendar.locator(f"td[data-day='{friday.isoformat()}'] button").focus()
    await page.keyboard.press("Space")
    assert await box.get_by_label("Erster Tag").input_value() == monday.isoformat()
    assert await box.get_by_label("Letzter Tag").input_value() == friday.isoformat()
    plain = f"Abholen ab Mo {monday:%d.%m.}, zurückbringen bis Fr {friday:%d.%m.}"
    await calendar.get_by_text(plain).wait_for()
    # One full stop after the short day, as a sentence has it.
    spoken = await calendar.locator(".day-pick-status").inner_text()
    assert f"Fr {friday:%d.%m.} Jetzt" in spoken and ".." not in spoken
    # Saturday and Sunday are marked closed and cannot be picked.
    saturday = monday + timedelta(days=5)
    closed = calendar.locator(f"td.day-closed:has-text('{saturday:%d.%m.}')")
    assert await closed.count() == 1
    assert await calendar.locator(f"td[data-day='{saturday.isoformat()}']").count() == 0
    await box.get_by_role("button", name="Reservieren", exact=True).click()
    await box.get_by_text(f"Reserviert. {plain}").wait_for()

    await page.goto("/konto/reservierungen")
    holds = page.locator("#my-holds")
    bookings = page.locator("#my-bookings")
    assert await holds.locator("li").count() == 1
    await bookings.get_by_text(plain).wait_for()

    page.once("dialog", lambda dialog: dialog.accept())
    await bookings.get_by_role("button", name="Stornieren").click()
    await bookings.get_by_text("Die Reservierung ist storniert.").wait_for()
    assert await bookings.locator("li").count() == 0


async def test_the_calendar_fits_a_phone_screen(browser, live_server):
    context = await browser.new_context(
        base_url=live_server.url, locale="de-DE", viewport={"width": 390, "height": 844}
    )
    page = await context.new_page()
    await login(page, "anna.berger@mediathek.example")
    await page.goto("/titel/2/reservieren")
    table = page.locator(".availability-table")
    await table.wait_for()
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways ({width} px)"
    box = await table.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390
    await context.close()
