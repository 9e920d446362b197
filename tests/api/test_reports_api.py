from datetime import date

from tests.factories import LONG_AGO, add_copy, add_loan, add_title


async def test_staff_get_all_statistics_tables_as_json(client_for, staff, teacher_anna):
    title = await add_title("Bildkarten", "picture_cards", copies=(), created_at=LONG_AGO)
    copy_id, _ = await add_copy(title)
    await add_loan(copy_id, teacher_anna.patron_id, date(2025, 3, 5), date(2025, 3, 20))
    async with client_for(staff) as c:
        response = await c.get("/api/v1/statistics?von=2025-01-01&bis=2025-12-31")
        bad = await c.get("/api/v1/statistics?von=2025-12-01&bis=2025-01-01")
    assert response.status_code == 200
    body = response.json()
    assert body["total_loans"] == 1 and body["active_borrowers"] == 1
    assert body["tables"]["medienarten"]["rows"] == [["Bildkarten", 1]]
    assert bad.status_code == 422
    assert bad.headers["content-type"].startswith("application/problem+json")
    assert "bis" in bad.json()["errors"]


async def test_statistics_api_is_for_staff_only(client_for, client, teacher_anna):
    assert (await client.get("/api/v1/statistics")).status_code == 401
    async with client_for(teacher_anna) as c:
        assert (await c.get("/api/v1/statistics")).status_code == 403


async def test_staff_scan_a_stocktake_through_the_api(client_for, staff):
    title = await add_title("Memo-Spiel", "game", copies=(), created_at=LONG_AGO)
    _, seen = await add_copy(title, "SPI 1")
    _, missing = await add_copy(title, "SPI 1")
    async with client_for(staff) as c:
        started = await c.post(
            "/api/v1/stocktakes", json={"label": "Spiele", "shelf_marks": ["SPI"]}
        )
        assert started.status_code == 201
        stocktake_id = started.json()["id"]
        first = await c.post(
            f"/api/v1/stocktakes/{stocktake_id}/scans",
            json={"barcode": seen, "shelf_mark": "SPI 1"},
        )
        again = await c.post(f"/api/v1/stocktakes/{stocktake_id}/scans", json={"barcode": seen})
        empty = await c.post(f"/api/v1/stocktakes/{stocktake_id}/scans", json={"barcode": " "})
        report = await c.get(f"/api/v1/stocktakes/{stocktake_id}")
        unknown = await c.get("/api/v1/stocktakes/2147483647")
        huge = await c.get("/api/v1/stocktakes/99999999999")
    assert first.json()["outcome"] == "seen" and again.json()["outcome"] == "again"
    assert empty.status_code == 422
    assert [c["barcode"] for c in report.json()["missing"]] == [missing]
    assert unknown.status_code == 404
    assert huge.status_code == 400
