"""The judged queries and their figures: recall@10 and mean reciprocal rank (MRR).

Shared by the test (every judged title in the first ten, on both engines) and by
``benchmarks/search.py``, which prints the figures.
"""

from __future__ import annotations

import tomllib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

JUDGED = Path(__file__).with_name("judged_queries.toml")
TOP = 10


@dataclass
class Judgement:
    q: str
    expect: list[str]
    kind: str
    found: list[str]

    @property
    def missing(self) -> list[str]:
        return [title for title in self.expect if title not in self.found[:TOP]]

    @property
    def recall(self) -> float:
        return (len(self.expect) - len(self.missing)) / len(self.expect)

    @property
    def reciprocal_rank(self) -> float:
        ranks = [self.found.index(t) + 1 for t in self.expect if t in self.found[:TOP]]
        return 1 / min(ranks) if ranks else 0.0


def judged_queries() -> list[dict]:
    return tomllib.loads(JUDGED.read_text(encoding="utf-8"))["query"]


async def judge(first_titles: Callable[[str], Awaitable[list[str]]]) -> list[Judgement]:
    """Run every judged query through ``first_titles`` (query → titles in result order)."""
    return [
        Judgement(j["q"], j["expect"], j.get("kind", ""), await first_titles(j["q"]))
        for j in judged_queries()
    ]


def figures(judgements: list[Judgement]) -> tuple[float, float]:
    """Mean recall@10 and MRR over all judged queries."""
    n = len(judgements)
    return (
        sum(j.recall for j in judgements) / n,
        sum(j.reciprocal_rank for j in judgements) / n,
    )
