"""Figures for the yearly report: loans, borrowers, reservations in a date range.

Every figure is counted from what a loan keeps after anonymisation (date, patron category,
media type, title), so anonymising changes none of them. The one exception is the number of
distinct borrowers: an anonymised loan no longer says whose it was. The anonymisation job
(``reports.privacy``) therefore notes, per calendar month, the ids of the patrons whose loans
it anonymises (no titles, no dates) before it unlinks them; the count here is the union of
those ids and the patrons still linked to loans. For ranges that start or end inside a month
the anonymised part is counted by whole months (said on the page).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from piccolo.query.functions.aggregate import Count

from mediathek import i18n
from mediathek.catalogue.tables import Title, TitleLanguage
from mediathek.circulation.tables import Loan
from mediathek.errors import InvalidInput
from mediathek.i18n import N_, _, pgettext
from mediathek.reservations.tables import Booking, BookingStatus, Hold, HoldStatus
from mediathek.site_settings import get_setting
from mediathek.vocab import (
    AGE_GROUP_LABELS,
    LANGUAGES,
    LEVEL_LABELS,
    MEDIA_TYPE_LABELS,
    PATRON_CATEGORY_LABELS,
    AgeGroup,
    Level,
    MediaType,
    PatronCategory,
    language_name,
    values_between,
)

# SiteSetting key under which the anonymisation job keeps {"YYYY-MM": [patron ids]}.
BORROWERS_KEY = "anonymised_borrowers"
MONTH_NAMES = [
    N_("Januar"),
    N_("Februar"),
    N_("März"),
    N_("April"),
    N_("Mai"),
    N_("Juni"),
    N_("Juli"),
    N_("August"),
    N_("September"),
    N_("Oktober"),
    N_("November"),
    N_("Dezember"),
]
NO_VALUE = N_("ohne Angabe")
TOP_TITLES = 20
MAX_RANGE_DAYS = 366 * 10


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    def label(self) -> str:
        if self.start == date(self.start.year, 1, 1) and self.end == date(self.start.year, 12, 31):
            return _("Jahr %(year)s") % {"year": self.start.year}
        return _("%(start)s bis %(end)s") % {
            "start": f"{self.start:%d.%m.%Y}",
            "end": f"{self.end:%d.%m.%Y}",
        }

    def months(self) -> list[tuple[int, int]]:
        months, y, m = [], self.start.year, self.start.month
        while (y, m) <= (self.end.year, self.end.month):
            months.append((y, m))
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return months


def parse_period(jahr: str | None, von: str | None, bis: str | None, today: date) -> Period:
    """A year (``jahr``) or a range (``von``/``bis``, ISO or TT.MM.JJJJ); default: this year."""
    errors: dict[str, str] = {}
    if von or bis:
        start, end = parse_day(von, "von", errors), parse_day(bis, "bis", errors)
        if not errors and start and end:
            if end < start:
                errors["bis"] = _("Das Ende liegt vor dem Anfang.")
            elif (end - start).days > MAX_RANGE_DAYS:
                errors["bis"] = _("Bitte wählen Sie höchstens zehn Jahre.")
        if errors:
            raise InvalidInput(errors=errors)
        return Period(start, end)  # type: ignore[arg-type]
    year = today.year
    if jahr:
        # isdigit() alone also admits "³" or "²⁰²⁶", which int() refuses.
        jahr = jahr.strip()
        if not (jahr.isascii() and jahr.isdigit()) or not 1900 <= int(jahr) <= 2999:
            raise InvalidInput(errors={"jahr": _("Bitte geben Sie ein Jahr wie 2026 an.")})
        year = int(jahr)
    return Period(date(year, 1, 1), date(year, 12, 31))


def parse_day(raw: str | None, name: str, errors: dict[str, str]) -> date | None:
    if not raw:
        errors[name] = _("Bitte geben Sie ein Datum an.")
        return None
    raw = raw.strip()
    try:
        if "." in raw:
            d, m, y = raw.split(".")
            return date(int(y), int(m), int(d))
        return date.fromisoformat(raw)
    except (ValueError, OverflowError):
        errors[name] = _("Bitte geben Sie das Datum als TT.MM.JJJJ an.")
        return None


@dataclass
class StatTable:
    """One statistics table: a key (for CSV/API), German headings and rows of (label, n…)."""

    key: str
    caption: str
    columns: list[str]
    rows: list[list] = field(default_factory=list)
    note: str = ""
    chart: bool = True

    def as_dict(self) -> dict:
        return {
            "key": self.key,
            "caption": self.caption,
            "columns": self.columns,
            "rows": self.rows,
            "note": self.note,
        }


@dataclass
class Statistics:
    period: Period
    total_loans: int
    active_borrowers: int
    tables: list[StatTable]

    def table(self, key: str) -> StatTable | None:
        return next((t for t in self.tables if t.key == key), None)

    def as_dict(self) -> dict:
        return {
            "von": self.period.start.isoformat(),
            "bis": self.period.end.isoformat(),
            "total_loans": self.total_loans,
            "active_borrowers": self.active_borrowers,
            "tables": {t.key: t.as_dict() for t in self.tables},
        }


def _bounds(period: Period, tz: ZoneInfo) -> tuple[datetime, datetime]:
    start = datetime.combine(period.start, time.min, tz)
    end = datetime.combine(period.end + timedelta(days=1), time.min, tz)
    return start, end


async def loans_per_title(period: Period) -> Counter:
    rows = await (
        Loan.select(Loan.title, Count(Loan.id, alias="n"))
        .where(Loan.loaned_on >= period.start, Loan.loaned_on <= period.end)
        .group_by(Loan.title)
    )
    return Counter({r["title"]: r["n"] for r in rows})


async def _count_by(period: Period, column) -> Counter:
    rows = await (
        Loan.select(column.as_alias("k"), Count(Loan.id, alias="n"))
        .where(Loan.loaned_on >= period.start, Loan.loaned_on <= period.end)
        .group_by(column)
    )
    return Counter({r["k"]: r["n"] for r in rows})


async def _count_by_range(period: Period, enum_cls, low, high) -> Counter:
    """Loans per covered value of a title's range (levels, age groups); None = no range."""
    rows = await (
        Loan.select(low.as_alias("lo"), high.as_alias("hi"), Count(Loan.id, alias="n"))
        .where(Loan.loaned_on >= period.start, Loan.loaned_on <= period.end)
        .group_by(low, high)
    )
    counts: Counter[str | None] = Counter()
    for r in rows:
        if r["lo"] or r["hi"]:
            for value in values_between(enum_cls, r["lo"], r["hi"]):
                counts[value] += r["n"]
        else:
            counts[None] += r["n"]
    return counts


