"""The search's SQL on PostgreSQL: the ``german`` tsvector of ``title_search`` (and its
``heading`` vector), its two ``pg_trgm``-indexed columns for compound parts, the word list
``search_word`` for typos, the change log read by transaction id.

Same functions as ``sql_sqlite``; ``index.engine_sql()`` picks one of the two.
"""

from __future__ import annotations

import contextvars
import time
from typing import cast

import numpy as np
from piccolo.engine.postgres import PostgresEngine

from mediathek.catalogue.tables import Title
from mediathek.db import current_engine
from mediathek.search import text
from mediathek.search.policy import parse_ids, within

# ---- query expressions ---------------------------------------------------------------------


def word_query(word: str, alternatives: dict[str, list[str]]) -> str:
    """One word (with its typo alternatives) as a to_tsquery('german', …) text."""
    return text.tsquery([word], alternatives)


def phrase_query(words: list[str]) -> str:
    return text.ts_phrase(words)


# ---- matches -------------------------------------------------------------------------------


async def matching_ids(
    expression: str, heading: bool, within_ids: np.ndarray | None = None
) -> dict[bool, np.ndarray | None]:
    """Ids matching anywhere (False) and in the heading (True), both in one pass over the
    matching rows; None for both when the expression constrains nothing (a stop word).
    ``within_ids``: only among these ids."""
    # The ids come back as one text: tens of thousands of rows would cost more to pass
    # through the driver one by one than the index needs to find them.
    rows = await Title.raw(
        "SELECT numnode(q) AS nodes, x.ids, x.heading FROM to_tsquery('german', {}) AS q, "
        "LATERAL (SELECT string_agg(title_id::text, ',') AS ids, string_agg(CASE WHEN "
        "heading @@ q THEN title_id::text END, ',') AS heading FROM title_search "
        "WHERE document @@ q" + within("title_id", within_ids) + ") AS x",
        expression,
    )
    if not rows[0]["nodes"]:
        return {False: None, True: None}
    return {False: parse_ids(rows[0]["ids"]), True: parse_ids(rows[0]["heading"])}


async def matching_part_ids(
    part: str, within_ids: np.ndarray | None = None
) -> dict[bool, np.ndarray]:
    """Ids containing ``part`` anywhere in the indexed fields (False) and in the heading
    (True), in one pass; ``within_ids``: only among these ids."""
    part = text.fold(part)  # the index drops every accent (unaccent)
    pattern = "%" + part.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    rows = await Title.raw(
        "SELECT string_agg(title_id::text, ',') AS ids, string_agg(CASE WHEN "
        "parts_heading LIKE {} THEN title_id::text END, ',') AS heading FROM title_search "
        "WHERE (parts_heading LIKE {} OR parts_other LIKE {})" + within("title_id", within_ids),
        pattern,
        pattern,
        pattern,
    )
    return {False: parse_ids(rows[0]["ids"]), True: parse_ids(rows[0]["heading"])}


# ---- typos ---------------------------------------------------------------------------------


# Similar words found per (database, word), kept as long as SQLite keeps its word list: a
# typo is typed again and again, and asking pg_trgm costs 5–15 ms each time. A word added
# since is still found by the normal search; it only gets no typo suggestions until then.
_SIMILAR: dict[tuple[str, str], tuple[float, list[str]]] = {}
SIMILAR_TTL = 300.0
MAX_SIMILAR = 2000


def forget_vocabulary() -> None:
    """Drop the similar words found so far (tests, bulk imports)."""
    _SIMILAR.clear()


async def similar_words(words: list[str]) -> dict[str, list[str]]:
    """Up to three indexed words similar to each word (pg_trgm), for those that have any."""
    database = str(cast(PostgresEngine, current_engine()).config.get("database"))
    now = time.monotonic()
    out = {}
    for word in words:
        kept = _SIMILAR.get((database, word))
        if kept is None or now - kept[0] > SIMILAR_TTL:
            rows = await Title.raw(
                "SELECT word FROM search_word WHERE word % {} "
                "ORDER BY similarity(word, {}) DESC, word LIMIT 4",
                word,
                word,
            )
            found = []
            if rows and rows[0]["word"] != word:
                found = [r["word"] for r in rows if r["word"] != word][:3]
            if len(_SIMILAR) >= MAX_SIMILAR:
                _SIMILAR.clear()
            kept = _SIMILAR[(database, word)] = (now, found)
        if kept[1]:
            out[word] = kept[1]
    return out


