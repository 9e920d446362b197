"""The search's memory of the catalogue, kept current from the database's change log.

Each app process holds one ``FacetTable`` per database: facet data of every title, and the
titles matching recently searched words. Before every search it reads ``search_change``
(written by triggers, see the migration "search change log") and reloads just the titles
named there; a log row without a title, or more changes than a reload of single titles is
worth, reload everything. Word matches are dropped when a title's words may have changed.
The database stays the only source of truth: a process that restarts, or a second process,
builds the same table from it. The SQL is each engine's own (``sql_sqlite``/``sql_postgres``,
the same functions; how each reads the log is explained there).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from types import ModuleType
from typing import cast

import numpy as np
from piccolo.engine.postgres import PostgresEngine

from mediathek.catalogue.tables import CopyStatus, Title
from mediathek.db import current_engine, is_sqlite, read_snapshot
from mediathek.search import sql_postgres, sql_sqlite
from mediathek.search.facets import FacetTable, Titles, sort_title, timestamp
from mediathek.search.queries import SEPARATOR

log = logging.getLogger("mediathek.search")

# More changed titles than this since the last search: reload everything (one pass over the
# catalogue is cheaper than thousands of single-title reloads).
MAX_SINGLE_RELOADS = 500
# Titles read per query when the whole table is built (memory: see FacetTable.joined).
LOAD_PART = 5000
# A table not refreshed for this long is rebuilt (the daily job prunes older log rows).
MAX_AGE_SECONDS = 6 * 3600
LOG_KEEP_DAYS = 2
# Databases remembered per process (tests open many; a server one).
MAX_DATABASES = 4


def engine_sql() -> ModuleType:
    """The SQL module of the engine in use: ``sql_sqlite`` or ``sql_postgres``."""
    return sql_sqlite if is_sqlite(current_engine()) else sql_postgres


@dataclass
class _Changes:
    titles: set[int] = field(default_factory=set)
    text: bool = False
    everything: bool = False


class SearchIndex:
    """The facet table of one database and the change-log position it reflects."""

    def __init__(self, sql: ModuleType) -> None:
        self.sql = sql
        self.table: FacetTable | None = None
        self.refreshed = 0.0
        self.log = sql.ChangeLog()
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
                        titles = await self._titles(_in("t.id", sorted(changes.titles)))
                        if changes.text:
                            table.words_changed(changes.titles)
                        self.table = table.updated(changes.titles, titles or Titles.empty())
            self.refreshed = time.monotonic()
            assert self.table is not None  # loaded above
            return self.table

    async def _load_all(self) -> None:
        # The log position is taken first: a change committed during the load is applied
        # again by the next search, which is harmless.
        await self.log.start()
        parts: list[FacetTable] = []
        after = 0
        while titles := await self._titles(f"t.id > {int(after)} ORDER BY t.id LIMIT {LOAD_PART}"):
            parts.append(FacetTable(titles))
            after = titles.ids[-1]
        self.table = FacetTable.joined(parts)

    async def _read_log(self) -> _Changes:
        changes = _Changes()
        rows = await self.log.read(MAX_SINGLE_RELOADS + 1)
        for row in rows:
            if row["title_id"] is None:
                changes.everything = True
            else:
                changes.titles.add(row["title_id"])
            changes.text = changes.text or bool(row["text"])
        if len(rows) > MAX_SINGLE_RELOADS:
            changes.everything = True
        return changes

    async def _titles(self, condition: str) -> Titles | None:
        """Facet data of the titles not withdrawn that meet ``condition`` (SQL on ``t``,
        built from integers only), or None when there are none."""
        concat = self.sql.concat
        rows = await Title.raw(
            "SELECT t.id, t.title, t.media_type, t.level_min, t.level_max, t.age_min, "
            f"t.age_max, t.created_at, (SELECT {concat('language')} FROM title_language "
            "WHERE title = t.id) AS languages, "
            f"(SELECT {concat('topic')} FROM title_topic WHERE title = t.id) AS topics, "
            "EXISTS (SELECT 1 FROM copy c WHERE c.title = t.id AND c.status = {} "
            "AND c.withdrawn_at IS NULL) AS available "
            "FROM title t WHERE t.withdrawn_at IS NULL AND " + condition,
            CopyStatus.available.value,
        )
        if not rows:
            return None
        split = lambda joined: joined.split(SEPARATOR) if joined else []  # noqa: E731
        return Titles(
            ids=[r["id"] for r in rows],
            media_types=[r["media_type"] for r in rows],
            level_ranges=[(r["level_min"], r["level_max"]) for r in rows],
            age_ranges=[(r["age_min"], r["age_max"]) for r in rows],
            created=[timestamp(r["created_at"]) for r in rows],
            sort_titles=[sort_title(r["title"]) for r in rows],
            languages=[split(r["languages"]) for r in rows],
            topics=[split(r["topics"]) for r in rows],
            available=[bool(r["available"]) for r in rows],
        )


def _in(column: str, ids: list[int]) -> str:
    return f"{column} IN ({', '.join(str(int(i)) for i in ids)})"


# ---- word matches -------------------------------------------------------------------------


# Remembered for an expression that constrains nothing (a PostgreSQL stop word such as "und").
_UNCONSTRAINED = np.zeros(0, dtype=bool)


async def word_mask(
    sql: ModuleType, table: FacetTable, expression: str, heading: bool
) -> np.ndarray | None:
    """Rows matching one word's text-index expression, anywhere or in the heading (title,
    subtitle, series) only; None when the expression constrains nothing. Kept with the table
    and corrected for the titles whose words change."""
    key = _key(expression, heading)
    kept = table.recall(key)
    if kept is not None:
        remembered, changed = kept
        if len(changed) and remembered is _UNCONSTRAINED:
            table.remember(key, remembered)  # a stop word stays one, whatever the titles say
        elif len(changed):
            found = (await sql.matching_ids(expression, heading, within_ids=changed))[heading]
            table.patch(key, remembered, changed, found if found is not None else changed[:0])
        return None if remembered is _UNCONSTRAINED else remembered
    mask: np.ndarray | None = None
    for found_heading, found in (await sql.matching_ids(expression, heading)).items():
        found_mask = _UNCONSTRAINED if found is None else table.mask_of(found)
        table.remember(_key(expression, found_heading), found_mask)
        if found_heading == heading:
            mask = found_mask
    return None if mask is _UNCONSTRAINED else mask


def _key(expression: str, heading: bool) -> str:
    return ("heading:" if heading else "all:") + expression


# Shorter parts would match inside too many unrelated words ("ente" in "Elternabende").
MIN_PART = 5


async def part_mask(
    sql: ModuleType, table: FacetTable, part: str, heading: bool
) -> np.ndarray | None:
    """Rows whose short fields contain ``part`` (folded as ``text.fold_compound``) inside any
    word, or (heading) whose title, subtitle or series does; None for a part too short."""
    if len(part) < MIN_PART:
        return None
    key = _part_key(part, heading)
    kept = table.recall(key)
    if kept is not None:
        remembered, changed = kept
        if len(changed):
            found = (await sql.matching_part_ids(part, within_ids=changed))[heading]
            table.patch(key, remembered, changed, found)
        return remembered
    mask: np.ndarray | None = None
    for found_heading, ids in (await sql.matching_part_ids(part)).items():
        found_mask = table.mask_of(ids)
        table.remember(_part_key(part, found_heading), found_mask)
        if found_heading == heading:
            mask = found_mask
    return mask


def _part_key(part: str, heading: bool) -> str:
    return ("parts-heading:" if heading else "parts:") + part


# ---- one index per database ---------------------------------------------------------------

_INDEXES: OrderedDict[str, SearchIndex] = OrderedDict()


def _database_key() -> str:
    engine = current_engine()
    if is_sqlite(engine):
        return f"sqlite:{engine.path}"
    config = cast(PostgresEngine, engine).config
    return f"pg:{config.get('host')}:{config.get('port')}/{config.get('database')}"


async def facet_table() -> FacetTable:
    """The current facet table of the database the app uses."""
    key = _database_key()
    index = _INDEXES.get(key)
    if index is None:
        index = _INDEXES[key] = SearchIndex(engine_sql())
        while len(_INDEXES) > MAX_DATABASES:
            _INDEXES.popitem(last=False)
    _INDEXES.move_to_end(key)
    return await index.current()


async def warm_up() -> None:
    """Build the facet table before the first search asks (about a second at 100,000 titles)."""
    try:
        async with read_snapshot():
            await facet_table()
    except Exception:  # the search builds it on demand; a server must start regardless
        log.exception("Suchdaten konnten beim Start nicht geladen werden")


async def run_daily(today) -> dict:
    """Forget change-log rows every process has long applied."""
    await engine_sql().prune_log(LOG_KEEP_DAYS)
    return {}