async def _count_by_language(period: Period) -> Counter:
    loan, lang = Loan._meta.tablename, TitleLanguage._meta.tablename
    rows = await Loan.raw(
        f"SELECT tl.language AS k, COUNT(*) AS n FROM {loan} l "
        f"JOIN {lang} tl ON tl.title = l.title "
        "WHERE l.loaned_on >= {} AND l.loaned_on <= {} GROUP BY tl.language",
        period.start,
        period.end,
    )
    without = await Loan.raw(
        f"SELECT COUNT(*) AS n FROM {loan} l "
        "WHERE l.loaned_on >= {} AND l.loaned_on <= {} "
        f"AND l.title NOT IN (SELECT tl.title FROM {lang} tl)",
        period.start,
        period.end,
    )
    counts = Counter({r["k"]: r["n"] for r in rows})
    if without and without[0]["n"]:
        counts[None] = without[0]["n"]
    return counts


async def active_borrowers(period: Period) -> int:
    """Distinct patrons with a loan in the period, anonymised loans included."""
    rows = await (
        Loan.select(Loan.patron)
        .where(
            Loan.loaned_on >= period.start,
            Loan.loaned_on <= period.end,
            Loan.patron.is_not_null(),
        )
        .distinct()
    )
    ids = {r["patron"] for r in rows}
    remembered = await get_setting(BORROWERS_KEY) or {}
    for y, m in period.months():
        ids.update(remembered.get(f"{y:04d}-{m:02d}", []))
    return len(ids)


