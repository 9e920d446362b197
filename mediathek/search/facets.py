"""Facet data of every title as arrays, and the pure rules over them: filter, count, order.

One row per title, in id order. Counting a facet over 40,000 matches is a handful of vector
operations here, where SQL had to visit every matching row per search (hundreds of
milliseconds at 100,000 titles, see docs/benchmarks.md). The arrays are filled and kept
current by ``mediathek.search.index``; nothing here touches the database.
"""

from __future__ import annotations

import copy
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from mediathek.search import text
from mediathek.search.models import PAGE_SIZE, SearchParams
from mediathek.vocab import AgeGroup, Level, MediaType, values_between

MEDIA_CODES = [m.value for m in MediaType]
LEVEL_CODES = [m.value for m in Level]
AGE_CODES = [m.value for m in AgeGroup]
_MEDIA_INDEX = {code: i for i, code in enumerate(MEDIA_CODES)}

# Word matches kept per table (each two bytes per title); the commonest words of a library's
# searches fit easily, and an evicted word is simply asked of the text index again.
TERM_CACHE_SIZE = 64


@dataclass
class TitleRow:
    """What the search needs to know of one title besides its words."""

    id: int
    media_type: str
    level_min: str | None
    level_max: str | None
    age_min: str | None
    age_max: str | None
    created: float
    sort_title: str
    languages: set[str] = field(default_factory=set)
    topics: set[str] = field(default_factory=set)
    available: bool = False


def timestamp(value) -> float:
    """created_at as seconds: PostgreSQL gives datetimes, SQLite raw queries give text."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.timestamp() if value else 0.0


def sort_title(title: str) -> str:
    """Titles sort as a German reader expects: case and umlauts ignored (Ärger with Arger)."""
    return text.fold(title or "")


def covered(enum_cls, low: str | None, high: str | None) -> list[int]:
    """Positions of the steps a range covers (open ends reach to the first/last step); a
    title without any range, or with a code the vocabulary no longer knows, covers none."""
    if low is None and high is None:
        return []
    members = [m.value for m in enum_cls]
    try:
        return [members.index(code) for code in values_between(enum_cls, low, high)]
    except ValueError:
        return []


def _steps(enum_cls, ranges: list[tuple[str | None, str | None]]) -> np.ndarray:
    """One row per title, one column per step, True where the title's range covers it."""
    steps = np.zeros((len(ranges), len(enum_cls)), dtype=bool)
    cells = [(pos, step) for pos, r in enumerate(ranges) for step in covered(enum_cls, *r)]
    if cells:
        steps[[pos for pos, _ in cells], [step for _, step in cells]] = True
    return steps


class Tags:
    """A boolean matrix with a column per value (languages, topics); new values add columns."""

    def __init__(self, size: int) -> None:
        self.columns: dict[str, int] = {}
        self.matrix = np.zeros((size, 0), dtype=bool)

    def column(self, value: str) -> int:
        if value not in self.columns:
            self.columns[value] = len(self.columns)
            extra = np.zeros((self.matrix.shape[0], 1), dtype=bool)
            self.matrix = np.hstack([self.matrix, extra])
        return self.columns[value]

    def set_row(self, pos: int, values: set[str]) -> None:
        self.matrix[pos, :] = False
        for value in values:
            col = self.column(value)
            self.matrix[pos, col] = True

    def fill(self, rows: list[set[str]]) -> None:
        """Set every row at once (building a table row by row would take seconds)."""
        cells = [(pos, value) for pos, values in enumerate(rows) for value in values]
        for value in sorted({value for _, value in cells}):
            self.columns.setdefault(value, len(self.columns))
        self.matrix = np.zeros((len(rows), len(self.columns)), dtype=bool)
        if cells:
            self.matrix[
                [pos for pos, _ in cells], [self.columns[value] for _, value in cells]
            ] = True

    def grow(self, extra: int) -> None:
        self.matrix = np.vstack([self.matrix, np.zeros((extra, self.matrix.shape[1]), bool)])

    def any_of(self, values: tuple[str, ...]) -> np.ndarray:
        cols = [self.columns[v] for v in values if v in self.columns]
        if not cols:
            return np.zeros(self.matrix.shape[0], dtype=bool)
        return self.matrix[:, cols].any(axis=1)

    def counts(self, mask: np.ndarray) -> dict[str, int]:
        sums = self.matrix[mask].sum(axis=0)
        return {value: int(sums[col]) for value, col in self.columns.items() if sums[col]}


