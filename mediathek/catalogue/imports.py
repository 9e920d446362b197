"""Catalogue import (CSV, XLSX).

An import is checked completely first; only a file without errors is written, in one
transaction, so a half-imported catalogue cannot happen. A title already in the catalogue
(same ISBN, or same title + publisher + year when there is no ISBN) is skipped, so importing
the same file twice changes nothing.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from mediathek.catalogue import policy
from mediathek.catalogue.copies import allocate_barcodes
from mediathek.catalogue.import_files import ImportFileError, estimate_rows, read_rows
from mediathek.catalogue.inputs import ComponentInput, TitleInput
from mediathek.catalogue.tables import (
    Component,
    Copy,
    Title,
    TitleLanguage,
    TitleTopic,
    Topic,
)
from mediathek.db import current_engine, is_sqlite, write_transaction
from mediathek.vocab import (
    AGE_GROUP_LABELS,
    LANGUAGES,
    LEVEL_LABELS,
    MEDIA_TYPE_LABELS,
)
from mediathek.worker import WorkerFailed, run_in_child

MAX_ROWS = 50_000
# Empty lines are skipped, but not without end: a sheet may declare rows far away.
MAX_BLANK_ROWS = 10_000
TEXT_FIELDS = ("title", "subtitle", "authors", "isbn", "publisher", "year", "series", "volume",
               "description", "notes")  # fmt: skip
BATCH = 500

# Column names people use (German and English) → our field names. Compared normalised.
HEADER_NAMES = {
    "title": ["titel", "title", "name"],
    "subtitle": ["untertitel", "subtitle"],
    "authors": ["autor", "autoren", "autorin", "autorinnen", "autor innen", "author", "authors",
                "verfasser", "personen"],
    "isbn": ["isbn", "isbn13", "isbn 13", "isbn10"],
    "media_type": ["medienart", "media type", "mediatype", "typ", "type", "art"],
    "languages": ["sprachen", "sprache", "languages", "language"],
    "level_min": ["niveau von", "sprachniveau von", "level min", "level from", "niveau min"],
    "level_max": ["niveau bis", "sprachniveau bis", "level max", "level to", "niveau max"],
    "age_min": ["alter von", "altersgruppe von", "age min", "age from"],
    "age_max": ["alter bis", "altersgruppe bis", "age max", "age to"],
    "topics": ["schlagwörter", "schlagworte", "schlagwort", "themen", "topics", "tags"],
    "publisher": ["verlag", "publisher"],
    "year": ["jahr", "erscheinungsjahr", "year"],
    "series": ["reihe", "series"],
    "volume": ["band", "volume"],
    "description": ["beschreibung", "description"],
    "notes": ["notiz", "notizen", "notes", "interne notiz"],
    "components": ["bestandteile", "components"],
    "copies": ["exemplare", "anzahl exemplare", "anzahl", "copies"],
    "shelf_mark": ["signatur", "standort", "shelf mark", "shelfmark"],
}  # fmt: skip
EXPORT_HEADERS = {
    "title": "Titel",
    "subtitle": "Untertitel",
    "authors": "Autor*innen",
    "isbn": "ISBN",
    "media_type": "Medienart",
    "languages": "Sprachen",
    "level_min": "Niveau von",
    "level_max": "Niveau bis",
    "age_min": "Alter von",
    "age_max": "Alter bis",
    "topics": "Schlagwörter",
    "publisher": "Verlag",
    "year": "Jahr",
    "series": "Reihe",
    "volume": "Band",
    "description": "Beschreibung",
    "components": "Bestandteile",
    "copies": "Exemplare",
    "shelf_mark": "Signatur",
    "barcodes": "Strichcodes",
}


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", str(text or "")).casefold()
    return " ".join(re.sub(r"[^\w]+", " ", text.replace("_", " ")).split())


HEADER_LOOKUP = {_norm(name): key for key, names in HEADER_NAMES.items() for name in names}


def _label_lookup(labels: dict) -> dict[str, str]:
    # Codes and German labels both work ("a1", "A1", "Prä-A1", "pre_a1", "Medienkoffer", "kit").
    table = {}
    for code, label in labels.items():
        table[_norm(code)] = str(code.value if hasattr(code, "value") else code)
        table[_norm(label)] = str(code.value if hasattr(code, "value") else code)
    return table


MEDIA_TYPES = _label_lookup(MEDIA_TYPE_LABELS) | {_norm("Hörstift-Set"): "audio_pen_set"}
LEVELS = _label_lookup(LEVEL_LABELS)
AGES = _label_lookup(AGE_GROUP_LABELS)
LANGUAGE_NAMES = _label_lookup(LANGUAGES)


@dataclass
class ParsedRow:
    line: int
    data: policy.TitleData
    copies: int
    shelf_mark: str
    key: str  # "isbn:…" or "key:…" — the identity that prevents duplicates
    import_key: str | None


class RowLimitExceeded(ImportFileError):
    """The file has more rows than one import takes; ``rows`` were read before stopping."""

    def __init__(self, message: str, rows: int) -> None:
        super().__init__(message, rows)
        self.rows = rows

    def __str__(self) -> str:
        return self.args[0]


def _de(number: int) -> str:
    return f"{number:,}".replace(",", ".")


@dataclass
class CheckResult:
    total: int = 0
    rows: list[ParsedRow] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)  # {"row": n, "message": "…"}
    skipped: int = 0  # already in the catalogue


def map_headers(header: list[str]) -> dict[int, str]:
    columns = {
        i: HEADER_LOOKUP[_norm(h)] for i, h in enumerate(header) if _norm(h) in HEADER_LOOKUP
    }
    if "title" not in columns.values():
        raise ImportFileError(
            "Die erste Zeile braucht eine Spalte „Titel“ (oder „title“). "
            "Erkannte Spalten: " + (", ".join(h for h in header if h) or "keine")
        )
    return columns


def _split(value: str) -> list[str]:
    return [p.strip() for p in re.split(r"[;,|]", value or "") if p.strip()]


def _code(value: str, table: dict, label: str, errors: list) -> str:
    if not value:
        return ""
    code = table.get(_norm(value))
    if code is None:
        errors.append(f"{label} „{value}“ ist unbekannt")
        return ""
    return code


def _components(value: str) -> list[tuple[str, str]]:
    parts = []
    for item in re.split(r"[;|]", value or ""):
        item = item.strip()
        if not item:
            continue
        m = re.match(r"^(\d+)\s*[x×]\s*(.+)$", item) or re.match(r"^(.+?)\s*\((\d+)\)$", item)
        if m and m.group(1).isdigit():
            parts.append((m.group(2), m.group(1)))
        elif m:
            parts.append((m.group(1), m.group(2)))
        else:
            parts.append((item, "1"))
    return parts


def parse_row(cells: dict[str, str], line: int, current_year: int) -> tuple[ParsedRow | None, str]:
    """One spreadsheet row → a ParsedRow, or None and the reasons in German."""
    problems: list[str] = []
    text: dict[str, Any] = {k: cells.get(k, "") for k in TEXT_FIELDS}
    if re.fullmatch(r"\d{4}\.0", text["year"]):  # Excel numbers come back as 2016.0
        text["year"] = text["year"][:4]
    # In the order the reasons are listed: media type, levels and ages, languages.
    media_type = _code(cells.get("media_type", ""), MEDIA_TYPES, "Medienart", problems) or (
        "" if cells.get("media_type") else "book"
    )
    codes = {
        name: _code(cells.get(name, ""), table, label, problems)
        for name, table, label in (
            ("level_min", LEVELS, "Sprachniveau"),
            ("level_max", LEVELS, "Sprachniveau"),
            ("age_min", AGES, "Altersgruppe"),
            ("age_max", AGES, "Altersgruppe"),
        )
    }
    entry = TitleInput(
        **text,
        **codes,
        media_type=media_type,
        languages=[
            _code(lang, LANGUAGE_NAMES, "Sprache", problems)
            for lang in _split(cells.get("languages", ""))
        ],
        topics=_split(cells.get("topics", "")),
        components=[ComponentInput(n, q) for n, q in _components(cells.get("components", ""))],
    )
    data, errors = policy.validate_title(entry, current_year)
    problems.extend(errors.values())
    raw_copies = re.sub(r"\.0$", "", cells.get("copies", "").strip())
    copies = (
        1 if raw_copies == "" else policy.parse_copy_count(raw_copies) if raw_copies != "0" else 0
    )
    if copies is None:
        problems.append("Exemplare: bitte eine Zahl von 0 bis 200")
    shelf_mark = cells.get("shelf_mark", "")[:100]
    if problems or data is None or copies is None:
        return None, "; ".join(dict.fromkeys(problems))
    ikey = None if data.isbn else policy.import_key(data.title, data.publisher, data.year)
    key = f"isbn:{data.isbn}" if data.isbn else f"key:{ikey}"
    return ParsedRow(line, data, copies, shelf_mark, key, ikey), ""


def parse_file(
    path: Path,
    filename: str,
    current_year: int,
    progress: Callable[[int, int], object] | None = None,
) -> CheckResult:
    """Read and check every row of a file, without the database (it runs in a child process:
    see ``check_file``). ``rows`` holds every good row; ``check_file`` takes out the titles
    already in the catalogue. Reading stops at the row limit, whatever the file declares."""
    rows = read_rows(path, filename)
    header: list[str] = []
    header_line = 0
    for header_line, row in enumerate(rows, start=1):  # noqa: B007 - used after the loop
        if any(row):
            header = row
            break
        if header_line > MAX_BLANK_ROWS:
            break
    if not header:
        raise ImportFileError("Die Datei ist leer.")
    columns = map_headers(header)
    estimate = min(max(estimate_rows(path, filename) - header_line, 0), MAX_ROWS)
    result = CheckResult()
    seen: dict[str, int] = {}
    blank = 0
    for line, row in enumerate(rows, start=header_line + 1):
        if not any(row):
            blank += 1
            if blank > MAX_BLANK_ROWS:
                raise ImportFileError(
                    f"Die Datei hat mehr als {_de(MAX_BLANK_ROWS)} leere Zeilen und wurde "
                    f"bei Zeile {_de(line)} nicht weiter gelesen. Bitte löschen Sie die leeren "
                    "Zeilen und laden Sie die Datei noch einmal hoch."
                )
            continue
        if result.total == MAX_ROWS:
            raise RowLimitExceeded(
                f"Höchstens {_de(MAX_ROWS)} Titel auf einmal: Die Datei hat mehr, gelesen wurde "
                f"bis Zeile {_de(line - 1)}. Bitte teilen Sie die Datei auf; "
                "es wurde nichts gespeichert.",
                rows=result.total,
            )
        result.total += 1
        cells = {columns[j]: v for j, v in enumerate(row) if j in columns}
        parsed, message = parse_row(cells, line, current_year)
        if parsed is None:
            result.errors.append({"row": line, "message": message})
        elif parsed.key in seen:
            result.errors.append(
                {"row": line, "message": f"Derselbe Titel steht schon in Zeile {seen[parsed.key]}"}
            )
        else:
            seen[parsed.key] = line
            result.rows.append(parsed)
        if progress and result.total % BATCH == 0:
            progress(result.total, max(estimate, result.total))
    return result


def parse_file_in_parts(
    path: Path, filename: str, current_year: int, progress: Callable | None = None
) -> Iterator[CheckResult | list[ParsedRow]]:
    """``parse_file``'s result without rows, then the rows in batches (see ``run_in_child``)."""
    result = parse_file(path, filename, current_year, progress)
    rows, result.rows = result.rows, []
    yield result
    for start in range(0, len(rows), BATCH):
        yield rows[start : start + BATCH]


