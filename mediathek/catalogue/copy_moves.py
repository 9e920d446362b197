"""The one writer of a copy's status: every change goes through a step of the transition
table (``policy.COPY_STEPS``) as one conditional UPDATE."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from mediathek.catalogue import policy
from mediathek.catalogue.tables import Copy, CopyStatus


def _now() -> datetime:
    return datetime.now(UTC)


async def move_copies(
    event: policy.CopyEvent,
    *,
    ids: list[int] | None = None,
    barcode: str | None = None,
    title_id: int | None = None,
    expected_from: Iterable[str] | None = None,
    note: str | None = None,
    at: datetime | None = None,
) -> list[int]:
    """The one writer of a copy's status: move the copies chosen (by ids, one barcode, or
    every copy of a title) by ``event``, a step of ``policy.COPY_STEPS``.

    Only copies in a status the event may start from move (narrowed to ``expected_from``),
    and the UPDATE itself checks it: of two writers racing for one copy exactly one still
    finds the old status (PostgreSQL re-reads the locked row, SQLite writes one at a time).
    ``note`` replaces the status note (None keeps it). Returns the ids of the copies moved;
    call inside the caller's write transaction."""
    starts, to = policy.copy_move(event, expected_from)
    at = at or _now()
    # Written out by hand: the desk's checkout claims its copy here on every scan, and
    # piccolo takes longer to build the query than the database takes to run it.
    sql = "UPDATE copy SET status = {}, updated_at = {}"
    args: list = [to.value, at]
    if note is not None:
        sql += ", status_note = {}"
        args.append(note)
    if to == CopyStatus.withdrawn:
        sql += ", withdrawn_at = {}"
        args.append(at)
    elif CopyStatus.withdrawn in starts:
        sql += ", withdrawn_at = NULL"
    if barcode is not None:
        sql += " WHERE barcode = {}"
        args.append(barcode)
    elif title_id is not None:
        sql += " WHERE title = {}"
        args.append(title_id)
    elif ids:
        sql += " WHERE id IN (" + ", ".join("{}" for _ in ids) + ")"
        args += ids
    else:
        return []
    sql += " AND status IN (" + ", ".join("{}" for _ in starts) + ") RETURNING id"
    rows = await Copy.raw(sql, *args, *[s.value for s in starts])
    return [r["id"] for r in rows]


async def move_copy(
    copy: int | str,
    event: policy.CopyEvent,
    *,
    expected_from: Iterable[str] | None = None,
    note: str | None = None,
    at: datetime | None = None,
) -> bool:
    """``move_copies`` for one copy, named by id or barcode: whether it moved."""
    chosen: dict = {"barcode": copy} if isinstance(copy, str) else {"ids": [copy]}
    moved = await move_copies(event, **chosen, expected_from=expected_from, note=note, at=at)
    return bool(moved)


async def move_refused(copy_id: int, event: policy.CopyEvent) -> policy.CopyStatusRefused:
    """The refusal for a copy that ``move_copy`` did not move: the status it is in now."""
    row = await Copy.select(Copy.status).where(Copy.id == copy_id).first()
    return policy.copy_move_refused(row["status"] if row else "", event)
