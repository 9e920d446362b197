"""A live server for the browser tests: ``mediathek serve --demo`` on a fresh SQLite file (or
PostgreSQL database) in a subprocess, Debian's chromium to drive it, and reading its database."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
import time
import urllib.request
from contextlib import closing
from pathlib import Path

from tests.fakes import free_port

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


class LiveServer:
    def __init__(self, url: str, database_url: str, data_dir: Path, env: dict) -> None:
        self.url = url
        self.database_url = database_url
        self.data_dir = data_dir
        self.env = env


# A PostgreSQL server (e.g. postgresql://postgres@127.0.0.1:5432/test): the live servers then
# run on fresh databases there instead of SQLite files (CI fuzzes the API on both engines).
E2E_PG_URL = os.environ.get("MEDIATHEK_E2E_DATABASE_URL") or os.environ.get(
    "MEDIATHEK_TEST_DATABASE_URL", ""
)


def fresh_pg_database(tmp: Path) -> str:
    import asyncio

    import asyncpg

    from mediathek.db import postgres_config

    name = "mediathek_e2e_" + hashlib.sha1(str(tmp).encode()).hexdigest()[:10]
    config = postgres_config(E2E_PG_URL)

    async def create() -> None:
        conn = await asyncpg.connect(**config)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()

    asyncio.run(create())
    return f"postgresql://{config['user']}@{config['host']}:{config['port']}/{name}"


def drop_pg_database(url: str) -> None:
    import asyncio

    import asyncpg

    from mediathek.db import postgres_config

    name = url.rsplit("/", 1)[1]

    async def drop() -> None:
        conn = await asyncpg.connect(**postgres_config(E2E_PG_URL))
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()

    asyncio.run(drop())


async def fetch_rows(database_url: str, sql: str) -> list[tuple]:
    """Rows of a query against a live server's database, SQLite or PostgreSQL."""
    if database_url.startswith("sqlite"):
        from mediathek.db import sqlite_path

        with closing(sqlite3.connect(sqlite_path(database_url))) as conn:
            rows = conn.execute(sql).fetchall()
            conn.commit()
            return rows
    import asyncpg

    from mediathek.db import postgres_config

    conn = await asyncpg.connect(**postgres_config(database_url))
    try:
        return [tuple(r) for r in await conn.fetch(sql)]
    finally:
        await conn.close()


def start_server(tmp: Path, extra_env: dict | None = None) -> tuple[subprocess.Popen, LiveServer]:
    port = free_port()
    db_url = fresh_pg_database(tmp) if E2E_PG_URL else f"sqlite:///{tmp / 'e2e.sqlite3'}"
    env = {
        **os.environ,
        "MEDIATHEK_DATABASE_URL": db_url,
        "MEDIATHEK_DATA_DIR": str(tmp / "data"),
        "MEDIATHEK_BASE_URL": f"http://127.0.0.1:{port}",
        "MEDIATHEK_SCHEDULER": "0",
        **(extra_env or {}),
    }
    env.pop("MEDIATHEK_TEST_DATABASE_URL", None)
    log = open(tmp / "server.log", "w")  # noqa: SIM115 - closed with the process
    proc = subprocess.Popen(
        [sys.executable, "-m", "mediathek.cli", "serve", "--demo", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180  # migrations and demo data on a busy machine
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError((tmp / "server.log").read_text())
        try:
            urllib.request.urlopen(url + "/healthz", timeout=1)
            break
        except OSError:
            time.sleep(0.3)
    else:
        proc.kill()
        raise RuntimeError("server did not start: " + (tmp / "server.log").read_text())
    return proc, LiveServer(url, db_url, tmp / "data", env)


async def login(page, email: str, password: str = "mediathek-demo") -> None:
    await page.goto("/anmelden")
    await page.get_by_label("E-Mail-Adresse").fill(email)
    await page.get_by_label("Passwort", exact=True).fill(password)
    await page.get_by_role("button", name="Anmelden").click()
    await page.wait_for_load_state()
