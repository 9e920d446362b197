"""Putting mistakes right at the desk: undo the last scan, mark a copy lost or damaged."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from mediathek import audit
from mediathek.catalogue.copy_moves import move_copy, move_refused
from mediathek.catalogue.policy import UNDO_LOST_EVENTS, CopyEvent, copy_move, copy_moves_from
from mediathek.catalogue.tables import Copy, CopyStatus, Title
from mediathek.circulation.services import CheckinResult, CheckoutResult, find_copy
from mediathek.circulation.tables import Loan
from mediathek.clock import now
from mediathek.db import write_transaction
from mediathek.errors import InvalidInput
from mediathek.i18n import N_, _
from mediathek.reservations import hooks
from mediathek.reservations.tables import Hold, HoldStatus


@dataclass(frozen=True)
class UndoToken:
    """Names exactly one desk action: this loan, this copy, lent or returned at this moment,
    at this desk (the browser tab's desk session, empty without JavaScript)."""

    kind: str  # checkout | checkin
    loan_id: int
    copy_id: int
    stamp: int  # microseconds since the epoch of loaned_at / returned_at
    desk: str = ""

    def __str__(self) -> str:
        return f"{self.kind}.{self.loan_id}.{self.copy_id}.{self.stamp}.{self.desk}"

    @classmethod
    def parse(cls, text: str) -> UndoToken:
        parts = text.split(".")
        if len(parts) != 5 or parts[0] not in ("checkout", "checkin"):
            raise InvalidInput(_(STALE))
        try:
            loan_id, copy_id, stamp = (int(p) for p in parts[1:4])
        except ValueError as exc:
            raise InvalidInput(_(STALE)) from exc
        if not (1 <= loan_id <= 2**31 - 1 and 1 <= copy_id <= 2**31 - 1):
            raise InvalidInput(_(STALE))
        return cls(parts[0], loan_id, copy_id, stamp, parts[4][:64])

    @classmethod
    def of_checkout(cls, lent: CheckoutResult, desk: str = "") -> UndoToken:
        return cls("checkout", lent.loan_id, lent.copy_id, micros(lent.loaned_at), desk)

    @classmethod
    def of_checkin(cls, back: CheckinResult, desk: str = "") -> UndoToken:
        if back.loan_id is None or back.copy_id is None:
            raise ValueError("only the return of a loan can be undone")
        return cls("checkin", back.loan_id, back.copy_id, micros(back.returned_at), desk)


STALE = N_("Diese Schaltfläche ist veraltet: Es ist inzwischen etwas anderes geschehen.")


def micros(at: datetime | None) -> int:
    return round(at.timestamp() * 1_000_000) if at else 0


async def undo_last(token: UndoToken, *, today: date, staff_id: int | None, desk: str = "") -> str:
    """Take back a mistaken desk scan: a checkout (the loan disappears) or a return (the loan
    is open again). Only the action the token names, only for today's actions, only while
    nothing else happened to that loan since, and only at the desk that did it."""
    if token.desk and token.desk != desk:
        raise InvalidInput(
            _("Diese Aktion wurde an einer anderen Theke (einem anderen Tab) gebucht.")
        )
    async with write_transaction():
        loan = (
            await Loan.select(
                Loan.id,
                Loan.copy,
                Loan.patron,
                Loan.loaned_at,
                Loan.loaned_on,
                Loan.returned_at,
                Loan.title.title.as_alias("title_name"),
            )
            .where(Loan.id == token.loan_id)
            .first()
        )
        if loan is None or loan["copy"] != token.copy_id:
            raise InvalidInput(
                _("Diese Ausleihe gibt es nicht mehr (schon rückgängig gemacht).")
                if token.kind == "checkout"
                else _(STALE)
            )
        if token.kind == "checkout":
            if micros(loan["loaned_at"]) != token.stamp:
                raise InvalidInput(_(STALE))
            if loan["returned_at"] is not None or loan["loaned_on"] != today:
                raise InvalidInput(_("Diese Ausleihe lässt sich nicht mehr rückgängig machen."))
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
            await Loan.delete().where(Loan.id == loan["id"])
            event = CopyEvent.undo_pickup if restored else CopyEvent.undo_checkout
            if not await move_copy(loan["copy"], event):
                raise InvalidInput(_(STALE))
            message = _("Ausleihe von „%(title)s“ rückgängig gemacht.") % {
                "title": loan["title_name"]
            }
        else:
            if loan["returned_at"] is None:
                raise InvalidInput(_("Diese Rückgabe ist schon rückgängig gemacht."))
            if micros(loan["returned_at"]) != token.stamp:
                raise InvalidInput(_(STALE))
            if await Loan.exists().where(Loan.copy == loan["copy"], Loan.returned_at.is_null()):
                raise InvalidInput(_("Das Exemplar ist inzwischen wieder ausgeliehen."))
            await Hold.update(
                {Hold.status: HoldStatus.waiting, Hold.copy: None, Hold.pickup_until: None}
            ).where(Hold.copy == loan["copy"], Hold.status == HoldStatus.ready)
            await Loan.update({Loan.returned_at: None, Loan.checkin_note: ""}).where(
                Loan.id == loan["id"]
            )
            # Staff may have sent the copy elsewhere since (repair, lost): that stands.
            if not await move_copy(loan["copy"], CopyEvent.undo_checkin, note=""):
                raise InvalidInput(_(STALE))
            message = _("Rückgabe von „%(title)s“ rückgängig gemacht.") % {
                "title": loan["title_name"]
            }
        await audit.record(
            f"{token.kind}.undo",
            actor_id=staff_id,
            object_type="loan",
            object_id=loan["id"],
            copy_id=loan["copy"],
        )
    return message


@dataclass(frozen=True)
class LostToken:
    """Names one "Verloren" so that it can be taken back right after: the copy, the loan it
    ended (0: none), the moment, and the status the copy had before."""

    copy_id: int
    loan_id: int
    stamp: int
    before: str

    def __str__(self) -> str:
        return f"lost.{self.copy_id}.{self.loan_id}.{self.stamp}.{self.before}"

    @classmethod
    def parse(cls, text: str) -> LostToken:
        parts = text.split(".")
        if len(parts) != 5 or parts[0] != "lost" or parts[4] not in LOST_UNDO_TO:
            raise InvalidInput(_(STALE))
        try:
            copy_id, loan_id, stamp = (int(p) for p in parts[1:4])
        except ValueError as exc:
            raise InvalidInput(_(STALE)) from exc
        if not (1 <= copy_id <= 2**31 - 1 and 0 <= loan_id <= 2**31 - 1):
            raise InvalidInput(_(STALE))
        return cls(copy_id, loan_id, stamp, parts[4])


# A copy on the hold shelf lost its hold when marked lost; that is not put back (the next
# in the queue may have it already): "found again" serves it.
LOST_UNDO_TO = {
    CopyStatus.on_loan.value,
    CopyStatus.available.value,
    CopyStatus.needs_check.value,
    CopyStatus.in_repair.value,
}


async def _mark(
    copy_code: str, event: CopyEvent, note: str, *, staff_id: int | None
) -> tuple[str, LostToken]:
    copy = await find_copy(copy_code)
    if copy["status"] not in copy_moves_from(event):  # only a withdrawn copy is past both
        raise InvalidInput(_("Dieses Exemplar ist ausgesondert."))
    when = now()
    async with write_transaction():
        # The loan ends here: the item is gone (lost) or back at the desk (damaged).
        ended = await (
            Loan.update({Loan.returned_at: when, Loan.checkin_note: note})
            .where(Loan.copy == copy["id"], Loan.returned_at.is_null())
            .returning(Loan.id)
        )
        if not await move_copy(copy["id"], event, note=note, at=when):
            raise await move_refused(copy["id"], event)
        await Hold.update(
            {Hold.status: HoldStatus.waiting, Hold.copy: None, Hold.pickup_until: None}
        ).where(Hold.copy == copy["id"], Hold.status == HoldStatus.ready)
        await audit.record(
            f"copy.{copy_move(event)[1].value}",
            actor_id=staff_id,
            object_type="copy",
            object_id=copy["id"],
            note=note,
        )
    token = LostToken(copy["id"], ended[0]["id"] if ended else 0, micros(when), str(copy["status"]))
    return copy["title_name"], token


async def mark_lost(copy_code: str, *, staff_id: int | None, note: str = "") -> str:
    return (await mark_lost_undoable(copy_code, staff_id=staff_id, note=note))[0]


async def mark_lost_undoable(
    copy_code: str, *, staff_id: int | None, note: str = ""
) -> tuple[str, LostToken | None]:
    """Mark lost; the token takes it back right after (None when nothing can be put back)."""
    text = note.strip() or "als verloren gemeldet"
    title, token = await _mark(copy_code, CopyEvent.mark_lost, text, staff_id=staff_id)
    return _("„%(title)s“ ist als verloren markiert.") % {"title": title}, (
        token if token.before in LOST_UNDO_TO else None
    )


async def undo_lost(token: LostToken, *, staff_id: int | None) -> str:
    """Take back a "Verloren" while nothing else happened to the copy since: it has its
    status again, and the loan it ended is open again (same due date, reminders go on)."""
    async with write_transaction():
        copy = (
            await Copy.select(
                Copy.id, Copy.status, Copy.updated_at, Copy.title.title.as_alias("title_name")
            )
            .where(Copy.id == token.copy_id)
            .first()
        )
        if (
            copy is None
            or copy["status"] != CopyStatus.lost
            or micros(copy["updated_at"]) != token.stamp
        ):
            raise InvalidInput(_(STALE))
        if token.loan_id:
            loan = (
                await Loan.select(Loan.returned_at, Loan.copy)
                .where(Loan.id == token.loan_id)
                .first()
            )
            if (
                loan is None
                or loan["copy"] != token.copy_id
                or micros(loan["returned_at"]) != token.stamp
            ):
                raise InvalidInput(_(STALE))
            await Loan.update({Loan.returned_at: None, Loan.checkin_note: ""}).where(
                Loan.id == token.loan_id
            )
        back = UNDO_LOST_EVENTS[CopyStatus(token.before)]
        if not await move_copy(token.copy_id, back, expected_from=[CopyStatus.lost], note=""):
            raise InvalidInput(_(STALE))
        await audit.record(
            "copy.lost.undo",
            actor_id=staff_id,
            object_type="copy",
            object_id=token.copy_id,
            loan_id=token.loan_id or None,
            status=token.before,
        )
    return _("„%(title)s“ ist nicht mehr als verloren markiert.") % {"title": copy["title_name"]}


async def mark_damaged(copy_code: str, *, staff_id: int | None, note: str = "") -> str:
    text = "Beschädigt" + (f": {note.strip()}" if note.strip() else "")
    title, _token = await _mark(copy_code, CopyEvent.mark_damaged, text, staff_id=staff_id)
    return _("„%(title)s“ ist als beschädigt markiert und wird geprüft.") % {"title": title}


FOUND_AGAIN_FROM = copy_moves_from(CopyEvent.found_again)


async def found_again(
    copy_code: str, *, today: date, staff_id: int | None
) -> tuple[str, str | None]:
    """A copy written off as lost (or withdrawn) is back: its loan ends, it goes back on the
    shelf, or to the hold shelf when someone waits for the title. Returns the title and the
    hold shelf instruction, if any."""
    async with write_transaction():
        copy = await find_copy(copy_code)
        if copy["status"] not in FOUND_AGAIN_FROM:
            raise InvalidInput(_("Dieses Exemplar ist weder verloren noch ausgesondert."))
        title = await Title.select(Title.withdrawn_at).where(Title.id == copy["title"]).first()
        if title and title["withdrawn_at"] is not None:
            raise InvalidInput(
                _(
                    "Der ganze Titel ist ausgesondert: Bitte erst den Titel im Bestand wieder "
                    "aufnehmen."
                )
            )
        # Marking it lost ended the loan already; a loan still open ends now.
        await Loan.update({Loan.returned_at: now(), Loan.checkin_note: "wiedergefunden"}).where(
            Loan.copy == copy["id"], Loan.returned_at.is_null()
        )
        if not await move_copy(copy["id"], CopyEvent.found_again, note=""):
            raise await move_refused(copy["id"], CopyEvent.found_again)
        hold_message = await hooks.on_return(copy["id"], today)
        await audit.record(
            "copy.found",
            actor_id=staff_id,
            object_type="copy",
            object_id=copy["id"],
            before=str(copy["status"]),
        )
    return copy["title_name"], hold_message
