"""Putting mistakes right at the desk: undo the last scan, mark a copy lost or damaged."""

from __future__ import annotations

from datetime import date

from mediathek import audit
from mediathek.catalogue.tables import Copy, CopyStatus
from mediathek.circulation.services import find_copy, loan_for_update
from mediathek.circulation.tables import Loan
from mediathek.clock import now
from mediathek.db import write_transaction
from mediathek.errors import InvalidInput
from mediathek.reservations.tables import Hold, HoldStatus


async def undo_last(kind: str, loan_id: int, *, today: date, staff_id: int | None) -> str:
    """Take back a mistaken desk scan: a checkout (the loan disappears) or a return (the loan
    is open again). Only for today's actions, and only while nothing else happened since."""
    async with write_transaction():
        loan = await loan_for_update(loan_id)
        if kind == "checkout":
            if loan["returned_at"] is not None or loan["loaned_on"] != today:
                raise InvalidInput("Diese Ausleihe lässt sich nicht mehr rückgängig machen.")
            # A hold picked up by this checkout goes back on the hold shelf.
            restored = (
                await Hold.update({Hold.status: HoldStatus.ready, Hold.closed_at: None})
                .where(
                    Hold.copy == loan["copy"],
                    Hold.patron == loan["patron"],
                    Hold.status == HoldStatus.fulfilled,
                )
                .returning(Hold.id)
            )
            await Loan.delete().where(Loan.id == loan_id)
            status = CopyStatus.on_hold_shelf if restored else CopyStatus.available
            await Copy.update({Copy.status: status, Copy.updated_at: now()}).where(
                Copy.id == loan["copy"]
            )
            message = f"Ausleihe von „{loan['title_name']}“ rückgängig gemacht."
        elif kind == "checkin":
            if loan["returned_at"] is None:
                raise InvalidInput("Diese Rückgabe ist schon rückgängig gemacht.")
            if await Loan.exists().where(Loan.copy == loan["copy"], Loan.returned_at.is_null()):
                raise InvalidInput("Das Exemplar ist inzwischen wieder ausgeliehen.")
            await Hold.update(
                {Hold.status: HoldStatus.waiting, Hold.copy: None, Hold.pickup_until: None}
            ).where(Hold.copy == loan["copy"], Hold.status == HoldStatus.ready)
            await Loan.update({Loan.returned_at: None, Loan.checkin_note: ""}).where(
                Loan.id == loan_id
            )
            await Copy.update(
                {Copy.status: CopyStatus.on_loan, Copy.status_note: "", Copy.updated_at: now()}
            ).where(Copy.id == loan["copy"])
            message = f"Rückgabe von „{loan['title_name']}“ rückgängig gemacht."
        else:
            raise InvalidInput("Unbekannte Aktion.")
        await audit.record(f"{kind}.undo", actor_id=staff_id, object_type="loan", object_id=loan_id)
    return message


async def _mark(copy_code: str, status: CopyStatus, note: str, *, staff_id: int | None) -> str:
    copy = await find_copy(copy_code)
    if copy["status"] == CopyStatus.withdrawn:
        raise InvalidInput("Dieses Exemplar ist ausgesondert.")
    async with write_transaction():
        # The loan ends here: the item is gone (lost) or back at the desk (damaged).
        await Loan.update({Loan.returned_at: now(), Loan.checkin_note: note}).where(
            Loan.copy == copy["id"], Loan.returned_at.is_null()
        )
        await Copy.update(
            {Copy.status: status, Copy.status_note: note, Copy.updated_at: now()}
        ).where(Copy.id == copy["id"])
        await Hold.update(
            {Hold.status: HoldStatus.waiting, Hold.copy: None, Hold.pickup_until: None}
        ).where(Hold.copy == copy["id"], Hold.status == HoldStatus.ready)
        await audit.record(
            f"copy.{status.value}",
            actor_id=staff_id,
            object_type="copy",
            object_id=copy["id"],
            note=note,
        )
    return copy["title_name"]


async def mark_lost(copy_code: str, *, staff_id: int | None, note: str = "") -> str:
    text = note.strip() or "als verloren gemeldet"
    title = await _mark(copy_code, CopyStatus.lost, text, staff_id=staff_id)
    return f"„{title}“ ist als verloren markiert."


async def mark_damaged(copy_code: str, *, staff_id: int | None, note: str = "") -> str:
    text = "Beschädigt" + (f": {note.strip()}" if note.strip() else "")
    title = await _mark(copy_code, CopyStatus.needs_check, text, staff_id=staff_id)
    return f"„{title}“ ist als beschädigt markiert und wird geprüft."
