"""The catalogue search: ``await search(SearchParams(...)) -> SearchResult``.

One service for the public page and the JSON API. The text match runs on the engine's own
index (FTS5 on SQLite, tsvector + GIN on PostgreSQL, both maintained by triggers); filters,
facet counts, sorting and paging are plain SQL over the matched ids. Facets count
disjunctively: the counts of one facet ignore that facet's own selection, so ticking "Buch"
still shows how many games there are.
"""

from __future__ import annotations

import asyncio
import time

from mediathek.catalogue.tables import Copy, CopyStatus, Title
from mediathek.db import current_engine, is_sqlite
from mediathek.search import text
from mediathek.search.models import (  # noqa: F401 - the public contract lives here
    MAX_PAGE,
    PAGE_SIZE,
    SORTS,
    TOPIC_FACET_SIZE,
    FacetValue,
    SearchHit,
    SearchParams,
    SearchResult,
)
from mediathek.search.statements import (
    HIT_COLUMNS,
    SCAN_FACETS,
    Match,
    facet_counts,
    ids_match,
    page_ids,
    text_match,
    unranked,
)
from mediathek.vocab import (
    AGE_GROUP_LABELS,
    LANGUAGES,
    LEVEL_LABELS,
    MEDIA_TYPE_LABELS,
    TOPICS,
)


def _facets(p: SearchParams, rows: list[dict]) -> dict[str, list[FacetValue]]:
    counts: dict[str, dict[str, int]] = {name: {} for name in (*SCAN_FACETS, "language", "topic")}
    for row in rows:
        kind, _, names = row["facet"].partition(":")
        if kind not in ("all", "scan"):
            counts[kind][row["value"]] = row["n"]
            continue
        for facet in filter(None, names.split(",")):
            got = counts[facet]
            if facet == "media_type":
                got[row["value"]] = got.get(row["value"], 0) + row["n"]
            elif facet == "available":
                got["ja"] = got.get("ja", 0) + int(row["avail"] or 0)
            else:
                prefix = "lv" if facet == "level" else "ag"
                for key, value in row.items():
                    if key.startswith(prefix + "_"):
                        code = key[len(prefix) + 1 :]
                        got[code] = got.get(code, 0) + int(value or 0)

    def ordered(name: str, labels: dict, chosen: tuple[str, ...]) -> list[FacetValue]:
        got = counts.get(name, {})
        return [
            FacetValue(code, label, got.get(code, 0), code in chosen)
            for code, label in ((str(k), v) for k, v in labels.items())
            if got.get(code, 0) or code in chosen
        ]

    def by_count(name: str, labels: dict, chosen: tuple[str, ...], size: int) -> list[FacetValue]:
        got = counts.get(name, {})
        codes = sorted(got, key=lambda c: (-got[c], labels.get(c, c)))[:size]
        codes += [c for c in chosen if c not in codes]
        return [FacetValue(c, labels.get(c, c), got.get(c, 0), c in chosen) for c in codes]

    return {
        "media_type": ordered("media_type", MEDIA_TYPE_LABELS, p.media_types),
        "language": by_count("language", LANGUAGES, p.languages, len(LANGUAGES)),
        "level": ordered("level", LEVEL_LABELS, p.levels),
        "age": ordered("age", AGE_GROUP_LABELS, p.ages),
        "topic": by_count("topic", {t: t for t in TOPICS}, p.topics, TOPIC_FACET_SIZE),
        "available": [
            FacetValue(
                "ja", "jetzt im Regal", counts.get("available", {}).get("ja", 0), p.available
            )
        ],
    }


def _total(facet_rows: list[dict]) -> int:
    return sum(row["n"] for row in facet_rows if row["facet"].startswith("all:"))


