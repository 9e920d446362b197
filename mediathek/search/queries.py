"""The catalogue search: ``await search(SearchParams(...)) -> SearchResult``.

One service for the public page and the JSON API. Words are matched by the engine's own
text index (FTS5 on SQLite, tsvector + GIN on PostgreSQL, both maintained by triggers), one
word at a time, so that a word's matches can be kept and combined; filters, facet counts,
sorting and paging run over the facet table in memory (``mediathek.search.facets``), which
``mediathek.search.index`` keeps current from the database's change log.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, replace
from typing import Any, cast

import numpy as np
from piccolo.engine.sqlite import SQLiteEngine

from mediathek.catalogue.tables import Copy, CopyStatus, Title
from mediathek.db import current_engine, is_sqlite, read_snapshot
from mediathek.search import text
from mediathek.search.facets import FacetTable, count_rows, filter_and_count, page_of
from mediathek.search.index import facet_table, part_mask, word_mask
from mediathek.search.models import (  # noqa: F401 - the public contract lives here
    FACET_ATTRS,
    MAX_PAGE,
    PAGE_SIZE,
    SORTS,
    TOPIC_FACET_SIZE,
    FacetValue,
    RecognisedFilter,
    Relaxation,
    SearchHit,
    SearchParams,
    SearchResult,
)
from mediathek.search.understand import Synonyms, Understanding, load_synonyms, understand
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
    "t.age_min, t.age_max, t.year, t.publisher, t.series, t.isbn, t.cover_file"
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
    key = str(cast(SQLiteEngine, current_engine()).path)
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


@dataclass
class _Words:
    """The text side of a query: each word's matches and how the heading holds them."""

    masks: list[np.ndarray]
    score: np.ndarray | None

    def matches(self, table: FacetTable, skip: int | None = None) -> np.ndarray | None:
        """Rows matching every word (but the ``skip``-th); None when no word constrains."""
        out: np.ndarray | None = None
        for n, mask in enumerate(self.masks):
            if n != skip:
                out = mask.copy() if out is None else out & mask
        return out


async def _word_mask(
    table: FacetTable, word: str, part: str, alternatives: dict[str, list[str]], heading: bool
) -> np.ndarray | None:
    """Rows matching one word as a word (stem, prefix) or inside a compound; None when the
    word constrains nothing (a PostgreSQL stop word too short to be a part)."""
    mask = await word_mask(table, _expression(word, alternatives), heading=heading)
    inside = await part_mask(table, part, heading=heading)
    if inside is None:
        return mask
    return inside if mask is None else mask | inside


async def _word_matches(
    table: FacetTable, words: dict[str, str], alternatives: dict[str, list[str]], ranked: bool
) -> _Words:
    """Every word's matches and (ranked) a score: two points per word in the heading (title,
    subtitle, series), one more when the words stand there as a phrase; hits only in the
    description or other fields score nothing and come after.

    A word that constrains nothing (a PostgreSQL stop word) is left out; a query of stop words
    only finds nothing.
    """
    masks: list[np.ndarray] = []
    score = np.zeros(len(table), dtype=np.int16) if ranked else None
    for word, part in words.items():
        mask = await _word_mask(table, word, part, alternatives, heading=False)
        if mask is None:
            continue
        masks.append(mask)
        if score is not None:
            heading = await _word_mask(table, word, part, alternatives, heading=True)
            if heading is not None:
                score += 2 * heading
    if not masks:
        masks = [np.zeros(len(table), dtype=bool)]
    if score is not None and len(words) > 1:
        engine_phrase = text.fts5_phrase if is_sqlite(current_engine()) else text.ts_phrase
        phrase = await word_mask(table, engine_phrase(list(words)), heading=True)
        if phrase is not None:
            score += phrase
    return _Words(masks, score)


async def _recognised_boost(
    table: FacetTable, understanding: Understanding, score: np.ndarray | None
) -> np.ndarray:
    """One point for each recognised phrase that also stands in a title's heading: among all
    kits, "Medienkoffer Kita" lists those called Medienkoffer first."""
    score = np.zeros(len(table), dtype=np.int16) if score is None else score.copy()
    for words in dict.fromkeys(r.words for r in understanding.recognised):
        parts = text.term_parts(words)
        expression = (text.fts5_phrase if is_sqlite(current_engine()) else text.ts_phrase)(
            list(parts)
        )
        heading = await word_mask(table, expression, heading=True)
        if heading is not None:
            score += heading
    return score


async def _alternatives(table: FacetTable, words: dict[str, str]) -> dict[str, list[str]]:
    """Similar indexed words for each query word the index does not know (typos)."""
    unknown = []
    for word, part in words.items():
        mask = await _word_mask(table, word, part, {}, heading=False)
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


async def search(params: SearchParams, synonyms: Synonyms | None = None) -> SearchResult:
    """Search the catalogue: hits of the requested page, total, facet counts.

    An ISBN (any form) or a copy barcode finds its title exactly. Otherwise words naming a
    filter value (``synonyms``: "Bildkarten", "A1", "Arabisch", "Kita") become filters, and
    the other words are matched word by word (all words, as stems, prefixes or parts of
    compounds); when nothing matches, unknown words are retried with similar indexed words
    (typos), and the result says which word or filter to drop to find something.
    """
    # All reads on one connection, seeing one state of the catalogue.
    async with read_snapshot():
        return await _search(params, synonyms or load_synonyms())


