"""A teacher reserves material for her course in a real browser."""

from datetime import date

from tests.e2e.live import login


async def test_a_teacher_places_a_hold_and_a_booking_and_sees_them_in_her_list(page):
    await login(page, "anna.berger@mediathek.example")
    await page.goto("/titel/2/reservieren")
    box = page.locator("#reservation-box")
    await box.get_by_role("button", name="Vormerken").click()
    # A copy on the shelf is set aside at once; otherwise she joins the queue.
    await box.locator(".alert-ok").wait_for()
    assert await box.get_by_role("button", name="Vormerken").count() == 0

    year = date.today().year + 1
    await box.get_by_label("Erster Tag").fill(f"{year}-05-04")
    await box.get_by_label("Letzter Tag").fill(f"{year}-05-08")
    await box.get_by_role("button", name="Reservieren", exact=True).click()
    await box.get_by_text(f"Reserviert vom 04.05.{year} bis 08.05.{year}").wait_for()

    await page.goto("/konto/reservierungen")
    holds = page.locator("#my-holds")
    bookings = page.locator("#my-bookings")
    assert await holds.locator("li").count() == 1
    await bookings.get_by_text(f"04.05.{year} bis 08.05.{year}").wait_for()

    page.once("dialog", lambda dialog: dialog.accept())
    await bookings.get_by_role("button", name="Stornieren").click()
    await bookings.get_by_text("Die Reservierung ist storniert.").wait_for()
    assert await bookings.locator("li").count() == 0
