"""Database engines: SQLite (file, WAL) by default, PostgreSQL in production.

piccolo looks its engine up lazily per table; ``use_engine`` binds every table (and piccolo's
own migration table) to one engine so the app, the CLI and each test can pick theirs.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType

# Seconds a SQLite writer waits for the lock before "database is locked".
SQLITE_BUSY_TIMEOUT = 30


def sqlite_path(url: str) -> Path:
    return Path(url.removeprefix("sqlite:///"))


def postgres_config(url: str) -> dict:
    parts = urlsplit(url)
    config = {
        "host": parts.hostname or "127.0.0.1",
        "port": parts.port or 5432,
        "user": unquote(parts.username or "postgres"),
        "database": (parts.path or "/mediathek").lstrip("/") or "mediathek",
    }
    if parts.password:
        config["password"] = unquote(parts.password)
    return config


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite:///"):
        path = sqlite_path(url)
        if path.parent != Path(""):
            path.parent.mkdir(parents=True, exist_ok=True)
        _prepare_sqlite_file(path)
        return SQLiteEngine(path=str(path), timeout=SQLITE_BUSY_TIMEOUT)
    return PostgresEngine(config=postgres_config(url))


def _prepare_sqlite_file(path: Path) -> None:
    # WAL lets readers go on while one writer writes; the mode is stored in the file.
    with contextlib.closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA journal_mode=WAL")


def is_sqlite(engine: Engine) -> bool:
    return engine.engine_type == "sqlite"


def use_engine(engine: Engine) -> None:
    """Bind every table of the app, and piccolo's migration table, to ``engine``."""
    from piccolo.apps.migrations.tables import Migration

    import mediathek.piccolo_conf as conf
    from mediathek.piccolo_app import TABLES

    conf.DB = engine
    for table in [*TABLES, Migration]:
        table._meta.db = engine


def current_engine() -> Engine:
    from mediathek.piccolo_app import TABLES

    return TABLES[0]._meta.db


def write_transaction(engine: Engine | None = None):
    """A transaction for read-then-write work.

    On SQLite it starts with BEGIN IMMEDIATE, taking the write lock at once: a deferred
    transaction that reads first and writes later fails with "database is locked" under
    concurrency instead of waiting.
    """
    engine = engine or current_engine()
    if is_sqlite(engine):
        return engine.transaction(transaction_type=TransactionType.immediate)
    return engine.transaction()


def read_snapshot(engine: Engine | None = None):
    """One connection, and one consistent view, for a handler's reads.

    SQLite would otherwise open a connection per query (about 0.6 ms each) and PostgreSQL
    take one from the pool per query. Queries inside must run one after another (asyncpg
    refuses concurrent use of one connection).
    """
    return (engine or current_engine()).transaction()


async def migrate(engine: Engine) -> None:
    """Apply all pending migrations to ``engine``."""
    from piccolo.apps.migrations.commands.forwards import ForwardsMigrationManager

    use_engine(engine)
    with contextlib.redirect_stdout(None):
        result = await ForwardsMigrationManager(app_name="mediathek").run()
    if not result.success:
        raise RuntimeError(f"Migration fehlgeschlagen: {result.message}")


@contextlib.asynccontextmanager
async def connection_pool(engine: Engine) -> AsyncIterator[None]:
    """PostgreSQL: one pool for the app's lifetime (else every query opens a connection)."""
    if isinstance(engine, PostgresEngine):
        await engine.start_connection_pool(min_size=2, max_size=10)
        try:
            yield
        finally:
            await engine.close_connection_pool()
    else:
        yield
