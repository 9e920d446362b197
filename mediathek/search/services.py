"""The catalogue search: ``await search(SearchParams(...)) -> SearchResult``.

One service for the public page and the JSON API. Words are matched by the engine's own
text index (``sql_sqlite``/``sql_postgres``), one word at a time, so that a word's matches
can be kept and combined; filters, facet counts, sorting and paging run over the facet table
in memory (``facets``), which ``index`` keeps current from the database's change log.
"""

from __future__ import annotations

from types import ModuleType

import numpy as np

from mediathek.db import read_snapshot
from mediathek.search import policy, queries, sql_postgres, sql_sqlite, text
from mediathek.search.facets import FacetTable, filter_and_count, page_of
from mediathek.search.index import engine_sql, facet_table, word_and_part_masks, word_mask
from mediathek.search.models import RecognisedFilter, SearchParams, SearchResult
from mediathek.search.policy import Words
from mediathek.search.understand import Synonyms, Understanding, load_synonyms, understand


def forget_vocabulary() -> None:
    """Drop the word lists kept for typo suggestions (tests, bulk imports)."""
    sql_sqlite.forget_vocabulary()
    sql_postgres.forget_vocabulary()


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
        table = await facet_table(titles=params.sort == "titel")
        run = _Search(engine_sql(), table)
        return await run.search(params, synonyms or load_synonyms())


class _Search:
    """One search against one state of the facet table, in one engine's SQL."""

    def __init__(self, sql: ModuleType, table: FacetTable) -> None:
        self.sql = sql
        self.table = table

    async def search(self, params: SearchParams, synonyms: Synonyms) -> SearchResult:
        exact: str | None = None
        ids: list[int] = []
        understanding = Understanding(rest=params.q)
        if params.q:
            exact, ids = await queries.exact_ids(params.q)
            if not exact:
                understanding = understand(params.q, synonyms)
        result = await self.run(params, exact, ids, understanding)
        if result.total == 0 and understanding.recognised:
            # The words may name a title rather than a filter ("Das große Spiel der Farben"
            # is a book): when the filters find nothing, every word is tried as text.
            literal = await self.run(params, None, [], Understanding(rest=params.q))
            if literal.total:
                literal.words_as_text = True
                return literal
        return result

    async def run(
        self,
        params: SearchParams,
        exact: str | None,
        ids: list[int],
        understanding: Understanding,
    ) -> SearchResult:
        table = self.table
        corrections: dict[str, list[str]] = {}
        ranked = params.sort == "relevanz"
        matches: np.ndarray | None = None
        words_found: Words | None = None
        if exact:
            matches = table.mask_of(np.array(ids, dtype=np.int64))
        applied = params
        for found in understanding.recognised:
            applied = applied.with_values(found.facet, found.values)
        words = {} if exact else text.term_parts(understanding.rest)
        if words:
            words_found = await self.word_matches(words, {}, ranked)
            matches = words_found.matches(table)
        elif params.q and not exact and not understanding.recognised:
            matches = np.zeros(len(table), dtype=bool)  # only signs, nothing to search

        rows, counts = filter_and_count(table, matches, applied)
        total = int(np.count_nonzero(rows))
        if total == 0 and words:
            corrections = await self.alternatives(words)
            if corrections:
                words_found = await self.word_matches(words, corrections, ranked)
                matches = words_found.matches(table)
                rows, counts = filter_and_count(table, matches, applied)
                total = int(np.count_nonzero(rows))
        score = words_found.score if words_found else None
        if ranked and understanding.recognised and total:
            score = await self.recognised_boost(understanding, score)
        hits = await queries.hit_details(self.sql, page_of(table, rows, applied, score))
        suggestions: list[str] = []
        relaxations = []
        if total == 0:
            if corrections:
                suggestions = [alts[0] for alts in corrections.values()]
                corrections = {}
            if params.q or applied.has_filters:
                # Never a dead end: the facets count what the words alone find, and each word
                # or filter that empties the result is offered for dropping.
                counts = filter_and_count(table, matches, SearchParams())[1]
                relaxations = policy.relaxations(table, params, understanding, words, words_found)
        return SearchResult(
            params=params,
            hits=hits,
            total=total,
            facets=policy.facet_lists(applied, counts),
            exact=exact if total else None,
            corrections=corrections if total else {},
            suggestions=suggestions,
            recognised=[
                RecognisedFilter(
                    r.facet,
                    r.values,
                    policy.label(r.facet, r.values),
                    r.words,
                    understanding.without[r.words],
                )
                for r in understanding.recognised
            ],
            text=understanding.rest if understanding.recognised else params.q,
            applied=applied,
            relaxations=relaxations,
        )

    async def word_mask(
        self, word: str, part: str, alternatives: dict[str, list[str]], heading: bool
    ) -> np.ndarray | None:
        """Rows matching one word as a word (stem, prefix) or inside a compound; None when
        the word constrains nothing (a PostgreSQL stop word too short to be a part)."""
        expression = self.sql.word_query(word, alternatives)
        mask, inside = await word_and_part_masks(self.sql, self.table, expression, part, heading)
        if inside is None:
            return mask
        return inside if mask is None else mask | inside

    async def word_matches(
        self, words: dict[str, str], alternatives: dict[str, list[str]], ranked: bool
    ) -> Words:
        """Every word's matches and (ranked) a score: two points per word in the heading
        (title, subtitle, series), one more when the words stand there as a phrase; hits only
        in the description or other fields score nothing and come after.

        A word that constrains nothing (a PostgreSQL stop word) is left out; a query of stop
        words only finds nothing.
        """
        table = self.table
        masks: list[np.ndarray] = []
        score = np.zeros(len(table), dtype=np.int16) if ranked else None
        for word, part in words.items():
            mask = await self.word_mask(word, part, alternatives, heading=False)
            if mask is None:
                continue
            masks.append(mask)
            if score is not None:
                heading = await self.word_mask(word, part, alternatives, heading=True)
                if heading is not None:
                    score += 2 * heading
        if not masks:
            masks = [np.zeros(len(table), dtype=bool)]
        if score is not None and len(words) > 1:
            phrase = await word_mask(
                self.sql, table, self.sql.phrase_query(list(words)), heading=True
            )
            if phrase is not None:
                score += phrase
        return Words(masks, score)

    async def recognised_boost(
        self, understanding: Understanding, score: np.ndarray | None
    ) -> np.ndarray:
        """One point for each recognised phrase that also stands in a title's heading: among
        all kits, "Medienkoffer Kita" lists those called Medienkoffer first."""
        table = self.table
        score = np.zeros(len(table), dtype=np.int16) if score is None else score.copy()
        for words in dict.fromkeys(r.words for r in understanding.recognised):
            expression = self.sql.phrase_query(list(text.term_parts(words)))
            heading = await word_mask(self.sql, table, expression, heading=True)
            if heading is not None:
                score += heading
        return score

    async def alternatives(self, words: dict[str, str]) -> dict[str, list[str]]:
        """Similar indexed words for each query word the index does not know (typos)."""
        unknown = []
        for word, part in words.items():
            mask = await self.word_mask(word, part, {}, heading=False)
            if len(word) >= 4 and mask is not None and not np.any(mask & self.table.live):
                unknown.append(word)
        return await self.sql.similar_words(unknown)
