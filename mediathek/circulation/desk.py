"""What the desk shows and what a scan means: a card opens a patron, a copy is lent (patron
open) or returned (no patron open), an ISBN picks the copy when only one fits."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

import isbnlib

from mediathek.catalogue.barcodes import is_valid_code, normalise_code
from mediathek.catalogue.policy import missing_in_note
from mediathek.catalogue.tables import Component, Copy, CopyStatus
from mediathek.circulation import corrections, policy, services
from mediathek.circulation.once import once
from mediathek.circulation.tables import Loan
from mediathek.db import current_engine
from mediathek.errors import DomainError, NotFound
from mediathek.i18n import _
from mediathek.notifications.outbox import enqueue, notice_key
from mediathek.notifications.tables import NotificationKind
from mediathek.patrons.services import search_patrons
from mediathek.patrons.tables import Patron
from mediathek.reservations.tables import Booking, BookingStatus, Hold, HoldStatus
from mediathek.site_settings import get_setting
from mediathek.vocab import MEDIA_TYPES_WITH_COMPONENTS


@dataclass
class Outcome:
    """The answer to one desk action, rendered as the result box."""

    # opened, lent, refused, returned, checklist, choose, patrons, renewed, undone, info, error
    kind: str
    ok: bool = True
    message: str = ""
    code: str = ""  # the scanned code, for the override / checklist / choice forms
    reasons: list[str] = field(default_factory=list)
    overridable: bool = False
    components: list[dict] = field(default_factory=list)
    choices: list[dict] = field(default_factory=list)  # copies (choose) or borrowers (patrons)
    undo: str | None = None  # an UndoToken naming the action
    extra: dict[str, Any] = field(default_factory=dict)
    # A checkout that changed nothing else of the patron's: the desk may show just this row.
    new_loan: dict | None = None
    loans_count: int = 0

    @property
    def blocks(self) -> bool:
        """A person must answer before the desk page sends the next queued scan."""
        if self.kind == "returned" and self.extra.get("hold_message"):
            return True  # the copy goes to the hold shelf, not the shelf: confirm, slip
        return self.kind in BLOCKING_KINDS

    @property
    def needs_attention(self) -> bool:
        """Stays marked in the page's log until dismissed."""
        return not self.ok or self.blocks or bool(self.extra.get("hold_message"))


# A kit's checklist, a choice between copies, a written-off copy that turned up: what the
# person answers decides what happens to the item in hand, so later scans wait.
BLOCKING_KINDS = frozenset({"checklist", "choose", "found"})


def refusal(exc: DomainError, code: str) -> Outcome:
    return Outcome(
        "refused",
        ok=False,
        message=exc.message,
        code=code,
        reasons=list(cast("list[str]", exc.detail.get("reasons")) or [exc.message]),
        overridable=bool(exc.detail.get("overridable", getattr(exc, "overridable", False))),
    )


def patron_problems(patron: dict, name: str, today: date) -> list[str]:
    """What stands against lending to this patron at all (blocked, card expired)."""
    decision = policy.checkout_refusals(
        policy.PatronFacts(name, patron["status"], patron["blocked_reason"], patron["expires_on"]),
        policy.CopyFacts(CopyStatus.available),
        [],
        max_loans=10**6,
        today=today,
        level_days=[],
    )
    return [r.message for r in decision.refusals]


# A card that runs out within a usual loan period: due dates end before it, say so.
CARD_EXPIRY_NOTICE_DAYS = 28


def isbn13(code: str) -> str | None:
    digits = code.replace("-", "").replace(" ", "").upper()
    if isbnlib.is_isbn13(digits):
        return digits
    if isbnlib.is_isbn10(digits):
        return isbnlib.to_isbn13(digits)
    return None


async def copies_for_isbn(isbn: str, statuses: tuple[str, ...]) -> list[dict]:
    return await (
        Copy.select(
            Copy.barcode, Copy.status, Copy.shelf_mark, Copy.title.title.as_alias("title_name")
        )
        .where(Copy.title.isbn == isbn, Copy.status.is_in(list(statuses)))
        .order_by(Copy.barcode)
    )


def encode_answer(answer: tuple[Outcome, str]) -> str:
    outcome, ausweis = answer
    return json.dumps({"outcome": asdict(outcome), "ausweis": ausweis}, default=str)


def decode_answer(text: str) -> tuple[Outcome, str]:
    data = json.loads(text)
    fields = data["outcome"]
    if fields["new_loan"]:
        for name in ("due_on", "loaned_on"):
            fields["new_loan"][name] = date.fromisoformat(fields["new_loan"][name])
    return Outcome(**fields), data["ausweis"]


