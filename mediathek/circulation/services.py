"""Desk verbs: checkout, checkin, renew (corrections are in ``corrections``). Each loads,
asks ``policy`` and writes in ONE transaction; ``today`` always comes from the caller.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import date, datetime

import asyncpg

from mediathek import audit
from mediathek.catalogue.barcodes import normalise_code
from mediathek.catalogue.copy_moves import move_copy, move_refused
from mediathek.catalogue.policy import CopyEvent
from mediathek.catalogue.tables import Component, Copy, CopyStatus
from mediathek.circulation import policy
from mediathek.circulation.tables import Loan
from mediathek.clock import now
from mediathek.db import current_engine, is_sqlite, lock_rows, write_transaction
from mediathek.errors import NotFound
from mediathek.i18n import _
from mediathek.loan_rules import loan_rule, rule_and_limits
from mediathek.opening_calendar import load_calendar
from mediathek.patrons.tables import Patron
from mediathek.reservations import hooks
from mediathek.site_settings import get_setting
from mediathek.vocab import MEDIA_TYPES_WITH_COMPONENTS

# Two desks scanning one copy at the same moment: the loser meets the unique index.
INTEGRITY_ERRORS = (sqlite3.IntegrityError, asyncpg.UniqueViolationError)


@dataclass
class CheckoutResult:
    loan_id: int
    copy_id: int
    barcode: str
    title: str
    patron_id: int
    patron_name: str
    due_on: date
    overridden: list[str] = field(default_factory=list)
    open_loans: int = 0  # the patron's, this one included
    # A hold or booking named the copy or its title: the patron's reservations may have changed.
    reservations_touched: bool = False
    loaned_at: datetime | None = None  # names this loan in an undo token
    card_expires_on: date | None = None  # the desk warns when it comes before due_on
    title_id: int = 0
    media_type: str = ""  # a kit's or game's parts are shown at checkout
    due_reason: str = ""  # why the due date is shorter or different than usual, or ""


@dataclass
class CheckinResult:
    barcode: str
    title: str
    loan_id: int | None = None
    patron_name: str = ""
    message: str = ""
    hold_message: str | None = None
    missing: list[str] = field(default_factory=list)
    was_on_loan: bool = True
    copy_id: int | None = None
    returned_at: datetime | None = None  # names this return in an undo token
    copy_status: str = ""  # of a copy that was not on loan: lost or withdrawn is news
    patron_id: int | None = None  # whose loan came back (her receipt)


@dataclass
class RenewResult:
    loan_id: int
    title: str
    due_on: date
    renewals: int
    due_reason: str = ""
    overridden: bool = False  # renewed past the second reminder, with a logged reason


def patron_name(row: dict, prefix: str = "") -> str:
    return f"{row[prefix + 'first_name']} {row[prefix + 'last_name']}".strip()


# Written out: the desk reads a patron on every scan, and piccolo took longer to build the
# select than the database took to answer it (same rows and types on both engines).
PATRON_SQL = (
    "SELECT id, first_name, last_name, category, status, blocked_reason, expires_on, "
    "card_barcode, email, phone, institution FROM patron WHERE "
)


async def _patron_row(card_or_patron: str | int, *, lock: bool = False) -> dict | None:
    value: str | int
    if isinstance(card_or_patron, int):
        sql, value = PATRON_SQL + "id = {}", card_or_patron
    else:
        sql, value = PATRON_SQL + "card_barcode = {}", normalise_code(card_or_patron)
    if lock and not is_sqlite(current_engine()):
        sql += " FOR UPDATE"
    rows = await Patron.raw(sql, value)
    return rows[0] if rows else None


def _unknown_card() -> NotFound:
    return NotFound(_("Diesen Ausweis kennen wir nicht. Bitte prüfen Sie die Nummer."))


async def find_patron(card_or_patron: str | int) -> dict:
    row = await _patron_row(card_or_patron)
    if row is None:
        raise _unknown_card()
    return row


# Written out by hand: every scan looks a copy up, and piccolo takes longer to build this
# select through the foreign key (about a millisecond) than the database takes to answer it.
COPY_SQL = (
    "SELECT c.id, c.barcode, c.status, c.title, t.title AS title_name, t.media_type "
    "FROM copy c JOIN title t ON t.id = c.title WHERE c.barcode = {}"
)


def _unknown_copy(copy_code: str) -> NotFound:
    return NotFound(_("Ein Exemplar mit der Nummer %(code)s gibt es nicht.") % {"code": copy_code})


async def find_copy(copy_code: str) -> dict:
    rows = await Copy.raw(COPY_SQL, normalise_code(copy_code))
    if not rows:
        raise _unknown_copy(copy_code)
    return rows[0]


# A copy to take back, with the borrower of its open loan (if any).
CHECKIN_SQL = (
    "SELECT c.id, c.barcode, c.status, c.title, t.title AS title_name, t.media_type, "
    "o.patron AS borrower, p.first_name, p.last_name "
    "FROM copy c JOIN title t ON t.id = c.title "
    "LEFT JOIN loan o ON o.copy = c.id AND o.returned_at IS NULL "
    "LEFT JOIN patron p ON p.id = o.patron "
    "WHERE c.barcode = {}"
)

# What a checkout reads after its claim, in one query: the copy, the loan rule and limits for
# the borrower's category (the columns of ``loan_rules.checkout_terms``) and her open loans,
# one row per open loan (one row with empty loan columns when she has none).
CHECKOUT_SQL = (
    "SELECT c.id, c.barcode, c.status, c.title, t.title AS title_name, t.media_type, "
    "r.loan_days, r.max_renewals, l.max_loans, l.max_holds, "
    "o.id AS open_loan, o.due_on AS open_due_on, o.reminder_level AS open_level "
    "FROM copy c JOIN title t ON t.id = c.title "
    "LEFT JOIN loan_rule r ON r.patron_category = {} AND r.media_type = t.media_type "
    "LEFT JOIN category_limit l ON l.patron_category = {} "
    "LEFT JOIN loan o ON o.patron = {} AND o.returned_at IS NULL "
    "WHERE c.barcode = {} ORDER BY o.id"
)


async def checkout(
    card_or_patron: str | int,
    copy_code: str,
    *,
    today: date,
    staff_id: int | None,
    override_reason: str | None = None,
) -> CheckoutResult:
    """Lend a copy. Refusals raise ``policy.CheckoutRefused``; with ``override_reason`` staff
    lend anyway where the refusal allows it, and the reason goes to the audit log."""
    override_reason = (override_reason or "").strip() or None
    code = normalise_code(copy_code)
    event = CopyEvent.checkout
    status_before = None
    if override_reason:
        # Rare path: the status before the claim names what is being overridden.
        event = CopyEvent.checkout_override
        status_before = (await find_copy(code))["status"]
    try:
        async with write_transaction():
            # The patron is locked and read first (her other checkouts wait here, so the loan
            # limit counts each of them; placing a hold locks the patron, then a copy, and the
            # same order here cannot deadlock). Then the copy is claimed: of many desks
            # scanning it at once, exactly one wins. Then one read for the rest.
            patron = await _patron_row(card_or_patron, lock=True)
            claimed = await move_copy(code, event, note="")
            rows = await Copy.raw(
                CHECKOUT_SQL,
                patron["category"] if patron else "",
                patron["category"] if patron else "",
                patron["id"] if patron else 0,
                code,
            )
            if not rows:
                raise _unknown_copy(code)
            if patron is None:
                raise _unknown_card()
            copy = rows[0]
            status = (status_before or CopyStatus.available) if claimed else copy["status"]
            result = await _lend(patron, rows, status, claimed, today, staff_id, override_reason)
    except INTEGRITY_ERRORS as exc:
        raise policy.CopyAlreadyLent(_("Dieses Exemplar wurde gerade schon ausgeliehen.")) from exc
    return result


async def _lend(patron, rows, status, claimed, today, staff_id, override_reason):
    copy = rows[0]
    # Most copies are neither held nor booked: one question spares the reservation hooks.
    reserved = await hooks.concern_checkout(copy["id"], copy["title"])
    facts = policy.CopyFacts(
        status=status,
        set_aside_for_other=(
            await hooks.reserved_for_other(copy["id"], patron["id"]) if reserved else None
        ),
    )
    rule, limits = rule_and_limits(copy)
    open_loans = [
        policy.LoanFacts(r["open_due_on"], r["open_level"])
        for r in rows
        if r["open_loan"] is not None
    ]
    level_days = []
    if policy.level_days_matter(open_loans, today):
        level_days = list(await get_setting("overdue_level_days"))
    decision = policy.checkout_refusals(
        policy.PatronFacts(
            patron_name(patron), patron["status"], patron["blocked_reason"], patron["expires_on"]
        ),
        facts,
        open_loans,
        max_loans=limits.max_loans,
        today=today,
        level_days=level_days,
    )
    if not claimed and not decision.refusals:
        already = _("Dieses Exemplar ist schon ausgeliehen.")
        decision.refusals.append(policy.CopyAlreadyLent(already))
    if decision.refusals and not (override_reason and decision.overridable):
        first = next((r for r in decision.refusals if not r.overridable), decision.refusals[0])
        first.detail["reasons"] = [r.message for r in decision.refusals]
        first.detail["overridable"] = decision.overridable
        raise first
    booking_end = latest = None
    if reserved:
        booking_end = await hooks.fulfil_on_checkout(copy["id"], patron["id"], today)
        latest = None if booking_end else await hooks.latest_due_date(copy["id"], today)
    due = policy.due_date(
        await load_calendar(today),
        today,
        rule.loan_days,
        latest,
        booking_end,
        card_expires=patron["expires_on"],
    )
    due_on = due.on
    overridden = [r.message for r in decision.refusals]
    loaned_at = now()
    rows = await Loan.raw(
        "INSERT INTO loan (copy, title, patron, patron_category, media_type, loaned_at, "
        "loaned_on, due_on, due_reason, override_reason, lent_by) "
        "VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}) RETURNING id",
        copy["id"],
        copy["title"],
        patron["id"],
        patron["category"],
        copy["media_type"],
        loaned_at,
        today,
        due_on,
        due.reason,
        (override_reason or "") if overridden else "",
        staff_id,
    )
    loan_id = rows[0]["id"]
    if overridden:
        await audit.record(
            "loan.override",
            actor_id=staff_id,
            object_type="loan",
            object_id=loan_id,
            reason=override_reason,
            refusals=overridden,
            copy=copy["barcode"],
            patron_id=patron["id"],
        )
    return CheckoutResult(
        loan_id,
        copy["id"],
        copy["barcode"],
        copy["title_name"],
        patron["id"],
        patron_name(patron),
        due_on,
        overridden,
        open_loans=len(open_loans) + 1,
        reservations_touched=reserved,
        loaned_at=loaned_at,
        card_expires_on=patron["expires_on"],
        title_id=copy["title"],
        media_type=copy["media_type"],
        due_reason=due.reason,
    )


async def components_of(title_id: int) -> list[dict]:
    return await (
        Component.select(Component.id, Component.name, Component.quantity)
        .where(Component.title == title_id)
        .order_by(Component.position)
    )


async def checkin(
    copy_code: str,
    *,
    today: date,
    staff_id: int | None,
    missing_components: list[str] | None = None,
    note: str = "",
) -> CheckinResult:
    """Take a copy back. A kit or game needs its checklist: with ``missing_components`` None
    it raises ``ComponentsToCheck`` and writes nothing."""
    async with write_transaction():
        rows = await Copy.raw(CHECKIN_SQL, normalise_code(copy_code))
        if not rows:
            raise _unknown_copy(copy_code)
        copy = rows[0]
        components = []
        if copy["media_type"] in MEDIA_TYPES_WITH_COMPONENTS:
            components = await components_of(copy["title"])
        # Close the open loan first: a concurrent return of the same copy finds nothing.
        returned_at = now()
        closed = await Loan.raw(
            "UPDATE loan SET returned_at = {} WHERE copy = {} AND returned_at IS NULL "
            "RETURNING id, patron",
            returned_at,
            copy["id"],
        )
        if not closed:
            return CheckinResult(
                copy["barcode"],
                copy["title_name"],
                message=_("Dieses Exemplar war nicht ausgeliehen – nichts zu tun."),
                was_on_loan=False,
                copy_id=copy["id"],
                copy_status=copy["status"],
            )
        if components and missing_components is None:
            # Roll back (the loan stays open) and show the checklist first.
            raise policy.ComponentsToCheck(
                _("Bitte prüfen Sie die Bestandteile."), [dict(c) for c in components]
            )
        loan_id, patron_id = closed[0]["id"], closed[0]["patron"]
        missing = [m.strip() for m in (missing_components or []) if m.strip()]
        text = "; ".join(filter(None, ["Fehlt: " + ", ".join(missing) if missing else "", note]))
        if missing or note:
            await Loan.update({Loan.checkin_note: text}).where(Loan.id == loan_id)
            await _move_back(copy, CopyEvent.checkin_incomplete, note=text)
            hold_message = None
        else:
            await _move_back(copy, CopyEvent.checkin)
            # A returned copy goes to a hold or booking only when one names it or its title:
            # that one question (what a checkout asks) spares most returns the hooks' reads.
            hold_message = None
            if await hooks.concern_checkout(copy["id"], copy["title"]):
                hold_message = await hooks.on_return(copy["id"], today)
        who: list[dict] = []
        if patron_id is not None and copy["borrower"] == patron_id:
            who = [copy]  # read with the copy; the loan closed is the one read
        elif patron_id is not None:
            who = await Patron.raw(
                "SELECT first_name, last_name FROM patron WHERE id = {}", patron_id
            )
    message = _("Zurückgenommen.")
    if missing:
        message = _("Zurückgenommen, aber unvollständig: Das Exemplar wird geprüft.")
    return CheckinResult(
        copy["barcode"],
        copy["title_name"],
        loan_id,
        patron_name(who[0]) if who else "",
        message,
        hold_message,
        missing,
        copy_id=copy["id"],
        returned_at=returned_at,
        patron_id=patron_id,
    )


async def _move_back(copy: dict, event: CopyEvent, note: str | None = None) -> None:
    # Its loan was open, so the copy is on loan: anything else is refused, not overwritten.
    if not await move_copy(copy["id"], event, note=note):
        raise await move_refused(copy["id"], event)


async def loan_for_update(loan_id: int) -> dict:
    row = (
        await Loan.select(
            Loan.id,
            Loan.copy,
            Loan.title,
            Loan.patron,
            Loan.patron_category,
            Loan.media_type,
            Loan.due_on,
            Loan.renewals,
            Loan.reminder_level,
            Loan.returned_at,
            Loan.loaned_on,
            Loan.title.title.as_alias("title_name"),
        )
        .where(Loan.id == loan_id)
        .first()
    )
    if row is None:
        raise NotFound(_("Diese Ausleihe gibt es nicht."))
    return row


async def renew(
    loan_id: int,
    *,
    today: date,
    by_patron_id: int | None = None,
    staff_id: int | None = None,
    override_reason: str | None = None,
) -> RenewResult:
    """Extend a loan. A patron may renew only their own loans (others look non-existent) and
    not once it is at the second reminder; staff may then, with ``override_reason`` (audited).
    A refusal writes nothing, so it does not count as a renewal."""
    override_reason = (override_reason or "").strip() or None
    async with write_transaction():
        # A second renewal of this loan waits here and then counts the first one.
        await lock_rows("loan", loan_id)
        loan = await loan_for_update(loan_id)
        if by_patron_id is not None and loan["patron"] != by_patron_id:
            raise NotFound(_("Diese Ausleihe gibt es nicht."))
        if loan["returned_at"] is not None:
            raise policy.RenewalRefused(_("Dieses Medium ist schon zurückgegeben."))
        rule = await loan_rule(loan["patron_category"], loan["media_type"])
        level = loan["reminder_level"]
        if loan["due_on"] < today:
            level_days = list(await get_setting("overdue_level_days"))
            level = policy.overdue_level(loan["due_on"], today, level_days, level)
        card = await Patron.select(Patron.expires_on).where(Patron.id == loan["patron"]).first()
        due = policy.renewal_due_date(
            await load_calendar(today),
            today=today,
            current_due=loan["due_on"],
            renewals=loan["renewals"],
            max_renewals=rule.max_renewals,
            loan_days=rule.loan_days,
            others_waiting=await hooks.others_waiting(loan["title"], loan["patron"]),
            latest=await hooks.latest_due_date(loan["copy"], today),
            level=level,
            online=by_patron_id is not None,
            override=override_reason is not None,
            card_expires=card["expires_on"] if card else None,
        )
        # Conditional on what was read: a renewal that raced this one (PostgreSQL without
        # the lock, a repeated request) changes nothing instead of counting twice.
        done = await Loan.raw(
            "UPDATE loan SET due_on = {}, due_reason = {}, renewals = renewals + 1, "
            "reminder_level = 0 WHERE id = {} AND renewals = {} AND due_on = {} "
            "AND returned_at IS NULL RETURNING id",
            due.on,
            due.reason,
            loan_id,
            loan["renewals"],
            loan["due_on"],
        )
        if not done:
            raise policy.RenewalRefused("Diese Ausleihe wurde gerade geändert. Bitte neu laden.")
        overridden = level >= policy.NO_ONLINE_RENEWAL_LEVEL
        await audit.record(
            "loan.renew_override" if overridden else "loan.renew",
            actor_id=staff_id,
            actor_label="Ausleihende*r" if by_patron_id else "",
            object_type="loan",
            object_id=loan_id,
            due_on=due.on.isoformat(),
            **({"reason": override_reason, "level": level} if overridden else {}),
        )
    return RenewResult(
        loan_id, loan["title_name"], due.on, loan["renewals"] + 1, due.reason, overridden
    )
