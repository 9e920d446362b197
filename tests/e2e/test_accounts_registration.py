"""A teacher registers online, staff approve, and she logs in for the first time."""

from tests.e2e.live import login

PASSWORD = "mein-sicheres-passwort"


async def test_self_registration_then_staff_approval_then_first_login(browser, live_server):
    visitor = await browser.new_context(base_url=live_server.url, locale="de-DE")
    page = await visitor.new_page()
    await page.goto("/anmelden")
    await page.get_by_role("link", name="Noch kein Konto? Registrieren").click()
    await page.get_by_label("Vorname").fill("Greta")
    await page.get_by_label("Nachname").fill("Neumann")
    await page.get_by_label("Ich bin …").select_option("volunteer_teacher")
    await page.get_by_label("E-Mail-Adresse").fill("greta.neumann@example.org")
    await page.locator("#f-password").fill(PASSWORD)
    await page.locator("#f-password_repeat").fill(PASSWORD)
    # Forgetting the consent is explained, the entries stay.
    await page.get_by_role("button", name="Registrieren").click()
    await page.get_by_text("Bitte stimmen Sie der Datenschutzerklärung zu.").first.wait_for()
    assert await page.get_by_label("Nachname").input_value() == "Neumann"
    await page.locator("#f-password").fill(PASSWORD)
    await page.locator("#f-password_repeat").fill(PASSWORD)
    await page.get_by_label("Datenschutzerklärung").check()
    await page.get_by_role("button", name="Registrieren").click()
    await page.get_by_text("Ihre Registrierung ist eingegangen.").wait_for()

    # Before approval the login does not work.
    await login(page, "greta.neumann@example.org", PASSWORD)
    await page.get_by_text("Ihr Konto ist noch nicht freigeschaltet.").wait_for()

    desk = await browser.new_context(base_url=live_server.url, locale="de-DE")
    staff = await desk.new_page()
    await login(staff, "theke@mediathek.example")
    await staff.goto("/verwaltung")
    await staff.get_by_role("link", name="Freischaltungen").first.click()
    await staff.get_by_role("button", name="Freischalten: Greta Neumann").click()
    await staff.get_by_role("heading", name="Greta Neumann", level=1).wait_for()
    card = await staff.locator("dt:has-text('Ausweisnummer') + dd").inner_text()
    assert card.startswith("K")
    await desk.close()

    await login(page, "greta.neumann@example.org", PASSWORD)
    await page.get_by_role("link", name="Mein Konto").click()
    await page.get_by_role("heading", name="Mein Konto").wait_for()
    assert card in await page.content()
    await page.get_by_text("Sie haben gerade nichts ausgeliehen.").wait_for()
    await visitor.close()
