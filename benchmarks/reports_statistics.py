"""Statistics for one year and the anonymisation job on a large loan history.

    uv run python benchmarks/reports_statistics.py [--loans 100000] [--pg]

Creates its own database (/tmp SQLite file, or the PostgreSQL database ``bench_reports``),
fills titles, copies, patrons and a year of returned loans, then prints p50/p95 of the
statistics computation and the time the anonymisation job takes for the whole history.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path

import asyncpg

from mediathek.catalogue.tables import Copy, Title, TitleLanguage
from mediathek.circulation.tables import Loan
from mediathek.db import make_engine, migrate, use_engine
from mediathek.patrons.tables import Patron
from mediathek.reports.privacy import anonymise_returned_loans
from mediathek.reports.statistics import Period, compute
from mediathek.vocab import AgeGroup, Level, MediaType, PatronCategory

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import report  # noqa: E402

PG_SERVER = "postgresql://postgres@127.0.0.1:5432"


async def fresh_engine(pg: bool):
    if pg:
        conn = await asyncpg.connect(f"{PG_SERVER}/postgres")
        await conn.execute("DROP DATABASE IF EXISTS bench_reports")
        await conn.execute("CREATE DATABASE bench_reports")
        await conn.close()
        engine = make_engine(f"{PG_SERVER}/bench_reports")
    else:
        path = Path("/tmp/bench_reports.sqlite3")
        path.unlink(missing_ok=True)  # noqa: ASYNC240 - a one-off before the run
        engine = make_engine(f"sqlite:///{path}")
    await migrate(engine)
    if pg:
        await engine.start_connection_pool(min_size=2, max_size=4)
    return engine


async def insert_all(table, rows: list, size: int = 500) -> None:
    # PostgreSQL takes at most 32767 parameters per statement.
    for i in range(0, len(rows), size):
        await table.insert(*rows[i : i + size])


async def fill(n_loans: int) -> None:
    rng = random.Random(7)
    levels, ages = list(Level), list(AgeGroup)
    titles = []
    for i in range(2000):
        lo = rng.randrange(len(levels))
        a = rng.randrange(len(ages))
        titles.append(
            Title(
                title=f"Titel {i}",
                media_type=rng.choice(list(MediaType)),
                level_min=levels[lo],
                level_max=levels[min(lo + rng.randrange(3), len(levels) - 1)],
                age_min=ages[a],
                age_max=ages[min(a + 1, len(ages) - 1)],
                created_at=datetime(2020, 1, 1, tzinfo=UTC),
            )
        )
    await insert_all(Title, titles)
    title_rows = await Title.select(Title.id, Title.media_type)
    await insert_all(
        TitleLanguage,
        [
            TitleLanguage(title=t["id"], language=rng.choice(["deu", "ara", "tur", "ukr"]))
            for t in title_rows
        ],
    )
    await insert_all(
        Copy,
        [
            Copy(title=t["id"], barcode=f"B{t['id']}-{k}", shelf_mark="X")
            for t in title_rows
            for k in range(2)
        ],
    )
    copies = await Copy.select(Copy.id, Copy.title, Copy.title.media_type.as_alias("mt"))
    await insert_all(
        Patron,
        [Patron(last_name=f"P{i}", category=rng.choice(list(PatronCategory))) for i in range(600)],
    )
    patrons = await Patron.select(Patron.id, Patron.category)
    start = date(2025, 1, 1)
    batch = []
    for _ in range(n_loans):
        c, p = rng.choice(copies), rng.choice(patrons)
        day = start + timedelta(days=rng.randrange(365))
        batch.append(
            Loan(
                copy=c["id"],
                title=c["title"],
                patron=p["id"],
                patron_category=p["category"],
                media_type=c["mt"],
                loaned_at=datetime.combine(day, dtime(10), UTC),
                loaned_on=day,
                due_on=day + timedelta(days=28),
                returned_at=datetime.combine(day + timedelta(days=20), dtime(12), UTC),
            )
        )
        if len(batch) == 500:
            await Loan.insert(*batch)
            batch = []
    if batch:
        await Loan.insert(*batch)


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--loans", type=int, default=100_000)
    parser.add_argument("--pg", action="store_true")
    args = parser.parse_args()
    engine = await fresh_engine(args.pg)
    use_engine(engine)
    await fill(args.loans)
    year = Period(date(2025, 1, 1), date(2025, 12, 31))
    timings = []
    for _ in range(10):
        t0 = time.perf_counter()
        await compute(year)
        timings.append((time.perf_counter() - t0) * 1000)
    timings.sort()
    p95 = timings[int(len(timings) * 0.95) - 1]
    engine_name = "PostgreSQL" if args.pg else "SQLite"
    print(
        f"{engine_name}, {args.loans} loans: statistics for a year "
        f"p50 {statistics.median(timings):.0f} ms, p95 {p95:.0f} ms"
    )
    before = (await compute(year)).as_dict()
    t0 = time.perf_counter()
    done = await anonymise_returned_loans(date(2026, 3, 10))
    took = time.perf_counter() - t0
    print(f"anonymised {done} loans in {took:.1f} s ({done / took:.0f} loans/s)")
    report(
        f"statistics page for a year, {args.loans:,} loans",
        "(none)",
        f"p50 {statistics.median(timings):.0f} ms, p95 {p95:.0f} ms",
        engine_name,
    )
    report("anonymisation job", "(none)", f"{done / took:.0f} loans/s", engine_name)
    t0 = time.perf_counter()
    after = (await compute(year)).as_dict()
    print(
        f"statistics after anonymisation {1000 * (time.perf_counter() - t0):.0f} ms, "
        f"unchanged: {after == before}"
    )
    if args.pg:
        await engine.close_connection_pool()


if __name__ == "__main__":
    asyncio.run(main())
