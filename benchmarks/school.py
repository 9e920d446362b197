"""A school library's size: search page and checkout + return at 16 connections on a
10,000-title catalogue with 500 borrowers and 1,000 open loans, so that the figures can be
compared with other lending systems run on the same data.

The catalogue is the one of benchmarks/search.py at 10,000 titles (2 copies each), copied for
this run (SQLite) or its own database (PostgreSQL); 500 borrowers are added, and 1,000 loans
are made through the JSON API before the measurement (borrowers 17–500, about two each).
Then, as in benchmarks/throughput.py (whose helpers this uses): ``wrk`` on
``/katalog?q=deutsch`` right after a bare Litestar hello-world with the same load (ratio),
and 16 connections lending and returning copies of their own through the JSON API.

    uv run python benchmarks/school.py [--engine sqlite|postgres] [--seconds 10]
"""

# A one-off script: blocking calls while nothing else runs are fine here.
# ruff: noqa: ASYNC210, ASYNC221, ASYNC240
from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import sys
import tempfile
import urllib.request
from datetime import date, timedelta
from pathlib import Path

import asyncpg
import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
import search as catalogue  # noqa: E402
import throughput  # noqa: E402
from _report import report  # noqa: E402
from robustness import Database, make_token  # noqa: E402

from mediathek.db import postgres_config  # noqa: E402

TITLES = 10_000
BORROWERS = 500
OPEN_LOANS = 1_000
CACHE = Path("/tmp/mediathek-bench-school")
PG_SERVER = "postgresql://postgres@127.0.0.1:5432"


async def prepare(engine: str) -> str:
    """The catalogue, a staff account and 500 borrowers, nothing of a past run."""
    catalogue.CACHE = CACHE
    if engine == "sqlite":
        built, _ = await catalogue.build_sqlite(TITLES)
        path = CACHE / f"run-{TITLES}.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(built.removeprefix("sqlite:///"), path)
        url = f"sqlite:///{path}"
    else:
        name = f"load_school_{TITLES}"
        await catalogue.build_postgres(TITLES, rebuild=False, name=f"{name}_built")
        admin = await asyncpg.connect(**postgres_config(PG_SERVER + "/postgres"))
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{name}_built"')
        finally:
            await admin.close()
        url = f"{PG_SERVER}/{name}"
    db = Database(url)
    await db.execute(
        "INSERT INTO account (email, password_hash, role, display_name, is_active, "
        "session_epoch) VALUES ('theke@mediathek.example', '', 'staff', 'Theke', $1, 0)",
        True,
    )
    expires = date.today() + timedelta(days=365)
    for i in range(BORROWERS):
        await db.execute(
            "INSERT INTO patron (last_name, category, card_barcode, status, expires_on) "
            "VALUES ($1, 'paid_teacher', $2, 'active', $3)",
            f"Last{i}",
            f"BENCH{i:04d}",
            expires if engine == "postgres" else expires.isoformat(),
        )
    return url


