"""Robustness: 200 concurrent desk scans and reservation requests while the server is killed
with SIGKILL and restarted. Afterwards: no copy has two open loans, no two bookings of a copy
overlap, and every action the server acknowledged (2xx) is in the database.

    uv run python benchmarks/robustness.py [--engine sqlite|postgres|both] [--requests 200]

The server is `mediathek serve --demo` on a fresh database; requests come through the JSON API
with personal API tokens (staff for the desk, the demo teachers for bookings).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import asyncpg
import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import report  # noqa: E402

from mediathek.passwords import new_token, token_digest  # noqa: E402

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_DB = "mediathek_robustness"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Database:
    """Direct access to the server's database for setup and the final checks."""

    def __init__(self, url: str) -> None:
        self.url = url

    async def fetch(self, sql: str, *args) -> list[tuple]:
        if self.url.startswith("sqlite"):
            with sqlite3.connect(self.url.removeprefix("sqlite:///")) as conn:
                return conn.execute(sql.replace("$1", "?").replace("$2", "?"), args).fetchall()
        conn = await asyncpg.connect(self.url)
        try:
            return [tuple(r) for r in await conn.fetch(sql, *args)]
        finally:
            await conn.close()

    async def execute(self, sql: str, *args) -> None:
        if self.url.startswith("sqlite"):
            with sqlite3.connect(self.url.removeprefix("sqlite:///")) as conn:
                conn.execute(sql.replace("$1", "?").replace("$2", "?").replace("$3", "?"), args)
            return
        conn = await asyncpg.connect(self.url)
        try:
            await conn.execute(sql, *args)
        finally:
            await conn.close()


class Server:
    def __init__(self, env: dict, port: int) -> None:
        self.env, self.port, self.proc = env, port, None
        self.url = f"http://127.0.0.1:{port}"

    def start(self, demo: bool = False) -> None:
        cmd = [sys.executable, "-m", "mediathek.cli", "serve", "--port", str(self.port)]
        self.proc = subprocess.Popen(
            cmd + (["--demo"] if demo else []),
            env=self.env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=20)

    async def wait_up(self, limit: float = 120) -> float:
        start = time.monotonic()
        async with httpx.AsyncClient() as c:
            while time.monotonic() - start < limit:
                try:
                    if (await c.get(self.url + "/healthz", timeout=1)).status_code == 200:
                        return time.monotonic() - start
                except httpx.HTTPError:
                    pass
                await asyncio.sleep(0.1)
        raise RuntimeError("server did not come up")


async def make_token(db: Database, email: str) -> str:
    token = new_token()
    (account_id,) = (await db.fetch("SELECT id FROM account WHERE email = $1", email))[0]
    await db.execute(
        "INSERT INTO api_token (account, name, token_hash, created_at)"
        " VALUES ($1, 'robust', $2, $3)",
        account_id,
        token_digest(token),
        datetime.now(UTC) if "postgres" in db.url else datetime.now(UTC).isoformat(),
    )
    return token