# ---- facet data and the change log ---------------------------------------------------------


def concat(column: str) -> str:
    """SQL joining a column's values of a group with the unit separator."""
    return f"string_agg({column}, chr(31))"


def id_list(column: str, order_by: str | None = None) -> str:
    """SQL joining a group's ids with commas (``policy.parse_ids`` reads them); lists of
    the same rows ordered by the same column are in step."""
    order = f" ORDER BY {order_by}" if order_by else ""
    return f"string_agg({column}::text, ','{order})"


def text_list(column: str, order_by: str | None = None) -> str:
    """SQL joining a group's texts with the unit separator (in step like ``id_list``)."""
    order = f" ORDER BY {order_by}" if order_by else ""
    return f"string_agg({column}, chr(31){order})"


def ids_and_created(alias: str) -> str:
    """SQL of a group's ids and creation times (``parse_ids_and_created``): one text of
    pairs "id seconds", so that the two stay in step without sorting each group. The
    seconds are the double PostgreSQL computes from its microseconds exactly as
    ``datetime.timestamp`` does, written in the shortest form that reads back the same."""
    seconds = f"coalesce(date_part('epoch', {alias}.created_at), 0)"
    return f"string_agg({alias}.id::text || ' ' || {seconds}::text, ' ') AS pairs"


def parse_ids_and_created(row: dict) -> tuple[np.ndarray, np.ndarray]:
    """Ids and creation times as seconds (the value ``facets.timestamp`` gives)."""
    if not row["pairs"]:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
    pairs = np.fromstring(row["pairs"], dtype=np.float64, sep=" ").reshape(-1, 2)
    return pairs[:, 0].astype(np.int64), pairs[:, 1].copy()


def outside_transaction() -> contextvars.Context:
    """A context in which queries take a connection of their own (the pool's) instead of
    the current transaction's: statements of the whole table's load run there at once."""
    context = contextvars.copy_context()
    engine = cast(PostgresEngine, current_engine())
    context.run(engine.current_transaction.set, None)
    return context


async def prepare_load() -> None:
    """Settings for the statements that read the whole table, in this transaction only:
    grouping 1,000,000 titles spilled to disk with the default ``work_mem``, and the
    JIT compiler spent more than it saved."""
    await Title.raw("SET LOCAL work_mem = '128MB'")
    await Title.raw("SET LOCAL jit = off")


class ChangeLog:
    """Reads ``search_change`` by transaction: rows get their ids when written but become
    visible when their transaction commits, so a row with a smaller id can appear after a
    bigger one was read. The reader remembers the oldest transaction still running at its
    last read (``pg_snapshot_xmin``) and reads again every row written since then, skipping
    the rows it has already applied."""

    def __init__(self) -> None:
        self.xmin = 0
        self.applied: set[int] = set()  # log rows read since ``xmin``

    async def start(self) -> None:
        rows = await Title.raw(
            "SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin, "
            "ARRAY(SELECT id FROM search_change WHERE xid >= "
            "pg_snapshot_xmin(pg_current_snapshot())) AS seen"
        )
        self.xmin, self.applied = int(rows[0]["xmin"]), set(rows[0]["seen"])

    async def read(self, limit: int) -> list[dict]:
        """Log rows (``title_id``, ``text``) not read before (``limit`` is SQLite's)."""
        rows = await Title.raw(
            "SELECT x.xmin::text AS xmin, c.id, c.title_id, c.text "
            "FROM (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS xmin) x "
            "LEFT JOIN search_change c ON c.xid >= {} ORDER BY c.id",
            self.xmin,
        )
        self.xmin = int(rows[0]["xmin"])
        fresh = [r for r in rows if r["id"] is not None and r["id"] not in self.applied]
        self.applied = {r["id"] for r in rows if r["id"] is not None}
        return fresh


async def prune_log(keep_days: int) -> None:
    await Title.raw(
        f"DELETE FROM search_change WHERE at < now() - interval '{int(keep_days)} days'"
    )