async def scan(
    code: str,
    ausweis: str,
    *,
    today: date,
    staff_id: int | None,
    card_prefix: str,
    override_reason: str | None = None,
    missing_components: list[str] | None = None,
    scan_id: str | None = None,
    desk: str = "",
) -> tuple[Outcome, str]:
    """Carry out one scan; returns the outcome and the card of the patron now open.

    With ``scan_id`` (made by the desk page for each scan) a repeated request is applied
    once and gets the first one's answer."""

    async def work() -> tuple[Outcome, str]:
        return await _scan(
            code,
            ausweis,
            today=today,
            staff_id=staff_id,
            card_prefix=card_prefix,
            override_reason=override_reason,
            missing_components=missing_components,
            desk=desk,
        )

    key = f"desk:{scan_id}" if scan_id else None
    return await once(key, work, encode_answer, decode_answer)


async def _scan(
    code: str,
    ausweis: str,
    *,
    today: date,
    staff_id: int | None,
    card_prefix: str,
    override_reason: str | None,
    missing_components: list[str] | None,
    desk: str,
) -> tuple[Outcome, str]:
    if looks_like_name(code):
        return await borrower_choice(code, today), ausweis
    code = normalise_code(code)
    if not code:
        return Outcome("info", message=_("Bitte einen Code scannen oder eintippen.")), ausweis
    if is_valid_code(code, card_prefix):
        try:
            patron = await services.find_patron(code)
        except NotFound as exc:
            return Outcome("error", ok=False, message=exc.message), ausweis
        name = services.patron_name(patron)
        problems = patron_problems(patron, name, today)
        if problems:
            # Not a green "opened": lending needs an exception with a reason now.
            text = _("%(name)s ist geöffnet – Achtung: %(problems)s") % {
                "name": name,
                "problems": " ".join(problems),
            }
            return Outcome("opened", ok=False, message=text), code
        opened = _("%(name)s ist geöffnet. Jetzt Medien scannen.") % {"name": name}
        return Outcome("opened", message=opened), code
    isbn = isbn13(code)
    if isbn:
        wanted = (
            (CopyStatus.available, CopyStatus.on_hold_shelf) if ausweis else (CopyStatus.on_loan,)
        )
        copies = await copies_for_isbn(isbn, wanted)
        if not copies:
            return Outcome(
                "error",
                ok=False,
                message=_("Zur ISBN %(isbn)s passt kein Exemplar.") % {"isbn": code},
            ), ausweis
        if len(copies) > 1:
            return (
                Outcome(
                    "choose",
                    message=_("Mehrere Exemplare passen. Bitte das Exemplar scannen oder wählen."),
                    choices=copies,
                ),
                ausweis,
            )
        code = copies[0]["barcode"]
    try:
        if ausweis:
            lent = await services.checkout(
                ausweis, code, today=today, staff_id=staff_id, override_reason=override_reason
            )
            outcome = lent_outcome(lent, today, desk)
            if lent.media_type in MEDIA_TYPES_WITH_COMPONENTS:
                # Handed over complete: the parts are named so they can be checked now.
                parts = await services.components_of(lent.title_id)
                outcome.components = [dict(c) for c in parts]
            return outcome, ausweis
        back = await services.checkin(
            code, today=today, staff_id=staff_id, missing_components=missing_components
        )
    except policy.ComponentsToCheck as exc:
        return Outcome(
            "checklist", message=exc.message, code=code, components=exc.components
        ), ausweis
    except (policy.CheckoutRefused, NotFound) as exc:
        return refusal(exc, code), ausweis
    if not back.was_on_loan and back.copy_status in corrections.FOUND_AGAIN_FROM:
        # Someone brought back what was written off: a person decides, the copy waits.
        if back.copy_status == CopyStatus.lost:
            question = _("„%(title)s“ ist als verloren gemeldet. Ist das Exemplar wieder da?")
        else:
            question = _("„%(title)s“ ist ausgesondert. Ist das Exemplar wieder da?")
        return Outcome(
            "found",
            ok=False,
            message=question % {"title": back.title},
            code=back.barcode,
        ), ausweis
    if not back.was_on_loan:
        text = _("„%(title)s“: %(message)s") % {"title": back.title, "message": back.message}
        return Outcome("info", message=text), ausweis
    text = _("Zurück: „%(title)s“ (%(name)s). %(message)s") % {
        "title": back.title,
        "name": back.patron_name,
        "message": back.message,
    }
    outcome = Outcome(
        "returned",
        ok=not back.missing,
        message=text,
        code=back.barcode,
        undo=str(corrections.UndoToken.of_checkin(back, desk)),
    )
    outcome.extra["hold_message"] = back.hold_message
    # Returns come without the card: the receipt is offered for the borrower of this copy.
    outcome.extra["receipt_for"] = back.patron_id
    return outcome, ausweis


