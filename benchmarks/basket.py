"""Time to book a Merkliste of ten titles in one go.

Budget (DESIGN §6): a basket of 10 titles books in ≤ 100 ms. Builds its own database: a
SQLite file under /tmp, and with --postgres a database ``bench_basket`` on the local server.
Each round a different teacher books her list of ten titles (eight with five copies, two
with one copy, so that from the second round in a week those two are taken and the answer
computes the nearest free range and a stand-in of the same series) for a course week.
Timed is the service call the page and the API make (``basket.book_basket``): the patron
check, the range rules, locks, the copies' plans, the inserts, the e-mails queued and the
offers for the rest, in one write transaction.

    uv run python benchmarks/basket.py [--rounds 60] [--postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import asyncpg

from mediathek.catalogue.tables import Copy, Title, TitleTopic
from mediathek.db import is_sqlite, make_engine, migrate
from mediathek.opening_calendar import load_calendar
from mediathek.patrons.tables import Patron
from mediathek.reservations import basket, policy
from mediathek.reservations.tables import BasketItem, Booking

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import percentiles, report  # noqa: E402

PG_SERVER = "postgresql://postgres@127.0.0.1:5432"
PG_DB = "bench_basket"
TODAY = date(2026, 3, 10)
WEEKS = 20


async def fresh_postgres() -> str:
    conn = await asyncpg.connect(f"{PG_SERVER}/postgres")
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{PG_DB}"')
        await conn.execute(f'CREATE DATABASE "{PG_DB}"')
    finally:
        await conn.close()
    return f"{PG_SERVER}/{PG_DB}"


async def fill(background_titles: int) -> list[int]:
    """Ten titles for the list (plus stand-ins and a catalogue around them)."""
    ids: list[int] = []
    for start in range(0, background_titles, 1000):
        rows = await Title.insert(
            *[
                Title(
                    title=f"Titel {i}",
                    media_type="game" if i % 2 else "picture_cards",
                    series=f"Reihe {i % 50}",
                )
                for i in range(start, min(start + 1000, background_titles))
            ]
        ).returning(Title.id)
        ids += [t["id"] for t in rows]
    topics = [TitleTopic(title=t, topic=f"Thema {n % 30}") for n, t in enumerate(ids)]
    for i in range(0, len(topics), 1000):
        await TitleTopic.insert(*topics[i : i + 1000])
    copies = []
    for n, title_id in enumerate(ids):
        count = 1 if n in (8, 9) else 5 if n < 10 else 2
        copies += [Copy(title=title_id, barcode=f"B{n:06d}{k}") for k in range(count)]
    for i in range(0, len(copies), 1000):
        await Copy.insert(*copies[i : i + 1000])
    return ids[:10]


async def week_ranges(rounds: int) -> list[tuple[date, date]]:
    """Course weeks from next Monday on, moved to opening days (holidays on a Monday)."""
    calendar = await load_calendar(TODAY)
    monday = TODAY + timedelta(days=7 - TODAY.weekday())
    ranges = []
    for i in range(rounds):
        start = calendar.next_opening_day(monday + timedelta(weeks=i % WEEKS))
        end = calendar.previous_opening_day(start + timedelta(days=5))
        assert not policy.closed_day_errors(calendar, start, end, TODAY)
        ranges.append((start, end))
    return ranges


async def run(url: str, label: str, rounds: int, background: int) -> None:
    engine = make_engine(url)
    await migrate(engine)
    if not is_sqlite(engine):
        await engine.start_connection_pool(min_size=1, max_size=4)
    try:
        ten = await fill(background)
        patrons = await Patron.insert(
            *[
                Patron(first_name="Lehrkraft", last_name=str(i), category="paid_teacher")
                for i in range(rounds + 1)
            ]
        ).returning(Patron.id)
        patron_ids = [p["id"] for p in patrons]
        for patron_id in patron_ids:
            await BasketItem.insert(
                *[BasketItem(patron=patron_id, title=t, quantity=1) for t in ten]
            )
        ranges = await week_ranges(rounds + 1)
        # Warm up: one booking outside the measured rounds.
        await basket.book_basket(patron_ids[-1], *ranges[-1], TODAY)
        samples = []
        partly = 0
        for i in range(rounds):
            t0 = time.perf_counter()
            result = await basket.book_basket(patron_ids[i], *ranges[i], TODAY)
            samples.append((time.perf_counter() - t0) * 1000)
            partly += bool(result.rest)
        p50, p95 = percentiles(samples)
        bookings = await Booking.count()
        print(
            f"{label:10} basket of 10 titles ({background} titles in the catalogue): "
            f"p50 {p50:.1f} ms, p95 {p95:.1f} ms, max {max(samples):.1f} ms "
            f"({rounds} rounds, {partly} with offers for the rest, {bookings} bookings)"
        )
        report(
            "basket of 10 titles booked",
            "≤ 100 ms",
            f"p50 {p50:.1f} ms, p95 {p95:.1f} ms",
            label.strip(),
        )
    finally:
        if not is_sqlite(engine):
            await engine.close_connection_pool()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=60)
    parser.add_argument("--titles", type=int, default=2000, help="titles in the catalogue")
    parser.add_argument("--postgres", action="store_true", help="also measure PostgreSQL")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        asyncio.run(run(url, "SQLite", args.rounds, args.titles))
    if args.postgres:
        url = asyncio.run(fresh_postgres())
        asyncio.run(run(url, "PostgreSQL", args.rounds, args.titles))


if __name__ == "__main__":
    main()
