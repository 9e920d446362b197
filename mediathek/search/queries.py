"""Reads the search makes alike on both engines: a page of hits with their details, and the
title an ISBN or a copy barcode names."""

from __future__ import annotations

from types import ModuleType

from mediathek.catalogue.barcodes import normalise_code
from mediathek.catalogue.tables import Copy, CopyStatus, Title
from mediathek.search import text
from mediathek.search.models import SearchHit

# Values joined into one text (``sql.concat``) are separated by the unit separator, which no
# language code or topic contains.
SEPARATOR = "\x1f"

HIT_COLUMNS = (
    "t.id, t.title, t.subtitle, t.authors, t.media_type, t.level_min, t.level_max, "
    "t.age_min, t.age_max, t.year, t.publisher, t.series, t.isbn, t.cover_file"
)


async def hit_details(sql: ModuleType, ids: list[int]) -> list[SearchHit]:
    """The hits of these title ids, in this order, with languages and copies on the shelf.

    One statement: on PostgreSQL each round trip in a busy process costs milliseconds, so
    languages and copy counts come as subqueries rather than as two more reads. The ids are
    the facet table's integers, written into the statement as numbers.
    """
    if not ids:
        return []
    listed = ", ".join(str(int(i)) for i in ids)
    rows = await Title.raw(
        f"SELECT {HIT_COLUMNS}, "
        f"(SELECT {sql.concat('l.language')} FROM (SELECT language FROM title_language "
        "WHERE title = t.id ORDER BY id) l) AS languages, "
        "(SELECT count(*) FROM copy c WHERE c.title = t.id AND c.withdrawn_at IS NULL) AS n, "
        "(SELECT count(*) FROM copy c WHERE c.title = t.id AND c.withdrawn_at IS NULL "
        f"AND c.status = '{CopyStatus.available}') AS free "
        f"FROM title t WHERE t.id IN ({listed})"
    )
    by_id = {row["id"]: row for row in rows}
    hits = []
    for title_id in ids:
        fields = dict(by_id[title_id])
        languages = fields.pop("languages")
        n, free = int(fields.pop("n") or 0), int(fields.pop("free") or 0)
        hits.append(
            SearchHit(
                **fields,
                languages=languages.split(SEPARATOR) if languages else [],
                copies=n,
                available=free,
            )
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
