"""Pure rules of reminders and delivery: plain values in, decisions out."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from mediathek.i18n import _
from mediathek.notifications.tables import NotificationKind
from mediathek.opening_calendar import Calendar

DUE_SOON = 0  # the "level" of a due-soon item; 1–3 are overdue levels
MAX_LEVEL = 3
MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(minutes=5)
LONGEST_RETRY = timedelta(hours=12)


@dataclass(frozen=True)
class OpenLoan:
    loan_id: int
    patron_id: int
    due_on: date
    reminder_level: int  # highest overdue level already reached (0 = none)
    # Stages (0 due soon, 1–3 overdue levels) the patron was told for this due date, by any
    # notice: a due-soon item inside an overdue digest is told as much as in its own notice.
    told: frozenset[int] = frozenset()


def overdue_level(due_on: date, today: date, level_days: Sequence[int]) -> int:
    """The overdue level a loan has reached today (0 = not overdue enough for a reminder)."""
    late = (today - due_on).days
    return sum(1 for days in level_days[:MAX_LEVEL] if late >= days)


def item_stage(
    loan: OpenLoan, today: date, due_soon_days: int, level_days: Sequence[int]
) -> int | None:
    """The stage a loan enters today, or None when it needs no notice today.

    Overdue levels rise one way: a level already reached or told is not sent again, and a
    missed run (server down for days) jumps straight to the highest level reached. A due-soon
    notice goes out once per due date, on the first run inside the window.
    """
    level = overdue_level(loan.due_on, today, level_days)
    reached = max(loan.reminder_level, max(loan.told, default=DUE_SOON))
    if level > reached:
        return level
    days_left = (loan.due_on - today).days
    if (
        level == 0
        and reached == 0
        and 0 <= days_left <= due_soon_days
        and DUE_SOON not in loan.told
    ):
        return DUE_SOON
    return None


def digest_kind(levels: Iterable[int]) -> tuple[NotificationKind, int]:
    """One digest per patron: an overdue reminder at its highest level, else a due-soon notice."""
    highest = max(levels, default=0)
    if highest > 0:
        return NotificationKind.overdue, highest
    return NotificationKind.due_soon, 0


def plan_digests(
    loans: Iterable[OpenLoan], today: date, due_soon_days: int, level_days: Sequence[int]
) -> dict[int, list[tuple[OpenLoan, int]]]:
    """patron id → [(loan, stage)] for every loan that enters a stage today."""
    plan: dict[int, list[tuple[OpenLoan, int]]] = {}
    for loan in loans:
        stage = item_stage(loan, today, due_soon_days, level_days)
        if stage is not None:
            plan.setdefault(loan.patron_id, []).append((loan, stage))
    return plan


def check_reminder_settings(due_soon: str, levels: Sequence[str]) -> tuple[int, list[int]]:
    """Parse the admin form; raises ValueError with a German message per field."""
    errors: dict[str, str] = {}
    days = _int_or_none(due_soon)
    if days is None or not 0 <= days <= 30:
        errors["due_soon_days"] = _("Bitte eine Zahl von 0 bis 30 eingeben.")
    parsed = [_int_or_none(v) for v in levels]
    numbers = [v for v in parsed if v is not None and 1 <= v <= 365]
    if len(parsed) != MAX_LEVEL or len(numbers) != len(parsed):
        errors["overdue_level_days"] = _(
            "Bitte für jede Mahnstufe eine Zahl von 1 bis 365 eingeben."
        )
    elif any(b <= a for a, b in zip(numbers, numbers[1:], strict=False)):
        errors["overdue_level_days"] = _("Jede Mahnstufe muss später kommen als die vorige.")
    if errors or days is None:
        raise ReminderSettingsInvalid(errors)
    return days, numbers


class ReminderSettingsInvalid(ValueError):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def _int_or_none(value: str) -> int | None:
    try:
        return int(str(value).strip())
    except ValueError:
        return None


def reminder_day(calendar: Calendar, pickup_on: date) -> date:
    """The day of a booking's pickup reminder: the last opening day before the pickup day
    (for a Monday pickup the Friday before, or earlier when that Friday is closed)."""
    return calendar.previous_opening_day(pickup_on - timedelta(days=1))


def last_pickup_day_to_remind(calendar: Calendar, today: date) -> date:
    """Bookings that start after ``today`` and up to this day get their reminder today: no
    opening day lies between today and their pickup day, so today is their reminder day, or
    it was missed (server down) and the pickup is still ahead. This is the first opening day
    after today."""
    return calendar.next_opening_day(today + timedelta(days=1))


def pickup_groups(
    bookings: Iterable[dict[str, Any]],
) -> dict[tuple[int, date], list[dict[str, Any]]]:
    """Bookings by (borrower, pickup day), in the order given: one reminder per group."""
    groups: dict[tuple[int, date], list[dict[str, Any]]] = {}
    for booking in bookings:
        groups.setdefault((booking["patron"], booking["start_on"]), []).append(booking)
    return groups


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff after the n-th failed attempt: 5 min, 10, 20 … at most 12 hours."""
    return min(FIRST_RETRY * (1 << max(attempts - 1, 0)), LONGEST_RETRY)


def is_permanent_smtp_failure(code: int | None) -> bool:
    """5xx means the server refuses for good (unknown address, rejected sender); 4xx and
    connection trouble are worth another try."""
    return code is not None and 500 <= code < 600


def gives_up(attempts: int) -> bool:
    return attempts >= MAX_ATTEMPTS
