"""Pure catalogue rules: what a valid title looks like, which copy status changes staff may make.

Plain values in, decisions out: no database, no HTTP. Every message is German and says what
to do, because the person reading it is at the desk with a book in hand.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from enum import Enum, StrEnum
from typing import Any, cast

import isbnlib

from mediathek.catalogue.inputs import TitleInput
from mediathek.catalogue.tables import COPY_STATUS_LABELS, CopyStatus
from mediathek.errors import Conflict
from mediathek.i18n import N_, _, format_day
from mediathek.reservations.tables import BookingStatus, HoldStatus
from mediathek.vocab import LANGUAGES, AgeGroup, Level, MediaType, order_index

# Holds and bookings that still claim a title or a copy.
OPEN_HOLDS = (HoldStatus.waiting, HoldStatus.ready)
OPEN_BOOKINGS = (BookingStatus.confirmed, BookingStatus.ready)

YEAR_MIN = 1450  # printing press; anything older is a typo
MAX_COMPONENTS = 100

# Statuses staff may set by hand. on_loan and on_hold_shelf belong to the desk and the
# hold queue: setting them by hand would create a loan without a borrower.
STAFF_SETTABLE_STATUSES = (
    CopyStatus.available,
    CopyStatus.needs_check,
    CopyStatus.in_repair,
    CopyStatus.lost,
    CopyStatus.withdrawn,
)
CIRCULATING_STATUSES = (CopyStatus.on_loan, CopyStatus.on_hold_shelf)


# ---- the life of a copy --------------------------------------------------------------------


class CopyStatusRefused(Conflict):
    """A copy cannot take this step from the status it is in."""

    code = "copy_status_refused"


class CopyEvent(StrEnum):
    """What happens to a copy, in the library's words. Each event leads to one status."""

    checkout = "checkout"
    checkout_override = "checkout_override"  # lent anyway: staff gave a reason
    checkin = "checkin"
    checkin_incomplete = "checkin_incomplete"  # parts missing or a note: to be checked
    undo_checkout = "undo_checkout"
    undo_pickup = "undo_pickup"  # a mistaken checkout of a held copy: back on the hold shelf
    undo_checkin = "undo_checkin"
    set_aside = "set_aside"  # onto the hold shelf for a hold or a booking
    pass_on = "pass_on"  # stays on the hold shelf, now for the next in line
    release = "release"  # no longer to be picked up: back to the shelf
    mark_lost = "mark_lost"
    mark_damaged = "mark_damaged"  # damaged or incomplete: to be checked
    send_to_repair = "send_to_repair"
    back_on_shelf = "back_on_shelf"  # checked or repaired by staff
    found_again = "found_again"  # written off (lost, withdrawn) and turned up
    stocktake_missing = "stocktake_missing"  # not seen on the shelf in a stocktake
    withdraw = "withdraw"  # out of the stock for good; the history stays
    # Taking back a staff action right after it, to the status the copy had before.
    undo_lost = "undo_lost"  # "Verloren" of a lent copy taken back: on loan again
    reinstate = "reinstate"  # "Titel aussondern" taken back, for a copy that was on the shelf
    reinstate_for_check = "reinstate_for_check"
    reinstate_in_repair = "reinstate_in_repair"
    reinstate_lost = "reinstate_lost"


COPY_EVENT_LABELS = {
    CopyEvent.checkout: N_("Ausleihen"),
    CopyEvent.checkout_override: N_("Ausleihen mit Begründung"),
    CopyEvent.checkin: N_("Zurücknehmen"),
    CopyEvent.checkin_incomplete: N_("Unvollständig zurücknehmen"),
    CopyEvent.undo_checkout: N_("Ausleihe rückgängig machen"),
    CopyEvent.undo_pickup: N_("Abholung rückgängig machen"),
    CopyEvent.undo_checkin: N_("Rückgabe rückgängig machen"),
    CopyEvent.set_aside: N_("Ins Abholregal legen"),
    CopyEvent.pass_on: N_("An die nächste Person weitergeben"),
    CopyEvent.release: N_("Aus dem Abholregal zurück ins Regal"),
    CopyEvent.mark_lost: N_("Als verloren melden"),
    CopyEvent.mark_damaged: N_("Als beschädigt melden (wird geprüft)"),
    CopyEvent.send_to_repair: N_("In Reparatur geben"),
    CopyEvent.back_on_shelf: N_("Geprüft oder repariert zurück ins Regal"),
    CopyEvent.found_again: N_("Wiedergefunden"),
    CopyEvent.stocktake_missing: N_("Bei der Bestandsrevision nicht gefunden"),
    CopyEvent.withdraw: N_("Aussondern"),
    CopyEvent.undo_lost: N_("Verloren-Meldung zurücknehmen (wieder ausgeliehen)"),
    CopyEvent.reinstate: N_("Aussonderung zurücknehmen (ins Regal)"),
    CopyEvent.reinstate_for_check: N_("Aussonderung zurücknehmen (wird geprüft)"),
    CopyEvent.reinstate_in_repair: N_("Aussonderung zurücknehmen (in Reparatur)"),
    CopyEvent.reinstate_lost: N_("Aussonderung zurücknehmen (verloren)"),
}

