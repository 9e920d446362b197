"""Pure rules for holds and bookings: plain values in, decisions out (no database here).

Date ranges are inclusive on both ends and counted in calendar days (``date`` objects), so the
change to and from daylight saving time cannot shift a range: there are no clocks in them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mediathek.opening_calendar import Calendar

from babel.dates import format_date

from mediathek import i18n
from mediathek.i18n import _

# How far ahead the booking form looks for the next free range.
SEARCH_HORIZON_DAYS = 365


@dataclass(frozen=True)
class Span:
    """An inclusive range of days."""

    start: date
    end: date

    def overlaps(self, other: Span) -> bool:
        return self.start <= other.end and other.start <= self.end

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@dataclass(frozen=True)
class CopyPlan:
    """What is already planned for one copy: its bookings and the due date of its open loan."""

    copy_id: int
    bookings: tuple[Span, ...] = ()
    loan_due_on: date | None = None


# ---- holds ---------------------------------------------------------------------------------


def queue_position(queue: Sequence[int], hold_id: int) -> int:
    """1-based place of ``hold_id`` in a queue ordered first come first served."""
    return list(queue).index(hold_id) + 1


def patron_refusal(
    *, status: str, blocked_reason: str, expires_on: date | None, today: date
) -> str | None:
    """Why this patron may not reserve anything right now (German), or None."""
    if status == "pending":
        return _("Ihre Anmeldung wurde noch nicht freigeschaltet.")
    if status != "active":
        return _("Ihr Konto ist nicht aktiv. Bitte sprechen Sie uns an.")
    if blocked_reason:
        return _("Ihr Konto ist gesperrt. Bitte sprechen Sie uns an.")
    if expires_on is not None and expires_on < today:
        return _("Ihre Anmeldung ist abgelaufen. Bitte verlängern Sie sie an der Theke.")
    return None


def hold_refusal(
    *, active_holds: int, max_holds: int, holds_this_title: bool, has_it_on_loan: bool = False
) -> str | None:
    if has_it_on_loan:
        return _("Sie haben diesen Titel gerade ausgeliehen.")
    if holds_this_title:
        return _("Sie haben diesen Titel schon vorgemerkt.")
    if active_holds >= max_holds:
        return _(
            "Sie haben schon %(active)s Vormerkungen – mehr als %(max)s sind nicht möglich."
        ) % {"active": active_holds, "max": max_holds}
    return None


# ---- bookings ------------------------------------------------------------------------------


def longest_booking(setting: int, loan_days: int) -> int:
    """Days a booking may span: the admin's maximum, or (setting 0) the rule's loan period."""
    return setting if setting > 0 else loan_days


def booking_range_errors(start: date, end: date, today: date, max_days: int) -> dict[str, str]:
    """Field → German message for a requested range; empty when the range is acceptable."""
    errors: dict[str, str] = {}
    if start <= today:
        errors["start_on"] = _("Der erste Tag muss in der Zukunft liegen (frühestens morgen).")
    if end < start:
        errors["end_on"] = _("Der letzte Tag darf nicht vor dem ersten Tag liegen.")
    elif Span(start, end).days > max_days:
        errors["end_on"] = _("Sie können höchstens %(num)s Tage am Stück reservieren.") % {
            "num": max_days
        }
    return errors


SHORT_WEEKDAYS = ("Mo", "Di", "Mi", "Do", "Fr", "Sa", "So")


def short_day(day: date) -> str:
    """ "Mo 07.12." – how the booking box names a day (in the reader's language)."""
    if i18n.current() != i18n.SOURCE:
        return format_date(day, format="EEE d MMM", locale=i18n.babel_locale())
    return f"{SHORT_WEEKDAYS[day.weekday()]} {day:%d.%m.}"


def pickup_return_text(start: date, end: date) -> str:
    """The booking in the words of what she does: "Abholen ab Mo 07.12., zurückbringen bis
    Fr 11.12." (the first day is the pickup day, the last the return day)."""
    return _("Abholen ab %(start)s, zurückbringen bis %(end)s") % {
        "start": short_day(start),
        "end": short_day(end),
    }


def nearest_opening_days(calendar: Calendar, day: date, today: date) -> list[date]:
    """The opening days either side of a closed ``day`` (the earlier one only if it is after
    today: a booking starts tomorrow at the earliest)."""
    after = calendar.next_opening_day(day)
    before = calendar.previous_opening_day(day)
    return [before, after] if before > today else [after]


def closed_day_errors(calendar: Calendar, start: date, end: date, today: date) -> dict[str, str]:
    """Field → German message when the pickup day (first) or return day (last) of a booking
    is not an opening day, naming the opening days nearest to it."""
    errors: dict[str, str] = {}
    for name, day in (("start_on", start), ("end_on", end)):
        why = calendar.closed_reason(day)
        if why is None or day <= today:
            continue
        near = _(" oder ").join(short_day(d) for d in nearest_opening_days(calendar, day, today))
        values = {"day": short_day(day), "why": why, "near": near}
        errors[name] = (
            _(
                "Am %(day)s ist die Mediathek geschlossen (%(why)s). Der Abholtag muss ein "
                "Öffnungstag sein, zum Beispiel %(near)s"
            )
            if name == "start_on"
            else _(
                "Am %(day)s ist die Mediathek geschlossen (%(why)s). Der Rückgabetag muss ein "
                "Öffnungstag sein, zum Beispiel %(near)s"
            )
        ) % values
    return errors


def blocked_spans(plan: CopyPlan, buffer_days: int, today: date) -> list[Span]:
    """Days on which the copy cannot start or run a new booking.

    Every booking is widened by the buffer on both sides (a day to return, check and shelve it);
    an open loan blocks the copy from today until its due date plus the buffer – an overdue
    one at least until today plus the buffer, since nobody knows when it comes back.
    """
    pad = timedelta(days=buffer_days)
    spans = [Span(b.start - pad, b.end + pad) for b in plan.bookings]
    if plan.loan_due_on is not None:
        spans.append(Span(today, max(plan.loan_due_on, today) + pad))
    return spans


def copy_is_free(plan: CopyPlan, wanted: Span, buffer_days: int, today: date) -> bool:
    return not any(s.overlaps(wanted) for s in blocked_spans(plan, buffer_days, today))


def pick_copy(plans: Iterable[CopyPlan], wanted: Span, buffer_days: int, today: date) -> int | None:
    """The copy to assign: free over the whole range; among several, the one whose neighbouring
    bookings leave the least gap, so long free stretches stay free for long courses."""
    best: tuple[int, int] | None = None
    for plan in plans:
        spans = blocked_spans(plan, buffer_days, today)
        if any(s.overlaps(wanted) for s in spans):
            continue
        before = [wanted.start - s.end for s in spans if s.end < wanted.start]
        after = [s.start - wanted.end for s in spans if s.start > wanted.end]
        gap = (
            min(before, default=timedelta(days=SEARCH_HORIZON_DAYS)).days
            + min(after, default=timedelta(days=SEARCH_HORIZON_DAYS)).days
        )
        if best is None or gap < best[0]:
            best = (gap, plan.copy_id)
    return best[1] if best else None


def next_free_range(
    plans: Sequence[CopyPlan],
    wanted: Span,
    buffer_days: int,
    today: date,
    is_open: Callable[[date], bool] | None = None,
    copies: int = 1,
) -> Span | None:
    """The earliest range of the same length, starting after ``wanted.start``, that some copy
    (or ``copies`` copies, for a basket that wants several) can serve – the helpful answer
    when the wanted range is taken. With ``is_open`` both its first day (pickup) and its last
    day (return) are opening days."""
    length = timedelta(days=wanted.days - 1)
    spans = [blocked_spans(p, buffer_days, today) for p in plans]
    # A free range can only start the day after something ends; try those days in order
    # (and, when the calendar says that day is closed, the days after it within a week).
    candidates = sorted(
        {wanted.start + timedelta(days=1)}
        | {s.end + timedelta(days=1) for copy_spans in spans for s in copy_spans}
    )
    limit = wanted.start + timedelta(days=SEARCH_HORIZON_DAYS)
    tried: set[date] = set()
    for first in candidates:
        for shift in range(1 if is_open is None else 8):
            start = first + timedelta(days=shift)
            if start <= wanted.start or start > limit or start in tried:
                continue
            tried.add(start)
            candidate = Span(start, start + length)
            if is_open is not None and not (is_open(candidate.start) and is_open(candidate.end)):
                continue
            free = sum(not any(s.overlaps(candidate) for s in cs) for cs in spans)
            if free >= copies:
                return candidate
    return None


def availability(
    plans: Sequence[CopyPlan], first_day: date, days: int, buffer_days: int, today: date
) -> list[tuple[date, int]]:
    """Copies free per day: a copy counts on a day when a one-day booking of it would succeed.

    Counting runs over a difference array of merged blocked spans per copy, so the cost is
    bookings + copies + days, not copies × days.
    """
    diff = [0] * (days + 1)
    window = Span(first_day, first_day + timedelta(days=days - 1))
    for plan in plans:
        clipped = sorted(
            (max(s.start, window.start), min(s.end, window.end))
            for s in blocked_spans(plan, buffer_days, today)
            if s.overlaps(window)
        )
        merged: list[list[date]] = []
        for start, end in clipped:
            if merged and start <= merged[-1][1] + timedelta(days=1):
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        for start, end in merged:
            diff[(start - first_day).days] += 1
            diff[(end - first_day).days + 1] -= 1
    result, blocked = [], 0
    for i in range(days):
        blocked += diff[i]
        result.append((first_day + timedelta(days=i), len(plans) - blocked))
    return result


def latest_due_date(bookings: Iterable[Span], from_day: date, buffer_days: int) -> date | None:
    """The last day a loan starting ``from_day`` may run: the day before the buffer in front of
    the next booking of the copy. None when no booking constrains it. (A result before
    ``from_day`` means the copy must not be lent at all.)"""
    starts = [b.start for b in bookings if b.end >= from_day]
    if not starts:
        return None
    return min(starts) - timedelta(days=buffer_days + 1)


@dataclass(frozen=True)
class CalendarDay:
    """One day of the availability calendar as the teacher reads it."""

    day: date
    free: int
    state: str  # past, closed, free (every copy), partly (some), none
    label: str  # what a screen reader says, e.g. "Mo 07.12.: 2 von 3 frei"
    closed_reason: str | None = None

    @property
    def pickable(self) -> bool:
        """A day she can choose as pickup or return day: open, in the future, a copy free."""
        return self.state in ("free", "partly")


def calendar_days(
    days: Sequence[tuple[date, int]], total: int, calendar: Calendar, today: date
) -> list[CalendarDay]:
    """Copies free per day → what the calendar shows: closed days (the reason), days where
    every copy, some copies or none is free."""
    out = []
    for day, free in days:
        # "<day>: <state>": the day picker speaks the part before the colon.
        name = short_day(day)
        why = calendar.closed_reason(day)
        if day <= today:
            out.append(CalendarDay(day, free, "past", _("%(day)s: vorbei") % {"day": name}))
        elif why is not None:
            label = _("%(day)s: geschlossen (%(why)s)") % {"day": name, "why": why}
            out.append(CalendarDay(day, free, "closed", label, why))
        elif free <= 0:
            out.append(CalendarDay(day, 0, "none", _("%(day)s: belegt") % {"day": name}))
        elif free >= total:
            label = _("%(day)s: alle %(num)s frei") % {"day": name, "num": free}
            out.append(CalendarDay(day, free, "free", label))
        else:
            label = _("%(day)s: %(num)s von %(total)s frei") % {
                "day": name,
                "num": free,
                "total": total,
            }
            out.append(CalendarDay(day, free, "partly", label))
    return out


# ---- the Merkliste (basket) and sets -------------------------------------------------------

# More copies of one title than this on one list is a typing slip, not a course.
MAX_QUANTITY = 99


def quantity_error(title: str, quantity: int, copies: int) -> str | None:
    """Why ``quantity`` copies of a title cannot be wanted at all (German), or None."""
    if quantity < 1 or quantity > MAX_QUANTITY:
        return _("Bitte eine Anzahl von 1 bis %(max)s angeben.") % {"max": MAX_QUANTITY}
    if copies == 0:
        return _("Von „%(title)s“ gibt es kein Exemplar zum Ausleihen.") % {"title": title}
    if quantity > copies:
        return _(
            "Von „%(title)s“ gibt es nur %(copies)s Exemplare – %(wanted)s sind nicht möglich."
        ) % {"title": title, "copies": copies, "wanted": quantity}
    return None


def far_ahead_errors(start: date, end: date, today: date) -> dict[str, str]:
    """Field → German message for a day more than a year ahead (bookings are planned for the
    coming year; the search for free ranges looks no further)."""
    limit = today + timedelta(days=SEARCH_HORIZON_DAYS)
    message = _("Reservierungen sind höchstens ein Jahr im Voraus möglich (bis %(day)s).") % {
        "day": i18n.format_day(limit)
    }
    return {name: message for name, day in (("start_on", start), ("end_on", end)) if day > limit}


def pick_copies(
    plans: Sequence[CopyPlan], wanted: Span, count: int, buffer_days: int, today: date
) -> list[int]:
    """Up to ``count`` different copies free over the range, chosen one after the other by
    ``pick_copy`` (each pick sees the ones before as booked)."""
    remaining = {p.copy_id: p for p in plans}
    chosen: list[int] = []
    while len(chosen) < count:
        copy_id = pick_copy(remaining.values(), wanted, buffer_days, today)
        if copy_id is None:
            break
        chosen.append(copy_id)
        del remaining[copy_id]
    return chosen


@dataclass(frozen=True)
class TitleFacts:
    """What the catalogue says about a title, as far as choosing a stand-in goes."""

    id: int
    media_type: str
    series: str
    topics: frozenset[str]


def alternative_rank(wanted: TitleFacts, other: TitleFacts) -> tuple[int, int] | None:
    """How well ``other`` stands in for ``wanted`` (higher is better), or None when it does
    not: a title of the same series comes first; otherwise one of the same media type that
    shares at least one topic, the more shared topics the better."""
    if other.id == wanted.id:
        return None
    same_series = bool(wanted.series) and other.series.casefold() == wanted.series.casefold()
    shared = len(wanted.topics & other.topics)
    if same_series:
        return (1, shared)
    if other.media_type == wanted.media_type and shared > 0:
        return (0, shared)
    return None