async def compute(period: Period, tz: ZoneInfo | None = None) -> Statistics:
    tz = tz or ZoneInfo("Europe/Berlin")
    per_day = await _count_by(period, Loan.loaned_on)
    per_month: Counter[tuple[int, int]] = Counter()
    for day, n in per_day.items():
        per_month[(day.year, day.month)] += n
    total = sum(per_day.values())
    by_type = await _count_by(period, Loan.media_type)
    by_category = await _count_by(period, Loan.patron_category)
    per_title = await loans_per_title(period)

    by_level = await _count_by_range(period, Level, Loan.title.level_min, Loan.title.level_max)
    by_age = await _count_by_range(period, AgeGroup, Loan.title.age_min, Loan.title.age_max)
    by_language = await _count_by_language(period)
    top = sorted(per_title.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_TITLES]
    titles = {
        r["id"]: r
        for r in await Title.select(Title.id, Title.title, Title.authors).where(
            Title.id.is_in([tid for tid, _n in top] or [0])
        )
    }

    # The column heading (a count), not the verb the desk's button says.
    loans = pgettext("Anzahl", "Ausleihen")
    tables = [
        StatTable(
            "monate",
            _("Ausleihen je Monat"),
            [_("Monat"), loans],
            [
                [f"{_(MONTH_NAMES[m - 1])} {y}", per_month.get((y, m), 0)]
                for y, m in period.months()
            ],
        ),
        StatTable(
            "medienarten",
            _("Ausleihen nach Medienart"),
            [_("Medienart"), loans],
            _rows(by_type, MEDIA_TYPE_LABELS, list(MediaType)),
        ),
        StatTable(
            "nutzergruppen",
            _("Ausleihen nach Nutzergruppe"),
            [_("Nutzergruppe"), loans],
            _rows(by_category, PATRON_CATEGORY_LABELS, list(PatronCategory)),
        ),
        StatTable(
            "sprachniveaus",
            _("Ausleihen nach Sprachniveau"),
            [_("Sprachniveau"), loans],
            _rows(by_level, LEVEL_LABELS, list(Level)),
            note=_(
                "Ein Titel deckt oft mehrere Niveaus ab (z. B. A1–A2). Eine Ausleihe zählt "
                "bei jedem abgedeckten Niveau; die Summe ist daher größer als die Zahl der "
                "Ausleihen."
            ),
        ),
        StatTable(
            "sprachen",
            _("Ausleihen nach Sprache"),
            [_("Sprache"), loans],
            _rows(by_language, _language_names(), sorted(LANGUAGES, key=lambda c: -by_language[c])),
            note=_("Mehrsprachige Titel zählen bei jeder ihrer Sprachen."),
        ),
        StatTable(
            "altersgruppen",
            _("Ausleihen nach Altersgruppe"),
            [_("Altersgruppe"), loans],
            _rows(by_age, AGE_GROUP_LABELS, list(AgeGroup)),
            note=_("Ein Titel für mehrere Altersgruppen zählt bei jeder von ihnen."),
        ),
        StatTable(
            "beliebteste-titel",
            _("Die %(n)s meistgeliehenen Titel") % {"n": TOP_TITLES},
            [_("Titel"), loans],
            [[_title_label(titles.get(tid, {})), n] for tid, n in top],
            chart=False,
        ),
        await _never_borrowed(period, tz),
        await _reservations(period, tz),
    ]
    return Statistics(period, total, await active_borrowers(period), tables)


