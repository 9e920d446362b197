"""The search's memory of the catalogue, kept current from the database's change log.

Each app process holds one ``FacetTable`` per database: facet data of every title, and the
titles matching recently searched words. Before every search it reads ``search_change``
(written by triggers, see the migration "search change log") and reloads just the titles
named there; a log row without a title, or more changes than a reload of single titles is
worth, reload everything. Word matches are dropped when a title's words may have changed.
The database stays the only source of truth: a process that restarts, or a second process,
builds the same table from it.

Why the log is read by transaction on PostgreSQL: rows get their ids when written but become
visible when their transaction commits, so a row with a smaller id can appear after a bigger
one was read. The reader therefore remembers the oldest transaction still running at its last
read (``pg_snapshot_xmin``) and reads again every row written since then, skipping the rows
it has already applied. On SQLite one writer at a time commits in id order.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np

from mediathek.catalogue.tables import CopyStatus, Title
from mediathek.db import current_engine, is_sqlite
from mediathek.search.facets import FacetTable, TitleRow, sort_title, timestamp

# More changed titles than this since the last search: reload everything (one pass over the
# catalogue is cheaper than thousands of single-title reloads).
MAX_SINGLE_RELOADS = 500
# A table not refreshed for this long is rebuilt (the daily job prunes older log rows).
MAX_AGE_SECONDS = 6 * 3600
LOG_KEEP_DAYS = 2
# Databases remembered per process (tests open many; a server one).
MAX_DATABASES = 4


@dataclass
class _Changes:
    titles: set[int] = field(default_factory=set)
    text: bool = False
    everything: bool = False


class SearchIndex:
    """The facet table of one database and the change-log position it reflects."""

    def __init__(self) -> None:
        self.table: FacetTable | None = None
        self.refreshed = 0.0
        self.last_id = 0  # SQLite: the last log row applied
        self.xmin = 0  # PostgreSQL: the oldest transaction running at the last read
        self.applied: set[int] = set()  # PostgreSQL: log rows read since ``xmin``
        self._lock: asyncio.Lock | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def _guard(self) -> asyncio.Lock:
        loop = asyncio.get_running_loop()
        if self._lock is None or self._loop is not loop:
            self._lock, self._loop = asyncio.Lock(), loop
        return self._lock

    async def current(self) -> FacetTable:
        """The table with every committed change applied."""
        async with self._guard():
            stale = time.monotonic() - self.refreshed > MAX_AGE_SECONDS
            if self.table is None or stale:
                await self._load_all()
            else:
                changes = await self._read_log()
                if changes.everything or len(changes.titles) > MAX_SINGLE_RELOADS:
                    await self._load_all()
                elif changes.titles:
                    table = self.table
                    if not table.can_take(changes.titles):
                        await self._load_all()
                    else:
                        rows = await _title_rows(sorted(changes.titles))
                        if changes.text:
                            table.terms.clear()
                        self.table = table.updated(changes.titles, rows)
            self.refreshed = time.monotonic()
            return self.table

    async def _load_all(self) -> None:
        # The log position is taken first: a change committed during the load is applied
        # again by the next search, which is harmless.
        await self._log_position()
        self.table = FacetTable(await _title_rows(None))

    async def _log_position(self) -> None:
        if is_sqlite(current_engine()):
            rows = await Title.raw("SELECT coalesce(max(id), 0) AS top FROM search_change")
            self.last_id = rows[0]["top"]
        else:
            rows = await Title.raw(
                "SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin, "
                "ARRAY(SELECT id FROM search_change WHERE xid >= "
                "pg_snapshot_xmin(pg_current_snapshot())) AS seen"
            )
            self.xmin, self.applied = int(rows[0]["xmin"]), set(rows[0]["seen"])

    async def _read_log(self) -> _Changes:
        changes = _Changes()
        if is_sqlite(current_engine()):
            rows = await Title.raw(
                "SELECT id, title_id, text FROM search_change WHERE id > {} ORDER BY id "
                f"LIMIT {MAX_SINGLE_RELOADS + 1}",
                self.last_id,
            )
            if rows:
                self.last_id = rows[-1]["id"]
        else:
            rows = await Title.raw(
                "SELECT x.xmin::text AS xmin, c.id, c.title_id, c.text "
                "FROM (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS xmin) x "
                "LEFT JOIN search_change c ON c.xid >= {} ORDER BY c.id",
                self.xmin,
            )
            self.xmin = int(rows[0]["xmin"])
            fresh = [r for r in rows if r["id"] is not None and r["id"] not in self.applied]
            self.applied = {r["id"] for r in rows if r["id"] is not None}
            rows = fresh
        for row in rows:
            if row["title_id"] is None:
                changes.everything = True
            else:
                changes.titles.add(row["title_id"])
            changes.text = changes.text or bool(row["text"])
        if len(rows) > MAX_SINGLE_RELOADS:
            changes.everything = True
        return changes


def _in(column: str, ids: list[int] | None) -> str:
    if ids is None:
        return ""
    return f" AND {column} IN ({', '.join(str(int(i)) for i in ids)})"


async def _title_rows(ids: list[int] | None) -> list[TitleRow]:
    """Facet data of the given titles (None: of every title not withdrawn)."""
    titles, languages, topics, available = await asyncio.gather(
        Title.raw(
            "SELECT id, title, media_type, level_min, level_max, age_min, age_max, created_at "
            "FROM title WHERE withdrawn_at IS NULL" + _in("id", ids)
        ),
        Title.raw("SELECT title, language FROM title_language WHERE 1 = 1" + _in("title", ids)),
        Title.raw("SELECT title, topic FROM title_topic WHERE 1 = 1" + _in("title", ids)),
        Title.raw(
            "SELECT DISTINCT title FROM copy WHERE status = {} AND withdrawn_at IS NULL"
            + _in("title", ids),
            CopyStatus.available.value,
        ),
    )
    rows = {
        r["id"]: TitleRow(
            id=r["id"],
            media_type=r["media_type"],
            level_min=r["level_min"],
            level_max=r["level_max"],
            age_min=r["age_min"],
            age_max=r["age_max"],
            created=timestamp(r["created_at"]),
            sort_title=sort_title(r["title"]),
        )
        for r in titles
    }
    for r in languages:
        if r["title"] in rows:
            rows[r["title"]].languages.add(r["language"])
    for r in topics:
        if r["title"] in rows:
            rows[r["title"]].topics.add(r["topic"])
    for r in available:
        if r["title"] in rows:
            rows[r["title"]].available = True
    return list(rows.values())


# ---- word matches -------------------------------------------------------------------------


# Remembered for an expression that constrains nothing (a PostgreSQL stop word such as "und").
_UNCONSTRAINED = np.zeros(0, dtype=bool)


async def word_mask(table: FacetTable, expression: str, heading: bool) -> np.ndarray | None:
    """Rows matching one word's text-index expression, anywhere or in the heading (title,
    subtitle, series) only; None when the expression constrains nothing. Kept with the table
    until a title's words may have changed."""
    key = ("heading:" if heading else "all:") + expression
    mask = table.recall(key)
    if mask is None:
        found = await _matching_ids(expression, heading)
        mask = _UNCONSTRAINED if found is None else table.mask_of(found)
        table.remember(key, mask)
    return None if mask is _UNCONSTRAINED else mask


