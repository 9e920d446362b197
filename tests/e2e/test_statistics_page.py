"""Staff read this year's statistics in a real browser: charts with their numbers beside them."""

from tests.e2e.live import login


async def test_staff_read_the_statistics_of_the_demo_year(page):
    await login(page, "theke@mediathek.example")
    await page.goto("/verwaltung")
    await page.get_by_role("link", name="Statistik").click()
    await page.get_by_role("heading", name="Ausleihen je Monat").wait_for()
    chart = page.get_by_role("img", name="Ausleihen nach Medienart")
    await chart.wait_for()
    table = page.locator(
        "section", has=page.get_by_role("heading", name="Ausleihen nach Medienart")
    )
    assert await table.locator("tbody tr").count() >= 1
    async with page.expect_download() as info:
        await table.get_by_role("link", name="Als CSV herunterladen").click()
    download = await info.value
    assert download.suggested_filename.startswith("statistik-medienarten-")