_S, _E = CopyStatus, CopyEvent
# The one table of copy status changes: (event, the statuses it may start from, the status it
# leads to). Nothing writes a copy's status except by one of these steps
# (``copy_moves.move_copies``); docs/catalogue.md shows the same table.
COPY_STEPS: tuple[tuple[CopyEvent, tuple[CopyStatus, ...], CopyStatus], ...] = (
    (_E.checkout, (_S.available, _S.on_hold_shelf), _S.on_loan),
    (
        _E.checkout_override,
        (_S.available, _S.on_hold_shelf, _S.needs_check, _S.in_repair, _S.lost),
        _S.on_loan,
    ),
    (_E.checkin, (_S.on_loan,), _S.available),
    (_E.checkin_incomplete, (_S.on_loan,), _S.needs_check),
    (_E.undo_checkout, (_S.on_loan,), _S.available),
    (_E.undo_pickup, (_S.on_loan,), _S.on_hold_shelf),
    # Back on loan from wherever the return put it: shelf, check, or a hold shelf.
    (_E.undo_checkin, (_S.available, _S.needs_check, _S.on_hold_shelf), _S.on_loan),
    (_E.set_aside, (_S.available,), _S.on_hold_shelf),
    (_E.pass_on, (_S.on_hold_shelf,), _S.on_hold_shelf),
    (_E.release, (_S.on_hold_shelf,), _S.available),
    # The desk reports a copy lost or damaged wherever it is; only a withdrawn one is past it.
    (
        _E.mark_lost,
        (_S.available, _S.on_loan, _S.on_hold_shelf, _S.needs_check, _S.in_repair, _S.lost),
        _S.lost,
    ),
    (
        _E.mark_damaged,
        (_S.available, _S.on_loan, _S.on_hold_shelf, _S.needs_check, _S.in_repair, _S.lost),
        _S.needs_check,
    ),
    (_E.send_to_repair, (_S.available, _S.needs_check, _S.lost), _S.in_repair),
    (_E.back_on_shelf, (_S.needs_check, _S.in_repair, _S.lost), _S.available),
    (_E.found_again, (_S.lost, _S.withdrawn), _S.available),
    (_E.stocktake_missing, (_S.available,), _S.lost),
    # Lent or set-aside copies belong to someone: they come back through the desk first.
    (_E.withdraw, (_S.available, _S.needs_check, _S.in_repair, _S.lost), _S.withdrawn),
    (_E.undo_lost, (_S.lost,), _S.on_loan),
    (_E.reinstate, (_S.withdrawn,), _S.available),
    (_E.reinstate_for_check, (_S.withdrawn,), _S.needs_check),
    (_E.reinstate_in_repair, (_S.withdrawn,), _S.in_repair),
    (_E.reinstate_lost, (_S.withdrawn,), _S.lost),
)
COPY_TRANSITIONS: dict[tuple[CopyStatus, CopyEvent], CopyStatus] = {
    (start, event): to for event, starts, to in COPY_STEPS for start in starts
}
_STARTS = {event: starts for event, starts, _ in COPY_STEPS}
_TARGET = {event: to for event, _, to in COPY_STEPS}

# The step a staff edit of the status takes, by the status chosen (``copy_status_change_error``
# says which of them staff may take by hand).
STAFF_STATUS_EVENTS = {
    CopyStatus.available: CopyEvent.back_on_shelf,
    CopyStatus.needs_check: CopyEvent.mark_damaged,
    CopyStatus.in_repair: CopyEvent.send_to_repair,
    CopyStatus.lost: CopyEvent.mark_lost,
    CopyStatus.withdrawn: CopyEvent.withdraw,
}


