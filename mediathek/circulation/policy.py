"""Pure lending rules (DESIGN §3 "Loans"): plain values in, decisions or refusals out."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from mediathek.catalogue.policy import CopyEvent, copy_moves_from
from mediathek.catalogue.tables import CopyStatus
from mediathek.errors import Conflict, DomainError
from mediathek.i18n import _, format_day
from mediathek.opening_calendar import Calendar
from mediathek.patrons.tables import PatronStatus


class CheckoutRefused(Conflict):
    """A reason not to lend. ``overridable``: staff may lend anyway, giving a reason."""

    code = "checkout_refused"
    overridable = True


class PatronBlocked(CheckoutRefused):
    code = "patron_blocked"


class PatronExpired(CheckoutRefused):
    code = "patron_expired"


class PatronNotApproved(CheckoutRefused):
    code = "patron_not_approved"


class LoanLimitReached(CheckoutRefused):
    code = "loan_limit_reached"


class OverdueTooLong(CheckoutRefused):
    code = "overdue_too_long"


class CopyNotAvailable(CheckoutRefused):
    code = "copy_not_available"


class CopyAlreadyLent(CopyNotAvailable):
    """On loan (or withdrawn): lending it again would lend it twice – no override."""

    code = "copy_already_lent"
    overridable = False


class CopySetAside(CheckoutRefused):
    """Set aside for someone else (hold shelf or booking): their claim comes first."""

    code = "copy_set_aside"
    overridable = False


class RenewalRefused(Conflict):
    code = "renewal_refused"


class ComponentsToCheck(DomainError):
    """A kit or game comes back: its parts must be checked before the return is booked."""

    code = "components_to_check"

    def __init__(self, message: str, components: list[dict[str, Any]]) -> None:
        super().__init__(message)
        self.components = components


# Copy statuses a checkout may start from; the rest need an override or are impossible
# (the catalogue's table of copy status changes says which).
LENDABLE = copy_moves_from(CopyEvent.checkout)
LENDABLE_WITH_OVERRIDE = copy_moves_from(CopyEvent.checkout_override)


@dataclass(frozen=True)
class PatronFacts:
    name: str
    status: str = PatronStatus.active
    blocked_reason: str = ""
    expires_on: date | None = None


@dataclass(frozen=True)
class LoanFacts:
    due_on: date
    reminder_level: int = 0


@dataclass(frozen=True)
class CopyFacts:
    status: str
    set_aside_for_other: str | None = None  # German reason from the holds/bookings area


@dataclass
class Decision:
    refusals: list[CheckoutRefused] = field(default_factory=list)

    @property
    def overridable(self) -> bool:
        return all(r.overridable for r in self.refusals)


def overdue_level(due_on: date, today: date, level_days: list[int], sent_level: int = 0) -> int:
    """The reminder level a loan has reached: the level already sent, or the one its days
    overdue call for (the reminder run may not have happened yet)."""
    days_over = (today - due_on).days
    reached = sum(1 for d in level_days if days_over >= d)
    return max(sent_level, reached)


def level_days_matter(open_loans: list[LoanFacts], today: date) -> bool:
    """Whether the reminder level days matter for these loans: a level is reached only after
    the due date (level days are 1 or more), so with nothing overdue only the levels already
    sent count, and the level days need not be read."""
    return any(ln.due_on < today for ln in open_loans)


def checkout_refusals(
    patron: PatronFacts,
    copy: CopyFacts,
    open_loans: list[LoanFacts],
    *,
    max_loans: int,
    today: date,
    level_days: list[int],
) -> Decision:
    """Every reason not to lend this copy to this patron today (empty: lend)."""
    d = Decision()
    if copy.status in (CopyStatus.on_loan, CopyStatus.withdrawn):
        if copy.status == CopyStatus.on_loan:
            d.refusals.append(CopyAlreadyLent(_("Dieses Exemplar ist schon ausgeliehen.")))
        else:
            d.refusals.append(CopyAlreadyLent(_("Dieses Exemplar ist ausgesondert.")))
    elif copy.status not in LENDABLE:
        d.refusals.append(
            CopyNotAvailable(
                _("Dieses Exemplar ist nicht ausleihbar (Status: %(status)s).")
                % {"status": status_label(copy.status)}
            )
        )
    if copy.set_aside_for_other:
        d.refusals.append(CopySetAside(copy.set_aside_for_other))
    if patron.status != PatronStatus.active:
        d.refusals.append(
            PatronNotApproved(_("%(name)s ist noch nicht freigeschaltet.") % {"name": patron.name})
        )
    if patron.blocked_reason:
        d.refusals.append(
            PatronBlocked(
                _("%(name)s ist gesperrt: %(reason)s")
                % {"name": patron.name, "reason": patron.blocked_reason}
            )
        )
    if patron.expires_on is not None and patron.expires_on < today:
        d.refusals.append(
            PatronExpired(
                _("Der Ausweis von %(name)s ist seit %(day)s abgelaufen.")
                % {"name": patron.name, "day": format_day(patron.expires_on)}
            )
        )
    if len(open_loans) >= max_loans:
        d.refusals.append(
            LoanLimitReached(
                _("%(name)s hat schon %(n)s Medien ausgeliehen (höchstens %(max)s).")
                % {"name": patron.name, "n": len(open_loans), "max": max_loans}
            )
        )
    worst = max(
        (overdue_level(ln.due_on, today, level_days, ln.reminder_level) for ln in open_loans),
        default=0,
    )
    if worst >= 2:
        d.refusals.append(
            OverdueTooLong(
                _(
                    "%(name)s hat Medien, die lange überfällig sind (%(level)s. Mahnung). "
                    "Bitte erst zurückgeben."
                )
                % {"name": patron.name, "level": worst}
            )
        )
    return d


def status_label(status: str) -> str:
    from mediathek.catalogue.tables import COPY_STATUS_LABELS

    return _(COPY_STATUS_LABELS[status]) if status in COPY_STATUS_LABELS else status


class DueReason(StrEnum):
    """Why a due date is not simply "checkout day + loan days". The loan stores the code and
    its parameter (``"card:2026-04-05"``), never a sentence: every reader gets the reason in
    her own language when it is shown (``due_reason_text``)."""

    booking = "booking"  # cut short: the copy is reserved for a period afterwards
    card = "card"  # cut short: the borrower's card runs out
    booking_end = "booking_end"  # collected from her booking: due at its end
    closure = "closure"  # moved by a closure entered later (parameter: its label)


@dataclass(frozen=True)
class DueDate:
    """A due date and, when it is not simply "checkout day + loan days", why: a stored reason
    (``due_reason``) that the desk, the receipt, the API and Mein Konto render in the
    reader's language with ``due_reason_text``."""

    on: date
    reason: str = ""