async def _hit_details(rows: list[dict]) -> list[SearchHit]:
    if not rows:
        return []
    ids = [r["id"] for r in rows]
    marks = ", ".join("{}" for _ in ids)
    details, languages, copies = await asyncio.gather(
        Title.raw(f"SELECT {HIT_COLUMNS} FROM title t WHERE t.id IN ({marks})", *ids),
        Title.raw(
            f"SELECT title, language FROM title_language WHERE title IN ({marks}) ORDER BY id",
            *ids,
        ),
        Copy.raw(
            "SELECT title, count(*) AS n, "
            f"sum(CASE WHEN status = '{CopyStatus.available}' THEN 1 ELSE 0 END) AS free "
            f"FROM copy WHERE title IN ({marks}) AND withdrawn_at IS NULL GROUP BY title",
            *ids,
        ),
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


# ---- identifiers and typos ------------------------------------------------------------------


async def _exact_ids(query: str) -> tuple[str | None, list[int]]:
    isbn = text.isbn13(query)
    if isbn:
        rows = await Title.raw(
            "SELECT id FROM title WHERE isbn = {} AND withdrawn_at IS NULL", isbn
        )
        return "isbn", [r["id"] for r in rows]
    if text.looks_like_code(query):
        from mediathek.catalogue.barcodes import normalise_code

        rows = await Copy.raw(
            "SELECT c.title AS id FROM copy c JOIN title t ON t.id = c.title "
            "WHERE c.barcode = {} AND t.withdrawn_at IS NULL",
            normalise_code(query),
        )
        if rows:
            return "barcode", [rows[0]["id"]]
    return None, []


_VOCABULARY: dict[str, tuple[float, text.Vocabulary]] = {}
# The SQLite word list is read from the index at most this often; a word added since then
# is still found by the normal search, it only gets no typo suggestions until the next read.
VOCABULARY_TTL = 300.0


async def _sqlite_vocabulary() -> text.Vocabulary:
    key = str(current_engine().path)
    cached = _VOCABULARY.get(key)
    if cached and time.monotonic() - cached[0] < VOCABULARY_TTL:
        return cached[1]
    rows = await Title.raw(
        "SELECT term, doc FROM title_fts_vocab WHERE length(term) BETWEEN 4 AND 40"
    )
    vocabulary = text.Vocabulary({r["term"]: r["doc"] for r in rows})
    _VOCABULARY[key] = (time.monotonic(), vocabulary)
    return vocabulary


def forget_vocabulary() -> None:
    """Drop the cached SQLite word list (tests, bulk imports)."""
    _VOCABULARY.clear()


async def _alternatives(words: list[str]) -> dict[str, list[str]]:
    """Similar indexed words for each query word the index does not know (typos)."""
    if is_sqlite(current_engine()):
        vocabulary = await _sqlite_vocabulary()
        out = {}
        for word in words:
            if vocabulary.has_prefix(text.german_stem(word)):
                continue
            found = vocabulary.candidates(word)
            if found:
                out[word] = found
        return out
    out = {}
    for word in words:
        if len(word) < 4:
            continue
        known = await Title.raw(
            "SELECT EXISTS (SELECT 1 FROM title_search "
            "WHERE document @@ to_tsquery('german', {})) AS known",
            text.tsquery([word]),
        )
        if known[0]["known"]:
            continue
        rows = await Title.raw(
            "SELECT word FROM search_word WHERE word % {} "
            "ORDER BY similarity(word, {}) DESC, word LIMIT 4",
            word,
            word,
        )
        if rows and rows[0]["word"] != word:
            out[word] = [r["word"] for r in rows if r["word"] != word][:3]
    return out


# ---- the service -------------------------------------------------------------------------------


async def search(params: SearchParams) -> SearchResult:
    """Search the catalogue: hits of the requested page, total, facet counts.

    An ISBN (any form) or a copy barcode finds its title exactly; other text is matched word
    by word (all words, as stems and prefixes); when nothing matches, unknown words are
    retried with similar indexed words (typos) and the result says so.
    """
    exact: str | None = None
    corrections: dict[str, list[str]] = {}
    words = text.terms(params.q)
    match: Match | None = None
    if params.q:
        exact, ids = await _exact_ids(params.q)
        if exact:
            match = ids_match(ids)
        elif words:
            match = text_match(words, {}, ranked=params.sort == "relevanz")
        else:
            match = ids_match([])

    ranked = params.sort == "relevanz"
    # Facets need no ranking; both queries run side by side.
    rows, facet_rows = await asyncio.gather(
        page_ids(params, match), facet_counts(params, unranked(match))
    )
    total = _total(facet_rows)
    if total == 0 and words and not exact:
        corrections = await _alternatives(words)
        if corrections:
            match = text_match(words, corrections, ranked=ranked)
            rows, facet_rows = await asyncio.gather(
                page_ids(params, match), facet_counts(params, unranked(match))
            )
            total = _total(facet_rows)
    hits = await _hit_details(rows)
    suggestions: list[str] = []
    if total == 0 and corrections:
        suggestions = [alts[0] for alts in corrections.values()]
        corrections = {}
    return SearchResult(
        params=params,
        hits=hits,
        total=total,
        facets=_facets(params, facet_rows),
        exact=exact if total else None,
        corrections=corrections if total else {},
        suggestions=suggestions,
    )