# Taking back "Verloren": the step back to the status the copy had before.
UNDO_LOST_EVENTS = {
    CopyStatus.on_loan: CopyEvent.undo_lost,
    CopyStatus.available: CopyEvent.back_on_shelf,
    CopyStatus.needs_check: CopyEvent.mark_damaged,
    CopyStatus.in_repair: CopyEvent.send_to_repair,
}
# Taking back "Titel aussondern": the step back to each copy's earlier status.
REINSTATE_EVENTS = {
    CopyStatus.available: CopyEvent.reinstate,
    CopyStatus.needs_check: CopyEvent.reinstate_for_check,
    CopyStatus.in_repair: CopyEvent.reinstate_in_repair,
    CopyStatus.lost: CopyEvent.reinstate_lost,
}


def copy_move_refused(status: str, event: CopyEvent) -> CopyStatusRefused:
    label = next((v for k, v in COPY_STATUS_LABELS.items() if k == status), str(status))
    return CopyStatusRefused(
        _("„%(step)s“ geht bei diesem Exemplar nicht (Status: %(status)s).")
        % {"step": _(COPY_EVENT_LABELS[event]), "status": _(label)},
        status=str(status),
        event=str(event),
    )


def copy_status_after(status: str, event: CopyEvent) -> CopyStatus:
    """The status a copy in ``status`` has after ``event``; refused when the table has no
    such step."""
    try:
        return COPY_TRANSITIONS[(CopyStatus(status), event)]
    except (ValueError, KeyError):  # not a status, or no such step from it
        raise copy_move_refused(status, event) from None


def copy_moves_from(event: CopyEvent) -> tuple[CopyStatus, ...]:
    """The statuses ``event`` may start from."""
    return _STARTS[event]


def copy_move(
    event: CopyEvent, expected_from: Iterable[str] | None = None
) -> tuple[tuple[CopyStatus, ...], CopyStatus]:
    """(statuses to move from, status to move to) for ``event``. ``expected_from`` narrows
    the start to what the caller knows or wants; a status in it that the table does not
    allow is refused, so a caller cannot widen the table."""
    if expected_from is None:
        return _STARTS[event], _TARGET[event]
    starts = tuple(dict.fromkeys(expected_from))
    for status in starts:
        copy_status_after(status, event)
    return tuple(CopyStatus(s) for s in starts), _TARGET[event]


def normalise_isbn(raw: str) -> str | None:
    """ISBN-10 or -13 with any hyphens/spaces → ISBN-13 digits; None when not a valid ISBN."""
    text = (raw or "").strip().replace(" ", "").replace("-", "").upper()
    if isbnlib.is_isbn13(text):
        return text
    if isbnlib.is_isbn10(text):
        return str(isbnlib.to_isbn13(text))
    return None


def isbn_error(raw: str) -> str | None:
    digits = re.sub(r"[^0-9Xx]", "", raw or "")
    if len(digits) not in (10, 13):
        return _("Eine ISBN hat 10 oder 13 Ziffern. Bitte prüfen Sie die Eingabe.")
    if normalise_isbn(raw) is None:
        return _(
            "Diese ISBN ist ungültig (die Prüfziffer stimmt nicht). "
            "Bitte vergleichen Sie sie mit dem Buch."
        )
    return None


def display_isbn(isbn13: str | None) -> str:
    return isbnlib.mask(isbn13) or isbn13 if isbn13 else ""


@dataclass
class TitleData:
    """A validated title, ready to store."""

    title: str
    media_type: str
    subtitle: str = ""
    authors: str = ""
    isbn: str | None = None
    level_min: str | None = None
    level_max: str | None = None
    age_min: str | None = None
    age_max: str | None = None
    languages: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    components: list[tuple[str, int]] = field(default_factory=list)
    description: str = ""
    publisher: str = ""
    year: int | None = None
    series: str = ""
    volume: str = ""
    notes: str = ""

    def columns(self) -> dict[str, Any]:
        """The values stored on the Title row itself (languages etc. live in their tables)."""
        return {
            k: getattr(self, k)
            for k in (
                "title",
                "subtitle",
                "authors",
                "isbn",
                "media_type",
                "level_min",
                "level_max",
                "age_min",
                "age_max",
                "description",
                "publisher",
                "year",
                "series",
                "volume",
                "notes",
            )
        }


