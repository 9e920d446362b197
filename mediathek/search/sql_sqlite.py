"""The search's SQL on SQLite: FTS5 word index ``title_fts``, FTS5 trigram index
``title_parts`` for compound parts, the change log read by row id.

Same functions as ``sql_postgres``; ``index.engine_sql()`` picks one of the two.
"""

from __future__ import annotations

import time
from typing import cast

import numpy as np
from piccolo.engine.sqlite import SQLiteEngine

from mediathek.catalogue.tables import Title
from mediathek.db import current_engine
from mediathek.search import text
from mediathek.search.facets import timestamp
from mediathek.search.policy import parse_ids, within

# ---- query expressions ---------------------------------------------------------------------


def word_query(word: str, alternatives: dict[str, list[str]]) -> str:
    """One word (with its typo alternatives) as an FTS5 MATCH expression."""
    return text.fts5_query([word], alternatives)


def phrase_query(words: list[str]) -> str:
    return text.fts5_phrase(words)


# ---- matches -------------------------------------------------------------------------------


async def matching_ids(
    expression: str, heading: bool, within_ids: np.ndarray | None = None
) -> dict[bool, np.ndarray | None]:
    """Ids matching anywhere (False) or in the heading (True), whichever is asked for;
    ``within_ids``: only among these ids."""
    if heading:
        expression = "{title subtitle series} : (" + expression + ")"
    # The ids come back as one text: tens of thousands of rows would cost more to pass
    # through the driver one by one than the index needs to find them.
    rows = await Title.raw(
        "SELECT group_concat(rowid) AS ids FROM title_fts WHERE title_fts MATCH {}"
        + within("rowid", within_ids),
        expression,
    )
    return {heading: parse_ids(rows[0]["ids"])}


async def matching_part_ids(
    part: str, within_ids: np.ndarray | None = None
) -> dict[bool, np.ndarray]:
    """Ids containing ``part`` (folded as ``text.fold_compound``) anywhere in the indexed
    fields (False) and in the heading (True), in one pass; ``within_ids``: only among these."""
    rows = await Title.raw(
        "SELECT group_concat(rowid) AS ids, group_concat(CASE WHEN instr(heading, {}) > 0 "
        "THEN rowid END) AS heading FROM title_parts WHERE title_parts MATCH {}"
        + within("rowid", within_ids),
        part,
        '"' + part.replace('"', '""') + '"',
    )
    return {False: parse_ids(rows[0]["ids"]), True: parse_ids(rows[0]["heading"])}


# ---- typos ---------------------------------------------------------------------------------

_VOCABULARY: dict[str, tuple[float, text.Vocabulary]] = {}
# The word list is read from the index at most this often; a word added since then is still
# found by the normal search, it only gets no typo suggestions until the next read.
VOCABULARY_TTL = 300.0


async def _vocabulary() -> text.Vocabulary:
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
    """Drop the cached word list (tests, bulk imports)."""
    _VOCABULARY.clear()


async def similar_words(words: list[str]) -> dict[str, list[str]]:
    """Up to three indexed words similar to each word, for those that have any."""
    if not words:
        return {}
    vocabulary = await _vocabulary()
    found = {word: vocabulary.candidates(word) for word in words}
    return {word: alternatives for word, alternatives in found.items() if alternatives}


# ---- facet data and the change log ---------------------------------------------------------


def concat(column: str) -> str:
    """SQL joining a column's values of a group with the unit separator."""
    return f"group_concat({column}, char(31))"


def id_list(column: str, order_by: str | None = None) -> str:
    """SQL joining a group's ids with commas (``policy.parse_ids`` reads them). SQLite
    feeds a group's rows to every aggregate in one order: lists of the same rows are in
    step (``order_by`` is PostgreSQL's way to say so)."""
    return f"group_concat({column}, ',')"


def text_list(column: str, order_by: str | None = None) -> str:
    """SQL joining a group's texts with the unit separator (in step like ``id_list``)."""
    return f"group_concat({column}, char(31))"


def ids_and_created(alias: str) -> str:
    """SQL of a group's ids and creation times (``parse_ids_and_created``), in step."""
    return (
        f"group_concat({alias}.id, ',') AS ids, "
        f"group_concat(coalesce({alias}.created_at, ''), ',') AS created"
    )


def parse_ids_and_created(row: dict) -> tuple[np.ndarray, np.ndarray]:
    """Ids and creation times as seconds (the value ``facets.timestamp`` gives)."""
    created = row["created"].split(",") if row["created"] is not None else []
    return parse_ids(row["ids"]), np.array([timestamp(v) for v in created], dtype=np.float64)


def outside_transaction() -> None:
    """None: SQLite reads the whole table on one connection (one writer, no second core to
    gain, and a connection per statement costs more than it saves)."""
    return None


async def prepare_load() -> None:
    """Nothing to set on SQLite before the whole table is read."""


class ChangeLog:
    """Reads ``search_change`` by row id: on SQLite one writer at a time commits, in id
    order, so the last id applied is the whole position."""

    def __init__(self) -> None:
        self.last_id = 0

    async def start(self) -> None:
        rows = await Title.raw("SELECT coalesce(max(id), 0) AS top FROM search_change")
        self.last_id = rows[0]["top"]

    async def read(self, limit: int) -> list[dict]:
        """Log rows (``title_id``, ``text``) since the last read, at most ``limit``."""
        rows = await Title.raw(
            "SELECT id, title_id, text FROM search_change WHERE id > {} ORDER BY id "
            f"LIMIT {int(limit)}",
            self.last_id,
        )
        if rows:
            self.last_id = rows[-1]["id"]
        return rows


async def prune_log(keep_days: int) -> None:
    await Title.raw(
        f"DELETE FROM search_change WHERE at < datetime('now', '-{int(keep_days)} days')"
    )
