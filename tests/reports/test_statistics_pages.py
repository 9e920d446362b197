from datetime import date

from tests.factories import LONG_AGO, add_copy, add_loan, add_title


async def test_staff_see_statistics_with_charts_and_tables(client_for, staff, teacher_anna):
    title = await add_title(
        "Bildkarten <Obst>", "picture_cards", levels=("a1", "a2"), copies=(), created_at=LONG_AGO
    )
    copy_id, _ = await add_copy(title)
    await add_loan(copy_id, teacher_anna.patron_id, date(2025, 3, 5), date(2025, 3, 20))
    async with client_for(staff) as c:
        page = await c.get("/verwaltung/statistik?jahr=2025")
    assert page.status_code == 200
    html = page.text
    assert "Jahr 2025" in html
    assert 'role="img"' in html and '<title id="chart-monate-title">' in html
    assert "März 2025: 1" in html  # the chart's description names the numbers
    assert "Bildkarten &lt;Obst&gt;" in html and "<Obst>" not in html
    assert "/verwaltung/statistik/medienarten.csv?von=2025-01-01&amp;bis=2025-12-31" in html


async def test_a_table_downloads_as_csv_for_excel(client_for, staff, teacher_anna):
    title = await add_title("=HYPERLINK(1)", "game", copies=(), created_at=LONG_AGO)
    copy_id, _ = await add_copy(title)
    await add_loan(copy_id, teacher_anna.patron_id, date(2025, 3, 5), date(2025, 3, 20))
    async with client_for(staff) as c:
        csv_types = await c.get(
            "/verwaltung/statistik/medienarten.csv?von=2025-01-01&bis=2025-12-31"
        )
        csv_top = await c.get("/verwaltung/statistik/beliebteste-titel.csv?jahr=2025")
        missing = await c.get("/verwaltung/statistik/gibtsnicht.csv?jahr=2025")
    assert csv_types.status_code == 200
    assert csv_types.headers["content-type"].startswith("text/csv")
    assert csv_types.content.decode("utf-8-sig").splitlines() == ["Medienart;Ausleihen", "Spiel;1"]
    assert "'=HYPERLINK(1);1" in csv_top.content.decode("utf-8-sig")
    assert missing.status_code == 404


async def test_a_wrong_range_is_explained_on_the_form(client_for, staff):
    async with client_for(staff) as c:
        page = await c.get("/verwaltung/statistik?von=2026-03-01&bis=2026-01-01")
    assert page.status_code == 422
    assert "Das Ende liegt vor dem Anfang." in page.text


async def test_teachers_and_visitors_cannot_see_statistics(client_for, client, teacher_anna):
    async with client_for(teacher_anna) as c:
        assert (await c.get("/verwaltung/statistik")).status_code == 403
    assert (await client.get("/verwaltung/statistik/monate.csv")).status_code in (401, 303)