def _text(value: object, name: str, limit: int, errors: dict[str, str], label: str) -> str:
    text = str(value or "").strip()
    if len(text) > limit:
        errors[name] = _("%(field)s darf höchstens %(limit)s Zeichen haben.") % {
            "field": _(label),
            "limit": limit,
        }
    return text


def _choice(
    value: object, name: str, enum_cls: type[Enum], errors: dict[str, str], label: str
) -> str | None:
    text = str(value or "").strip()
    if not text:
        return None
    try:
        return str(enum_cls(text).value)
    except ValueError:
        errors[name] = _("Bitte wählen Sie %(what)s aus der Liste.") % {"what": _(label)}
        return None


def _as_list(value: object) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [p.strip() for p in re.split(r"[,;]", value) if p.strip()]
    return [str(v).strip() for v in cast(Iterable[object], value) if str(v).strip()]


def validate_title(entry: TitleInput, current_year: int) -> tuple[TitleData | None, dict[str, str]]:
    """Check a title as entered (form, API body or import row); returns (data, {}) or
    (None, errors), the errors by field name."""
    errors: dict[str, str] = {}
    title = _text(entry.title, "title", 500, errors, N_("Der Titel"))
    if not title and "title" not in errors:
        errors["title"] = _("Bitte geben Sie den Titel ein.")
    media_type = _choice(entry.media_type, "media_type", MediaType, errors, N_("eine Medienart"))
    if media_type is None and "media_type" not in errors:
        errors["media_type"] = _("Bitte wählen Sie die Medienart.")

    isbn = None
    raw_isbn = str(entry.isbn or "").strip()
    if raw_isbn:
        problem = isbn_error(raw_isbn)
        if problem:
            errors["isbn"] = problem
        else:
            isbn = normalise_isbn(raw_isbn)

    level_min = _choice(entry.level_min, "level_min", Level, errors, N_("ein Sprachniveau"))
    level_max = _choice(entry.level_max, "level_max", Level, errors, N_("ein Sprachniveau"))
    if level_min and level_max and order_index(Level, level_min) > order_index(Level, level_max):
        errors["level_max"] = _(
            "Das höchste Sprachniveau muss gleich oder höher als das niedrigste sein."
        )
    age_min = _choice(entry.age_min, "age_min", AgeGroup, errors, N_("eine Altersgruppe"))
    age_max = _choice(entry.age_max, "age_max", AgeGroup, errors, N_("eine Altersgruppe"))
    if age_min and age_max and order_index(AgeGroup, age_min) > order_index(AgeGroup, age_max):
        errors["age_max"] = _(
            "Die älteste Altersgruppe muss gleich oder älter als die jüngste sein."
        )

    languages = []
    for code in _as_list(entry.languages):
        code = code.lower()
        if code not in LANGUAGES:
            errors["languages"] = _(
                "Unbekannter Sprachcode „%(code)s“. Bitte aus der Liste wählen."
            ) % {"code": code}
        elif code not in languages:
            languages.append(code)

    topics: list[str] = []
    for name in _as_list(entry.topics):
        if len(name) > 100:
            errors["topics"] = _("Ein Schlagwort darf höchstens 100 Zeichen haben.")
        elif name.casefold() not in {t.casefold() for t in topics}:
            topics.append(name)

    components = []
    for i, part in enumerate(entry.components or []):
        name = str(part.name or "").strip()
        qty_text = str(part.quantity if part.quantity is not None else "").strip()
        if not name and not qty_text:
            continue  # an empty row the form offers for adding
        if not name:
            errors["components"] = _("Bestandteil %(n)s: Bitte einen Namen eingeben.") % {
                "n": i + 1
            }
            continue
        try:
            quantity = int(qty_text or "1")
        except ValueError:
            quantity = 0
        if not 1 <= quantity <= 9999:
            errors["components"] = _(
                "Bestandteil „%(name)s“: Die Anzahl muss eine Zahl ab 1 sein."
            ) % {"name": name}
            continue
        components.append((name[:200], quantity))
    if len(components) > MAX_COMPONENTS:
        errors["components"] = _("Höchstens %(n)s Bestandteile.") % {"n": MAX_COMPONENTS}

    year = None
    raw_year = str(entry.year if entry.year is not None else "").strip()
    if raw_year:
        if (
            not (raw_year.isascii() and raw_year.isdigit())
            or not YEAR_MIN <= int(raw_year) <= current_year + 1
        ):
            errors["year"] = _(
                "Bitte ein Erscheinungsjahr zwischen %(first)s und %(last)s eingeben."
            ) % {"first": YEAR_MIN, "last": current_year + 1}
        else:
            year = int(raw_year)

    data = TitleData(
        title=title,
        media_type=media_type or "",
        subtitle=_text(entry.subtitle, "subtitle", 500, errors, N_("Der Untertitel")),
        authors=_text(entry.authors, "authors", 500, errors, N_("Die Angabe der Personen")),
        isbn=isbn,
        level_min=level_min,
        level_max=level_max,
        age_min=age_min,
        age_max=age_max,
        languages=languages,
        topics=topics,
        components=components,
        description=_text(entry.description, "description", 20000, errors, N_("Die Beschreibung")),
        publisher=_text(entry.publisher, "publisher", 200, errors, N_("Der Verlag")),
        year=year,
        series=_text(entry.series, "series", 200, errors, N_("Die Reihe")),
        volume=_text(entry.volume, "volume", 50, errors, N_("Der Band")),
        notes=_text(entry.notes, "notes", 20000, errors, N_("Die Notiz")),
    )
    return (None, errors) if errors else (data, {})


