"""Every row of every table, read past the app's engine: to compare two databases or states."""

import contextlib
import sqlite3

import asyncpg

from mediathek.db import postgres_config, sqlite_path
from mediathek.piccolo_app import TABLES


async def snapshot(url: str) -> dict[str, list[tuple]]:
    """Every row of every table of the app, in a comparable form."""
    tables = [t._meta.tablename for t in TABLES]
    if url.startswith("sqlite"):
        with contextlib.closing(sqlite3.connect(sqlite_path(url))) as conn:
            return {
                t: sorted(tuple(map(str, r)) for r in conn.execute(f'SELECT * FROM "{t}"'))
                for t in tables
            }
    conn = await asyncpg.connect(**postgres_config(url))
    try:
        return {
            t: sorted(tuple(map(str, r.values())) for r in await conn.fetch(f'SELECT * FROM "{t}"'))
            for t in tables
        }
    finally:
        await conn.close()
