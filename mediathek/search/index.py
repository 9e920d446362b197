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
from mediathek.search.facets import (
    AGE_CODES,
    LEVEL_CODES,
    MEDIA_CODES,
    FacetTable,
    Titles,
    Values,
    sort_title,
    steps_covered,
    timestamp,
)
from mediathek.search.policy import parse_ids
from mediathek.search.queries import SEPARATOR

log = logging.getLogger("mediathek.search")

# More changed titles than this since the last search: reload everything (one pass over the
# catalogue is cheaper than thousands of single-title reloads).
MAX_SINGLE_RELOADS = 500
# Titles read per query when sort titles cannot come as one text.
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

    async def current(self, titles: bool = False) -> FacetTable:
        """The table with every committed change applied (``titles``: with its sort titles,
        which a table gets when a search first sorts by title)."""
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
                        fresh = await self._titles(_in("t.id", sorted(changes.titles)))
                        if changes.text:
                            table.words_changed(changes.titles)
                        self.table = table.updated(changes.titles, fresh or Titles.empty())
            self.refreshed = time.monotonic()
            assert self.table is not None  # loaded above
            if titles and self.table.needs_titles:
                self.table.with_titles(await sort_titles(self.sql, self.table))
            return self.table

    async def _load_all(self) -> None:
        # The log position is taken first: a change committed during the load is applied
        # again by the next search, which is harmless.
        await self.log.start()
        self.table = await load_table(self.sql)

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


# ---- the whole table ----------------------------------------------------------------------


async def load_table(sql: ModuleType) -> FacetTable:
    """The facet table of every title not withdrawn, read in four statements.

    Each facet value comes as the list of its title ids (one text per value, or per
    combination of media type, level and age range), and the table is made from those
    lists with a few array operations per value: reading the titles row by row, as Python
    objects, took 19 s and 440 MB at 1,000,000 titles (see docs/benchmarks.md). Sort titles
    are left out: only sorting by title needs them (``sort_titles``).
    """
    ids_list = sql.id_list
    side = {
        "language": Title.raw(
            f"SELECT language AS value, {ids_list('title')} AS ids FROM title_language "
            "GROUP BY language"
        ),
        "topic": Title.raw(
            f"SELECT topic AS value, {ids_list('title')} AS ids FROM title_topic GROUP BY topic"
        ),
        "available": Title.raw(
            f"SELECT NULL AS value, {ids_list('title')} AS ids FROM copy WHERE status = {{}} "
            "AND withdrawn_at IS NULL",
            CopyStatus.available.value,
        ),
    }
    # Where the engine can, these three run on connections of their own while the titles
    # are read here (both cores of a small server work). Each sees the catalogue at least
    # as new as the log position taken before the load, so whatever they see beyond it is
    # applied again from the log, like any change committed during the load.
    beside = sql.outside_transaction()
    running = {
        name: asyncio.create_task(query.run(), context=beside) if beside else None
        for name, query in side.items()
    }
    try:
        await sql.prepare_load()
        groups = await Title.raw(
            "SELECT t.media_type, t.level_min, t.level_max, t.age_min, t.age_max, "
            f"{sql.ids_and_created('t')} FROM title t WHERE t.withdrawn_at IS NULL "
            "GROUP BY t.media_type, t.level_min, t.level_max, t.age_min, t.age_max"
        )
    except BaseException:
        for task in running.values():
            if task:
                task.cancel()
        raise
    columns = [sql.parse_ids_and_created(g) for g in groups]
    parts = [part for part, _ in columns]
    ids = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
    created = np.concatenate([c for _, c in columns] or [np.zeros(0)])
    order = np.argsort(ids, kind="stable")
    ids, created = ids[order], created[order]
    place = np.empty(len(ids), dtype=np.int64)
    place[order] = np.arange(len(ids))
    size = len(ids)

    def empty() -> np.ndarray:
        return np.zeros(size, dtype=bool)

    media: dict[str, np.ndarray] = {}
    levels = np.zeros((len(LEVEL_CODES), size), dtype=bool)
    ages = np.zeros((len(AGE_CODES), size), dtype=bool)
    start = 0
    for group, part in zip(groups, parts, strict=True):
        positions = place[start : start + len(part)]
        start += len(part)
        media.setdefault(group["media_type"], empty())[positions] = True
        level = (group["level_min"], group["level_max"])
        for step in np.flatnonzero(steps_covered(LEVEL_CODES, [level])[:, 0]):
            levels[step, positions] = True
        age = (group["age_min"], group["age_max"])
        for step in np.flatnonzero(steps_covered(AGE_CODES, [age])[:, 0]):
            ages[step, positions] = True

    def at(found: np.ndarray) -> np.ndarray:
        """Positions of the ids in ``ids`` (others left out)."""
        pos = np.searchsorted(ids, found)
        keep = pos < size
        pos, found = pos[keep], found[keep]
        return pos[ids[pos] == found]

    def per_value(statement: str) -> dict[str, str]:
        return {r["value"]: r["ids"] for r in statements[statement] if r["value"] is not None}

    statements = {}
    for name, query in side.items():
        task = running[name]
        statements[name] = await task if task else await query
    available = statements["available"]

    def masks(statement: str) -> dict[str, np.ndarray]:
        out = {}
        for value, joined in per_value(statement).items():
            out[value] = mask = empty()
            mask[at(parse_ids(joined))] = True
        return out

    shelf = empty()
    shelf[at(parse_ids(available[0]["ids"]))] = True
    level_rows = {c: i for i, c in enumerate(LEVEL_CODES)}
    age_rows = {c: i for i, c in enumerate(AGE_CODES)}
    facets = {
        "media_type": Values.of_masks(MEDIA_CODES, media, size),
        "language": Values.of_masks([], masks("language"), size),
        "level": Values.of_matrix(LEVEL_CODES, levels, level_rows),
        "age": Values.of_matrix(AGE_CODES, ages, age_rows),
        "topic": Values.of_masks([], masks("topic"), size),
        "available": Values.single("ja", shelf),
    }
    return FacetTable.of_columns(ids, created, facets)