def stored_reason(code: DueReason, value: date | str) -> str:
    param = value.isoformat() if isinstance(value, date) else value
    return f"{code.value}:{param}"


def booking_reason(due: date) -> str:
    return stored_reason(DueReason.booking, due)


def card_reason(expires_on: date) -> str:
    return stored_reason(DueReason.card, expires_on)


def closure_reason(label: str) -> str:
    return stored_reason(DueReason.closure, label)


def booking_end_reason(end: date) -> str:
    return stored_reason(DueReason.booking_end, end)


def parse_reason(stored: str) -> tuple[DueReason | None, str]:
    """(code, parameter) of a stored reason; (None, text) for a sentence stored before reasons
    were codes (shown as it is)."""
    head, sep, param = stored.partition(":")
    if sep and head in DueReason.__members__:
        return DueReason(head), param
    return None, stored


def due_reason_code(stored: str) -> str:
    """The code alone (for the API): "" without a reason, "other" for an old sentence."""
    if not stored:
        return ""
    code, _param = parse_reason(stored)
    return code.value if code else "other"


def _reason_day(param: str) -> str:
    try:
        return format_day(date.fromisoformat(param))
    except ValueError:
        return param


def due_reason_text(stored: str | None, *, short: bool = False) -> str:
    """The stored reason of a due date as a sentence in the language of the moment.
    ``short``: without the lead "Kürzere Leihfrist:" (inside a refused renewal)."""
    if not stored:
        return ""
    code, param = parse_reason(stored)
    values = {"day": _reason_day(param), "label": param}
    if code is DueReason.booking and short:
        return (
            _(
                "Dieses Exemplar ist danach für einen Zeitraum reserviert "
                "und muss bis %(day)s zurück."
            )
            % values
        )
    if code is DueReason.booking:
        return (
            _(
                "Kürzere Leihfrist: Dieses Exemplar ist danach für einen Zeitraum reserviert "
                "und muss bis %(day)s zurück."
            )
            % values
        )
    if code is DueReason.card and short:
        return (
            _("Der Ausweis läuft am %(day)s ab. Bitte lassen Sie ihn an der Theke verlängern.")
            % values
        )
    if code is DueReason.card:
        return (
            _(
                "Kürzere Leihfrist: Der Ausweis läuft am %(day)s ab. "
                "Bitte lassen Sie ihn an der Theke verlängern."
            )
            % values
        )
    if code is DueReason.booking_end:
        return _("Bis zum Ende Ihrer Reservierung (%(day)s).") % values
    if code is DueReason.closure:
        return _("Verschoben auf den nächsten Öffnungstag (geschlossen: %(label)s).") % values
    return param


