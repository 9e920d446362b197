"""Time to compute the availability calendar of a title with many copies and bookings.

Budget (DESIGN §6): 500 copies and 400 bookings in ≤ 50 ms. Builds its own database:
a SQLite file under /tmp, and with --postgres a database ``bench_reservations`` on the local
server. Prints p50/p95 of the service call the booking box makes (the copies' plans, the
opening calendar, the pure count and the closed days) and of the pure count alone.

    uv run python benchmarks/availability.py [--copies 500] [--bookings 400] [--postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import asyncpg

from mediathek.catalogue.tables import Copy, CopyStatus, Title
from mediathek.circulation.tables import Loan
from mediathek.db import is_sqlite, make_engine, migrate
from mediathek.patrons.tables import Patron
from mediathek.reservations import policy
from mediathek.reservations.services import CALENDAR_DAYS, availability_calendar
from mediathek.reservations.setaside import copy_plans
from mediathek.reservations.tables import Booking

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import report  # noqa: E402

PG_SERVER = "postgresql://postgres@127.0.0.1:5432"
PG_DB = "bench_reservations"
TODAY = date(2026, 3, 10)


async def fresh_postgres() -> str:
    conn = await asyncpg.connect(f"{PG_SERVER}/postgres")
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{PG_DB}"')
        await conn.execute(f'CREATE DATABASE "{PG_DB}"')
    finally:
        await conn.close()
    return f"{PG_SERVER}/{PG_DB}"


async def fill(n_copies: int, n_bookings: int) -> int:
    rng = random.Random(7)
    title = await Title.insert(Title(title="Medienkoffer Benchmark", media_type="kit")).returning(
        Title.id
    )
    title_id = title[0]["id"]
    patron = await Patron.insert(Patron(last_name="Bench", category="paid_teacher")).returning(
        Patron.id
    )
    patron_id = patron[0]["id"]
    copies = await Copy.insert(
        *[Copy(title=title_id, barcode=f"B{i:07d}") for i in range(n_copies)]
    ).returning(Copy.id)
    copy_ids = [c["id"] for c in copies]
    # Bookings of 1–10 days in the coming 10 weeks, one after another per copy.
    next_free = {c: TODAY + timedelta(days=rng.randrange(1, 20)) for c in copy_ids}
    rows = []
    for _ in range(n_bookings):
        c = rng.choice(copy_ids)
        start = next_free[c] + timedelta(days=rng.randrange(0, 10))
        end = start + timedelta(days=rng.randrange(0, 10))
        next_free[c] = end + timedelta(days=2)
        rows.append(Booking(title=title_id, patron=patron_id, copy=c, start_on=start, end_on=end))
    await Booking.insert(*rows)
    # A tenth of the copies are on loan.
    lent = copy_ids[: n_copies // 10]
    await Loan.insert(
        *[
            Loan(
                copy=c,
                title=title_id,
                patron=patron_id,
                patron_category="paid_teacher",
                media_type="kit",
                loaned_on=TODAY - timedelta(days=5),
                due_on=TODAY + timedelta(days=rng.randrange(1, 25)),
            )
            for c in lent
        ]
    )
    await Copy.update({Copy.status: CopyStatus.on_loan}).where(Copy.id.is_in(lent))
    return title_id


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[int(len(ordered) * 0.95) - 1]


async def run(url: str, label: str, n_copies: int, n_bookings: int, rounds: int) -> None:
    engine = make_engine(url)
    await migrate(engine)
    if not is_sqlite(engine):
        await engine.start_connection_pool(min_size=1, max_size=4)
    try:
        title_id = await fill(n_copies, n_bookings)
        first = TODAY + timedelta(days=1)
        await availability_calendar(title_id, TODAY, first)  # warm up
        service, pure = [], []
        for _ in range(rounds):
            t0 = time.perf_counter()
            # What the booking box shows: copies free per day, closed days marked.
            days = await availability_calendar(title_id, TODAY, first)
            service.append((time.perf_counter() - t0) * 1000)
        plans = await copy_plans(title_id, TODAY)
        for _ in range(rounds):
            t0 = time.perf_counter()
            policy.availability(plans, TODAY + timedelta(days=1), CALENDAR_DAYS, 1, TODAY)
            pure.append((time.perf_counter() - t0) * 1000)
        p50, p95 = percentiles(service)
        q50, q95 = percentiles(pure)
        print(
            f"{label:10} {n_copies} copies, {n_bookings} bookings, {len(days)} days: "
            f"service p50 {p50:.1f} ms, p95 {p95:.1f} ms | pure count p50 {q50:.2f} ms, "
            f"p95 {q95:.2f} ms ({rounds} rounds)"
        )
        report(
            f"availability calendar, {n_copies} copies / {n_bookings} bookings",
            "≤ 50 ms",
            f"p50 {p50:.1f} ms, p95 {p95:.1f} ms",
            label.strip(),
        )
    finally:
        if not is_sqlite(engine):
            await engine.close_connection_pool()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=500)
    parser.add_argument("--bookings", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--postgres", action="store_true", help="also measure PostgreSQL")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        asyncio.run(run(url, "SQLite", args.copies, args.bookings, args.rounds))
    if args.postgres:
        url = asyncio.run(fresh_postgres())
        asyncio.run(run(url, "PostgreSQL", args.copies, args.bookings, args.rounds))


if __name__ == "__main__":
    main()
