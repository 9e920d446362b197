"""Migrations bring an older database to today's schema: a database migrated from the first
version of the search migration (before it was edited) gets the indexes it lacks."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import sqlite3
import sys
from pathlib import Path

import asyncpg

from mediathek.db import make_engine, migrate, postgres_config, sqlite_path
from mediathek.piccolo_app import MIGRATIONS_DIR
from tests.factories import PG_TEST_DB, PG_URL, recreate_pg_database

ROOT = Path(__file__).resolve().parents[2]
SEARCH_MIGRATION = "mediathek_2026_11_23t16_50_00_000000.py"
REPAIR_MIGRATION = "mediathek_2026_11_28t08_30_00_000000.py"
ADDED_LATER = {"title_search_facets", "title_search_newest", "copy_search_available"}
# Tables that migrations after the repair create (the Merkliste, sets).
LATER_TABLES = ("basket_item", "title_set")

# Migrates with the migrations folder given (in a process of its own: piccolo imports each
# migration by its file name, and this process has today's files imported already).
MIGRATE_FROM = """
import asyncio, sys
from mediathek.db import make_engine, migrate
from mediathek.piccolo_app import APP_CONFIG
APP_CONFIG.migrations_folder_path = sys.argv[1]
asyncio.run(migrate(make_engine(sys.argv[2])))
"""


def _first_shipped_migrations(folder: Path) -> Path:
    """The migrations an older installation ran: everything before the repair, with the search
    migration as first shipped (its run functions without the three indexes)."""
    folder.mkdir()
    for path in sorted(MIGRATIONS_DIR.glob("mediathek_*.py")):
        if path.name < REPAIR_MIGRATION:
            shutil.copy(path, folder / path.name)
    search = folder / SEARCH_MIGRATION
    text = search.read_text()
    first = text.replace("COMMON_UP + (", "(").replace("COMMON_DOWN + (", "(")
    assert text.count("COMMON_UP + (") == 1 and text.count("COMMON_DOWN + (") == 1, (
        "the shipped search migration was changed again"
    )
    search.write_text(first)
    return folder


async def _migrate_from(folder: Path, url: str, cwd: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        MIGRATE_FROM,
        str(folder),
        url,
        cwd=cwd,
        env=env,
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await child.communicate()
    assert child.returncode == 0, err.decode()


async def _indexes(url: str) -> set[str]:
    if url.startswith("sqlite:///"):
        with contextlib.closing(sqlite3.connect(sqlite_path(url))) as conn:
            rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")
            return {name for (name,) in rows}
    conn = await asyncpg.connect(**postgres_config(url))
    try:
        rows = await conn.fetch("SELECT indexname FROM pg_indexes WHERE schemaname = 'public'")
    finally:
        await conn.close()
    return {r["indexname"] for r in rows}


async def test_a_database_migrated_from_the_first_search_migration_gets_its_missing_indexes(
    database_template, tmp_path
):
    if PG_URL:
        today_url = database_template
        old_url = await recreate_pg_database(PG_TEST_DB + "_old")
    else:
        today_url = f"sqlite:///{database_template}"
        old_url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    await _migrate_from(_first_shipped_migrations(tmp_path / "old"), old_url, tmp_path)
    before = await _indexes(old_url)
    assert not before & ADDED_LATER  # as an installation of that time has it
    today_indexes = await _indexes(today_url)
    # Tables created by migrations after the repair bring their own indexes.
    of_later_tables = {
        name
        for name in today_indexes
        if name.removeprefix("sqlite_autoindex_").startswith(LATER_TABLES)
    }
    assert not before & of_later_tables
    assert before | ADDED_LATER | of_later_tables == today_indexes

    await migrate(make_engine(old_url))

    assert await _indexes(old_url) == await _indexes(today_url)