def import_key(title: str, publisher: str, year: int | None) -> str:
    """Identity of a title without ISBN, so a re-import finds it again."""

    def norm(text: str) -> str:
        text = unicodedata.normalize("NFKC", text or "").casefold()
        return " ".join(re.sub(r"[^\w]+", " ", text).split())

    raw = f"{norm(title)}|{norm(publisher)}|{year or ''}"
    return hashlib.sha256(raw.encode()).hexdigest()


def copy_status_change_error(current: str, new: str) -> str | None:
    """May staff move a copy from ``current`` to ``new`` by hand? None = yes, else why not."""
    if new not in {s.value for s in STAFF_SETTABLE_STATUSES}:
        return _(
            "Diesen Status setzt die Theke (Ausleihe oder Vormerkung), nicht die Bestandspflege."
        )
    if current in {s.value for s in CIRCULATING_STATUSES}:
        return _(
            "Das Exemplar ist gerade ausgeliehen oder liegt im Abholregal. "
            "Bitte zuerst an der Theke zurücknehmen."
        )
    if current == CopyStatus.withdrawn and new != CopyStatus.withdrawn:
        return _("Das Exemplar ist ausgesondert. Ausgesonderte Exemplare bleiben nur zur Historie.")
    return None


def parse_copy_count(raw: str | int | None, limit: int = 200) -> int | None:
    try:
        n = int(str(raw).strip())
    except (TypeError, ValueError):
        return None
    return n if 1 <= n <= limit else None


# ---- notes the system writes on a copy ------------------------------------------------------

# Stored in German (the source language), as the areas write them: the hold shelf's
# (reservations.setaside), the return of an incomplete kit (circulation) and the stocktake's
# (reports). Staff read them in their language through ``copy_note_text``.
PULL_NOTE = N_("Aus dem Regal holen und ins Abholregal legen.")
PUT_BACK_NOTE = N_("Nicht mehr abzuholen: zurück ins Regal stellen.")
_MISSING = re.compile(r"Fehlt: (?P<parts>.+?)(?:; (?P<note>.*))?", re.S)
_NOT_FOUND = re.compile(r"Bei der Bestandsrevision am (\d\d)\.(\d\d)\.(\d{4}) nicht gefunden\.")


def missing_in_note(note: str | None) -> str:
    """The missing parts a return wrote into a copy's note ("Fehlt: 1 × Puppe; …" →
    "1 × Puppe"), or "" when the note names none."""
    found = _MISSING.fullmatch(note or "")
    return found["parts"] if found else ""


def copy_note_text(note: str | None) -> str:
    """A copy's note in the reader's language when the system wrote it; a note staff typed
    stays as they wrote it."""
    if not note:
        return ""
    if note in (PULL_NOTE, PUT_BACK_NOTE):
        return _(note)
    if found := _MISSING.fullmatch(note):
        text = _("Fehlt: %(parts)s") % {"parts": found["parts"]}
        return f"{text}; {found['note']}" if found["note"] else text
    if found := _NOT_FOUND.fullmatch(note):
        day, month, year = (int(n) for n in found.groups())
        try:
            when = format_day(date(year, month, day))
        except ValueError:
            return note
        return _("Bei der Bestandsrevision am %(day)s nicht gefunden.") % {"day": when}
    return note