async def _search(params: SearchParams, synonyms: Synonyms) -> SearchResult:
    table = await facet_table()
    exact: str | None = None
    ids: list[int] = []
    understanding = Understanding(rest=params.q)
    if params.q:
        exact, ids = await _exact_ids(params.q)
        if not exact:
            understanding = understand(params.q, synonyms)
    result = await _run(table, params, exact, ids, understanding)
    if result.total == 0 and understanding.recognised:
        # The words may name a title rather than a filter ("Das große Spiel der Farben" is
        # a book): when the filters find nothing, every word is tried as text.
        literal = await _run(table, params, None, [], Understanding(rest=params.q))
        if literal.total:
            literal.words_as_text = True
            return literal
    return result


async def _run(
    table: FacetTable,
    params: SearchParams,
    exact: str | None,
    ids: list[int],
    understanding: Understanding,
) -> SearchResult:
    corrections: dict[str, list[str]] = {}
    ranked = params.sort == "relevanz"
    matches: np.ndarray | None = None
    words_found: _Words | None = None
    if exact:
        matches = table.mask_of(np.array(ids, dtype=np.int64))
    applied = params
    for found in understanding.recognised:
        applied = applied.with_values(found.facet, found.values)
    words = {} if exact else text.term_parts(understanding.rest)
    if words:
        words_found = await _word_matches(table, words, {}, ranked)
        matches = words_found.matches(table)
    elif params.q and not exact and not understanding.recognised:
        matches = np.zeros(len(table), dtype=bool)  # only signs, nothing to search

    rows, counts = filter_and_count(table, matches, applied)
    total = int(np.count_nonzero(rows))
    if total == 0 and words:
        corrections = await _alternatives(table, words)
        if corrections:
            words_found = await _word_matches(table, words, corrections, ranked)
            matches = words_found.matches(table)
            rows, counts = filter_and_count(table, matches, applied)
            total = int(np.count_nonzero(rows))
    score = words_found.score if words_found else None
    if ranked and understanding.recognised and total:
        score = await _recognised_boost(table, understanding, score)
    hits = await _hit_details(page_of(table, rows, applied, score))
    suggestions: list[str] = []
    relaxations: list[Relaxation] = []
    if total == 0:
        if corrections:
            suggestions = [alts[0] for alts in corrections.values()]
            corrections = {}
        if params.q or applied.has_filters:
            # Never a dead end: the facets count what the words alone find, and each word or
            # filter that empties the result is offered for dropping.
            counts = filter_and_count(table, matches, SearchParams())[1]
            relaxations = _relaxations(table, params, understanding, words, words_found)
    return SearchResult(
        params=params,
        hits=hits,
        total=total,
        facets=_facets(applied, counts),
        exact=exact if total else None,
        corrections=corrections if total else {},
        suggestions=suggestions,
        recognised=[
            RecognisedFilter(
                r.facet,
                r.values,
                _label(r.facet, r.values),
                r.words,
                understanding.without[r.words],
            )
            for r in understanding.recognised
        ],
        text=understanding.rest if understanding.recognised else params.q,
        applied=applied,
        relaxations=relaxations,
    )


def _label(facet: str, values: tuple[str, ...]) -> str:
    labels = FACET_LABELS[facet]
    return " / ".join(labels.get(v, v) for v in values)


FACET_LABELS = {
    "media_type": {str(k): v for k, v in MEDIA_TYPE_LABELS.items()},
    "language": LANGUAGES,
    "level": {str(k): v for k, v in LEVEL_LABELS.items()},
    "age": {str(k): v for k, v in AGE_GROUP_LABELS.items()},
    "topic": {t: t for t in TOPICS},
    "available": {"ja": "jetzt im Regal"},
}

MAX_RELAXATIONS = 5


def _relaxations(
    table: FacetTable,
    params: SearchParams,
    understanding: Understanding,
    words: dict[str, str],
    found: _Words | None,
) -> list[Relaxation]:
    """For an empty result: how many titles each search without one of its words or filters
    would find (only those that find something, most first)."""

    def applied_with(base: SearchParams, skip: str | None = None) -> SearchParams:
        for r in understanding.recognised:
            if r.words != skip:
                base = base.with_values(r.facet, r.values)
        return base

    matches = found.matches(table) if found else None
    if params.q and not words and not understanding.recognised:
        matches = np.zeros(len(table), dtype=bool)
    out: list[Relaxation] = []
    tokens = re.findall(r"\w+", params.q)
    if found and len(found.masks) == len(words):
        for n, word in enumerate(words):
            count = count_rows(table, found.matches(table, skip=n), applied_with(params))
            q = " ".join(t for t in tokens if text.fold(t).strip("_") != word)
            out.append(Relaxation(original_word(tokens, word), count, q=q))
    for r in understanding.recognised:
        count = count_rows(table, matches, applied_with(params, skip=r.words))
        out.append(Relaxation(r.words, count, q=understanding.without[r.words]))
    for facet in FACET_LABELS:
        chosen = params.chosen(facet)
        if not chosen:
            continue
        loosened = (
            replace(params, available=False)
            if facet == "available"
            else replace(params, **cast(dict[str, Any], {FACET_ATTRS[facet]: ()}))
        )
        count = count_rows(table, matches, applied_with(loosened))
        out.append(Relaxation(_label(facet, chosen), count, facet=facet))
    seen: set[str] = set()
    kept = []
    for relaxation in sorted(out, key=lambda r: -r.count):
        if relaxation.count and relaxation.label not in seen:
            seen.add(relaxation.label)
            kept.append(relaxation)
    return kept[:MAX_RELAXATIONS]


def original_word(tokens: list[str], word: str) -> str:
    """A folded word as the person typed it."""
    return next((t for t in tokens if text.fold(t).strip("_") == word), word)