async def run(engine: str, n_requests: int, seed: int) -> dict:
    rng = random.Random(seed)
    tmp = Path(tempfile.mkdtemp(prefix="mediathek-robust-"))
    if engine == "sqlite":
        url = f"sqlite:///{tmp / 'robust.sqlite3'}"
    else:
        admin = await asyncpg.connect(PG_ADMIN)
        await admin.execute(f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{PG_DB}"')
        await admin.close()
        url = f"postgresql://postgres@127.0.0.1:5432/{PG_DB}"
    env = {
        **os.environ,
        "MEDIATHEK_DATABASE_URL": url,
        "MEDIATHEK_DATA_DIR": str(tmp / "data"),
        "MEDIATHEK_SCHEDULER": "0",
    }
    env.pop("MEDIATHEK_TEST_DATABASE_URL", None)
    server = Server(env, free_port())
    db = Database(url)
    server.start(demo=True)
    await server.wait_up()

    staff = await make_token(db, "theke@mediathek.example")
    teachers = [
        await make_token(db, e)
        for e in ("anna.berger@mediathek.example", "ben.yilmaz@mediathek.example")
    ]
    copies = [
        r[0]
        for r in await db.fetch(
            "SELECT barcode FROM copy WHERE status IN ('available', 'on_loan') ORDER BY id"
        )
    ]
    cards = [r[0] for r in await db.fetch("SELECT card_barcode FROM patron ORDER BY id")]
    titles = [r[0] for r in await db.fetch("SELECT id FROM title ORDER BY id LIMIT 30")]

    # A mix of actions; few copies and titles so that requests collide.
    hot_copies = rng.sample(copies, 25)
    actions = []
    for _ in range(n_requests):
        kind = rng.choice(["checkout", "checkout", "checkin", "booking"])
        if kind == "checkout":
            actions.append(
                (
                    "checkout",
                    staff,
                    "/api/v1/checkout",
                    {"copy": rng.choice(hot_copies), "card": rng.choice(cards[:8])},
                )
            )
        elif kind == "checkin":
            actions.append(("checkin", staff, "/api/v1/checkin", {"copy": rng.choice(hot_copies)}))
        else:
            start = date.today() + timedelta(days=rng.randrange(20, 60))
            actions.append(
                (
                    "booking",
                    rng.choice(teachers),
                    "/api/v1/bookings",
                    {
                        "title_id": rng.choice(titles[:10]),
                        "start_on": start.isoformat(),
                        "end_on": (start + timedelta(days=rng.randrange(1, 6))).isoformat(),
                    },
                )
            )

    acknowledged: list[tuple[str, dict, dict]] = []
    errors = {"connection": 0, "refused": 0, "server_error": 0}

    async def fire(client: httpx.AsyncClient, action) -> None:
        kind, token, path, body = action
        await asyncio.sleep(rng.random() * 4.0)  # spread over the kill
        # Like a desk that tries again: an unanswered request is repeated until the server
        # is back. A repeat may meet the effect of the first try (e.g. "already on loan").
        deadline = time.monotonic() + 120
        while True:
            try:
                r = await client.post(
                    server.url + path,
                    json=body,
                    headers={"Authorization": f"Bearer {token}"},
                    timeout=30,
                )
                break
            except httpx.HTTPError:
                errors["connection"] += 1
                if time.monotonic() > deadline:
                    return
                await asyncio.sleep(0.5)
        if 200 <= r.status_code < 300:
            acknowledged.append((kind, body, r.json() if r.content else {}))
        elif r.status_code >= 500:
            errors["server_error"] += 1
        else:
            errors["refused"] += 1

    async def killer() -> float:
        await asyncio.sleep(2.0)
        server.kill()
        server.start()
        return await server.wait_up()

    async with httpx.AsyncClient(limits=httpx.Limits(max_connections=50)) as client:
        results = await asyncio.gather(killer(), *[fire(client, a) for a in actions])
    restart_seconds = results[0]

    # The checks, straight on the database.
    doubles = await db.fetch(
        "SELECT copy, COUNT(*) FROM loan WHERE returned_at IS NULL"
        " GROUP BY copy HAVING COUNT(*) > 1"
    )
    overlaps = await db.fetch(
        "SELECT a.id, b.id FROM booking a JOIN booking b ON a.copy = b.copy AND a.id < b.id "
        "WHERE a.status IN ('confirmed', 'ready', 'collected') "
        "AND b.status IN ('confirmed', 'ready', 'collected') "
        "AND a.start_on <= b.end_on AND b.start_on <= a.end_on"
    )
    lost = []
    for kind, _body, answer in acknowledged:
        if kind == "checkout":
            if not await db.fetch("SELECT id FROM loan WHERE id = $1", answer["loan_id"]):
                lost.append((kind, answer))
        elif kind == "booking":
            if not await db.fetch("SELECT id FROM booking WHERE id = $1", answer["id"]):
                lost.append((kind, answer))
        elif kind == "checkin" and answer.get("loan_id"):
            rows = await db.fetch("SELECT returned_at FROM loan WHERE id = $1", answer["loan_id"])
            if not rows or rows[0][0] is None:
                lost.append((kind, answer))
    server.stop()
    shutil.rmtree(tmp, ignore_errors=True)
    return {
        "engine": engine,
        "requests": n_requests,
        "acknowledged": len(acknowledged),
        **errors,
        "restart_s": restart_seconds,
        "double_loans": len(doubles),
        "overlapping_bookings": len(overlaps),
        "lost_acknowledged": len(lost),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--engine", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    engines = ["sqlite", "postgres"] if args.engine == "both" else [args.engine]
    failed = False
    for engine in engines:
        r = asyncio.run(run(engine, args.requests, args.seed))
        print(r)
        violations = r["double_loans"] + r["overlapping_bookings"] + r["lost_acknowledged"]
        failed |= violations > 0 or r["server_error"] > 0
        report(
            f"SIGKILL under {r['requests']} concurrent scans/bookings",
            "0 violations",
            f"{violations} violations, {r['acknowledged']} acknowledged, "
            f"{r['connection']} tries cut off, restart {r['restart_s']:.1f} s",
            engine,
        )
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
