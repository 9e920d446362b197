"""A teacher's own loans: the list in Mein Konto, its summary line, renewing all at once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from babel.dates import format_skeleton

from mediathek import i18n
from mediathek.circulation import policy, services
from mediathek.circulation.tables import Loan
from mediathek.i18n import _, ngettext
from mediathek.loan_rules import loan_rule
from mediathek.site_settings import get_setting


@dataclass(frozen=True)
class RenewOutcome:
    """What "Alle verlängern" did with one loan, in words for the teacher."""

    loan_id: int
    title: str
    renewed: bool
    message: str


async def my_loans(patron_id: int, today: date) -> list[dict]:
    """Open loans of one patron with overdue days, "due today/soon" and renewals left.

    Ordered by checkout (then id), which a renewal never changes: the row she just renewed
    stays where it was, and a second tap hits the item she aimed at."""
    rows = await (
        Loan.select(
            Loan.id,
            Loan.due_on,
            Loan.due_reason,
            Loan.loaned_on,
            Loan.renewals,
            Loan.reminder_level,
            Loan.patron_category,
            Loan.media_type,
            Loan.copy.barcode.as_alias("barcode"),
            Loan.title.title.as_alias("title_name"),
            Loan.title.id.as_alias("title_id"),
        )
        .where(Loan.patron == patron_id, Loan.returned_at.is_null())
        .order_by(Loan.loaned_on)
        .order_by(Loan.id)
    )
    soon = int(await get_setting("due_soon_days"))
    level_days = []
    if any(r["due_on"] < today for r in rows):
        level_days = list(await get_setting("overdue_level_days"))
    # A patron has one category and borrows a few media types: a handful of rule look-ups.
    max_renewals: dict[tuple[str, str], int] = {}
    for r in rows:
        key = (r["patron_category"], r["media_type"])
        if key not in max_renewals:
            max_renewals[key] = (await loan_rule(*key)).max_renewals
        days_left = (r["due_on"] - today).days
        r["overdue_days"] = max(0, -days_left)
        r["due_today"] = days_left == 0
        r["due_soon"] = 0 < days_left <= soon
        r["renewals_left"] = max(0, max_renewals[key] - r["renewals"])
        level = policy.overdue_level(r["due_on"], today, level_days, r["reminder_level"])
        # From the second reminder on she brings it back (or asks at the desk).
        r["renew_online"] = level < policy.NO_ONLINE_RENEWAL_LEVEL
    return rows


def account_summary(loans: list[dict], holds_ready: int, bookings_ready: int, today: date) -> str:
    """One line for the top of Mein Konto, e.g.
    "3 ausgeliehen, nächste Rückgabe 07.12., 1 Vormerkung abholbereit"."""
    parts = []
    if loans:
        parts.append(_("%(num)s ausgeliehen") % {"num": len(loans)})
        overdue = sum(1 for ln in loans if ln["due_on"] < today)
        if overdue:
            parts.append(_("%(num)s überfällig") % {"num": overdue})
        upcoming = [ln["due_on"] for ln in loans if ln["due_on"] >= today]
        if upcoming:
            first = min(upcoming)
            parts.append(
                _("nächste Rückgabe heute")
                if first == today
                else _("nächste Rückgabe %(date)s") % {"date": _short_day(first, today)}
            )
    else:
        parts.append(_("nichts ausgeliehen"))
    if holds_ready:
        parts.append(
            ngettext(
                "%(num)s Vormerkung abholbereit", "%(num)s Vormerkungen abholbereit", holds_ready
            )
            % {"num": holds_ready}
        )
    if bookings_ready:
        parts.append(
            ngettext(
                "%(num)s Reservierung abholbereit",
                "%(num)s Reservierungen abholbereit",
                bookings_ready,
            )
            % {"num": bookings_ready}
        )
    return _(", ").join(parts)


def _short_day(day: date, today: date) -> str:
    """ "07.12." this year, "07.12.2027" later (German); the locale's own forms else."""
    if i18n.current() == i18n.SOURCE:
        return f"{day:%d.%m.}" + ("" if day.year == today.year else f"{day:%Y}")
    if day.year == today.year:
        return format_skeleton("MMMd", day, locale=i18n.babel_locale())
    return i18n.format_day(day)


async def renew_all(patron_id: int, today: date) -> list[RenewOutcome]:
    """Renew every open loan of the patron, one by one, and say for each what happened.

    Each renewal is its own transaction with its own rules (others waiting, a booking, the
    maximum): one refusal must not undo the others."""
    outcomes = []
    for loan in await my_loans(patron_id, today):
        try:
            done = await services.renew(loan["id"], today=today, by_patron_id=patron_id)
        except policy.RenewalRefused as exc:
            outcomes.append(RenewOutcome(loan["id"], loan["title_name"], False, exc.message))
            continue
        outcomes.append(
            RenewOutcome(
                loan["id"],
                done.title,
                True,
                _("verlängert bis %(date)s") % {"date": i18n.format_day(done.due_on)},
            )
        )
    return outcomes
