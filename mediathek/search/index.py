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
import logging
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import cast

import numpy as np
from piccolo.engine.postgres import PostgresEngine

from mediathek.catalogue.tables import CopyStatus, Title
from mediathek.db import current_engine, is_sqlite, read_snapshot
from mediathek.search.facets import FacetTable, Titles, sort_title, timestamp
from mediathek.search.text import fold

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
                        titles = await _titles(_in("t.id", sorted(changes.titles)))
                        if changes.text:
                            table.terms.clear()
                        self.table = table.updated(changes.titles, titles or Titles.empty())
            self.refreshed = time.monotonic()
            assert self.table is not None  # loaded above
            return self.table

    async def _load_all(self) -> None:
        # The log position is taken first: a change committed during the load is applied
        # again by the next search, which is harmless.
        await self._log_position()
        parts: list[FacetTable] = []
        after = 0
        while titles := await _titles(f"t.id > {int(after)} ORDER BY t.id LIMIT {LOAD_PART}"):
            parts.append(FacetTable(titles))
            after = titles.ids[-1]
        self.table = FacetTable.joined(parts)

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


def _in(column: str, ids: list[int]) -> str:
    return f"{column} IN ({', '.join(str(int(i)) for i in ids)})"


# Languages and topics come joined by the unit separator, which no topic contains.
_SEPARATOR = "\x1f"


async def _titles(condition: str) -> Titles | None:
    """Facet data of the titles not withdrawn that meet ``condition`` (SQL on ``t``, built
    from integers only), or None when there are none."""
    join = (
        "group_concat({}, char(31))" if is_sqlite(current_engine()) else "string_agg({}, chr(31))"
    )
    rows = await Title.raw(
        "SELECT t.id, t.title, t.media_type, t.level_min, t.level_max, t.age_min, t.age_max, "
        f"t.created_at, (SELECT {join.format('language')} FROM title_language "
        "WHERE title = t.id) AS languages, "
        f"(SELECT {join.format('topic')} FROM title_topic WHERE title = t.id) AS topics, "
        "EXISTS (SELECT 1 FROM copy c WHERE c.title = t.id AND c.status = {} "
        "AND c.withdrawn_at IS NULL) AS available "
        "FROM title t WHERE t.withdrawn_at IS NULL AND " + condition,
        CopyStatus.available.value,
    )
    if not rows:
        return None
    split = lambda joined: joined.split(_SEPARATOR) if joined else []  # noqa: E731
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


# ---- word matches -------------------------------------------------------------------------


# Remembered for an expression that constrains nothing (a PostgreSQL stop word such as "und").
_UNCONSTRAINED = np.zeros(0, dtype=bool)


async def word_mask(table: FacetTable, expression: str, heading: bool) -> np.ndarray | None:
    """Rows matching one word's text-index expression, anywhere or in the heading (title,
    subtitle, series) only; None when the expression constrains nothing. Kept with the table
    until a title's words may have changed."""
    key = _key(expression, heading)
    mask = table.recall(key)
    if mask is None:
        for found_heading, found in (await _matching_ids(expression, heading)).items():
            found_mask = _UNCONSTRAINED if found is None else table.mask_of(found)
            table.remember(_key(expression, found_heading), found_mask)
            if found_heading == heading:
                mask = found_mask
    return None if mask is _UNCONSTRAINED else mask


def _key(expression: str, heading: bool) -> str:
    return ("heading:" if heading else "all:") + expression


async def _matching_ids(expression: str, heading: bool) -> dict[bool, np.ndarray | None]:
    """Ids matching anywhere (False) and/or in the heading (True): SQLite answers the one
    asked for; PostgreSQL finds both in one pass over the matching rows."""
    # The ids come back as one text: tens of thousands of rows would cost more to pass
    # through the driver one by one than the index needs to find them.
    if is_sqlite(current_engine()):
        if heading:
            expression = "{title subtitle series} : (" + expression + ")"
        rows = await Title.raw(
            "SELECT group_concat(rowid) AS ids FROM title_fts WHERE title_fts MATCH {}",
            expression,
        )
        return {heading: _parse_ids(rows[0]["ids"])}
    rows = await Title.raw(
        "SELECT numnode(q) AS nodes, x.ids, x.heading FROM to_tsquery('german', {}) AS q, "
        "LATERAL (SELECT string_agg(title_id::text, ',') AS ids, string_agg(CASE WHEN "
        "heading @@ q THEN title_id::text END, ',') AS heading FROM title_search "
        "WHERE document @@ q) AS x",
        expression,
    )
    if not rows[0]["nodes"]:
        return {False: None, True: None}
    return {False: _parse_ids(rows[0]["ids"]), True: _parse_ids(rows[0]["heading"])}


# Shorter parts would match inside too many unrelated words ("ente" in "Elternabende").
MIN_PART = 5


async def part_mask(table: FacetTable, part: str, heading: bool) -> np.ndarray | None:
    """Rows whose short fields contain ``part`` (folded as ``text.fold_compound``) inside any
    word, or (heading) whose title, subtitle or series does; None for a part too short."""
    if len(part) < MIN_PART:
        return None
    key = ("parts-heading:" if heading else "parts:") + part
    mask = table.recall(key)
    if mask is None:
        found = await _matching_part_ids(part)
        for found_heading, ids in found.items():
            found_mask = table.mask_of(ids)
            table.remember(("parts-heading:" if found_heading else "parts:") + part, found_mask)
            if found_heading == heading:
                mask = found_mask
    return mask


async def _matching_part_ids(part: str) -> dict[bool, np.ndarray]:
    """Ids containing ``part`` anywhere in the indexed fields (False) and in the heading
    (True), in one pass on both engines."""
    if is_sqlite(current_engine()):
        rows = await Title.raw(
            "SELECT group_concat(rowid) AS ids, group_concat(CASE WHEN instr(heading, {}) > 0 "
            "THEN rowid END) AS heading FROM title_parts WHERE title_parts MATCH {}",
            part,
            '"' + part.replace('"', '""') + '"',
        )
    else:
        part = fold(part)  # PostgreSQL's index drops every accent (unaccent)
        pattern = "%" + part.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        rows = await Title.raw(
            "SELECT string_agg(title_id::text, ',') AS ids, string_agg(CASE WHEN "
            "parts_heading LIKE {} THEN title_id::text END, ',') AS heading FROM title_search "
            "WHERE parts_heading LIKE {} OR parts_other LIKE {}",
            pattern,
            pattern,
            pattern,
        )
    return {False: _parse_ids(rows[0]["ids"]), True: _parse_ids(rows[0]["heading"])}


def _parse_ids(joined: str | None) -> np.ndarray:
    if not joined:
        return np.zeros(0, dtype=np.int64)
    return np.fromstring(joined, dtype=np.int64, sep=",")


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
        index = _INDEXES[key] = SearchIndex()
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
    if is_sqlite(current_engine()):
        sql = f"DELETE FROM search_change WHERE at < datetime('now', '-{LOG_KEEP_DAYS} days')"
    else:
        sql = f"DELETE FROM search_change WHERE at < now() - interval '{LOG_KEEP_DAYS} days'"
    await Title.raw(sql)
    return {}