async def _matching_ids(expression: str, heading: bool) -> np.ndarray | None:
    # The ids come back as one text: tens of thousands of rows would cost more to pass
    # through the driver one by one than the index needs to find them.
    if is_sqlite(current_engine()):
        if heading:
            expression = "{title subtitle series} : (" + expression + ")"
        rows = await Title.raw(
            "SELECT group_concat(rowid) AS ids FROM title_fts WHERE title_fts MATCH {}",
            expression,
        )
        return _parse_ids(rows[0]["ids"])
    column = "heading" if heading else "document"
    rows = await Title.raw(
        f"SELECT numnode(q) AS nodes, (SELECT string_agg(title_id::text, ',') "
        f"FROM title_search WHERE {column} @@ q) AS ids FROM to_tsquery('german', {{}}) AS q",
        expression,
    )
    if not rows[0]["nodes"]:
        return None
    return _parse_ids(rows[0]["ids"])


def _parse_ids(joined: str | None) -> np.ndarray:
    if not joined:
        return np.zeros(0, dtype=np.int64)
    return np.array(joined.split(","), dtype=np.int64)


# ---- one index per database ---------------------------------------------------------------

_INDEXES: OrderedDict[str, SearchIndex] = OrderedDict()


def _database_key() -> str:
    engine = current_engine()
    if is_sqlite(engine):
        return f"sqlite:{engine.path}"
    config = engine.config
    return f"pg:{config.get('host')}:{config.get('port')}/{config.get('database')}"


async def facet_table() -> FacetTable:
    """The current facet table of the database the app uses."""
    key = _database_key()
    index = _INDEXES.get(key)
    if index is None:
        index = _INDEXES[key] = SearchIndex()
        while len(_INDEXES) > MAX_DATABASES:
            _INDEXES.popitem(last=False)
    _INDEXES.move_to_end(key)
    return await index.current()


async def run_daily(today) -> dict:
    """Forget change-log rows every process has long applied."""
    if is_sqlite(current_engine()):
        sql = f"DELETE FROM search_change WHERE at < datetime('now', '-{LOG_KEEP_DAYS} days')"
    else:
        sql = f"DELETE FROM search_change WHERE at < now() - interval '{LOG_KEEP_DAYS} days'"
    await Title.raw(sql)
    return {}