async def parts_of_titles(title_ids: set[int]) -> dict[int, list[str]]:
    """The parts of kits and games, per title, as a receipt lists them ("2 × Würfel")."""
    if not title_ids:
        return {}
    rows = await (
        Component.select(Component.title, Component.name, Component.quantity)
        .where(Component.title.is_in(sorted(title_ids)))
        .order_by(Component.position)
        .order_by(Component.id)
    )
    parts: dict[int, list[str]] = {}
    for row in rows:
        parts.setdefault(row["title"], []).append(f"{row['quantity']} × {row['name']}")
    return parts


# ---- borrowers by name -----------------------------------------------------------------------

# Codes (cards, copies, ISBNs) all carry digits; a person's name does not.
NAME_MIN_LETTERS = 3
BORROWER_MATCHES = 8


def looks_like_name(text: str) -> bool:
    """Typed into the scan field: a name to look up rather than a code to scan."""
    text = text.strip()
    letters = sum(ch.isalpha() for ch in text)
    return letters >= NAME_MIN_LETTERS and not any(ch.isdigit() for ch in text)


async def find_borrowers(query: str, today: date) -> list[dict]:
    """Borrowers the desk can open whose name, institution or e-mail matches every word;
    people forget their card. Fewer than three letters find nothing (too many matches)."""
    if not looks_like_name(query):
        return []
    rows = await search_patrons(query[:100], status="active", limit=BORROWER_MATCHES)
    out = []
    for row in rows:
        if not row["card_barcode"]:
            continue
        expires = row["expires_on"]
        out.append(
            {
                "id": row["id"],
                "name": row["name"],
                "card": row["card_barcode"],
                "institution": row["institution"],
                "blocked": bool(row["blocked_reason"]),
                "expired": expires is not None and expires < today,
            }
        )
    return out


async def borrower_choice(query: str, today: date) -> Outcome:
    """A name typed into the scan field and sent: the matching borrowers to open."""
    found = await find_borrowers(query, today)
    if not found:
        return Outcome(
            "error",
            ok=False,
            message=_(
                "Niemand mit „%(name)s“ im Namen gefunden. Bitte den Ausweis scannen oder "
                "anders schreiben."
            )
            % {"name": query.strip()[:100]},
        )
    return Outcome(
        "patrons",
        message=_("Wen möchten Sie öffnen? Bitte auswählen."),
        choices=found,
    )


def missing_parts(
    names: list[str], quantities: list[str], present: set[str], missing_counts: list[str]
) -> list[str]:
    """What the checklist says is missing: a part not ticked is missing whole, of a ticked
    part with several pieces the number given ("1 von 2 × Würfel")."""
    out = []
    for i, name in enumerate(names):
        quantity = _count(quantities[i] if i < len(quantities) else "1", 1)
        if name not in present:
            out.append(name if quantity == 1 else f"{quantity} × {name}")
            continue
        gone = min(_count(missing_counts[i] if i < len(missing_counts) else "0", 0), quantity)
        if gone:
            out.append(f"{gone} von {quantity} × {name}")
    return out


def _count(text: str, default: int) -> int:
    try:
        return max(0, int(str(text).strip() or default))
    except ValueError:
        return default


def lent_outcome(lent: services.CheckoutResult, today: date, desk: str = "") -> Outcome:
    text = _("Ausgeliehen: „%(title)s“ – zurück bis %(day)s.") % {
        "title": lent.title,
        "day": f"{lent.due_on:%d.%m.%Y}",
    }
    if lent.overridden:
        text += " " + _("(Ausnahme wurde protokolliert.)")
    if lent.card_expires_on is not None and lent.card_expires_on < lent.due_on:
        text += " " + _(
            "Achtung: Der Ausweis läuft schon am %(day)s ab, vor dem Rückgabedatum. "
            "Bitte den Ausweis verlängern."
        ) % {"day": f"{lent.card_expires_on:%d.%m.%Y}"}
    outcome = Outcome("lent", message=text, undo=str(corrections.UndoToken.of_checkout(lent, desk)))
    outcome.extra["due_reason"] = lent.due_reason
    if not lent.reservations_touched:
        # Only the loan list changed (a fulfilled hold would change the hold shelf list too).
        outcome.new_loan = loan_row(
            {
                "id": lent.loan_id,
                "due_on": lent.due_on,
                "loaned_on": today,
                "renewals": 0,
                "reminder_level": 0,
                "barcode": lent.barcode,
                "title_name": lent.title,
            },
            today,
            level_days=[],  # lent today, due later: no reminder level yet
        )
        outcome.loans_count = lent.open_loans
    return outcome


