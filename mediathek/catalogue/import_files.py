"""Reading an uploaded CSV or XLSX file row by row, with limits that hold for any file.

A spreadsheet is a promise made by whoever sent it: an XLSX of 1.5 KB may declare a sheet of
a million rows times 16,384 columns, and a zip archive may unpack to gigabytes. Nothing here
trusts such a promise: rows are produced one at a time, at most ``MAX_COLUMNS`` cells wide,
and the archive's unpacked sizes are checked before anything is parsed. The caller stops
reading at its row limit.
"""

from __future__ import annotations

import codecs
import csv
import zipfile
from collections.abc import Iterator
from pathlib import Path

from mediathek.csv_files import unprotect

# A catalogue row has about twenty columns; further cells are not read.
MAX_COLUMNS = 100
# A normal workbook has a dozen parts; unpacked, a sheet of 50,000 titles is ~60 MB of XML.
XLSX_MAX_MEMBERS = 500
XLSX_MAX_UNPACKED = 200 * 1024 * 1024
XLSX_MAX_SHARED_STRINGS = 50 * 1024 * 1024
CSV_MAX_FIELD = 100_000  # characters in one cell


class ImportFileError(Exception):
    """The file as a whole cannot be read (wrong type, no title column, too big …)."""


def file_kind(filename: str) -> str:
    name = filename.lower()
    if name.endswith(".xlsx"):
        return "xlsx"
    if name.endswith((".csv", ".txt")):
        return "csv"
    raise ImportFileError("Bitte eine CSV- oder Excel-Datei (.csv, .xlsx) hochladen.")


def read_rows(path: Path, filename: str) -> Iterator[list[str]]:
    """Rows of stripped strings, one per line of the sheet (empty lines included). The
    apostrophe our CSV export puts before a formula-like cell is taken off again."""
    if file_kind(filename) == "xlsx":
        return _xlsx_rows(path)
    return _csv_rows(path)


def estimate_rows(path: Path, filename: str) -> int:
    """A cheap guess of the number of lines, for the progress display only."""
    if file_kind(filename) == "xlsx":
        return 0
    count = 0
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            count += chunk.count(b"\n")
    return count


# ---- CSV -----------------------------------------------------------------------------------


def _is_utf8(path: Path) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with path.open("rb") as f:
            while chunk := f.read(1 << 20):
                decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _csv_rows(path: Path) -> Iterator[list[str]]:
    # Excel's "CSV" on German Windows is Windows-1252; everything else is UTF-8 by now.
    encoding = "utf-8-sig" if _is_utf8(path) else "cp1252"
    with path.open(encoding=encoding, errors="replace", newline="") as f:
        first = f.readline(64 * 1024)
        delimiter = ";" if first.count(";") > first.count(",") else ","
        f.seek(0)
        previous = csv.field_size_limit(CSV_MAX_FIELD)
        try:
            for row in csv.reader(f, delimiter=delimiter):
                yield [unprotect(cell.strip()) for cell in row[:MAX_COLUMNS]]
        except csv.Error as exc:
            raise ImportFileError(
                "Die CSV-Datei lässt sich nicht lesen (ein Feld ist zu lang oder "
                "ein Anführungszeichen fehlt)."
            ) from exc
        finally:
            csv.field_size_limit(previous)


# ---- XLSX ----------------------------------------------------------------------------------


def check_xlsx_archive(path: Path) -> None:
    """Refuse a workbook whose archive unpacks to more than a catalogue can need.

    Python's zipfile never unpacks more of a member than its declared size, so checking the
    declared sizes bounds what openpyxl can read.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise ImportFileError("Die Excel-Datei lässt sich nicht öffnen.") from exc
    too_big = ImportFileError(
        "Die Excel-Datei ist ungewöhnlich aufgebaut (entpackt zu groß) und wurde nicht gelesen. "
        "Bitte speichern Sie die Tabelle neu oder als CSV."
    )
    if len(members) > XLSX_MAX_MEMBERS:
        raise too_big
    if sum(m.file_size for m in members) > XLSX_MAX_UNPACKED:
        raise too_big
    if any(
        m.filename.lower().endswith("sharedstrings.xml") and m.file_size > XLSX_MAX_SHARED_STRINGS
        for m in members
    ):
        raise too_big


def _xlsx_rows(path: Path) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    check_xlsx_archive(path)
    try:
        book = load_workbook(path, read_only=True, data_only=True)
        sheet = book.worksheets[0]
    except MemoryError:
        raise
    except Exception as exc:  # noqa: BLE001 - any broken workbook gets the same message
        raise ImportFileError("Die Excel-Datei lässt sich nicht öffnen.") from exc
    try:
        # The declared dimension ("A1:XFD1048576") would make openpyxl pad every row to it.
        sheet.reset_dimensions()
        rows = sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True)
        while True:
            try:
                row = next(rows)
            except StopIteration:
                return
            except MemoryError:
                raise
            except Exception as exc:  # noqa: BLE001 - broken sheet XML
                raise ImportFileError(
                    "Die Excel-Datei ist beschädigt und lässt sich nicht lesen."
                ) from exc
            yield ["" if v is None else unprotect(str(v).strip()) for v in row]
    finally:
        book.close()
