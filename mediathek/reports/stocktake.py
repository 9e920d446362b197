"""Stocktake (Bestandsrevision): scan the shelves, then see what is missing or misplaced.

A stocktake covers every copy, or the copies whose shelf mark starts with one of its prefixes.
Scanning only records what was seen; the lists are computed from the scans and the copies'
current status, so a copy lent or returned during the stocktake is judged by its status now.
Applying marks the copies still missing as lost (in one transaction, audited).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from piccolo.custom_types import Combinable

from mediathek import audit
from mediathek.catalogue.barcodes import normalise_code
from mediathek.catalogue.copy_moves import move_copies
from mediathek.catalogue.policy import CopyEvent
from mediathek.catalogue.tables import COPY_STATUS_LABELS, Copy, CopyStatus
from mediathek.clock import now
from mediathek.db import lock_rows, write_transaction
from mediathek.errors import Conflict, InvalidInput, NotFound
from mediathek.i18n import N_, _
from mediathek.reports.tables import Stocktake, StocktakeScan

OPEN, APPLIED, CANCELLED = "open", "applied", "cancelled"
STATUS_LABELS = {OPEN: N_("läuft"), APPLIED: N_("abgeschlossen"), CANCELLED: N_("abgebrochen")}
# Copies the shelf should not hold: seeing one means its status is wrong.
ELSEWHERE = {
    CopyStatus.on_loan,
    CopyStatus.lost,
    CopyStatus.withdrawn,
    CopyStatus.in_repair,
}
MAX_PREFIXES = 50


def parse_prefixes(raw: str) -> list[str]:
    """Shelf-mark prefixes separated by commas or new lines; empty = the whole stock."""
    prefixes = sorted({p.strip() for p in raw.replace("\n", ",").split(",") if p.strip()})
    if len(prefixes) > MAX_PREFIXES:
        raise InvalidInput(
            errors={"signaturen": _("Höchstens %(n)s Signaturen.") % {"n": MAX_PREFIXES}}
        )
    if any(len(p) > 100 for p in prefixes):
        raise InvalidInput(errors={"signaturen": _("Eine Signatur ist zu lang.")})
    return prefixes


def in_scope(shelf_mark: str, prefixes: list[str]) -> bool:
    return not prefixes or any(shelf_mark.startswith(p) for p in prefixes)


async def start_stocktake(label: str, prefixes: list[str], actor_id: int | None) -> int:
    label = label.strip()[:200]
    row = await Stocktake.insert(
        Stocktake(label=label, shelf_marks=prefixes, status=OPEN, started_by=actor_id)
    ).returning(Stocktake.id)
    return row[0]["id"]


async def load_stocktake(stocktake_id: int) -> dict:
    row = (
        await Stocktake.select().where(Stocktake.id == stocktake_id).output(load_json=True).first()
    )
    if row is None:
        raise NotFound(_("Diese Bestandsrevision gibt es nicht."))
    return row


async def list_stocktakes() -> list[dict]:
    return (
        await Stocktake.select()
        .order_by(Stocktake.started_at, ascending=False)
        .limit(50)
        .output(load_json=True)
    )


def _require_open(stocktake: dict) -> None:
    if stocktake["status"] != OPEN:
        raise Conflict(
            _("Diese Bestandsrevision ist %(status)s; es kann nichts mehr erfasst werden.")
            % {"status": _(STATUS_LABELS.get(stocktake["status"], ""))}
        )


@dataclass
class ScanResult:
    barcode: str
    outcome: str  # seen, again, unknown
    message: str
    copy: dict | None = None
    warnings: list[str] = field(default_factory=list)


async def record_scan(stocktake_id: int, barcode: str, shelf_mark: str = "") -> ScanResult:
    """Note that a copy was seen while scanning ``shelf_mark``. Scanning it again is harmless;
    an unknown barcode is kept so the list of unknown labels can be checked afterwards."""
    code = normalise_code(barcode)[:64]
    shelf_mark = shelf_mark.strip()[:100]
    if not code:
        raise InvalidInput(errors={"barcode": _("Bitte scannen Sie einen Barcode.")})
    stocktake = await load_stocktake(stocktake_id)
    _require_open(stocktake)
    copy = (
        await Copy.select(
            Copy.id, Copy.barcode, Copy.shelf_mark, Copy.status, Copy.title.title.as_alias("title")
        )
        .where(Copy.barcode == code)
        .first()
    )
    async with write_transaction():
        # Scans of one stocktake one after another: a barcode scanned twice at once is
        # "again" for the second, not a unique-index error (PostgreSQL).
        await lock_rows("stocktake", stocktake_id)
        already = await StocktakeScan.exists().where(
            StocktakeScan.stocktake == stocktake_id, StocktakeScan.barcode == code
        )
        if not already:
            await StocktakeScan.insert(
                StocktakeScan(
                    stocktake=stocktake_id,
                    copy=copy["id"] if copy else None,
                    barcode=code,
                    shelf_mark=shelf_mark,
                )
            )
    if copy is None:
        return ScanResult(
            code, "unknown", _("%(code)s: unbekannter Barcode (notiert).") % {"code": code}
        )
    warnings = _warnings(copy, shelf_mark, stocktake["shelf_marks"])
    if already:
        message = _("%(title)s: war schon erfasst.") % {"title": copy["title"]}
        return ScanResult(code, "again", message, copy, warnings)
    message = _("%(title)s: erfasst.") % {"title": copy["title"]}
    return ScanResult(code, "seen", message, copy, warnings)


def _warnings(copy: dict, shelf_mark: str, prefixes: list[str]) -> list[str]:
    warnings = []
    if copy["status"] in ELSEWHERE:
        warnings.append(
            _("Laut System %(status)s – bitte prüfen.")
            % {"status": _(COPY_STATUS_LABELS[CopyStatus(copy["status"])])}
        )
    if shelf_mark and copy["shelf_mark"] != shelf_mark:
        warnings.append(
            _("Gehört an %(home)s, nicht %(here)s.")
            % {"home": copy["shelf_mark"] or _("(keine Signatur)"), "here": shelf_mark}
        )
    elif not shelf_mark and not in_scope(copy["shelf_mark"], prefixes):
        warnings.append(
            _("Gehört an %(home)s, außerhalb dieser Revision.") % {"home": copy["shelf_mark"]}
        )
    return warnings


@dataclass
class StocktakeReport:
    stocktake: dict
    scanned: int
    missing: list[dict]  # expected on the shelf (available, in scope) but not seen
    seen_elsewhere: list[dict]  # seen although the status says on loan, lost …
    wrong_shelf: list[dict]  # seen on another shelf than its shelf mark
    unknown: list[str]  # barcodes no copy has

    def as_dict(self) -> dict:
        return {
            "id": self.stocktake["id"],
            "label": self.stocktake["label"],
            "status": self.stocktake["status"],
            "shelf_marks": self.stocktake["shelf_marks"],
            "scanned": self.scanned,
            "missing": self.missing,
            "seen_elsewhere": self.seen_elsewhere,
            "wrong_shelf": self.wrong_shelf,
            "unknown": self.unknown,
        }


_COPY_COLUMNS = (
    Copy.id,
    Copy.barcode,
    Copy.shelf_mark,
    Copy.status,
    Copy.title.as_alias("title_id"),
    Copy.title.title.as_alias("title"),
)


async def _missing(stocktake: dict, seen_ids: set[int]) -> list[dict]:
    query = Copy.select(*_COPY_COLUMNS).where(Copy.status == CopyStatus.available)
    prefixes = stocktake["shelf_marks"]
    if prefixes:
        condition: Combinable | None = None
        for prefix in prefixes:
            # LIKE has no common escape on both engines: filter by the part before any
            # wildcard character here, and exactly by the prefix below.
            plain = re.split(r"[%_\\]", prefix, maxsplit=1)[0]
            like = Copy.shelf_mark.like(plain + "%")
            condition = like if condition is None else condition | like
        assert condition is not None  # at least one prefix
        query = query.where(condition)
    rows = await query.order_by(Copy.shelf_mark).order_by(Copy.barcode)
    return [r for r in rows if r["id"] not in seen_ids and in_scope(r["shelf_mark"], prefixes)]


async def stocktake_report(stocktake_id: int) -> StocktakeReport:
    stocktake = await load_stocktake(stocktake_id)
    scans = await StocktakeScan.select(
        StocktakeScan.copy, StocktakeScan.barcode, StocktakeScan.shelf_mark
    ).where(StocktakeScan.stocktake == stocktake_id)
    seen_at = {s["copy"]: s["shelf_mark"] for s in scans if s["copy"] is not None}
    copies = {}
    ids = list(seen_at)
    for chunk in (ids[i : i + 500] for i in range(0, len(ids), 500)):
        for row in await Copy.select(*_COPY_COLUMNS).where(Copy.id.is_in(chunk)):
            copies[row["id"]] = row
    seen_elsewhere = [c for c in copies.values() if c["status"] in ELSEWHERE]
    wrong_shelf = [
        {**c, "seen_at": seen_at[c["id"]]}
        for c in copies.values()
        if seen_at[c["id"]] and c["shelf_mark"] != seen_at[c["id"]]
    ]
    return StocktakeReport(
        stocktake=stocktake,
        scanned=len(scans),
        missing=await _missing(stocktake, set(seen_at)),
        seen_elsewhere=sorted(seen_elsewhere, key=lambda c: c["barcode"]),
        wrong_shelf=sorted(wrong_shelf, key=lambda c: c["barcode"]),
        unknown=sorted(s["barcode"] for s in scans if s["copy"] is None),
    )


async def apply_stocktake(
    stocktake_id: int,
    today: date,
    actor_id: int | None = None,
    actor_label: str = "",
    note: str = "",
) -> int:
    """Mark every copy still missing as lost and close the stocktake. A copy lent or moved
    since the report was shown keeps its new status (the UPDATE re-checks 'available')."""
    async with write_transaction():
        # Applied once: a second click waits here and then finds the stocktake closed.
        await lock_rows("stocktake", stocktake_id)
        report = await stocktake_report(stocktake_id)
        _require_open(report.stocktake)
        ids = [c["id"] for c in report.missing]
        note_on_copies = f"Bei der Bestandsrevision am {today:%d.%m.%Y} nicht gefunden."
        marked: list[int] = []
        for chunk in (ids[i : i + 500] for i in range(0, len(ids), 500)):
            marked += await move_copies(CopyEvent.stocktake_missing, ids=chunk, note=note_on_copies)
        await Stocktake.update({Stocktake.status: APPLIED, Stocktake.finished_at: now()}).where(
            Stocktake.id == stocktake_id
        )
        await audit.record(
            "stocktake_applied",
            actor_id=actor_id,
            actor_label=actor_label,
            object_type="stocktake",
            object_id=stocktake_id,
            marked_lost=len(marked),
            # All of them, and their note: what "undo" puts back.
            copies=sorted(marked),
            copy_note=note_on_copies,
            note=note.strip()[:500],
        )
    return len(marked)


async def undo_apply(stocktake_id: int, actor_id: int | None = None) -> int:
    """Take back "Ergebnis übernehmen": the copies it marked lost that are still lost with its
    note go back on the shelf, and the stocktake is open again. Returns how many."""
    async with write_transaction():
        await lock_rows("stocktake", stocktake_id)
        stocktake = await load_stocktake(stocktake_id)
        if stocktake["status"] != APPLIED:
            raise Conflict(
                _("Diese Bestandsrevision ist nicht abgeschlossen: nichts rückgängig zu machen.")
            )
        detail = await audit.last_detail("stocktake_applied", "stocktake", stocktake_id)
        ids = [int(i) for i in detail.get("copies", [])]
        copy_note = str(detail.get("copy_note", ""))
        if not copy_note:
            raise Conflict(_("Diese Übernahme lässt sich nicht mehr rückgängig machen."))
        restored: list[int] = []
        for chunk in (ids[i : i + 500] for i in range(0, len(ids), 500)):
            # Only those still lost with this stocktake's note: one found or changed since
            # stays as it is now.
            still = await Copy.select(Copy.id).where(
                Copy.id.is_in(chunk),
                Copy.status == CopyStatus.lost,
                Copy.status_note == copy_note,
            )
            if still:
                restored += await move_copies(
                    CopyEvent.back_on_shelf,
                    ids=[r["id"] for r in still],
                    expected_from=[CopyStatus.lost],
                    note="",
                )
        await Stocktake.update({Stocktake.status: OPEN, Stocktake.finished_at: None}).where(
            Stocktake.id == stocktake_id
        )
        await audit.record(
            "stocktake_undone",
            actor_id=actor_id,
            object_type="stocktake",
            object_id=stocktake_id,
            restored=len(restored),
        )
    return len(restored)


async def cancel_stocktake(stocktake_id: int) -> None:
    async with write_transaction():
        await lock_rows("stocktake", stocktake_id)
        stocktake = await load_stocktake(stocktake_id)
        _require_open(stocktake)
        await Stocktake.update({Stocktake.status: CANCELLED, Stocktake.finished_at: now()}).where(
            Stocktake.id == stocktake_id
        )


async def recent_scans(stocktake_id: int, limit: int = 10) -> list[dict]:
    return await (
        StocktakeScan.select(
            StocktakeScan.barcode,
            StocktakeScan.shelf_mark,
            StocktakeScan.copy._.title._.title.as_alias("title"),
        )
        .where(StocktakeScan.stocktake == stocktake_id)
        .order_by(StocktakeScan.id, ascending=False)
        .limit(limit)
    )