def _language_names() -> dict[str, str]:
    """The catalogue's languages named in the reader's language (Babel's names; German as the
    vocabulary has them)."""
    here = i18n.current()
    if here == i18n.SOURCE:
        return LANGUAGES
    names = {code: language_name(code, here) for code in LANGUAGES}
    return {code: name[:1].upper() + name[1:] for code, name in names.items()}


def _label(labels: dict, key):
    """A vocabulary's label (a German msgid) in the reader's language; unknown keys as they are."""
    return _(labels[key]) if key in labels else key


def _rows(counts: Counter, labels: dict, order: list) -> list[list]:
    rows = [[_label(labels, k), counts[k]] for k in order if counts.get(k)]
    rows += [[_label(labels, k), n] for k, n in counts.items() if k not in order and k and n]
    if counts.get(None):
        rows.append([_(NO_VALUE), counts[None]])
    return rows


def _title_label(t: dict) -> str:
    if not t:
        return _("(unbekannter Titel)")
    return f"{t['title']} ({t['authors']})" if t.get("authors") else t["title"]


async def _never_borrowed(period: Period, tz: ZoneInfo) -> StatTable:
    end = _bounds(period, tz)[1]
    title, loan = Title._meta.tablename, Loan._meta.tablename
    in_stock = await Title.count().where(Title.withdrawn_at.is_null(), Title.created_at < end)
    never = await Title.raw(
        f"SELECT t.id, t.title, t.authors, t.media_type FROM {title} t "
        "WHERE t.withdrawn_at IS NULL AND t.created_at < {} AND t.id NOT IN ("
        # NOT IN over the borrowed set: one hashed subquery, not one probe per title.
        f"SELECT l.title FROM {loan} l "
        "WHERE l.loaned_on >= {} AND l.loaned_on <= {}) ORDER BY t.title, t.id",
        # UTC: SQLite keeps timestamps as UTC text and compares them as text.
        end.astimezone(UTC),
        period.start,
        period.end,
    )
    return StatTable(
        "nie-ausgeliehen",
        _("Titel ohne Ausleihe im Zeitraum"),
        [_("Titel"), _("Medienart")],
        [[_title_label(r), _label(MEDIA_TYPE_LABELS, r["media_type"])] for r in never],
        note=_(
            "%(never)s von %(stock)s Titeln im Bestand wurden im Zeitraum nicht "
            "ausgeliehen (ausgesonderte Titel zählen nicht mit)."
        )
        % {"never": len(never), "stock": in_stock},
        chart=False,
    )


async def _reservations(period: Period, tz: ZoneInfo) -> StatTable:
    start, end = _bounds(period, tz)
    holds = await (
        Hold.select(Hold.status, Count(Hold.id, alias="n"))
        .where(Hold.placed_at >= start, Hold.placed_at < end)
        .group_by(Hold.status)
    )
    bookings = await (
        Booking.select(Booking.status, Count(Booking.id, alias="n"))
        .where(Booking.created_at >= start, Booking.created_at < end)
        .group_by(Booking.status)
    )
    h = {r["status"]: r["n"] for r in holds}
    b = {r["status"]: r["n"] for r in bookings}
    return StatTable(
        "vormerkungen",
        _("Vormerkungen und Reservierungen"),
        [_("Art"), _("Angelegt"), _("Erfüllt (abgeholt)"), _("Noch offen")],
        [
            [
                _("Vormerkungen"),
                sum(h.values()),
                h.get(HoldStatus.fulfilled, 0),
                h.get(HoldStatus.waiting, 0) + h.get(HoldStatus.ready, 0),
            ],
            [
                _("Reservierungen für einen Zeitraum"),
                sum(b.values()),
                b.get(BookingStatus.collected, 0),
                b.get(BookingStatus.confirmed, 0) + b.get(BookingStatus.ready, 0),
            ],
        ],
        note=_("Gezählt werden Vormerkungen und Reservierungen, die im Zeitraum angelegt wurden."),
        chart=False,
    )