async def sort_titles(sql: ModuleType, table: FacetTable) -> list[str]:
    """Each position's sort title (titles withdrawn meanwhile: empty), in one statement;
    in parts when a title holds the separator."""
    rows = await Title.raw(
        f"SELECT {sql.id_list('id', 'id')} AS ids, {sql.text_list('title', 'id')} AS titles "
        "FROM (SELECT id, coalesce(title, '') AS title FROM title WHERE withdrawn_at IS NULL) t"
    )
    ids = parse_ids(rows[0]["ids"])
    titles = rows[0]["titles"].split(SEPARATOR) if rows[0]["titles"] is not None else []
    if len(titles) != len(ids):
        pairs: list[tuple[int, str]] = []
        after = 0
        while part := await Title.raw(
            "SELECT id, title FROM title WHERE withdrawn_at IS NULL AND id > {} "
            f"ORDER BY id LIMIT {LOAD_PART}",
            after,
        ):
            pairs += [(r["id"], r["title"] or "") for r in part]
            after = part[-1]["id"]
        ids = np.array([i for i, _ in pairs], dtype=np.int64)
        titles = [t for _, t in pairs]
    out = [""] * len(table)
    pos = np.searchsorted(table.ids, ids)
    for p, title_id, title in zip(pos.tolist(), ids.tolist(), titles, strict=True):
        if p < len(out) and table.ids[p] == title_id:
            out[p] = sort_title(title)
    return out


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


async def word_and_part_masks(
    sql: ModuleType, table: FacetTable, expression: str, part: str, heading: bool
) -> tuple[np.ndarray | None, np.ndarray | None]:
    """``word_mask`` and ``part_mask`` of one word. A word not searched before asks the text
    index and the compound-part index at once, the second on a connection of its own where
    the engine has more (each took about half a second at 1,000,000 titles on PostgreSQL,
    one after the other in the first search after a start). That connection may see titles
    changed after this search's snapshot: they are in the change log, and the next search
    asks the index again for them, as for the facet table's load."""
    beside = sql.outside_transaction()
    if (
        beside is None
        or len(part) < MIN_PART
        or table.knows(_key(expression, heading))
        or table.knows(_part_key(part, heading))
    ):
        return (
            await word_mask(sql, table, expression, heading),
            await part_mask(sql, table, part, heading),
        )
    inside = asyncio.create_task(part_mask(sql, table, part, heading), context=beside)
    try:
        mask = await word_mask(sql, table, expression, heading)
    except BaseException:
        inside.cancel()
        raise
    return mask, await inside


# ---- one index per database ---------------------------------------------------------------

_INDEXES: OrderedDict[str, SearchIndex] = OrderedDict()


def _database_key() -> str:
    engine = current_engine()
    if is_sqlite(engine):
        return f"sqlite:{engine.path}"
    config = cast(PostgresEngine, engine).config
    return f"pg:{config.get('host')}:{config.get('port')}/{config.get('database')}"


async def facet_table(titles: bool = False) -> FacetTable:
    """The current facet table of the database the app uses (``titles``: with sort titles)."""
    key = _database_key()
    index = _INDEXES.get(key)
    if index is None:
        index = _INDEXES[key] = SearchIndex(engine_sql())
        while len(_INDEXES) > MAX_DATABASES:
            _INDEXES.popitem(last=False)
    _INDEXES.move_to_end(key)
    return await index.current(titles)


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
