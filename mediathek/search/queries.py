"""The catalogue search: ``await search(SearchParams(...)) -> SearchResult``.

One service for the public page and the JSON API. Words are matched by the engine's own
text index (FTS5 on SQLite, tsvector + GIN on PostgreSQL, both maintained by triggers), one
word at a time, so that a word's matches can be kept and combined; filters, facet counts,
sorting and paging run over the facet table in memory (``mediathek.search.facets``), which
``mediathek.search.index`` keeps current from the database's change log.
"""

from __future__ import annotations

import time

import numpy as np

from mediathek.catalogue.tables import Copy, CopyStatus, Title
from mediathek.db import current_engine, is_sqlite, read_snapshot
from mediathek.search import text
from mediathek.search.facets import FacetTable, filter_and_count, page_of
from mediathek.search.index import facet_table, word_mask
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
from mediathek.vocab import (
    AGE_GROUP_LABELS,
    LANGUAGES,
    LEVEL_LABELS,
    MEDIA_TYPE_LABELS,
    TOPICS,
)


def _facets(p: SearchParams, counts: dict[str, dict[str, int]]) -> dict[str, list[FacetValue]]:
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


HIT_COLUMNS = (
    "t.id, t.title, t.subtitle, t.authors, t.media_type, t.level_min, t.level_max, "
    "t.age_min, t.age_max, t.year, t.publisher, t.series, t.isbn"
)


async def _hit_details(ids: list[int]) -> list[SearchHit]:
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


def _expression(word: str, alternatives: dict[str, list[str]]) -> str:
    """One word (with its alternatives) in the text index's query language."""
    if is_sqlite(current_engine()):
        return text.fts5_query([word], alternatives)
    return text.tsquery([word], alternatives)


async def _word_matches(
    table: FacetTable, words: list[str], alternatives: dict[str, list[str]], ranked: bool
) -> tuple[np.ndarray, np.ndarray | None]:
    """Rows matching every word, and (ranked) how many of the words each row's heading holds.

    A word that constrains nothing (a PostgreSQL stop word) is left out; a query of stop words
    only finds nothing.
    """
    matches: np.ndarray | None = None
    score = np.zeros(len(table), dtype=np.int16) if ranked else None
    for word in words:
        expression = _expression(word, alternatives)
        mask = await word_mask(table, expression, heading=False)
        if mask is None:
            continue
        matches = mask.copy() if matches is None else matches & mask
        if score is not None:
            heading = await word_mask(table, expression, heading=True)
            if heading is not None:
                score += heading
    if matches is None:
        matches = np.zeros(len(table), dtype=bool)
    return matches, score


async def _alternatives(table: FacetTable, words: list[str]) -> dict[str, list[str]]:
    """Similar indexed words for each query word the index does not know (typos)."""
    unknown = []
    for word in words:
        mask = await word_mask(table, _expression(word, {}), heading=False)
        if len(word) >= 4 and mask is not None and not np.any(mask & table.live):
            unknown.append(word)
    out = {}
    if is_sqlite(current_engine()):
        vocabulary = await _sqlite_vocabulary()
        for word in unknown:
            found = vocabulary.candidates(word)
            if found:
                out[word] = found
        return out
    for word in unknown:
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
    # All reads on one connection, seeing one state of the catalogue.
    async with read_snapshot():
        return await _search(params)


async def _search(params: SearchParams) -> SearchResult:
    table = await facet_table()
    exact: str | None = None
    corrections: dict[str, list[str]] = {}
    words = text.terms(params.q)
    ranked = params.sort == "relevanz"
    matches: np.ndarray | None = None
    score: np.ndarray | None = None
    if params.q:
        exact, ids = await _exact_ids(params.q)
        if exact:
            matches = table.mask_of(np.array(ids, dtype=np.int64))
        elif words:
            matches, score = await _word_matches(table, words, {}, ranked)
        else:
            matches = np.zeros(len(table), dtype=bool)

    rows, counts = filter_and_count(table, matches, params)
    total = int(np.count_nonzero(rows))
    if total == 0 and words and not exact:
        corrections = await _alternatives(table, words)
        if corrections:
            matches, score = await _word_matches(table, words, corrections, ranked)
            rows, counts = filter_and_count(table, matches, params)
            total = int(np.count_nonzero(rows))
    hits = await _hit_details(page_of(table, rows, params, score))
    suggestions: list[str] = []
    if total == 0 and corrections:
        suggestions = [alts[0] for alts in corrections.values()]
        corrections = {}
    return SearchResult(
        params=params,
        hits=hits,
        total=total,
        facets=_facets(params, counts),
        exact=exact if total else None,
        corrections=corrections if total else {},
        suggestions=suggestions,
    )