def loan_row(loan: dict, today: date, level_days: list[int]) -> dict:
    """A loan as the desk lists it: days overdue, reminder level reached, lent today."""
    return {
        **loan,
        "overdue_days": max(0, (today - loan["due_on"]).days),
        "level": policy.overdue_level(loan["due_on"], today, level_days, loan["reminder_level"]),
        "new": loan["loaned_on"] == today,
    }


@dataclass
class PatronPanel:
    patron: dict
    loans: list[dict]
    holds: list[dict]
    warnings: list[str]  # what refuses a checkout (blocked, expired, overdue): red
    notices: list[str] = field(default_factory=list)  # worth knowing, e.g. card runs out soon


async def patron_panel(ausweis: str, today: date) -> PatronPanel | None:
    if not ausweis:
        return None
    # One read transaction: all reads on one connection, and they see one state of the data.
    async with current_engine().transaction():
        return await _patron_panel(ausweis, today)


async def _patron_panel(ausweis: str, today: date) -> PatronPanel | None:
    try:
        patron = await services.find_patron(ausweis)
    except NotFound:
        return None
    # Staff notes are read here only: the scan's own lookups stay lean.
    notes = await Patron.select(Patron.notes).where(Patron.id == patron["id"]).first()
    patron = {
        **patron,
        "name": services.patron_name(patron),
        "notes": notes["notes"] if notes else "",
    }
    level_days = list(await get_setting("overdue_level_days"))
    rows = await (
        Loan.select(
            Loan.id,
            Loan.due_on,
            Loan.loaned_on,
            Loan.renewals,
            Loan.reminder_level,
            Loan.copy.barcode.as_alias("barcode"),
            Loan.title.title.as_alias("title_name"),
        )
        .where(Loan.patron == patron["id"], Loan.returned_at.is_null())
        .order_by(Loan.loaned_at, ascending=False)
    )
    loans = [loan_row(row, today, level_days) for row in rows]
    holds = await (
        Hold.select(
            Hold.pickup_until,
            Hold.copy.barcode.as_alias("barcode"),
            Hold.title.title.as_alias("title_name"),
        )
        .where(Hold.patron == patron["id"], Hold.status == HoldStatus.ready)
        .order_by(Hold.pickup_until)
    )
    decision = policy.checkout_refusals(
        policy.PatronFacts(
            patron["name"], patron["status"], patron["blocked_reason"], patron["expires_on"]
        ),
        policy.CopyFacts(CopyStatus.available),
        [policy.LoanFacts(ln["due_on"], ln["reminder_level"]) for ln in loans],
        max_loans=10**6,
        today=today,
        level_days=level_days,
    )
    notices = []
    expires = patron["expires_on"]
    if expires is not None and today <= expires < today + timedelta(CARD_EXPIRY_NOTICE_DAYS):
        notices.append(
            _("Der Ausweis läuft am %(day)s ab: Leihfristen enden spätestens davor.")
            % {"day": f"{expires:%d.%m.%Y}"}
        )
    return PatronPanel(patron, loans, holds, [r.message for r in decision.refusals], notices)


@dataclass
class HoldSlip:
    """The slip that goes with a copy onto the hold shelf."""

    title: str
    barcode: str
    who: str  # the borrower's name, or a name-free pickup code (setting)
    until: date | None  # pickup deadline (hold) or start of the booking
    booking_end: date | None = None


def pickup_code(last_name: str, card: str) -> str:
    """Name-free, yet easy to find on the shelf: "BER-0018"."""
    letters = "".join(ch for ch in last_name.upper() if ch.isalpha())[:3] or "X"
    return f"{letters}-{card[-4:]}"


async def hold_slip(copy_code: str) -> HoldSlip:
    """For a copy set aside for a hold or a booking; NotFound when it is set aside for no one."""
    copy = await services.find_copy(copy_code)
    hold = await (
        Hold.select(Hold.patron, Hold.pickup_until)
        .where(Hold.copy == copy["id"], Hold.status == HoldStatus.ready)
        .first()
    )
    booking = None
    if hold is None:
        booking = await (
            Booking.select(Booking.patron, Booking.start_on, Booking.end_on)
            .where(
                Booking.copy == copy["id"],
                Booking.status.is_in([BookingStatus.ready, BookingStatus.confirmed]),
            )
            .order_by(Booking.start_on)
            .first()
        )
    record = hold or booking
    if record is None or record["patron"] is None:
        raise NotFound(_("Dieses Exemplar ist für niemanden zurückgelegt."))
    patron = await services.find_patron(record["patron"])
    who = (
        services.patron_name(patron)
        if await get_setting("hold_slip_shows_name")
        else pickup_code(patron["last_name"], patron["card_barcode"] or str(patron["id"]))
    )
    if hold:
        return HoldSlip(copy["title_name"], copy["barcode"], who, hold["pickup_until"])
    return HoldSlip(copy["title_name"], copy["barcode"], who, record["start_on"], record["end_on"])


