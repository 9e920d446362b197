"""The opening calendar: opening weekdays, NRW public holidays and staff-entered closures.

``Calendar`` is a pure value (testable without a database); ``load_calendar`` builds it from
the tables. Due dates and pickup deadlines move forward to the next opening day.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import date, timedelta

import holidays

from mediathek import i18n
from mediathek.circulation.tables import Closure, OpeningDay
from mediathek.db import write_transaction
from mediathek.errors import InvalidInput
from mediathek.i18n import N_, _

# Monday–Friday open unless an admin says otherwise.
DEFAULT_OPEN_WEEKDAYS = frozenset({0, 1, 2, 3, 4})
HOLIDAY_SUBDIVISION = "NW"
# A calendar with no opening day at all would loop for ever; a year is far beyond any rule.
MAX_SEARCH_DAYS = 366


# The languages the ``holidays`` package names German holidays in, by the site's code.
HOLIDAY_LANGUAGES = {"de": "de", "en": "en_US", "uk": "uk"}
# For the other languages the German names go through the catalogues (Arabic has them).
HOLIDAY_NAMES = (
    N_("Neujahr"),
    N_("Karfreitag"),
    N_("Ostermontag"),
    N_("Erster Mai"),
    N_("Christi Himmelfahrt"),
    N_("Pfingstmontag"),
    N_("Fronleichnam"),
    N_("Tag der Deutschen Einheit"),
    N_("Reformationstag"),
    N_("Allerheiligen"),
    N_("Erster Weihnachtstag"),
    N_("Zweiter Weihnachtstag"),
)


@functools.lru_cache(maxsize=8)
def _holidays(year: int) -> dict[date, str]:
    # Building the holiday table costs milliseconds; every due date needs it.
    return dict(holidays.Germany(subdiv=HOLIDAY_SUBDIVISION, years=year, language="de"))


@functools.lru_cache(maxsize=32)
def _holiday_names(year: int, language: str) -> dict[date, str]:
    """The holidays of a year named in ``language``: the package's own names where it has the
    language, else the German names through the catalogue (German where that has none)."""
    if language in HOLIDAY_LANGUAGES:
        return dict(
            holidays.Germany(
                subdiv=HOLIDAY_SUBDIVISION, years=year, language=HOLIDAY_LANGUAGES[language]
            )
        )
    catalogue = i18n.translations(language)
    return {day: catalogue.gettext(name) for day, name in _holidays(year).items()}


@dataclass(frozen=True)
class Closed:
    start_on: date
    end_on: date
    label: str


@dataclass(frozen=True)
class Calendar:
    open_weekdays: frozenset[int] = DEFAULT_OPEN_WEEKDAYS
    closures: tuple[Closed, ...] = ()
    hours: dict[int, str] = field(default_factory=dict, compare=False, hash=False)

    def holiday_name(self, day: date) -> str | None:
        """The holiday's name in the reader's language (None on a working day)."""
        if day not in _holidays(day.year):
            return None
        return _holiday_names(day.year, i18n.current()).get(day)

    def closure_label(self, day: date) -> str | None:
        for c in self.closures:
            if c.start_on <= day <= c.end_on:
                return c.label
        return None

    def closed_reason(self, day: date) -> str | None:
        """Why the Mediathek is closed that day (in the reader's language; a closure's label
        as staff wrote it), or None when it is open."""
        if day.weekday() not in self.open_weekdays:
            return _("kein Öffnungstag")
        return self.holiday_name(day) or self.closure_label(day)

    def is_open(self, day: date) -> bool:
        # Asked for every day a date rule passes: no names, no translations here.
        return (
            day.weekday() in self.open_weekdays
            and day not in _holidays(day.year)
            and self.closure_label(day) is None
        )

    def next_opening_day(self, day: date) -> date:
        """``day`` itself if open, else the first opening day after it."""
        for offset in range(MAX_SEARCH_DAYS):
            candidate = day + timedelta(days=offset)
            if self.is_open(candidate):
                return candidate
        raise ValueError("Der Kalender hat kein Öffnungstag im nächsten Jahr.")

    def previous_opening_day(self, day: date) -> date:
        for offset in range(MAX_SEARCH_DAYS):
            candidate = day - timedelta(days=offset)
            if self.is_open(candidate):
                return candidate
        raise ValueError("Der Kalender hat kein Öffnungstag im letzten Jahr.")

    def add_opening_days(self, day: date, n: int) -> date:
        """The n-th opening day after ``day`` (n ≥ 1); e.g. a pickup deadline."""
        current, counted = day, 0
        for _step in range(MAX_SEARCH_DAYS * 2):
            current += timedelta(days=1)
            if self.is_open(current):
                counted += 1
                if counted >= n:
                    return current
        raise ValueError("Der Kalender hat zu wenige Öffnungstage.")

    def due_date(self, checkout_day: date, loan_days: int) -> date:
        """Checkout day + loan days, moved forward to the next opening day."""
        return self.next_opening_day(checkout_day + timedelta(days=loan_days))


@dataclass(frozen=True)
class Moved:
    """A date a closure pushed to the next opening day: a loan's due date, a hold's pickup
    deadline or a booking's first day."""

    patron_id: int | None
    what: str  # "due_on", "pickup_until", "booking_start"
    title: str
    old: date
    new: date


