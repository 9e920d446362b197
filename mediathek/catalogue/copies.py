"""Copies: barcodes allocated safely, added in batches, status changes by staff, labels."""

from __future__ import annotations

from datetime import date

from piccolo.custom_types import Combinable

from mediathek.audit import Actor
from mediathek.catalogue import policy
from mediathek.catalogue.barcodes import code_number, make_code
from mediathek.catalogue.copy_moves import move_copy
from mediathek.catalogue.inputs import CopyChange, NewCopies
from mediathek.catalogue.policy import OPEN_BOOKINGS, CopyStatusRefused
from mediathek.catalogue.tables import Copy, CopyStatus, Title
from mediathek.clock import now as _now
from mediathek.db import current_engine, is_sqlite, write_transaction
from mediathek.errors import Conflict, InvalidInput, NotFound
from mediathek.i18n import N_, _
from mediathek.reservations.tables import Booking

BARCODE_LOCK_KEY = 7_301_001  # any constant shared by every instance of the app


async def _next_copy_number(prefix: str) -> int:
    # Longest, then greatest code = highest running number (numbers may outgrow the width).
    rows = await Copy.raw(
        "SELECT barcode FROM copy WHERE barcode LIKE {} "
        "ORDER BY LENGTH(barcode) DESC, barcode DESC LIMIT 1",
        f"{prefix}%",
    )
    return code_number(rows[0]["barcode"], prefix) + 1 if rows else 1


async def allocate_barcodes(prefix: str, count: int) -> list[str]:
    """The next ``count`` free copy barcodes; call inside a write transaction."""
    if not is_sqlite(current_engine()):
        # PostgreSQL does not serialise writers like SQLite's BEGIN IMMEDIATE: a
        # transaction-scoped lock makes "read the highest number, insert the next" atomic.
        await Copy.raw("SELECT pg_advisory_xact_lock({})", BARCODE_LOCK_KEY)
    first = await _next_copy_number(prefix)
    return [make_code(prefix, first + i) for i in range(count)]


async def add_copies_in_transaction(
    title_id: int, count: int, shelf_mark: str, prefix: str, acquired_on=None
) -> list[str]:
    """Add copies inside the caller's write transaction; returns their barcodes."""
    codes = await allocate_barcodes(prefix, count)
    await Copy.insert(
        *[
            Copy(title=title_id, barcode=code, shelf_mark=shelf_mark, acquired_on=acquired_on)
            for code in codes
        ]
    )
    return codes


async def add_copies(
    title_id: int, new: NewCopies, prefix: str, today: date, actor: Actor = Actor()
) -> list[str]:
    """Add ``new.count`` copies with the next free barcodes (numbers allocated under the
    write lock; the unique barcode column is the safety net)."""
    n = policy.parse_copy_count(new.count)
    errors = {}
    if n is None:
        errors["count"] = _("Bitte eine Anzahl von 1 bis 200 eingeben.")
    shelf_mark = (new.shelf_mark or "").strip()
    if len(shelf_mark) > 100:
        errors["shelf_mark"] = _("Die Signatur darf höchstens 100 Zeichen haben.")
    if errors or n is None:
        raise InvalidInput(errors=errors)
    async with write_transaction():
        title = await Title.select(Title.id, Title.withdrawn_at).where(Title.id == title_id).first()
        if title is None:
            raise NotFound(_("Diesen Titel gibt es nicht."))
        if title["withdrawn_at"] is not None:
            raise Conflict(_("Der Titel ist ausgesondert; neue Exemplare sind nicht möglich."))
        codes = await add_copies_in_transaction(title_id, n, shelf_mark, prefix, today)
        await actor.record(
            "copies_added",
            "title",
            title_id,
            barcodes=codes,
        )
    return codes


async def get_copy(copy_id: int) -> dict:
    row = (
        await Copy.select(*Copy.all_columns(), Copy.title.title.as_alias("title_name"))
        .where(Copy.id == copy_id)
        .first()
    )
    if row is None:
        raise NotFound(_("Dieses Exemplar gibt es nicht."))
    return row


RACED = N_("Das Exemplar wurde gerade an der Theke geändert. Bitte neu laden.")


async def change_copy(copy_id: int, change: CopyChange, actor: Actor = Actor()) -> dict:
    """Staff edit of one copy: shelf mark and/or status (within what policy allows)."""
    status, shelf_mark, note = change.status, change.shelf_mark, change.note
    if shelf_mark is not None and len(shelf_mark.strip()) > 100:
        raise InvalidInput(
            errors={"shelf_mark": _("Die Signatur darf höchstens 100 Zeichen haben.")}
        )
    async with write_transaction():
        copy = await Copy.select(Copy.id, Copy.status, Copy.title).where(Copy.id == copy_id).first()
        if copy is None:
            raise NotFound(_("Dieses Exemplar gibt es nicht."))
        now = _now()
        values: dict = {Copy.updated_at: now}
        if shelf_mark is not None:
            values[Copy.shelf_mark] = shelf_mark.strip()
        if note is not None:
            values[Copy.status_note] = note.strip()[:2000]
        status_from = copy["status"]
        if status is not None and status != copy["status"]:
            problem = policy.copy_status_change_error(copy["status"], status)
            if problem:
                raise CopyStatusRefused(problem)
            if status == CopyStatus.withdrawn and await Booking.exists().where(
                Booking.copy == copy_id, Booking.status.is_in(list(OPEN_BOOKINGS))
            ):
                raise CopyStatusRefused(
                    _(
                        "Für dieses Exemplar gibt es eine offene Reservierung. "
                        "Bitte die Reservierung zuerst stornieren."
                    )
                )
            event = policy.STAFF_STATUS_EVENTS[CopyStatus(status)]
            if not await move_copy(copy_id, event, expected_from=[copy["status"]], at=now):
                raise CopyStatusRefused(_(RACED))
            status_from = policy.copy_status_after(copy["status"], event)
            await actor.record(
                "copy_status_changed",
                "copy",
                copy_id,
                old=copy["status"],
                new=status,
            )
        # Conditional on the status just read (or just written): the desk may have lent it.
        done = (
            await Copy.update(values)
            .where(Copy.id == copy_id, Copy.status == status_from)
            .returning(Copy.id)
        )
        if not done:
            raise CopyStatusRefused(_(RACED))
    return await get_copy(copy_id)


async def copies_for_labels(
    title_ids: list[int], copy_ids: list[int], codes: list[str]
) -> list[dict]:
    """Copies to print labels for, in barcode order; withdrawn copies get no new label."""
    if not (title_ids or copy_ids or codes):
        return []
    cond: Combinable | None = None
    for part in (
        Copy.title.is_in(title_ids) if title_ids else None,
        Copy.id.is_in(copy_ids) if copy_ids else None,
        Copy.barcode.is_in([c.upper() for c in codes]) if codes else None,
    ):
        if part is not None:
            cond = part if cond is None else cond | part
    assert cond is not None  # one of the lists is not empty (see above)
    return (
        await Copy.select(
            Copy.id, Copy.barcode, Copy.shelf_mark, Copy.title.title.as_alias("title_name")
        )
        .where(cond)
        .where(Copy.status != CopyStatus.withdrawn)
        .order_by(Copy.barcode)
        .limit(1000)
    )
