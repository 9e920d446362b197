"""CSV import of N titles (default 10,000, one copy each): prints the seconds it takes.

Budget (DESIGN §6): 10,000 titles ≤ 30 s, on SQLite and PostgreSQL.

    uv run python benchmarks/catalogue_import.py                 # SQLite under /tmp
    uv run python benchmarks/catalogue_import.py --postgres postgresql://postgres@127.0.0.1:5432
    uv run python benchmarks/catalogue_import.py --titles 2000
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import asyncpg

from mediathek.catalogue import imports
from mediathek.db import connection_pool, make_engine, migrate

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import report  # noqa: E402

PG_DB = "bench_catalogue_import"
LANGS = ["Deutsch", "Arabisch, Deutsch", "Türkisch", "Ukrainisch, Russisch", "Englisch"]
TYPES = ["Buch", "Lehrwerk", "Spiel", "Bildkarten", "Medienkoffer", "Bilderbuch"]


def make_csv(n: int, prefix: str = "Lernmaterial Nummer") -> bytes:
    out = io.StringIO()
    w = csv.writer(out, delimiter=";")
    w.writerow(["Titel", "Medienart", "Sprachen", "Niveau von", "Niveau bis", "Schlagwörter",
                "Verlag", "Jahr", "Bestandteile", "Exemplare", "Signatur"])  # fmt: skip
    for i in range(n):
        kind = TYPES[i % len(TYPES)]
        w.writerow([
            f"{prefix} {i} Wortschatz", kind, LANGS[i % len(LANGS)], "A1", "B1",
            "Wortschatz, Alltag", f"Verlag {i % 50}", 2000 + i % 25,
            "20 x Karten; 1 x Anleitung" if kind in ("Spiel", "Medienkoffer") else "", 1,
            f"REG {i % 30}",
        ])  # fmt: skip
    return out.getvalue().encode()


async def pg_url(server: str) -> str:
    conn = await asyncpg.connect(f"{server.rstrip('/')}/postgres")
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{PG_DB}"')
        await conn.execute(f'CREATE DATABASE "{PG_DB}"')
    finally:
        await conn.close()
    return f"{server.rstrip('/')}/{PG_DB}"


async def run(n: int, postgres: str | None) -> None:
    if postgres:
        url = await pg_url(postgres)
    else:
        url = f"sqlite:///{Path(tempfile.mkdtemp(prefix='bench-import-')) / 'bench.sqlite3'}"
    engine = make_engine(url)
    await migrate(engine)
    content = Path(tempfile.mkdtemp(prefix="bench-import-")) / "bench.csv"
    content.write_bytes(make_csv(n))
    async with connection_pool(engine):
        start = time.perf_counter()
        checked = await imports.check_file("bench.csv", content, 2026)
        checked_at = time.perf_counter()
        titles, copies = await imports.write_rows(checked.rows, "M", date(2026, 3, 10))
        done = time.perf_counter()
        assert not checked.errors, checked.errors[:3]
        # Re-import: everything is recognised, nothing written.
        again = await imports.check_file("bench.csv", content, 2026)
        again_at = time.perf_counter()
    engine_name = "PostgreSQL" if postgres else "SQLite"
    print(f"{engine_name}: {titles} titles, {copies} copies")
    print(f"  check   {checked_at - start:6.2f} s")
    print(f"  write   {done - checked_at:6.2f} s")
    print(f"  total   {done - start:6.2f} s  (budget 30 s for 10,000 titles)")
    print(
        f"  re-import check: {again.skipped} skipped, {len(again.rows)} new, "
        f"{again_at - done:.2f} s"
    )
    report(f"CSV import of {titles:,} titles", "≤ 30 s", f"{done - start:.1f} s", engine_name)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--titles", type=int, default=10_000)
    parser.add_argument("--postgres", help="server URL, e.g. postgresql://postgres@127.0.0.1:5432")
    args = parser.parse_args()
    asyncio.run(run(args.titles, args.postgres))


if __name__ == "__main__":
    main()