async def check_file(
    filename: str,
    path: Path,
    current_year: int,
    progress: Callable[[int, int], Awaitable[object]] | None = None,
) -> CheckResult:
    """Read and check every row; nothing is written. ``progress(done, total)`` is awaited.

    The reading runs in a child process, so the site stays responsive, and a file that
    needs too much memory or time ends there, not in the server."""
    try:
        result, *parts = await run_in_child(
            parse_file_in_parts, path, filename, current_year, progress=progress
        )
    except WorkerFailed as exc:
        raise ImportFileError(exc.reason + " Es wurde nichts gespeichert.") from exc
    result.rows = [row for part in parts for row in part]
    existing_isbns = {
        r["isbn"] for r in await Title.select(Title.isbn).where(Title.isbn.is_not_null())
    }
    # Titles typed in by hand have no import key: compute it, so they are not imported twice.
    existing_keys = {
        r["import_key"] or policy.import_key(r["title"], r["publisher"], r["year"])
        for r in await Title.select(
            Title.import_key, Title.title, Title.publisher, Title.year
        ).where(Title.isbn.is_null())
    }
    new_rows = [
        r
        for r in result.rows
        if r.data.isbn not in existing_isbns and r.import_key not in existing_keys
    ]
    result.skipped = len(result.rows) - len(new_rows)
    result.rows = new_rows
    return result


