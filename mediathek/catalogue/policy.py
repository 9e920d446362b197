"""Pure catalogue rules: what a valid title looks like, which copy status changes staff may make.

Plain values in, decisions out: no database, no HTTP. Every message is German and says what
to do, because the person reading it is at the desk with a book in hand.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field

import isbnlib

from mediathek.catalogue.tables import CopyStatus
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


def normalise_isbn(raw: str) -> str | None:
    """ISBN-10 or -13 with any hyphens/spaces → ISBN-13 digits; None when not a valid ISBN."""
    text = (raw or "").strip().replace(" ", "").replace("-", "").upper()
    if isbnlib.is_isbn13(text):
        return text
    if isbnlib.is_isbn10(text):
        return isbnlib.to_isbn13(text)
    return None


def isbn_error(raw: str) -> str | None:
    digits = re.sub(r"[^0-9Xx]", "", raw or "")
    if len(digits) not in (10, 13):
        return "Eine ISBN hat 10 oder 13 Ziffern. Bitte prüfen Sie die Eingabe."
    if normalise_isbn(raw) is None:
        return (
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

    def columns(self) -> dict:
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


def _text(form: dict, name: str, limit: int, errors: dict, label: str) -> str:
    value = str(form.get(name) or "").strip()
    if len(value) > limit:
        errors[name] = f"{label} darf höchstens {limit} Zeichen haben."
    return value


def _choice(form: dict, name: str, enum_cls, errors: dict, label: str) -> str | None:
    value = str(form.get(name) or "").strip()
    if not value:
        return None
    try:
        return enum_cls(value).value
    except ValueError:
        errors[name] = f"Bitte wählen Sie {label} aus der Liste."
        return None


def _as_list(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [p.strip() for p in re.split(r"[,;]", value) if p.strip()]
    return [str(v).strip() for v in value if str(v).strip()]


def validate_title(form: dict, current_year: int) -> tuple[TitleData | None, dict[str, str]]:
    """Check a title form (or API body / import row); returns (data, {}) or (None, errors).

    ``form`` maps field names to strings or lists: languages, topics as lists (or comma
    separated), components as a list of (name, quantity) pairs.
    """
    errors: dict[str, str] = {}
    title = _text(form, "title", 500, errors, "Der Titel")
    if not title and "title" not in errors:
        errors["title"] = "Bitte geben Sie den Titel ein."
    media_type = _choice(form, "media_type", MediaType, errors, "eine Medienart")
    if media_type is None and "media_type" not in errors:
        errors["media_type"] = "Bitte wählen Sie die Medienart."

    isbn = None
    raw_isbn = str(form.get("isbn") or "").strip()
    if raw_isbn:
        problem = isbn_error(raw_isbn)
        if problem:
            errors["isbn"] = problem
        else:
            isbn = normalise_isbn(raw_isbn)

    level_min = _choice(form, "level_min", Level, errors, "ein Sprachniveau")
    level_max = _choice(form, "level_max", Level, errors, "ein Sprachniveau")
    if level_min and level_max and order_index(Level, level_min) > order_index(Level, level_max):
        errors["level_max"] = (
            "Das höchste Sprachniveau muss gleich oder höher als das niedrigste sein."
        )
    age_min = _choice(form, "age_min", AgeGroup, errors, "eine Altersgruppe")
    age_max = _choice(form, "age_max", AgeGroup, errors, "eine Altersgruppe")
    if age_min and age_max and order_index(AgeGroup, age_min) > order_index(AgeGroup, age_max):
        errors["age_max"] = "Die älteste Altersgruppe muss gleich oder älter als die jüngste sein."

    languages = []
    for code in _as_list(form.get("languages")):
        code = code.lower()
        if code not in LANGUAGES:
            errors["languages"] = f"Unbekannter Sprachcode „{code}“. Bitte aus der Liste wählen."
        elif code not in languages:
            languages.append(code)

    topics = []
    for name in _as_list(form.get("topics")):
        if len(name) > 100:
            errors["topics"] = "Ein Schlagwort darf höchstens 100 Zeichen haben."
        elif name.casefold() not in {t.casefold() for t in topics}:
            topics.append(name)

    components = []
    for i, (name, qty) in enumerate(form.get("components") or []):
        name = str(name or "").strip()
        qty_text = str(qty if qty is not None else "").strip()
        if not name and not qty_text:
            continue  # an empty row the form offers for adding
        if not name:
            errors["components"] = f"Bestandteil {i + 1}: Bitte einen Namen eingeben."
            continue
        try:
            quantity = int(qty_text or "1")
        except ValueError:
            quantity = 0
        if not 1 <= quantity <= 9999:
            errors["components"] = f"Bestandteil „{name}“: Die Anzahl muss eine Zahl ab 1 sein."
            continue
        components.append((name[:200], quantity))
    if len(components) > MAX_COMPONENTS:
        errors["components"] = f"Höchstens {MAX_COMPONENTS} Bestandteile."

    year = None
    raw_year = str(form.get("year") or "").strip()
    if raw_year:
        if (
            not (raw_year.isascii() and raw_year.isdigit())
            or not YEAR_MIN <= int(raw_year) <= current_year + 1
        ):
            errors["year"] = (
                f"Bitte ein Erscheinungsjahr zwischen {YEAR_MIN} und {current_year + 1} eingeben."
            )
        else:
            year = int(raw_year)

    data = TitleData(
        title=title,
        media_type=media_type or "",
        subtitle=_text(form, "subtitle", 500, errors, "Der Untertitel"),
        authors=_text(form, "authors", 500, errors, "Die Angabe der Personen"),
        isbn=isbn,
        level_min=level_min,
        level_max=level_max,
        age_min=age_min,
        age_max=age_max,
        languages=languages,
        topics=topics,
        components=components,
        description=_text(form, "description", 20000, errors, "Die Beschreibung"),
        publisher=_text(form, "publisher", 200, errors, "Der Verlag"),
        year=year,
        series=_text(form, "series", 200, errors, "Die Reihe"),
        volume=_text(form, "volume", 50, errors, "Der Band"),
        notes=_text(form, "notes", 20000, errors, "Die Notiz"),
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
        return "Diesen Status setzt die Theke (Ausleihe oder Vormerkung), nicht die Bestandspflege."
    if current in {s.value for s in CIRCULATING_STATUSES}:
        return (
            "Das Exemplar ist gerade ausgeliehen oder liegt im Abholregal. "
            "Bitte zuerst an der Theke zurücknehmen."
        )
    if current == CopyStatus.withdrawn and new != CopyStatus.withdrawn:
        return "Das Exemplar ist ausgesondert. Ausgesonderte Exemplare bleiben nur zur Historie."
    return None


def parse_copy_count(raw: str | int | None, limit: int = 200) -> int | None:
    try:
        n = int(str(raw).strip())
    except (TypeError, ValueError):
        return None
    return n if 1 <= n <= limit else None