async def open_loans(base: str, token: str, copies: list[str]) -> int:
    """Lend ``copies`` to borrowers 17–500 through the API (four at a time); the first 16
    borrowers are the measurement's."""
    headers = {"Authorization": f"Bearer {token}"}
    refused = 0

    async def lend(chunk: list[tuple[int, str]], client: httpx.AsyncClient) -> None:
        nonlocal refused
        for n, copy in chunk:
            card = f"BENCH{throughput.BORROWERS + n % (BORROWERS - throughput.BORROWERS):04d}"
            r = await client.post(
                base + "/api/v1/checkout", json={"copy": copy, "card": card}, headers=headers
            )
            refused += r.status_code >= 300

    numbered = list(enumerate(copies))
    async with httpx.AsyncClient(timeout=60) as client:
        await asyncio.gather(*(lend(numbered[k::4], client) for k in range(4)))
    return refused


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--engine", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--seconds", type=int, default=10)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk fehlt: apt-get install wrk")
    CACHE.mkdir(exist_ok=True)
    url = asyncio.run(prepare(args.engine))
    tmp = Path(tempfile.mkdtemp(prefix="mediathek-school-"))
    env = {
        **os.environ,
        "MEDIATHEK_DATABASE_URL": url,
        "MEDIATHEK_DATA_DIR": str(tmp / "data"),
        "MEDIATHEK_SCHEDULER": "0",
        "PYTHONPATH": str(ROOT),
    }
    env.pop("MEDIATHEK_TEST_DATABASE_URL", None)
    (tmp / "hello_app.py").write_text(throughput.HELLO)
    port_app, port_hello = throughput.free_port(), throughput.free_port()
    server = [sys.executable, "-m", "mediathek.cli", "serve", "--port", str(port_app)]
    app = throughput.start(server, ROOT, env)
    hello_cmd = [sys.executable, "-m", "uvicorn", "hello_app:app", "--port", str(port_hello)]
    hello = throughput.start([*hello_cmd, "--log-level", "warning"], tmp, env)
    base, hello_url = f"http://127.0.0.1:{port_app}", f"http://127.0.0.1:{port_hello}/"
    db = Database(url)
    print(
        f"Schulbibliothek ({args.engine}): {TITLES:,} Titel, {2 * TITLES:,} Exemplare, "
        f"{BORROWERS} Ausleihende, {OPEN_LOANS:,} offene Ausleihen"
    )
    try:
        throughput.wait_up(base + "/healthz")
        throughput.wait_up(hello_url)
        urllib.request.urlopen(base + "/katalog?q=deutsch", timeout=300)
        token = asyncio.run(make_token(db, "theke@mediathek.example"))
        # Copies of the second half of the catalogue are lent; the measurement lends the
        # first available copies (benchmarks/throughput.py picks them by id).
        lend = asyncio.run(
            db.fetch(
                "SELECT barcode FROM copy WHERE status = 'available' ORDER BY id DESC LIMIT $1",
                OPEN_LOANS,
            )
        )
        refused = asyncio.run(open_loans(base, token, [r[0] for r in lend]))
        (loans,) = asyncio.run(db.fetch("SELECT count(*) FROM loan WHERE returned_at IS NULL"))[0]
        print(f"  offene Ausleihen: {loans} ({refused} abgelehnt)")
        page = base + "/katalog?q=deutsch"
        session = asyncio.run(throughput.teacher_session(db))
        # A visitor without a login may get a kept page (web/page_cache.py); a logged-in
        # teacher's page is made for each request: both are printed.
        for who, cookie in (("Besucher", ""), ("Lehrerin", f"mediathek_session={session}")):
            throughput.wrk(page, 2, 16, cookie)  # warm-up
            load = throughput.uptime()
            hello_fig = throughput.wrk(hello_url, args.seconds, 16)
            fig = throughput.wrk(page, args.seconds, 16, cookie)
            ratio = fig["rps"] / hello_fig["rps"]
            print(
                f"  Suchseite ({who}) c=16 {fig['rps']:8,.0f} req/s p50 {fig['p50']:7.1f} ms "
                f"p99 {fig['p99']:7.1f} ms | hello-world {hello_fig['rps']:8,.0f} req/s | "
                f"ratio {ratio:6.1%} | {load}",
                flush=True,
            )
            report(
                f"school (10k titles): search page req/s, 16 conns, {who}",
                "compare",
                f"{fig['rps']:,.0f} ({ratio:.1%}), p99 {fig['p99']:.0f} ms",
                args.engine,
            )
        available = asyncio.run(
            db.fetch("SELECT barcode FROM copy WHERE status = 'available' ORDER BY id LIMIT 640")
        )
        load = throughput.uptime()
        fig = asyncio.run(
            throughput.checkout_and_return(base, token, [r[0] for r in available], args.seconds, 16)
        )
        print(
            f"  Ausleihe + Rückgabe c=16 {fig['rps']:8,.0f} req/s p50 {fig['p50']:7.1f} ms "
            f"p99 {fig['p99']:7.1f} ms, {fig['failures']} abgelehnt | {load}",
            flush=True,
        )
        report(
            "school (10k titles): checkout + return req/s, 16 conns",
            "compare",
            f"{fig['rps']:,.0f}, p50 {fig['p50']:.0f}, p99 {fig['p99']:.0f} ms",
            args.engine,
        )
        print(f"  RSS des Servers nach dem Lauf: {throughput.rss_mb(app.pid):.0f} MB")
    finally:
        for proc in (app, hello):
            proc.terminate()
            proc.wait(timeout=30)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
