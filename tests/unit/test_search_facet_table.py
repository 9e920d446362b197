"""The facet table: counts and pages after many small updates equal a table built afresh."""

import random

import numpy as np

from mediathek.search.facets import (
    AGE_CODES,
    LEVEL_CODES,
    MEDIA_CODES,
    FacetTable,
    Titles,
    filter_and_count,
    page_of,
    sort_title,
    steps_covered,
)
from mediathek.search.models import SearchParams

LANGS = ["deu", "ara", "tur", "ukr", "fas"]
TOPICS = ["Tiere", "Farben", "Familie", "Zahlen", "Wohnen", "Neu im Jahr"]


def random_title(rng: random.Random, title_id: int) -> dict:
    def some_range(codes):
        if rng.random() < 0.2:
            return (None, None)
        lo = rng.randrange(len(codes))
        hi = min(len(codes) - 1, lo + rng.randrange(3))
        return (
            codes[lo] if rng.random() < 0.9 else None,
            codes[hi] if rng.random() < 0.9 else None,
        )

    return {
        "ids": title_id,
        "media_types": rng.choice(MEDIA_CODES),
        "level_ranges": some_range(LEVEL_CODES),
        "age_ranges": some_range(AGE_CODES),
        "created": float(rng.randrange(1000)),
        "sort_titles": sort_title(rng.choice(["Äpfel", "Zoo", "bingo", "Öl", "Memo", "Apfel"])),
        "languages": rng.sample(LANGS, rng.randint(0, 2)),
        "topics": rng.sample(TOPICS, rng.randint(0, 3)),
        "available": rng.random() < 0.6,
    }


def as_titles(records: list[dict]) -> Titles:
    return Titles(**{name: [r[name] for r in records] for name in Titles.__dataclass_fields__})


PARAMS = [
    SearchParams.parse(),
    SearchParams.parse(medienart=["game", "book"]),
    SearchParams.parse(sprache=["ara"], niveau=["a1"], verfuegbar="1"),
    SearchParams.parse(alter=["kita", "primary"], thema=["Tiere"], sortierung="titel"),
    SearchParams.parse(niveau=["c2"], sortierung="neu", seite="2"),
]


def answers(table: FacetTable, matches=None):
    out = []
    for params in PARAMS:
        rows, counts = filter_and_count(table, matches, params)
        out.append((sorted(table.ids[rows].tolist()), counts, page_of(table, rows, params, None)))
    return out


def test_updates_in_place_and_new_titles_give_what_a_fresh_table_gives():
    rng = random.Random(3)
    state = {i: random_title(rng, i) for i in range(1, 400)}
    table = FacetTable(as_titles(list(state.values())))
    answers(table)  # the packed copies exist now and must be kept right by the updates
    next_id = 400
    for _ in range(30):
        changed = set(rng.sample(sorted(state), 5))
        for title_id in list(changed):
            if rng.random() < 0.2:
                del state[title_id]  # withdrawn or deleted
            else:
                state[title_id] = random_title(rng, title_id)
        if rng.random() < 0.3:
            state[next_id] = random_title(rng, next_id)
            changed.add(next_id)
            next_id += 1
        fresh = [state[i] for i in sorted(changed) if i in state]
        table = table.updated(changed, as_titles(fresh))
        rebuilt = FacetTable(as_titles([state[i] for i in sorted(state)]))
        assert answers(table) == answers(rebuilt)


def test_counts_are_disjunctive_and_ranges_count_every_step_covered():
    table = FacetTable(
        as_titles(
            [
                {
                    **random_title(random.Random(1), 1),
                    "media_types": "game",
                    "level_ranges": ("a1", "b1"),
                    "available": True,
                },
                {
                    **random_title(random.Random(2), 2),
                    "media_types": "book",
                    "level_ranges": (None, "pre_a1"),
                    "available": False,
                },
            ]
        )
    )
    rows, counts = filter_and_count(table, None, SearchParams.parse(medienart=["game"]))
    assert table.ids[rows].tolist() == [1]
    assert counts["media_type"] == {"game": 1, "book": 1}
    assert counts["level"] == {"a1": 1, "a2": 1, "b1": 1}
    assert counts["available"] == {"ja": 1}


def test_steps_covered_open_ends_and_unknown_codes():
    steps = steps_covered(LEVEL_CODES, [("a2", None), (None, None), ("x9", "b1"), (None, "alpha")])
    covered = [[LEVEL_CODES[i] for i in np.flatnonzero(steps[:, t])] for t in range(4)]
    assert covered == [["a2", "b1", "b2", "c1", "c2"], [], [], ["alpha"]]


def test_titles_sort_without_case_and_umlauts():
    assert sorted(["Zoo", "Öl", "apfel", "Ärger"], key=sort_title) == [
        "apfel",
        "Ärger",
        "Öl",
        "Zoo",
    ]


def test_a_corrected_word_match_is_recalled_corrected():
    rng = random.Random(9)
    table = FacetTable(as_titles([random_title(rng, i) for i in range(1, 300)]))
    matches = table.mask_of(np.array([3, 70, 130, 299]))
    table.remember("all:spiel", matches)
    table.words_changed({70, 131})
    recalled, changed = table.recall("all:spiel")
    assert changed.tolist() == [70, 131]
    table.patch("all:spiel", recalled, changed, np.array([131]))
    again, changed = table.recall("all:spiel")
    assert changed.tolist() == []
    assert table.ids[again].tolist() == [3, 130, 131, 299]
    assert table.ids[matches].tolist() == [3, 70, 130, 299]  # the caller's mask is its own