class FacetTable:
    """Facet data of every title, one row per title in id order.

    ``live`` is False for rows of titles withdrawn or deleted since the table was built. Word
    matches (``terms``) belong to one table: a table of another size starts without them.
    """

    def __init__(self, rows: list[TitleRow]) -> None:
        rows = sorted(rows, key=lambda r: r.id)
        n = len(rows)
        self.ids = np.array([r.id for r in rows], dtype=np.int64)
        self.live = np.ones(n, dtype=bool)
        self.media = np.array([_MEDIA_INDEX.get(r.media_type, -1) for r in rows], np.int16)
        self.levels = _steps(Level, [(r.level_min, r.level_max) for r in rows])
        self.ages = _steps(AgeGroup, [(r.age_min, r.age_max) for r in rows])
        self.available = np.array([r.available for r in rows], dtype=bool)
        self.created = np.array([r.created for r in rows], dtype=np.float64)
        self.sort_titles: list[str] = [r.sort_title for r in rows]
        self.languages = Tags(n)
        self.languages.fill([r.languages for r in rows])
        self.topics = Tags(n)
        self.topics.fill([r.topics for r in rows])
        self.terms: OrderedDict[str, np.ndarray] = OrderedDict()
        self._ranks: tuple[np.ndarray, np.ndarray] | None = None

    def __len__(self) -> int:
        return len(self.ids)

    def _fill(self, pos: int, row: TitleRow) -> None:
        self.live[pos] = True
        self.media[pos] = _MEDIA_INDEX.get(row.media_type, -1)
        self.levels[pos, :] = False
        self.levels[pos, covered(Level, row.level_min, row.level_max)] = True
        self.ages[pos, :] = False
        self.ages[pos, covered(AgeGroup, row.age_min, row.age_max)] = True
        self.available[pos] = row.available
        self.created[pos] = row.created
        self.sort_titles[pos] = row.sort_title
        self.languages.set_row(pos, row.languages)
        self.topics.set_row(pos, row.topics)
        self._ranks = None

    def position(self, title_id: int) -> int | None:
        pos = int(np.searchsorted(self.ids, title_id))
        return pos if pos < len(self.ids) and self.ids[pos] == title_id else None

    def can_take(self, title_ids: set[int]) -> bool:
        """Whether rows for these ids fit without reordering: known ids or ids above all."""
        top = int(self.ids[-1]) if len(self.ids) else 0
        return all(i > top or self.position(i) is not None for i in title_ids)

    def updated(self, changed: set[int], rows: list[TitleRow]) -> FacetTable:
        """Apply fresh rows of ``changed`` titles (a changed id without a row is gone).

        Rows of known titles change in place: a search running meanwhile sees each title
        either before or after. New titles make the table longer, so they go into a copy: a
        running search keeps the table its word matches were made for.
        """
        by_id = {r.id: r for r in rows}
        new = sorted(i for i in by_id if self.position(i) is None)
        table = self
        if new:
            table = copy.deepcopy(self)
            table._append(len(new))
            table.ids[-len(new) :] = new
        table._apply(changed, by_id)
        return table

    def _apply(self, changed: set[int], by_id: dict[int, TitleRow]) -> None:
        for title_id in changed:
            pos = self.position(title_id)
            if pos is None:
                continue
            if title_id in by_id:
                self._fill(pos, by_id[title_id])
            else:
                self.live[pos] = False

    def _append(self, extra: int) -> None:
        grow = lambda a, fill: np.concatenate([a, np.full((extra, *a.shape[1:]), fill, a.dtype)])  # noqa: E731
        self.ids = grow(self.ids, 0)
        self.live = grow(self.live, False)
        self.media = grow(self.media, -1)
        self.levels = grow(self.levels, False)
        self.ages = grow(self.ages, False)
        self.available = grow(self.available, False)
        self.created = grow(self.created, 0.0)
        self.sort_titles += [""] * extra
        self.languages.grow(extra)
        self.topics.grow(extra)
        self.terms.clear()

    def mask_of(self, title_ids: np.ndarray) -> np.ndarray:
        """A row mask from title ids (ids the table does not hold are ignored)."""
        mask = np.zeros(len(self.ids), dtype=bool)
        if len(title_ids) and len(self.ids):
            pos = np.searchsorted(self.ids, title_ids)
            pos = pos[pos < len(self.ids)]
            mask[pos[np.isin(self.ids[pos], title_ids)]] = True
        return mask

    def ranks(self) -> tuple[np.ndarray, np.ndarray]:
        """(newest, by title): each row's place, unique, recomputed after changes."""
        if self._ranks is None:
            n = len(self.ids)
            newest = np.empty(n, dtype=np.int64)
            newest[np.lexsort((self.ids, self.created))] = np.arange(n)
            by_title = np.empty(n, dtype=np.int64)
            order = sorted(range(n), key=lambda p: (self.sort_titles[p], self.ids[p]))
            by_title[order] = np.arange(n)
            self._ranks = (newest, by_title)
        return self._ranks

    def remember(self, key: str, mask: np.ndarray) -> None:
        self.terms[key] = mask
        self.terms.move_to_end(key)
        while len(self.terms) > TERM_CACHE_SIZE:
            self.terms.popitem(last=False)

    def recall(self, key: str) -> np.ndarray | None:
        mask = self.terms.get(key)
        if mask is not None:
            self.terms.move_to_end(key)
        return mask