async def write_rows(
    rows: list[ParsedRow],
    prefix: str,
    today,
    progress: Callable[[int, int], Awaitable[object]] | None = None,
) -> tuple[int, int]:
    """Write checked rows in ONE transaction (all or nothing). Returns (titles, copies)."""
    n_copies = 0
    async with write_transaction():
        known_topics = {r["name"] for r in await Topic.select(Topic.name)}
        for start in range(0, len(rows), BATCH):
            batch = rows[start : start + BATCH]
            ids = await insert_titles(batch)
            languages, topics, components = [], [], []
            for r, row_id in zip(batch, ids, strict=True):
                tid = row_id["id"]
                languages += [(tid, c) for c in r.data.languages]
                topics += [(tid, t) for t in r.data.topics]
                components += [(tid, p, n, q) for p, (n, q) in enumerate(r.data.components)]
            await bulk_insert(TitleLanguage, ["title", "language"], languages)
            await bulk_insert(TitleTopic, ["title", "topic"], topics)
            await bulk_insert(Component, ["title", "position", "name", "quantity"], components)
            new_topics = {t for _, t in topics} - known_topics
            await bulk_insert(Topic, ["name"], [(t,) for t in sorted(new_topics)])
            known_topics |= new_topics
            # One barcode allocation per batch: asking for the highest number per title
            # would scan the copy table again for every row.
            codes = iter(await allocate_barcodes(prefix, sum(r.copies for r in batch)))
            now = datetime.now(UTC)
            new_copies = [
                (row_id["id"], next(codes), r.shelf_mark, today, now, now)
                for r, row_id in zip(batch, ids, strict=True)
                for _ in range(r.copies)
            ]
            await bulk_insert(
                Copy,
                ["title", "barcode", "shelf_mark", "acquired_on", "created_at", "updated_at"],
                new_copies,
            )
            n_copies += len(new_copies)
            if progress:
                await progress(start + len(batch), len(rows))
    return len(rows), n_copies


