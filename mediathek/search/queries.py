"""Reads the search makes alike on both engines: a page of hits with their details, and the
title an ISBN or a copy barcode names."""

from __future__ import annotations

from mediathek.catalogue.barcodes import normalise_code
from mediathek.catalogue.tables import Copy, CopyStatus, Title
from mediathek.search import text
from mediathek.search.models import SearchHit

HIT_COLUMNS = (
    "t.id, t.title, t.subtitle, t.authors, t.media_type, t.level_min, t.level_max, "
    "t.age_min, t.age_max, t.year, t.publisher, t.series, t.isbn, t.cover_file"
)


async def hit_details(ids: list[int]) -> list[SearchHit]:
    """The hits of these title ids, in this order, with languages and copies on the shelf."""
    if not ids:
        return []
    marks = ", ".join("{}" for _ in ids)
    details = await Title.raw(f"SELECT {HIT_COLUMNS} FROM title t WHERE t.id IN ({marks})", *ids)
    languages = await Title.raw(
        f"SELECT title, language FROM title_language WHERE title IN ({marks}) ORDER BY id", *ids
    )
    copies = await Copy.raw(
        "SELECT title, count(*) AS n, "
        f"sum(CASE WHEN status = '{CopyStatus.available}' THEN 1 ELSE 0 END) AS free "
        f"FROM copy WHERE title IN ({marks}) AND withdrawn_at IS NULL GROUP BY title",
        *ids,
    )
    langs: dict[int, list[str]] = {}
    for row in languages:
        langs.setdefault(row["title"], []).append(row["language"])
    stock = {row["title"]: (row["n"], int(row["free"] or 0)) for row in copies}
    by_id = {row["id"]: row for row in details}
    hits = []
    for title_id in ids:
        fields = by_id[title_id]
        n, free = stock.get(title_id, (0, 0))
        hits.append(
            SearchHit(**fields, languages=langs.get(title_id, []), copies=n, available=free)
        )
    return hits


async def exact_ids(query: str) -> tuple[str | None, list[int]]:
    """("isbn" or "barcode", the title ids) when the query is an ISBN or a copy barcode."""
    isbn = text.isbn13(query)
    if isbn:
        rows = await Title.raw(
            "SELECT id FROM title WHERE isbn = {} AND withdrawn_at IS NULL", isbn
        )
        return "isbn", [r["id"] for r in rows]
    if text.looks_like_code(query):
        rows = await Copy.raw(
            "SELECT c.title AS id FROM copy c JOIN title t ON t.id = c.title "
            "WHERE c.barcode = {} AND t.withdrawn_at IS NULL",
            normalise_code(query),
        )
        if rows:
            return "barcode", [rows[0]["id"]]
    return None, []
