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
    size = mask.shape[-1]
    packed = np.zeros((*mask.shape[:-1], 8 * _words(size)), dtype=np.uint8)
    packed[..., : -(-size // 8)] = np.packbits(mask, axis=-1, bitorder="little")
    return packed.view(np.uint64)


def _unpack(bits: np.ndarray, size: int) -> np.ndarray:
    """The mask of ``size`` positions that ``_pack`` made ``bits`` of."""
    octets = np.ascontiguousarray(bits).view(np.uint8)
    return np.unpackbits(octets, axis=-1, count=size, bitorder="little").view(bool)


def _words(size: int) -> int:
    return -(-size // 64)


class Values:
    """The titles having each value of one facet: a row of bits per value, one bit per title
    (position p is bit p % 64 of word p // 64).

    Only the bits are kept: counting is a population count over 64 titles at a time (about
    twenty times faster than summing booleans: 0.2 ms against 3.8 ms for 40 values and
    100,000 titles), and a row of booleans took eight times the memory (100 MB of the
    1,000,000-title table, see docs/benchmarks.md)."""

    def __init__(self, known: list[str], bits: np.ndarray, rows: dict[str, int], size: int):
        self.rows = rows
        self.bits = bits
        self.size = size
        for value in known:
            self.row(value)

    @classmethod
    def of_matrix(cls, known: list[str], matrix: np.ndarray, rows: dict[str, int]) -> Values:
        """From a row of booleans per value (one column per title)."""
        size = matrix.shape[1]
        return cls(known, _pack(matrix).reshape(len(rows), _words(size)), rows, size)

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
        return cls.of_matrix(known, matrix, rows)

    @classmethod
    def of_masks(cls, known: list[str], masks: dict[str, np.ndarray], size: int) -> Values:
        """From each value's mask over all titles (values beyond ``known`` sorted)."""
        rows = {v: i for i, v in enumerate(known)}
        for value in sorted(masks.keys() - rows.keys()):
            rows[value] = len(rows)
        bits = np.zeros((len(rows), _words(size)), dtype=np.uint64)
        for value, mask in masks.items():
            bits[rows[value]] = _pack(mask)
        return cls(known, bits, rows, size)

    @classmethod
    def single(cls, value: str, mask: np.ndarray) -> Values:
        return cls([], _pack(mask)[None, :], {value: 0}, len(mask))

    def row(self, value: str) -> int:
        if value not in self.rows:
            self.rows[value] = len(self.rows)
            zeros = np.zeros((1, _words(self.size)), dtype=np.uint64)
            self.bits = np.vstack([self.bits.reshape(-1, _words(self.size)), zeros])
        return self.rows[value]

    def grow(self, extra: int) -> None:
        self.size += extra
        more = _words(self.size) - self.bits.shape[1]
        if more:
            self.bits = np.hstack([self.bits, np.zeros((self.bits.shape[0], more), np.uint64)])

    def put(self, positions: np.ndarray, other: Values) -> None:
        """Take the values of ``other`` (built for these positions only) at ``positions``.

        Only the 64-title words holding the positions are unpacked and packed again; the
        words are written in place, so a search running meanwhile sees each title either
        before or after.
        """
        for value in other.rows:
            self.row(value)  # first: a new value replaces the bits
        words = np.unique(positions // 64)
        block = _unpack(self.bits[:, words], 64 * len(words))
        local = np.searchsorted(words, positions // 64) * 64 + positions % 64
        block[:, local] = False
        fresh = _unpack(other.bits, other.size)
        for value, row in other.rows.items():
            block[self.rows[value], local] = fresh[row]
        self.bits[:, words] = _pack(block)

    def mask(self, value: str) -> np.ndarray:
        row = self.rows.get(value)
        if row is None:
            return np.zeros(self.size, dtype=bool)
        return _unpack(self.bits[row], self.size)

    def any_of(self, values) -> np.ndarray:
        rows = [self.rows[v] for v in values if v in self.rows]
        if not rows:
            return np.zeros(self.size, dtype=bool)
        return _unpack(np.bitwise_or.reduce(self.bits[rows], axis=0), self.size)

    def counts(self, packed_mask: np.ndarray) -> dict[str, int]:
        sums = np.bitwise_count(self.bits & packed_mask).sum(axis=1)
        return {value: int(sums[row]) for value, row in self.rows.items() if sums[row]}


FACETS = ("media_type", "language", "level", "age", "topic", "available")


def _facet_values(titles: Titles) -> dict[str, Values]:
    n = len(titles.ids)
    return {
        "media_type": Values.of(MEDIA_CODES, [(m,) for m in titles.media_types]),
        "language": Values.of([], titles.languages),
        "level": Values.of_matrix(
            LEVEL_CODES,
            steps_covered(LEVEL_CODES, titles.level_ranges),
            {c: i for i, c in enumerate(LEVEL_CODES)},
        ),
        "age": Values.of_matrix(
            AGE_CODES,
            steps_covered(AGE_CODES, titles.age_ranges),
            {c: i for i, c in enumerate(AGE_CODES)},
        ),
        "topic": Values.of([], titles.topics),
        "available": Values.single("ja", np.array(titles.available, dtype=bool).reshape(n)),
    }


class SortTitles:
    """Every position's sort title (``sort_title``) as UTF-8 in one ``bytes``, with the
    changes since kept aside: 1,000,000 titles as Python strings took 90 MB, here 40 MB.

    UTF-8 bytes sort in the order of their code points, so the order of the bytes is the
    order of the strings.
    """

    # Changed titles kept aside before the whole text is written anew.
    MAX_CHANGES = 10_000

    def __init__(self, titles: list[str]) -> None:
        self._set([title.encode() for title in titles])

    def _set(self, encoded: list[bytes]) -> None:
        self.text = b"".join(encoded)
        self.ends = np.cumsum(np.fromiter(map(len, encoded), np.int64, len(encoded)))
        self.changed: dict[int, bytes] = {}

    def __len__(self) -> int:
        return len(self.ends)

    def __getitem__(self, position: int) -> bytes:
        kept = self.changed.get(position)
        if kept is not None:
            return kept
        start = int(self.ends[position - 1]) if position else 0
        return self.text[start : int(self.ends[position])]

    def put(self, position: int, title: str) -> bool:
        """Set one title; whether it changed."""
        encoded = title.encode()
        if self[position] == encoded:
            return False
        self.changed[position] = encoded
        if len(self.changed) > self.MAX_CHANGES:
            self._set(self.all())
        return True

    def extend(self, extra: int) -> None:
        end = self.ends[-1] if len(self.ends) else 0
        self.ends = np.concatenate([self.ends, np.full(extra, end, dtype=np.int64)])

    def all(self) -> list[bytes]:
        return [self[p] for p in range(len(self))]

    def order(self) -> np.ndarray:
        """Positions in title order (ties: by position)."""
        titles = self.all()
        return np.array(sorted(range(len(titles)), key=titles.__getitem__), dtype=np.int64)


class FacetTable:
    """Facet data of every title, one position per title in id order.

    ``live`` is False at positions of titles withdrawn or deleted since the table was built.
    Word matches (``terms``) belong to one table: a table of another size starts without them.
    Sort titles (``titles``) are only needed for the title order; a table built by the search
    index gets them when a search first asks for that order (``needs_titles``).
    """

    titles: SortTitles | None

    def __init__(self, titles: Titles) -> None:
        order = np.argsort(np.array(titles.ids, dtype=np.int64), kind="stable")
        if len(order) and np.any(order != np.arange(len(order))):
            titles = _reordered(titles, order)
        self._start(
            np.array(titles.ids, dtype=np.int64),
            np.array(titles.created, dtype=np.float64),
            _facet_values(titles),
        )
        self.titles = SortTitles(titles.sort_titles)

    @classmethod
    def of_columns(
        cls, ids: np.ndarray, created: np.ndarray, facets: dict[str, Values]
    ) -> FacetTable:
        """From the columns as the search index reads them (ids ascending), sort titles yet
        to come (``with_titles``)."""
        table = cls.__new__(cls)
        table._start(ids, created, facets)
        return table

    def _start(self, ids: np.ndarray, created: np.ndarray, facets: dict[str, Values]) -> None:
        self.ids = ids
        self.live = np.ones(len(ids), dtype=bool)
        self.created = created
        self.facets = facets
        self.titles = None
        # Word matches: key → (packed mask, the ``words_version`` it reflects).
        self.terms: OrderedDict[str, tuple[np.ndarray, int]] = OrderedDict()
        self.words_version = 0
        self._word_changes: list[tuple[int, frozenset[int]]] = []
        self._newest: np.ndarray | None = None
        self._by_title: np.ndarray | None = None
        self._newest_order: np.ndarray | None = None
        self._title_order: np.ndarray | None = None

    @property
    def needs_titles(self) -> bool:
        return self.titles is None

    def with_titles(self, titles: list[str]) -> None:
        """Each position's sort title (withdrawn titles: any text)."""
        self.titles = SortTitles(titles)
        self._by_title = self._title_order = None

    def __len__(self) -> int:
        return len(self.ids)

    def position(self, title_id: int) -> int | None:
        pos = int(np.searchsorted(self.ids, title_id))
        return pos if pos < len(self.ids) and self.ids[pos] == title_id else None

    def positions(self, title_ids: np.ndarray) -> np.ndarray:
        """The positions of the ids the table holds (other ids are left out)."""
        if not len(title_ids) or not len(self.ids):
            return np.zeros(0, dtype=np.int64)
        pos = np.searchsorted(self.ids, title_ids)
        keep = pos < len(self.ids)
        pos, title_ids = pos[keep], np.asarray(title_ids)[keep]
        return pos[self.ids[pos] == title_ids]

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
        if self.titles is not None:
            for pos, title in zip(positions, titles.sort_titles, strict=True):
                if self.titles.put(int(pos), title):
                    self._by_title = self._title_order = None

    def _append(self, ids: list[int]) -> None:
        extra = len(ids)
        self.ids = np.concatenate([self.ids, np.array(ids, dtype=np.int64)])
        self.live = np.concatenate([self.live, np.zeros(extra, dtype=bool)])
        self.created = np.concatenate([self.created, np.zeros(extra)])
        if self.titles is not None:
            self.titles.extend(extra)
        for values in self.facets.values():
            values.grow(extra)
        self.terms.clear()
        self._newest = self._by_title = self._newest_order = self._title_order = None

    def mask_of(self, title_ids: np.ndarray) -> np.ndarray:
        """A position mask from title ids (ids the table does not hold are ignored)."""
        mask = np.zeros(len(self.ids), dtype=bool)
        mask[self.positions(title_ids)] = True
        return mask

    def newest(self) -> np.ndarray:
        """Each position's place from the oldest (0) to the newest title (ties: by id)."""
        if self._newest is None:
            ranks = np.empty(len(self.ids), dtype=np.int32)
            ranks[np.lexsort((self.ids, self.created))] = np.arange(len(self.ids))
            self._newest = ranks
        return self._newest

    def newest_order(self) -> np.ndarray:
        """Positions from the newest title to the oldest (ties: higher id first)."""
        if self._newest_order is None or len(self._newest_order) != len(self.ids):
            order = np.argsort(-self.newest(), kind="stable")
            self._newest_order = order.astype(np.int32)
        return self._newest_order

    def title_order(self) -> np.ndarray:
        """Positions in title order (ties: by id)."""
        if self._title_order is None or len(self._title_order) != len(self.ids):
            self._title_order = np.argsort(self.by_title(), kind="stable").astype(np.int32)
        return self._title_order

    def by_title(self) -> np.ndarray:
        """Each position's place in title order (ties: by id); made when first asked for."""
        if self._by_title is None:
            if self.titles is None:
                raise LookupError("sort titles not loaded (FacetTable.with_titles)")
            ranks = np.empty(len(self.ids), dtype=np.int32)
            ranks[self.titles.order()] = np.arange(len(self.ids))
            self._by_title = ranks
        return self._by_title

    def remember(self, key: str, mask: np.ndarray) -> None:
        """Keep a word's matches (packed: one bit per title)."""
        self.terms[key] = (_pack(mask) if len(mask) else mask, self.words_version)
        self.terms.move_to_end(key)
        while len(self.terms) > TERM_CACHE_SIZE:
            self.terms.popitem(last=False)

    def knows(self, key: str) -> bool:
        """Whether a word match is kept under ``key`` (current or not)."""
        return key in self.terms

    def recall(self, key: str) -> tuple[np.ndarray, np.ndarray] | None:
        """A remembered word match (a fresh mask; an empty one as it was kept) and the ids of
        titles whose words changed since it was made (to be asked again, see ``patch``);
        None when not remembered, or when so much changed that asking the whole index again
        is cheaper."""
        entry = self.terms.get(key)
        if entry is None:
            return None
        kept, version = entry
        changed = self._changed_since(version)
        if changed is None:
            del self.terms[key]
            return None
        self.terms.move_to_end(key)
        return (_unpack(kept, len(self.ids)) if len(kept) else kept), changed

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
        """Correct a recalled match for the ``checked`` titles (``found``: those of them that
        match now) and remember it as current. ``mask`` is the search's own copy; the kept
        bits are corrected where they lie (packing 1,000,000 positions again cost more than
        the search's own work), so a search running meanwhile keeps the copy it recalled."""
        off, on = self.positions(checked), self.positions(found)
        mask[off] = False
        mask[on] = True
        kept = self.terms.get(key)
        if kept is None or len(kept[0]) != _words(len(self.ids)):
            self.remember(key, mask)
            return
        bits = kept[0]
        np.bitwise_and.at(bits, off // 64, ~_bit(off))
        np.bitwise_or.at(bits, on // 64, _bit(on))
        self.terms[key] = (bits, self.words_version)
        self.terms.move_to_end(key)


def _bit(positions: np.ndarray) -> np.ndarray:
    """Each position's bit within its 64-bit word."""
    return np.left_shift(np.uint64(1), (positions % 64).astype(np.uint64))


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