async def insert_titles(batch: list[ParsedRow]) -> list[dict]:
    """Insert titles with one multi-row statement; returns [{"id": …}] in batch order."""
    engine = current_engine()
    transaction = engine.current_transaction.get()
    assert transaction is not None  # called inside a write transaction only
    connection = transaction.connection
    now = datetime.now(UTC)
    columns = [*batch[0].data.columns(), "import_key", "cover_file", "created_at", "updated_at"]
    params: list = []
    for r in batch:
        params += [*r.data.columns().values(), r.import_key, "", now, now]
    names = ", ".join(f'"{c}"' for c in columns)
    width = len(columns)
    if is_sqlite(engine):
        rows_sql = ", ".join("(" + ", ".join("?" * width) + ")" for _ in batch)
    else:
        rows_sql = ", ".join(
            "(" + ", ".join(f"${i * width + j + 1}" for j in range(width)) + ")"
            for i in range(len(batch))
        )
    sql = f"INSERT INTO title ({names}) VALUES {rows_sql} RETURNING id, isbn, import_key"
    if is_sqlite(engine):
        async with connection.execute(sql, params) as cursor:
            returned = [dict(row) for row in await cursor.fetchall()]
    else:
        returned = [dict(row) for row in await connection.fetch(sql, *params)]
    # RETURNING promises no order: map the new ids back by the unique ISBN / import key.
    by_key = {(r["isbn"], r["import_key"]): r["id"] for r in returned}
    return [{"id": by_key[(r.data.isbn, r.import_key)]} for r in batch]


async def bulk_insert(table, columns: list[str], rows: list[tuple]) -> None:
    """Insert many plain rows through the driver's executemany, inside the current
    transaction. Building one piccolo object per row cost most of an import's time."""
    if not rows:
        return
    engine = current_engine()
    transaction = engine.current_transaction.get()
    assert transaction is not None  # called inside a write transaction only
    connection = transaction.connection
    names = ", ".join(f'"{c}"' for c in columns)
    if is_sqlite(engine):
        marks = ", ".join("?" for _ in columns)
    else:
        marks = ", ".join(f"${i}" for i in range(1, len(columns) + 1))
    sql = f'INSERT INTO "{table._meta.tablename}" ({names}) VALUES ({marks})'
    await connection.executemany(sql, rows)
