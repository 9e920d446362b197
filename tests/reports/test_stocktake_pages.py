from mediathek.audit import AuditLog
from mediathek.catalogue.tables import Copy, CopyStatus
from tests.factories import LONG_AGO, add_copy, add_title


async def test_staff_start_a_stocktake_scan_and_apply_it(client_for, staff):
    title = await add_title("Memo-Spiel", "game", copies=(), created_at=LONG_AGO)
    _, seen = await add_copy(title, "SPI 1")
    missing_id, missing = await add_copy(title, "SPI 1")
    async with client_for(staff) as c:
        started = await c.post(
            "/verwaltung/revision",
            data={"bezeichnung": "Spiele", "signaturen": "SPI"},
            follow_redirects=False,
        )
        assert started.status_code == 303
        url = started.headers["location"]
        page = await c.get(url)
        assert "Nicht gefunden (2)" in page.text
        fragment = await c.post(
            url + "/scan", data={"barcode": seen, "regal": "SPI 1"}, headers={"HX-Request": "true"}
        )
        assert fragment.status_code == 200
        assert fragment.text.lstrip().startswith('<div id="scan-area">')
        assert "Memo-Spiel: erfasst." in fragment.text and "Nicht gefunden (1)" in fragment.text
        assert missing in fragment.text
        assert 'value="SPI 1"' in fragment.text  # the shelf stays filled in for the next scan
        empty = await c.post(url + "/scan", data={"barcode": "", "regal": ""})
        assert empty.status_code == 422 and "Bitte scannen Sie einen Barcode." in empty.text
        # Without the page's dialog the server asks first; nothing is marked yet.
        asked = await c.post(url + "/anwenden", follow_redirects=True)
        assert "Ergebnis der Bestandsrevision übernehmen?" in asked.text
        assert "1 nicht gefundene Exemplare" in asked.text
        untouched = await Copy.select(Copy.status).where(Copy.id == missing_id).first()
        assert untouched["status"] == CopyStatus.available
        applied = await c.post(
            url + "/anwenden",
            data={"confirmed": "1", "note": "Regal SPI komplett geprüft"},
            follow_redirects=True,
        )
    assert "abgeschlossen" in applied.text and "Barcode scannen" not in applied.text
    assert "Übernahme rückgängig machen" in applied.text
    lost = await Copy.select(Copy.status).where(Copy.id == missing_id).first()
    assert lost["status"] == CopyStatus.lost
    entry = await (
        AuditLog.select(AuditLog.detail)
        .where(AuditLog.action == "stocktake_applied")
        .output(load_json=True)
        .first()
    )
    assert entry["detail"]["note"] == "Regal SPI komplett geprüft"


async def test_an_applied_stocktake_can_be_taken_back(client_for, staff):
    title = await add_title("Memo-Spiel", "game", copies=(), created_at=LONG_AGO)
    missing_id, _ = await add_copy(title, "SPI 1")
    async with client_for(staff) as c:
        started = await c.post("/verwaltung/revision", data={"signaturen": "SPI"})
        url = started.headers["location"]
        await c.post(url + "/anwenden", data={"confirmed": "1"})
        assert (await Copy.select(Copy.status).where(Copy.id == missing_id).first())[
            "status"
        ] == CopyStatus.lost
        undone = await c.post(url + "/rueckgaengig", follow_redirects=True)
        assert "Barcode scannen" in undone.text  # open again
        again = await c.post(url + "/rueckgaengig")
        assert again.status_code == 409 and "nichts rückgängig zu machen" in again.text
    back = await Copy.select(Copy.status, Copy.status_note).where(Copy.id == missing_id).first()
    assert back == {"status": CopyStatus.available, "status_note": ""}
    assert await AuditLog.count().where(AuditLog.action == "stocktake_undone") == 1


async def test_a_closed_stocktake_refuses_scans_with_a_message(client_for, staff):
    async with client_for(staff) as c:
        started = await c.post(
            "/verwaltung/revision", data={"signaturen": ""}, follow_redirects=False
        )
        url = started.headers["location"]
        await c.post(url + "/abbrechen")
        refused = await c.post(
            url + "/scan", data={"barcode": "M1"}, headers={"HX-Request": "true"}
        )
        unknown = await c.get("/verwaltung/revision/999999")
    assert refused.status_code == 409 and "abgebrochen" in refused.text
    assert unknown.status_code == 404


async def test_teachers_cannot_use_the_stocktake(client_for, teacher_anna):
    async with client_for(teacher_anna) as c:
        assert (await c.get("/verwaltung/revision")).status_code == 403
        assert (await c.post("/verwaltung/revision", data={})).status_code == 403