def moved_day(calendar: Calendar, day: date) -> date | None:
    """Where a date falls now that the calendar changed: the next opening day when ``day``
    is closed, else None (it stays)."""
    return None if calendar.is_open(day) else calendar.next_opening_day(day)


async def load_calendar(today: date | None = None) -> Calendar:
    """The calendar from the tables; closures that ended before ``today`` are left out."""
    # One query for both tables: every checkout and renewal reads the calendar.
    since = today - timedelta(days=60) if today is not None else date.min
    rows = await OpeningDay.raw(
        "SELECT 'd' AS kind, weekday, is_open, hours AS text, NULL AS start_on, NULL AS end_on "
        "FROM opening_day UNION ALL "
        "SELECT 'c', 0, {}, label, start_on, end_on FROM closure WHERE end_on >= {} "
        "ORDER BY kind, start_on",
        False,
        since,
    )
    days = [r for r in rows if r["kind"] == "d"]
    open_weekdays = (
        frozenset(d["weekday"] for d in days if d["is_open"]) if days else DEFAULT_OPEN_WEEKDAYS
    )
    closures = tuple(
        Closed(_day(r["start_on"]), _day(r["end_on"]), r["text"]) for r in rows if r["kind"] == "c"
    )
    return Calendar(open_weekdays, closures, {d["weekday"]: d["text"] for d in days})


def _day(value: date | str) -> date:
    # SQLite names a column of a UNION by its first SELECT, where these are NULL: text here.
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


async def save_opening_days(days: dict[int, tuple[bool, str]]) -> None:
    """weekday → (open, hours); all seven days are written."""
    if not any(is_open for is_open, _ in days.values()):
        # Due dates and pickup deadlines move to the next opening day: there must be one.
        raise InvalidInput(errors={"weekdays": _("Mindestens ein Tag muss ein Öffnungstag sein.")})
    async with write_transaction():
        await OpeningDay.delete(force=True)
        await OpeningDay.insert(
            *[OpeningDay(weekday=d, is_open=o, hours=h[:100]) for d, (o, h) in sorted(days.items())]
        )


async def add_closure(start_on: date, end_on: date, label: str) -> int:
    """Store a closure (validated); returns its id. ``closures.close`` also moves the dates
    that fall inside it."""
    errors = {}
    if end_on < start_on:
        errors["end_on"] = _("Das Ende liegt vor dem Anfang.")
    elif (end_on - start_on).days > MAX_SEARCH_DAYS:
        errors["end_on"] = _("Eine Schließzeit darf höchstens ein Jahr dauern.")
    if not label.strip():
        errors["label"] = _("Bitte einen Grund angeben, z. B. „Sommerpause“.")
    if errors:
        raise InvalidInput(errors=errors)
    rows = await Closure.insert(
        Closure(start_on=start_on, end_on=end_on, label=label.strip()[:200])
    ).returning(Closure.id)
    return rows[0]["id"]


async def remove_closure(closure_id: int) -> None:
    await Closure.delete().where(Closure.id == closure_id)


def coming_closed_days(
    calendar: Calendar, today: date, days: int = 365
) -> list[tuple[date, date, str]]:
    """Holidays and closures from today on, as (first day, last day, why) ranges."""
    ranges: list[tuple[date, date, str]] = []
    for offset in range(days):
        day = today + timedelta(days=offset)
        if day.weekday() not in calendar.open_weekdays:
            continue
        reason = calendar.holiday_name(day) or calendar.closure_label(day)
        if reason is None:
            continue
        if ranges and ranges[-1][2] == reason and (day - ranges[-1][1]).days <= 3:
            ranges[-1] = (ranges[-1][0], day, reason)
        else:
            ranges.append((day, day, reason))
    return ranges
