"""Facet data of every title as arrays, and the pure rules over them: filter, count, order.

One position per title, in id order. Counting a facet over 40,000 matches is a handful of
vector operations here, where SQL had to visit every matching row per search (hundreds of
milliseconds at 100,000 titles, see docs/benchmarks.md). The arrays are filled and kept
current by ``mediathek.search.index``; nothing here touches the database.
"""

from __future__ import annotations

import copy
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from itertools import chain

import numpy as np

from mediathek.search import text
from mediathek.search.models import PAGE_SIZE, SearchParams
from mediathek.vocab import AgeGroup, Level, MediaType

MEDIA_CODES = [m.value for m in MediaType]
LEVEL_CODES = [m.value for m in Level]
AGE_CODES = [m.value for m in AgeGroup]

# Word matches kept per table (each one byte per title: 12.8 MB at 100,000 titles); a word
# takes up to four (anywhere, heading, compound part anywhere and in the heading), so the
# commonest words of a library's searches fit, and an evicted one is asked of the index again.
TERM_CACHE_SIZE = 128


@dataclass
class Titles:
    """Facet data of some titles, column by column (building a table row by row would take
    seconds at 100,000 titles)."""

    ids: list[int]
    media_types: list[str]
    level_ranges: list[tuple[str | None, str | None]]
    age_ranges: list[tuple[str | None, str | None]]
    created: list[float]
    sort_titles: list[str]
    languages: list[list[str]]
    topics: list[list[str]]
    available: list[bool]

    @classmethod
    def empty(cls) -> Titles:
        return cls(*([] for _ in cls.__dataclass_fields__))


