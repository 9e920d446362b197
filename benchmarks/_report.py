"""One line per figure, so ``benchmarks/run`` can collect every script's results in a table."""

from __future__ import annotations

import statistics


def report(figure: str, target: str, measured: str, engine: str = "-") -> None:
    print(f"BENCH|{figure}|{target}|{measured}|{engine}", flush=True)


def percentiles(samples_ms: list[float]) -> tuple[float, float]:
    """p50 and p95 of a list of milliseconds."""
    ordered = sorted(samples_ms)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return statistics.median(ordered), p95
