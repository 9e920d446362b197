"""After `mediathek serve --demo` a person sees the German home page and can log in."""

from tests.e2e.live import login


async def test_home_page_shows_the_demo_catalogue_in_german(page):
    await page.goto("/")
    assert await page.locator("html").get_attribute("lang") == "de"
    await page.get_by_role("heading", name="Neu im Bestand").wait_for()
    assert await page.locator(".title-list li").count() == 12
    assert await page.get_by_role("link", name="Impressum").is_visible()


async def test_staff_logs_in_with_the_demo_login_and_sees_staff_navigation(page):
    await login(page, "theke@mediathek.example")
    nav = page.get_by_role("navigation", name="Hauptnavigation")
    await nav.get_by_role("link", name="Theke").wait_for()
    await page.get_by_role("button", name="Abmelden").click()
    await page.get_by_role("link", name="Anmelden").wait_for()
