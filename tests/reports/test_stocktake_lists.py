import pytest

from mediathek.audit import AuditLog
from mediathek.catalogue.tables import Copy, CopyStatus
from mediathek.errors import Conflict, InvalidInput
from mediathek.reports.stocktake import (
    apply_stocktake,
    cancel_stocktake,
    parse_prefixes,
    record_scan,
    start_stocktake,
    stocktake_report,
)
from tests.factories import LONG_AGO, add_copy, add_title


@pytest.fixture
async def shelves(db):
    """Games shelf SPI: three copies on the shelf, one on loan; one copy on shelf DaZ."""
    game = await add_title("Memo-Spiel", "game", copies=(), created_at=LONG_AGO)
    book = await add_title("Deutsch A1", "textbook", copies=(), created_at=LONG_AGO)
    copies = {
        "spi1": await add_copy(game, "SPI 1"),
        "spi2": await add_copy(game, "SPI 1"),
        "spi3": await add_copy(game, "SPI 2"),
        "spi_out": await add_copy(game, "SPI 2", CopyStatus.on_loan),
        "daz": await add_copy(book, "DaZ A1"),
    }
    return {name: {"id": c[0], "code": c[1]} for name, c in copies.items()}


def codes(rows):
    return sorted(r["barcode"] for r in rows)


async def test_copies_not_seen_are_listed_as_missing_within_the_scope(shelves):
    stocktake = await start_stocktake("Spiele", ["SPI"], None)
    await record_scan(stocktake, shelves["spi1"]["code"], "SPI 1")
    report = await stocktake_report(stocktake)
    assert codes(report.missing) == sorted([shelves["spi2"]["code"], shelves["spi3"]["code"]])


async def test_a_whole_stock_stocktake_expects_every_copy_on_the_shelf(shelves):
    stocktake = await start_stocktake("", [], None)
    report = await stocktake_report(stocktake)
    assert len(report.missing) == 4  # the copy on loan is not expected


async def test_scanning_twice_is_harmless_and_unknown_barcodes_are_kept(shelves):
    stocktake = await start_stocktake("Spiele", ["SPI"], None)
    first = await record_scan(stocktake, shelves["spi1"]["code"].lower(), "SPI 1")
    again = await record_scan(stocktake, shelves["spi1"]["code"], "SPI 1")
    unknown = await record_scan(stocktake, "X-123", "SPI 1")
    assert (first.outcome, again.outcome, unknown.outcome) == ("seen", "again", "unknown")
    report = await stocktake_report(stocktake)
    assert report.scanned == 2 and report.unknown == ["X-123"]
    with pytest.raises(InvalidInput):
        await record_scan(stocktake, "   ", "SPI 1")


async def test_a_copy_seen_although_on_loan_and_a_copy_on_the_wrong_shelf_are_reported(shelves):
    stocktake = await start_stocktake("Spiele", ["SPI"], None)
    out = await record_scan(stocktake, shelves["spi_out"]["code"], "SPI 2")
    misplaced = await record_scan(stocktake, shelves["daz"]["code"], "SPI 2")
    assert "ausgeliehen" in out.warnings[0]
    assert misplaced.warnings == ["Gehört an DaZ A1, nicht SPI 2."]
    report = await stocktake_report(stocktake)
    assert codes(report.seen_elsewhere) == [shelves["spi_out"]["code"]]
    assert codes(report.wrong_shelf) == [shelves["daz"]["code"]]
    assert report.wrong_shelf[0]["seen_at"] == "SPI 2"


async def test_applying_marks_missing_copies_lost_with_a_note_and_an_audit_entry(
    today, shelves, staff
):
    stocktake = await start_stocktake("Spiele", ["SPI"], staff.account_id)
    await record_scan(stocktake, shelves["spi1"]["code"], "SPI 1")
    await record_scan(stocktake, shelves["spi2"]["code"], "SPI 1")
    assert await apply_stocktake(stocktake, today, staff.account_id, staff.email) == 1
    spi3 = await Copy.select().where(Copy.id == shelves["spi3"]["id"]).first()
    assert spi3["status"] == CopyStatus.lost
    assert spi3["status_note"] == "Bei der Bestandsrevision am 10.03.2026 nicht gefunden."
    others = await Copy.select(Copy.status).where(Copy.id != shelves["spi3"]["id"])
    assert CopyStatus.lost not in {r["status"] for r in others}
    entry = await AuditLog.select().where(AuditLog.action == "stocktake_applied").first()
    assert entry["actor"] == staff.account_id
    with pytest.raises(Conflict):
        await record_scan(stocktake, shelves["spi3"]["code"], "SPI 2")
    with pytest.raises(Conflict):
        await apply_stocktake(stocktake, today)


async def test_a_copy_lent_during_the_stocktake_is_not_marked_lost(today, shelves):
    stocktake = await start_stocktake("Spiele", ["SPI"], None)
    await Copy.update({Copy.status: CopyStatus.on_loan}).where(Copy.id == shelves["spi2"]["id"])
    await apply_stocktake(stocktake, today)
    spi2 = await Copy.select(Copy.status).where(Copy.id == shelves["spi2"]["id"]).first()
    assert spi2["status"] == CopyStatus.on_loan


async def test_a_cancelled_stocktake_changes_nothing(today, shelves):
    stocktake = await start_stocktake("Spiele", ["SPI"], None)
    await cancel_stocktake(stocktake)
    assert (await stocktake_report(stocktake)).stocktake["status"] == "cancelled"
    assert not await Copy.exists().where(Copy.status == CopyStatus.lost)
    with pytest.raises(Conflict):
        await apply_stocktake(stocktake, today)


async def test_prefixes_with_like_wildcards_match_literally(db):
    title = await add_title("Spiel", copies=(), created_at=LONG_AGO)
    await add_copy(title, "A_1")
    await add_copy(title, "AB1")
    stocktake = await start_stocktake("", parse_prefixes("A_"), None)
    assert [c["shelf_mark"] for c in (await stocktake_report(stocktake)).missing] == ["A_1"]


def test_prefixes_are_split_by_commas_and_lines():
    assert parse_prefixes(" SPI, DaZ A1\nBIL ,, ") == ["BIL", "DaZ A1", "SPI"]
    assert parse_prefixes("") == []