def timestamp(value) -> float:
    """created_at as seconds: PostgreSQL gives datetimes, SQLite raw queries give text."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.timestamp() if value else 0.0


# Latin letters with diacritics → their base letters, as one translation table: folding each
# title character by character took 1.6 s for 100,000 titles, translating takes 0.1 s.
_LATIN_BASE = {code: text.fold(chr(code)) for code in range(0xC0, 0x250)}


def sort_title(title: str) -> str:
    """Titles sort as a German reader expects: case and umlauts ignored (Ärger with Arger)."""
    return (title or "").casefold().translate(_LATIN_BASE)


def steps_covered(codes: list[str], ranges: list[tuple[str | None, str | None]]) -> np.ndarray:
    """One row per step, one column per title: True where the title's range covers the step.

    Open ends reach to the first/last step; a title without any range, or with a code the
    vocabulary no longer knows, covers none.
    """
    index = {code: i for i, code in enumerate(codes)}
    unknown = len(codes) + 1

    def ordinal(code: str | None, open_end: int) -> int:
        return open_end if code is None else index.get(code, unknown)

    low = np.array([ordinal(lo, 0) for lo, _ in ranges], dtype=np.int64)
    high = np.array([ordinal(hi, len(codes) - 1) for _, hi in ranges], dtype=np.int64)
    has_range = np.array([lo is not None or hi is not None for lo, hi in ranges], dtype=bool)
    valid = (low != unknown) & (high != unknown) & has_range
    steps = np.arange(len(codes))[:, None]
    return (steps >= low) & (steps <= high) & valid


def _pack(mask: np.ndarray) -> np.ndarray:
    """Bits of a mask along its last axis, eight per byte, padded to whole 64-bit words
    (position p is bit p % 64 of word p // 64)."""
    packed = np.packbits(mask, axis=-1, bitorder="little")
    pad = -packed.shape[-1] % 8
    if pad:
        widths = [(0, 0)] * (packed.ndim - 1) + [(0, pad)]
        packed = np.pad(packed, widths)
    return packed.view(np.uint64)


class Values:
    """The titles having each value of one facet: a row of booleans per value, one column
    per title. Counting uses a packed copy: a population count over 64 titles at a time is
    about twenty times faster than summing booleans (measured: 0.2 ms against 3.8 ms for
    40 values and 100,000 titles)."""

    def __init__(self, known: list[str], matrix: np.ndarray, rows: dict[str, int]) -> None:
        self.rows = rows
        self.matrix = matrix
        self._packed: np.ndarray | None = None
        for value in known:
            self.row(value)

    @classmethod
    def of(cls, known: list[str], values_per_title: list) -> Values:
        """Built from each title's values at once."""
        rows = {v: i for i, v in enumerate(known)}
        flat = list(chain.from_iterable(values_per_title))
        for value in sorted(set(flat) - rows.keys()):
            rows[value] = len(rows)
        matrix = np.zeros((len(rows), len(values_per_title)), dtype=bool)
        if flat:
            counts = np.fromiter(map(len, values_per_title), np.int64, len(values_per_title))
            positions = np.repeat(np.arange(len(values_per_title)), counts)
            matrix[np.fromiter((rows[v] for v in flat), np.int64, len(flat)), positions] = True
        return cls(known, matrix, rows)

    @classmethod
    def joined(cls, empty: Values, parts: list[Values]) -> Values:
        """The values of consecutive parts side by side (``empty`` gives the known values)."""
        rows = dict(empty.rows)
        for part in parts:
            for value in part.rows:
                rows.setdefault(value, len(rows))
        matrix = np.zeros((len(rows), sum(p.matrix.shape[1] for p in parts)), dtype=bool)
        start = 0
        for part in parts:
            end = start + part.matrix.shape[1]
            for value, row in part.rows.items():
                matrix[rows[value], start:end] = part.matrix[row]
            start = end
        return cls([], matrix, rows)

    @classmethod
    def single(cls, value: str, mask: np.ndarray) -> Values:
        return cls([], mask[None, :].copy(), {value: 0})

    def row(self, value: str) -> int:
        if value not in self.rows:
            self.rows[value] = len(self.rows)
            self.matrix = np.vstack([self.matrix, np.zeros((1, self.matrix.shape[1]), bool)])
            self._packed = None
        return self.rows[value]

    def grow(self, extra: int) -> None:
        self.matrix = np.hstack([self.matrix, np.zeros((self.matrix.shape[0], extra), bool)])
        self._packed = None

    def put(self, positions: np.ndarray, other: Values) -> None:
        """Take the values of ``other`` (built for these positions only) at ``positions``."""
        self.matrix[:, positions] = False
        for value, row in other.rows.items():
            own = self.row(value)  # first: a new value replaces the matrix
            self.matrix[own, positions] = other.matrix[row]
        if self._packed is not None:
            # Repack only the 64-title words that changed.
            for word in {int(p) // 64 for p in positions}:
                part = self.matrix[:, word * 64 : (word + 1) * 64]
                self._packed[:, word] = _pack(part)[:, 0]

    def any_of(self, values) -> np.ndarray:
        rows = [self.rows[v] for v in values if v in self.rows]
        if not rows:
            return np.zeros(self.matrix.shape[1], dtype=bool)
        return np.asarray(self.matrix[rows].any(axis=0))

    def counts(self, packed_mask: np.ndarray) -> dict[str, int]:
        if self._packed is None:
            self._packed = _pack(self.matrix)
        sums = np.bitwise_count(self._packed & packed_mask).sum(axis=1)
        return {value: int(sums[row]) for value, row in self.rows.items() if sums[row]}


FACETS = ("media_type", "language", "level", "age", "topic", "available")


def _facet_values(titles: Titles) -> dict[str, Values]:
    n = len(titles.ids)
    return {
        "media_type": Values.of(MEDIA_CODES, [(m,) for m in titles.media_types]),
        "language": Values.of([], titles.languages),
        "level": Values(
            LEVEL_CODES,
            steps_covered(LEVEL_CODES, titles.level_ranges),
            {c: i for i, c in enumerate(LEVEL_CODES)},
        ),
        "age": Values(
            AGE_CODES,
            steps_covered(AGE_CODES, titles.age_ranges),
            {c: i for i, c in enumerate(AGE_CODES)},
        ),
        "topic": Values.of([], titles.topics),
        "available": Values.single("ja", np.array(titles.available, dtype=bool).reshape(n)),
    }


class FacetTable:
    """Facet data of every title, one position per title in id order.

    ``live`` is False at positions of titles withdrawn or deleted since the table was built.
    Word matches (``terms``) belong to one table: a table of another size starts without them.
    """

    def __init__(self, titles: Titles) -> None:
        order = np.argsort(np.array(titles.ids, dtype=np.int64), kind="stable")
        if len(order) and np.any(order != np.arange(len(order))):
            titles = _reordered(titles, order)
        self.ids = np.array(titles.ids, dtype=np.int64)
        self.live = np.ones(len(self.ids), dtype=bool)
        self.created = np.array(titles.created, dtype=np.float64)
        self.sort_titles: list[str] = list(titles.sort_titles)
        self.facets = _facet_values(titles)
        # Word matches: key → (mask, the ``words_version`` it reflects).
        self.terms: OrderedDict[str, tuple[np.ndarray, int]] = OrderedDict()
        self.words_version = 0
        self._word_changes: list[tuple[int, frozenset[int]]] = []
        self._newest: np.ndarray | None = None
        self._by_title: np.ndarray | None = None
        self._newest_order: np.ndarray | None = None
        self._title_order: np.ndarray | None = None

    @classmethod
    def joined(cls, parts: list[FacetTable]) -> FacetTable:
        """One table from tables of consecutive id ranges: the catalogue is loaded in parts,
        because 100,000 titles as rows at once took 190 MB more memory than the table."""
        table = cls(Titles.empty())
        if not parts:
            return table
        table.ids = np.concatenate([p.ids for p in parts])
        table.live = np.concatenate([p.live for p in parts])
        table.created = np.concatenate([p.created for p in parts])
        table.sort_titles = [title for p in parts for title in p.sort_titles]
        table.facets = {
            name: Values.joined(values, [p.facets[name] for p in parts])
            for name, values in table.facets.items()
        }
        return table

    def __len__(self) -> int:
        return len(self.ids)

    def position(self, title_id: int) -> int | None:
        pos = int(np.searchsorted(self.ids, title_id))
        return pos if pos < len(self.ids) and self.ids[pos] == title_id else None

    def can_take(self, title_ids: set[int]) -> bool:
        """Whether rows for these ids fit without reordering: known ids or ids above all."""
        top = int(self.ids[-1]) if len(self.ids) else 0
        return all(i > top or self.position(i) is not None for i in title_ids)

    def updated(self, changed: set[int], titles: Titles) -> FacetTable:
        """Apply fresh data of ``changed`` titles (a changed id without data is gone).

        Known titles change in place: a search running meanwhile sees each title either
        before or after. New titles make the table longer, so they go into a copy: a running
        search keeps the table its word matches were made for.
        """
        new = sorted(i for i in titles.ids if self.position(i) is None)
        table = self
        if new:
            table = copy.deepcopy(self)
            table._append(new)
        gone = [table.position(i) for i in changed - set(titles.ids)]
        table.live[[p for p in gone if p is not None]] = False
        if titles.ids:
            table._put(titles)
        return table

    def _put(self, titles: Titles) -> None:
        positions = np.array([self.position(i) for i in titles.ids], dtype=np.int64)
        fresh = _facet_values(titles)
        for name, values in self.facets.items():
            values.put(positions, fresh[name])
        self.live[positions] = True
        created = np.array(titles.created, dtype=np.float64)
        if np.any(self.created[positions] != created):
            self.created[positions] = created
            self._newest = self._newest_order = None
        for pos, title in zip(positions, titles.sort_titles, strict=True):
            if self.sort_titles[pos] != title:
                self.sort_titles[pos] = title
                self._by_title = self._title_order = None

    def _append(self, ids: list[int]) -> None:
        extra = len(ids)
        self.ids = np.concatenate([self.ids, np.array(ids, dtype=np.int64)])
        self.live = np.concatenate([self.live, np.zeros(extra, dtype=bool)])
        self.created = np.concatenate([self.created, np.zeros(extra)])
        self.sort_titles += [""] * extra
        for values in self.facets.values():
            values.grow(extra)
        self.terms.clear()
        self._newest = self._by_title = self._newest_order = self._title_order = None

    def mask_of(self, title_ids: np.ndarray) -> np.ndarray:
        """A position mask from title ids (ids the table does not hold are ignored)."""
        mask = np.zeros(len(self.ids), dtype=bool)
        if len(title_ids) and len(self.ids):
            pos = np.searchsorted(self.ids, title_ids)
            pos = pos[pos < len(self.ids)]
            mask[pos[np.isin(self.ids[pos], title_ids)]] = True
        return mask

    def newest(self) -> np.ndarray:
        """Each position's place from the oldest (0) to the newest title (ties: by id)."""
        if self._newest is None:
            ranks = np.empty(len(self.ids), dtype=np.int64)
            ranks[np.lexsort((self.ids, self.created))] = np.arange(len(self.ids))
            self._newest = ranks
        return self._newest

    def newest_order(self) -> np.ndarray:
        """Positions from the newest title to the oldest (ties: higher id first)."""
        if self._newest_order is None or len(self._newest_order) != len(self.ids):
            self._newest_order = np.argsort(-self.newest(), kind="stable")
        return self._newest_order

    def title_order(self) -> np.ndarray:
        """Positions in title order (ties: by id)."""
        if self._title_order is None or len(self._title_order) != len(self.ids):
            self._title_order = np.argsort(self.by_title(), kind="stable")
        return self._title_order

    def by_title(self) -> np.ndarray:
        """Each position's place in title order (ties: by id); made when first asked for."""
        if self._by_title is None:
            ranks = np.empty(len(self.ids), dtype=np.int64)
            order = np.argsort(np.array(self.sort_titles, dtype=str), kind="stable")
            ranks[order] = np.arange(len(self.ids))
            self._by_title = ranks
        return self._by_title

    def remember(self, key: str, mask: np.ndarray) -> None:
        self.terms[key] = (mask, self.words_version)
        self.terms.move_to_end(key)
        while len(self.terms) > TERM_CACHE_SIZE:
            self.terms.popitem(last=False)

    def recall(self, key: str) -> tuple[np.ndarray, np.ndarray] | None:
        """A remembered word match and the ids of titles whose words changed since it was
        made (to be asked again, see ``patch``); None when not remembered, or when so much
        changed that asking the whole index again is cheaper."""
        entry = self.terms.get(key)
        if entry is None:
            return None
        mask, version = entry
        changed = self._changed_since(version)
        if changed is None:
            del self.terms[key]
            return None
        self.terms.move_to_end(key)
        return mask, changed

    def words_changed(self, title_ids: set[int]) -> None:
        """These titles' words may have changed: remembered matches are checked again for
        them alone when next recalled. Editing one title used to drop every remembered
        match, so the next search of a common word asked the whole index (100–500 ms)."""
        self.words_version += 1
        self._word_changes.append((self.words_version, frozenset(title_ids)))
        del self._word_changes[:-MAX_WORD_CHANGES]

    def _changed_since(self, version: int) -> np.ndarray | None:
        if version == self.words_version:
            return _NO_IDS
        if not self._word_changes or self._word_changes[0][0] > version + 1:
            return None  # older than the changes kept
        ids = set().union(*(t for v, t in self._word_changes if v > version))
        if len(ids) > MAX_PATCHED_TITLES:
            return None
        return np.array(sorted(ids), dtype=np.int64)

    def patch(self, key: str, mask: np.ndarray, checked: np.ndarray, found: np.ndarray) -> None:
        """Correct a remembered match for the ``checked`` titles (``found``: those of them
        that match now) and remember it as current. In place, like the facet values: a
        search running meanwhile sees each title either before or after."""
        mask[self.mask_of(checked)] = False
        mask[self.mask_of(found)] = True
        self.remember(key, mask)


_NO_IDS = np.zeros(0, dtype=np.int64)
# Word changes kept per table, and the most titles a remembered match is corrected for:
# beyond that (a bulk edit) the index is asked again for the whole catalogue.
MAX_WORD_CHANGES = 64
MAX_PATCHED_TITLES = 500


def _reordered(titles: Titles, order: np.ndarray) -> Titles:
    pick = lambda column: [column[i] for i in order]  # noqa: E731
    return Titles(*(pick(getattr(titles, f)) for f in Titles.__dataclass_fields__))


# ---- filters, counts and order ----------------------------------------------------------------


def _chosen(p: SearchParams) -> dict[str, tuple[str, ...]]:
    return {
        "media_type": p.media_types,
        "language": p.languages,
        "level": p.levels,
        "age": p.ages,
        "topic": p.topics,
        "available": ("ja",) if p.available else (),
    }


def _filters(table: FacetTable, p: SearchParams) -> dict[str, np.ndarray]:
    return {f: table.facets[f].any_of(v) for f, v in _chosen(p).items() if v}


def count_rows(table: FacetTable, matches: np.ndarray | None, p: SearchParams) -> int:
    """How many titles pass every filter (no facet counts: for "without X, N hits")."""
    result = table.live if matches is None else table.live & matches
    for mask in _filters(table, p).values():
        result = result & mask
    return int(np.count_nonzero(result))


def filter_and_count(
    table: FacetTable, matches: np.ndarray | None, p: SearchParams
) -> tuple[np.ndarray, dict[str, dict[str, int]]]:
    """The rows that pass every filter, and every facet's counts.

    Facets count disjunctively: a facet's counts apply every filter but its own, so ticking
    "Buch" still shows how many games there are.
    """
    base = table.live if matches is None else table.live & matches
    filters = _filters(table, p)
    result = base.copy()
    for mask in filters.values():
        result &= mask
    packed_result = _pack(result)
    counts = {}
    for facet in FACETS:
        if facet not in filters:
            counts[facet] = table.facets[facet].counts(packed_result)
            continue
        others = base.copy()
        for name, mask in filters.items():
            if name != facet:
                others &= mask
        counts[facet] = table.facets[facet].counts(_pack(others))
    return result, counts


def page_of(
    table: FacetTable, rows: np.ndarray, p: SearchParams, score: np.ndarray | None
) -> list[int]:
    """The title ids of the requested page, in the requested order.

    Relevance puts titles with more query words in their heading first, newest first among
    equals; without a text match it is the newest first as well.
    """
    end = p.page * PAGE_SIZE
    if p.sort == "relevanz" and score is not None:
        candidates = np.flatnonzero(rows)
        newest = table.newest()
        key = -(score[candidates].astype(np.int64) * (len(table) + 1) + newest[candidates])
    else:
        order = table.title_order() if p.sort == "titel" else table.newest_order()
        found = _first_in_order(order, rows, end)
        if found is not None:
            return [int(table.ids[i]) for i in found[end - PAGE_SIZE : end]]
        candidates = np.flatnonzero(rows)
        key = (table.by_title() if p.sort == "titel" else -table.newest())[candidates]
    if end < len(key):
        top = np.argpartition(key, end - 1)[:end]
        ordered = top[np.argsort(key[top])]
    else:
        ordered = np.argsort(key)
    return [int(table.ids[i]) for i in candidates[ordered[end - PAGE_SIZE : end]]]


# Positions looked at per step when walking a sort order for the first rows of a page.
_WALK_STEP = 4096


def _first_in_order(order: np.ndarray, rows: np.ndarray, end: int) -> np.ndarray | None:
    """The first ``end`` positions of ``order`` that are in ``rows``, found by walking the
    order a few thousand positions at a time; None when that would walk most of it (few
    rows: then sorting just the rows is cheaper). Browsing 100,000 titles newest first
    needs the first 20 of them, not a sort of all (3–5 ms)."""
    walked = 0
    found: list[np.ndarray] = []
    count = 0
    limit = len(order) // 4
    while count < end and walked < len(order):
        if walked >= limit:
            return None
        part = order[walked : walked + _WALK_STEP]
        hits = part[rows[part]]
        found.append(hits)
        count += len(hits)
        walked += len(part)
    return np.concatenate(found)[:end] if found else np.zeros(0, dtype=np.int64)
