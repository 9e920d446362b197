"""Notifier budget (DESIGN §6): 10,000 overdue loans across 2,000 patrons → digests created
and delivered to a local SMTP server in ≤ 30 s.

    uv run python benchmarks/notifier.py                       # SQLite under /tmp
    uv run python benchmarks/notifier.py --postgres postgresql://postgres@127.0.0.1:5432
    uv run python benchmarks/notifier.py --loans 2000 --patrons 400   # smaller run

Prints the time to create the digests, to deliver them, and the total.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import asyncpg  # noqa: E402

from mediathek.catalogue.tables import Copy, CopyStatus, Title  # noqa: E402
from mediathek.circulation.tables import Loan  # noqa: E402
from mediathek.db import connection_pool, make_engine, migrate, postgres_config  # noqa: E402
from mediathek.notifications.delivery import deliver_outbox  # noqa: E402
from mediathek.notifications.reminders import create_reminders  # noqa: E402
from mediathek.notifications.tables import Notification  # noqa: E402
from mediathek.patrons.tables import Patron  # noqa: E402
from mediathek.settings import Settings  # noqa: E402
from tests.fakes import free_port  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import report  # noqa: E402

TODAY = date(2026, 3, 10)
PG_DB = "bench_notifications"
CHUNK = 500


async def wait_for_port(port: int) -> None:
    for _ in range(100):
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            await asyncio.sleep(0.1)
            continue
        writer.close()
        return
    raise SystemExit("SMTP-Server startet nicht.")


async def bulk(table, rows) -> list[int]:
    ids: list[int] = []
    for start in range(0, len(rows), CHUNK):
        result = await table.insert(*rows[start : start + CHUNK]).returning(table.id)
        ids.extend(r["id"] for r in result)
    return ids


async def fill(loans: int, patrons: int) -> None:
    engine = Loan._meta.db
    async with engine.transaction():
        patron_ids = await bulk(
            Patron,
            [
                Patron(
                    first_name="Bench",
                    last_name=f"Person {i}",
                    category="volunteer_teacher",
                    email=f"person{i}@example.org",
                    preferred_language="en" if i % 10 == 0 else "de",
                )
                for i in range(patrons)
            ],
        )
        title_ids = await bulk(
            Title, [Title(title=f"Lernspiel {i}", media_type="game") for i in range(200)]
        )
        copy_ids = await bulk(
            Copy,
            [
                Copy(title=title_ids[i % 200], barcode=f"B{i:07d}", status=CopyStatus.on_loan)
                for i in range(loans)
            ],
        )
        # Due dates spread over due-soon and all three overdue levels.
        offsets = [-2, 7, 8, 14, 20, 28, 40]
        await bulk(
            Loan,
            [
                Loan(
                    copy=copy_ids[i],
                    title=title_ids[i % 200],
                    patron=patron_ids[i % patrons],
                    patron_category="volunteer_teacher",
                    media_type="game",
                    loaned_at=datetime(2026, 1, 1, tzinfo=UTC),
                    loaned_on=date(2026, 1, 1),
                    due_on=TODAY - timedelta(days=offsets[i % len(offsets)]),
                )
                for i in range(loans)
            ],
        )


async def prepare_postgres(url: str) -> str:
    conn = await asyncpg.connect(**postgres_config(url + "/postgres"))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{PG_DB}"')
        await conn.execute(f'CREATE DATABASE "{PG_DB}"')
    finally:
        await conn.close()
    return f"{url}/{PG_DB}"


async def run(database_url: str, loans: int, patrons: int) -> None:
    engine = make_engine(database_url)
    await migrate(engine)
    port = free_port()
    # The SMTP server runs in its own process (as a real one would), not in ours.
    server = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "aiosmtpd",
        "-n",
        "-c",
        "aiosmtpd.handlers.Sink",
        "-l",
        f"127.0.0.1:{port}",
    )
    await wait_for_port(port)
    settings = Settings(database_url=database_url, smtp_port=port, scheduler_enabled=False)
    try:
        async with connection_pool(engine):
            t0 = time.perf_counter()
            await fill(loans, patrons)
            t1 = time.perf_counter()
            created = await create_reminders(TODAY)
            t2 = time.perf_counter()
            cpu = time.process_time()
            delivered = await deliver_outbox(settings)
            t3 = time.perf_counter()
            cpu = time.process_time() - cpu
            queued = await Notification.count().where(Notification.status == "queued")
    finally:
        server.terminate()
        await server.wait()
    print(f"engine: {engine.engine_type}, {loans} loans, {patrons} patrons")
    print(f"  fill (bulk insert):   {t1 - t0:6.2f} s")
    print(f"  create digests:       {t2 - t1:6.2f} s  {created}")
    print(f"  deliver digests:      {t3 - t2:6.2f} s  sent={delivered['sent']}, queued={queued}")
    print(f"  CPU of the notifier while delivering: {cpu:.2f} s (the rest is waiting for SMTP/DB)")
    print(f"  load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    total = t3 - t1
    print(
        f"  create + deliver:     {total:6.2f} s  (budget 30 s: {'ok' if total <= 30 else 'OVER'})"
    )
    report(
        f"notifier: {loans:,} overdue loans, {patrons:,} patrons",
        "≤ 30 s",
        f"{total:.1f} s (create {t2 - t1:.1f}, deliver {t3 - t2:.1f})",
        engine.engine_type,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--loans", type=int, default=10_000)
    parser.add_argument("--patrons", type=int, default=2_000)
    parser.add_argument(
        "--postgres", help="server URL without database, e.g. postgresql://postgres@127.0.0.1:5432"
    )
    args = parser.parse_args()
    if args.postgres:
        url = asyncio.run(prepare_postgres(args.postgres.rstrip("/")))
    else:
        url = f"sqlite:///{Path(tempfile.mkdtemp(prefix='notifier-bench-')) / 'bench.sqlite3'}"
    asyncio.run(run(url, args.loans, args.patrons))


if __name__ == "__main__":
    main()