@dataclass
class Receipt:
    """What a borrower took home and brought back today, as the receipt lists it."""

    patron: dict
    lent: list[dict]  # lent today and still out
    returned: list[dict]  # returned today (at any desk), a kit with its parts and what was missing

    @property
    def empty(self) -> bool:
        return not (self.lent or self.returned)


def day_window(today: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The library's day as a span of moments (returns carry a moment, not a date)."""
    start = datetime.combine(today, time.min, tz)
    end = datetime.combine(today + timedelta(days=1), time.min, tz)
    # In UTC as stored: SQLite compares the moments as text.
    return start.astimezone(UTC), end.astimezone(UTC)


async def receipt_of(card_or_patron: str | int, today: date, tz: ZoneInfo) -> Receipt:
    """The receipt of the borrower behind a library card (or a patron id): what she borrowed
    today and what came back from her today. Returns are often scanned without her card (the
    copy tells whose loan it was), so the receipt is asked for after the return stack."""
    patron = await services.find_patron(card_or_patron)
    lent = await (
        Loan.select(
            Loan.id,
            Loan.due_on,
            Loan.title,
            Loan.media_type,
            Loan.due_reason,
            Loan.copy.barcode.as_alias("barcode"),
            Loan.title.title.as_alias("title_name"),
        )
        .where(
            Loan.patron == patron["id"],
            Loan.returned_at.is_null(),
            Loan.loaned_on == today,
        )
        .order_by(Loan.id)
    )
    start, end = day_window(today, tz)
    returned = await (
        Loan.select(
            Loan.id,
            Loan.title,
            Loan.media_type,
            Loan.returned_at,
            Loan.checkin_note,
            Loan.copy.barcode.as_alias("barcode"),
            Loan.title.title.as_alias("title_name"),
        )
        .where(
            Loan.patron == patron["id"],
            Loan.returned_at >= start,
            Loan.returned_at < end,
        )
        .order_by(Loan.returned_at)
        .order_by(Loan.id)
    )
    # A kit's parts go on the receipt: what was handed over is what comes back.
    parts = await parts_of_titles(
        {
            ln["title"]
            for ln in [*lent, *returned]
            if ln["media_type"] in MEDIA_TYPES_WITH_COMPONENTS
        }
    )
    for ln in [*lent, *returned]:
        ln["parts"] = parts.get(ln["title"], [])
    return Receipt(patron, lent, returned)


async def email_receipt(card_or_patron: str | int, today: date, tz: ZoneInfo) -> Outcome:
    """Queue today's receipt (lent and returned) as an e-mail to the patron, in her e-mail
    language; once per set of items (a later return makes a new receipt)."""
    receipt = await receipt_of(card_or_patron, today, tz)
    if receipt.empty:
        return Outcome("info", message=_("Heute wurde nichts ausgeliehen oder zurückgegeben."))
    patron = receipt.patron
    queued = await enqueue(
        NotificationKind.loan_receipt,
        key=notice_key(
            NotificationKind.loan_receipt,
            patron["id"],
            today,
            *[ln["id"] for ln in receipt.lent],
            *[f"r{ln['id']}" for ln in receipt.returned],
        ),
        patron_id=patron["id"],
        payload={
            "items": [
                {
                    "title": ln["title_name"],
                    "barcode": ln["barcode"],
                    "due_on": str(ln["due_on"]),
                    "parts": ln["parts"],
                    "due_reason": ln["due_reason"],
                }
                for ln in receipt.lent
            ],
            "returned": [
                {
                    "title": ln["title_name"],
                    "barcode": ln["barcode"],
                    "returned_on": str(today),
                    "parts": ln["parts"],
                    # The desk writes "Fehlt: …" in German; the e-mail says it in her language.
                    "missing": missing_in_note(ln["checkin_note"]),
                }
                for ln in receipt.returned
            ],
        },
    )
    if queued:
        return Outcome("info", message=_("Die Quittung wird per E-Mail geschickt."))
    return Outcome(
        "error",
        ok=False,
        message=_("Keine E-Mail möglich (keine Adresse hinterlegt oder schon verschickt)."),
    )