# ---- filters and counts ---------------------------------------------------------------------

FACETS = ("media_type", "language", "level", "age", "topic", "available")


def _chosen(p: SearchParams) -> dict[str, tuple[str, ...] | bool]:
    return {
        "media_type": p.media_types,
        "language": p.languages,
        "level": p.levels,
        "age": p.ages,
        "topic": p.topics,
        "available": p.available,
    }


def _filter(table: FacetTable, facet: str, chosen) -> np.ndarray:
    if facet == "media_type":
        return np.isin(table.media, [_MEDIA_INDEX[c] for c in chosen if c in _MEDIA_INDEX])
    if facet == "language":
        return table.languages.any_of(chosen)
    if facet == "topic":
        return table.topics.any_of(chosen)
    if facet == "level":
        return table.levels[:, [LEVEL_CODES.index(c) for c in chosen]].any(axis=1)
    if facet == "age":
        return table.ages[:, [AGE_CODES.index(c) for c in chosen]].any(axis=1)
    return table.available


def _count(table: FacetTable, facet: str, mask: np.ndarray) -> dict[str, int]:
    if facet == "media_type":
        media = table.media[mask]
        sums = np.bincount(media[media >= 0], minlength=len(MEDIA_CODES))
        return {code: int(sums[i]) for i, code in enumerate(MEDIA_CODES) if sums[i]}
    if facet == "language":
        return table.languages.counts(mask)
    if facet == "topic":
        return table.topics.counts(mask)
    if facet in ("level", "age"):
        steps, codes = (table.levels, LEVEL_CODES) if facet == "level" else (table.ages, AGE_CODES)
        sums = steps[mask].sum(axis=0)
        return {code: int(sums[i]) for i, code in enumerate(codes) if sums[i]}
    return {"ja": int(np.count_nonzero(table.available & mask))}


def filter_and_count(
    table: FacetTable, matches: np.ndarray | None, p: SearchParams
) -> tuple[np.ndarray, dict[str, dict[str, int]]]:
    """The rows that pass every filter, and every facet's counts.

    Facets count disjunctively: a facet's counts apply every filter but its own, so ticking
    "Buch" still shows how many games there are.
    """
    base = table.live if matches is None else table.live & matches
    chosen = {f: v for f, v in _chosen(p).items() if v}
    filters = {f: _filter(table, f, v) for f, v in chosen.items()}
    result = base.copy()
    for mask in filters.values():
        result &= mask
    counts = {}
    for facet in FACETS:
        if facet not in filters:
            counts[facet] = _count(table, facet, result)
            continue
        others = base.copy()
        for name, mask in filters.items():
            if name != facet:
                others &= mask
        counts[facet] = _count(table, facet, others)
    return result, counts


def page_of(
    table: FacetTable, rows: np.ndarray, p: SearchParams, score: np.ndarray | None
) -> list[int]:
    """The title ids of the requested page, in the requested order.

    Relevance puts titles with more query words in their heading first, newest first among
    equals; without a text match it is the newest first as well.
    """
    newest, by_title = table.ranks()
    candidates = np.flatnonzero(rows)
    if p.sort == "titel":
        key = by_title[candidates]
    elif p.sort == "relevanz" and score is not None:
        key = -(score[candidates].astype(np.int64) * (len(table) + 1) + newest[candidates])
    else:
        key = -newest[candidates]
    end = p.page * PAGE_SIZE
    if end < len(key):
        top = np.argpartition(key, end - 1)[:end]
        ordered = top[np.argsort(key[top])]
    else:
        ordered = np.argsort(key)
    return [int(table.ids[i]) for i in candidates[ordered[end - PAGE_SIZE : end]]]
