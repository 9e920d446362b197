"""Pure rules of a search result over the in-memory facet table: which facet values to
show, how a filter is named, and which word or filter to drop when nothing is found.

Plain values and arrays in, plain values out; nothing here reads the database.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, cast

import numpy as np

from mediathek.search import text
from mediathek.search.facets import FacetTable, count_rows
from mediathek.search.models import (
    FACET_ATTRS,
    TOPIC_FACET_SIZE,
    FacetValue,
    Relaxation,
    SearchParams,
)
from mediathek.search.understand import Understanding
from mediathek.vocab import AGE_GROUP_LABELS, LANGUAGES, LEVEL_LABELS, MEDIA_TYPE_LABELS, TOPICS

FACET_LABELS = {
    "media_type": {str(k): v for k, v in MEDIA_TYPE_LABELS.items()},
    "language": LANGUAGES,
    "level": {str(k): v for k, v in LEVEL_LABELS.items()},
    "age": {str(k): v for k, v in AGE_GROUP_LABELS.items()},
    "topic": {t: t for t in TOPICS},
    "available": {"ja": "jetzt im Regal"},
}

MAX_RELAXATIONS = 5


def parse_ids(joined: str | None) -> np.ndarray:
    """Title ids from the comma-joined text the engines return them as."""
    if not joined:
        return np.zeros(0, dtype=np.int64)
    return np.fromstring(joined, dtype=np.int64, sep=",")


def within(column: str, ids: np.ndarray | None) -> str:
    """SQL keeping only these title ids (the facet table's integers, written as numbers), or
    nothing when ``ids`` is None."""
    if ids is None:
        return ""
    return f" AND {column} IN ({', '.join(str(int(i)) for i in ids)})"


def facet_lists(p: SearchParams, counts: dict[str, dict[str, int]]) -> dict[str, list[FacetValue]]:
    """The values each facet shows: the fixed vocabularies in their order, languages and
    topics by count; a chosen value always, others only when they count something."""

    def ordered(name: str, labels: Mapping[Any, str], chosen: tuple[str, ...]) -> list[FacetValue]:
        got = counts.get(name, {})
        return [
            FacetValue(code, label, got.get(code, 0), code in chosen)
            for code, label in ((str(k), v) for k, v in labels.items())
            if got.get(code, 0) or code in chosen
        ]

    def by_count(
        name: str, labels: Mapping[str, str], chosen: tuple[str, ...], size: int
    ) -> list[FacetValue]:
        got = counts.get(name, {})
        codes = sorted(got, key=lambda c: (-got[c], labels.get(c, c)))[:size]
        codes += [c for c in chosen if c not in codes]
        return [FacetValue(c, labels.get(c, c), got.get(c, 0), c in chosen) for c in codes]

    return {
        "media_type": ordered("media_type", MEDIA_TYPE_LABELS, p.media_types),
        "language": by_count("language", LANGUAGES, p.languages, len(LANGUAGES)),
        "level": ordered("level", LEVEL_LABELS, p.levels),
        "age": ordered("age", AGE_GROUP_LABELS, p.ages),
        "topic": by_count("topic", {t: t for t in TOPICS}, p.topics, TOPIC_FACET_SIZE),
        "available": [
            FacetValue(
                "ja", "jetzt im Regal", counts.get("available", {}).get("ja", 0), p.available
            )
        ],
    }


def label(facet: str, values: tuple[str, ...]) -> str:
    """Chosen values of one facet as the page names them ("Bildkarten / Spiel")."""
    labels = FACET_LABELS[facet]
    return " / ".join(labels.get(v, v) for v in values)


@dataclass
class Words:
    """The text side of a query: each word's matches and how the heading holds them."""

    masks: list[np.ndarray]
    score: np.ndarray | None

    def matches(self, table: FacetTable, skip: int | None = None) -> np.ndarray | None:
        """Rows matching every word (but the ``skip``-th); None when no word constrains."""
        out: np.ndarray | None = None
        for n, mask in enumerate(self.masks):
            if n != skip:
                out = mask.copy() if out is None else out & mask
        return out


def relaxations(
    table: FacetTable,
    params: SearchParams,
    understanding: Understanding,
    words: dict[str, str],
    found: Words | None,
) -> list[Relaxation]:
    """For an empty result: how many titles each search without one of its words or filters
    would find (only those that find something, most first)."""

    def applied_with(base: SearchParams, skip: str | None = None) -> SearchParams:
        for r in understanding.recognised:
            if r.words != skip:
                base = base.with_values(r.facet, r.values)
        return base

    matches = found.matches(table) if found else None
    if params.q and not words and not understanding.recognised:
        matches = np.zeros(len(table), dtype=bool)
    out: list[Relaxation] = []
    tokens = re.findall(r"\w+", params.q)
    if found and len(found.masks) == len(words):
        for n, word in enumerate(words):
            count = count_rows(table, found.matches(table, skip=n), applied_with(params))
            q = " ".join(t for t in tokens if text.fold(t).strip("_") != word)
            out.append(Relaxation(original_word(tokens, word), count, q=q))
    for r in understanding.recognised:
        count = count_rows(table, matches, applied_with(params, skip=r.words))
        out.append(Relaxation(r.words, count, q=understanding.without[r.words]))
    for facet in FACET_LABELS:
        chosen = params.chosen(facet)
        if not chosen:
            continue
        loosened = (
            replace(params, available=False)
            if facet == "available"
            else replace(params, **cast(dict[str, Any], {FACET_ATTRS[facet]: ()}))
        )
        count = count_rows(table, matches, applied_with(loosened))
        out.append(Relaxation(label(facet, chosen), count, facet=facet))
    seen: set[str] = set()
    kept = []
    for relaxation in sorted(out, key=lambda r: -r.count):
        if relaxation.count and relaxation.label not in seen:
            seen.add(relaxation.label)
            kept.append(relaxation)
    return kept[:MAX_RELAXATIONS]


def original_word(tokens: list[str], word: str) -> str:
    """A folded word as the person typed it."""
    return next((t for t in tokens if text.fold(t).strip("_") == word), word)