def _capped(
    calendar: Calendar, due: DueDate, latest: date | None, card_expires: date | None
) -> DueDate:
    """The due date no later than the day before a coming booking of the copy and no later
    than the last opening day of the borrower's card; the tighter limit gives the reason."""
    limits: list[tuple[date, str]] = []
    if latest is not None:
        last = calendar.previous_opening_day(latest)
        limits.append((last, booking_reason(last)))
    if card_expires is not None:
        limits.append((calendar.previous_opening_day(card_expires), card_reason(card_expires)))
    for limit, why in sorted(limits):
        if due.on > limit:
            return DueDate(limit, why)
    return due


def due_date(
    calendar: Calendar,
    today: date,
    loan_days: int,
    latest: date | None,
    booking_end: date | None,
    card_expires: date | None = None,
) -> DueDate:
    """Checkout day + loan days on the next opening day; a loan collected from a booking runs
    to the booking's end; a coming booking of the copy and the end of the borrower's card cut
    the loan short, and the due date says why."""
    if booking_end is not None:
        due = DueDate(booking_end, booking_end_reason(booking_end))
    else:
        due = DueDate(calendar.due_date(today, loan_days))
    # A card already run out is lent to only by a staff override: that loan runs its course.
    card = card_expires if card_expires is not None and card_expires >= today else None
    due = _capped(calendar, due, latest, card)
    if due.on < today:
        if latest is not None and due.on == calendar.previous_opening_day(latest):
            raise CopySetAside(
                _(
                    "Dieses Exemplar ist bald für einen Zeitraum reserviert "
                    "und kann jetzt nicht ausgeliehen werden."
                )
            )
        # The card runs out today and the desk is open on a closed day: due today.
        due = DueDate(today, due.reason)
    return due


class RenewalNeedsReason(RenewalRefused):
    """Staff may renew anyway, giving a reason that goes to the audit log."""

    code = "renewal_needs_reason"
    overridable = True


# From this reminder level on a loan is not renewed online (the checkout block starts here too).
NO_ONLINE_RENEWAL_LEVEL = 2


def renewal_due_date(
    calendar: Calendar,
    *,
    today: date,
    current_due: date,
    renewals: int,
    max_renewals: int,
    loan_days: int,
    others_waiting: bool,
    latest: date | None,
    level: int = 0,
    online: bool = False,
    override: bool = False,
    card_expires: date | None = None,
) -> DueDate:
    """The new due date of a renewal, or RenewalRefused with the reason (a refused renewal is
    not counted). The new period counts from the current due date (the usual library default:
    renewing early gains nothing and loses nothing) and ends on an opening day."""
    if renewals >= max_renewals:
        if max_renewals == 0:
            raise RenewalRefused(_("Dieses Medium kann nicht verlängert werden."))
        if max_renewals == 1:
            raise RenewalRefused(_("Schon einmal verlängert – öfter geht es nicht."))
        raise RenewalRefused(
            _("Schon %(num)s-mal verlängert – öfter geht es nicht.") % {"num": max_renewals}
        )
    if others_waiting:
        raise RenewalRefused(_("Andere warten auf diesen Titel. Bitte bringen Sie ihn zurück."))
    if level >= NO_ONLINE_RENEWAL_LEVEL:
        if online:
            raise RenewalRefused(
                _(
                    "Dieses Medium ist lange überfällig (%(level)s. Mahnung). Online verlängern "
                    "geht nicht mehr. Bitte bringen Sie es zurück oder sprechen Sie mit uns."
                )
                % {"level": level}
            )
        if not override:
            raise RenewalNeedsReason(
                _(
                    "Lange überfällig (%(level)s. Mahnung): Verlängern nur mit Begründung "
                    "(wird protokolliert)."
                )
                % {"level": level}
            )
    due = _capped(
        calendar, DueDate(calendar.due_date(current_due, loan_days)), latest, card_expires
    )
    if due.on <= current_due:
        why = due_reason_text(due.reason, short=True)
        text = _("Eine Verlängerung würde das Rückgabedatum nicht verschieben.")
        raise RenewalRefused(f"{text} {why}".strip())
    if due.on < today:
        raise RenewalRefused(
            _(
                "Auch verlängert wäre das Medium überfällig (neues Rückgabedatum %(day)s). "
                "Bitte bringen Sie es zurück."
            )
            % {"day": format_day(due.on)}
        )
    return due


# The teacher hears of her card's end this many days ahead (DESIGN §3: due dates stop there).
CARD_EXPIRY_NOTICE_DAYS = 14


def card_expiry_window(today: date) -> tuple[date, date]:
    """Cards expiring within these days (inclusive) get their notice today. A window, not one
    day, so a run missed while the server was down is made up; the notice's key (the card's
    expiry date) keeps it to one per expiry date."""
    return today, today + timedelta(days=CARD_EXPIRY_NOTICE_DAYS)
