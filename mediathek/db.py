"""Database engines: SQLite (file, WAL) by default, PostgreSQL in production.

piccolo looks its engine up lazily per table; ``use_engine`` binds every table (and piccolo's
own migration table) to one engine so the app, the CLI and each test can pick theirs.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, TypeGuard, cast
from urllib.parse import unquote, urlsplit

import aiosqlite
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction, TransactionType, dict_factory
from piccolo.querystring import QueryString

from mediathek.settings import Settings

# Seconds a SQLite writer waits for the lock before "database is locked".
SQLITE_BUSY_TIMEOUT = 30
# Open SQLite connections kept for reuse while the app runs (each one has its own thread).
SQLITE_IDLE_CONNECTIONS = 10
# Seconds a thread may hold the GIL while another waits for it (CPython's default: 0.005).
SQLITE_SWITCH_INTERVAL = 0.0005


class _ReusableConnection(aiosqlite.Connection):
    """An aiosqlite connection that, when closed, waits in its engine's idle list instead."""

    def __init__(self, engine: ReusingSQLiteEngine) -> None:
        kwargs = dict(engine.connection_kwargs)
        super().__init__(lambda: sqlite3.connect(**kwargs), iter_chunk_size=64)
        self.engine = engine

    async def close(self) -> None:
        if not self.engine.keep(self):
            try:
                await super().close()
            finally:
                self.engine.closed()


class ReusingSQLiteEngine(SQLiteEngine):
    """piccolo's SQLite engine with fewer trips to the database thread.

    aiosqlite runs each connection in a thread of its own, and every call is a trip there and
    back, which on a busy machine waits for the scheduler. piccolo opens a connection (a new
    thread) for every query outside a transaction and for every transaction, and makes four
    trips per statement: "PRAGMA foreign_keys = 1" (already set when the connection opened, and
    a no-op inside a transaction), execute, fetch and close the cursor. Here a statement is one
    trip, and between ``start_connection_pool`` and ``close_connection_pool`` closed
    connections wait for the next query instead of ending, like PostgreSQL's pool.
    """

    __slots__ = ("_idle", "_max_idle", "_open", "_waiting")

    def __init__(self, path: str, **connection_kwargs: Any) -> None:
        super().__init__(path=path, **connection_kwargs)
        self._idle: list[_ReusableConnection] = []
        self._max_idle = 0  # no reuse until the pool is started
        self._open = 0  # connections open now, idle or in use
        self._waiting: list[asyncio.Future[None]] = []

    async def start_connection_pool(self, max_idle: int = SQLITE_IDLE_CONNECTIONS) -> None:
        self._max_idle = max_idle
        # Every statement is a trip to a connection's thread and back, and each side of it
        # waits for the GIL. While the event loop computes a page, CPython hands the GIL over
        # only every 5 ms (the switch interval): a write transaction of eight statements then
        # held the write lock for tens of milliseconds and the writers behind it waited.
        # A shorter interval keeps a statement's trip short under load.
        sys.setswitchinterval(SQLITE_SWITCH_INTERVAL)

    async def close_connection_pool(self) -> None:
        self._max_idle = 0
        idle, self._idle = self._idle, []
        for connection in idle:
            await connection.close()
        self._wake()

    def keep(self, connection: _ReusableConnection) -> bool:
        """Take a closed connection back for reuse, unless the pool is full or stopped, or the
        connection is still inside a transaction (an interrupted one: it must end with it)."""
        if len(self._idle) >= self._max_idle or connection.in_transaction:
            return False
        self._idle.append(connection)
        self._wake()
        return True

    def closed(self) -> None:
        self._open -= 1
        self._wake()

    def _wake(self) -> None:
        while self._waiting:
            waiter = self._waiting.pop(0)
            if not waiter.done():
                waiter.set_result(None)
                return

    async def get_connection(self) -> aiosqlite.Connection:
        # While the pool runs, at most ``max_idle`` connections are open (each is a thread and
        # its page cache): a request beyond that waits for one to come back.
        while not self._idle and self._max_idle and self._open >= self._max_idle:
            waiter = asyncio.get_running_loop().create_future()
            self._waiting.append(waiter)
            try:
                await waiter
            except BaseException:
                if waiter in self._waiting:
                    self._waiting.remove(waiter)
                elif waiter.done() and not waiter.cancelled():
                    self._wake()  # pass the turn on
                raise
        if self._idle:
            return self._idle.pop()
        self._open += 1
        try:
            connection = await _ReusableConnection(self)
            # aiosqlite types row_factory as a class; sqlite3 takes any callable, as piccolo
            # does.
            connection.row_factory = dict_factory  # type: ignore[assignment]
            await connection.execute("PRAGMA foreign_keys = 1")
        except BaseException:
            self.closed()
            raise
        return connection

    async def _run_in_new_connection(
        self, query: str, args: list | None = None, query_type: str = "generic", table=None
    ):
        connection = await self.get_connection()
        try:
            return await self._run_in_existing_connection(
                connection, query, args, query_type, table
            )
        finally:
            await connection.close()

    async def _run_in_existing_connection(
        self,
        connection,
        query: str,
        args: list | None = None,
        query_type: str = "generic",
        table=None,
    ):
        if query_type == "insert" and self.get_version_sync() < 3.35:
            # Without RETURNING piccolo fetches the new key with a second statement.
            return await super()._run_in_existing_connection(
                connection, query, args, query_type, table
            )
        return await connection.execute_fetchall(query, args or [])


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
        return ReusingSQLiteEngine(path=str(path), timeout=SQLITE_BUSY_TIMEOUT)
    return PostgresEngine(config=postgres_config(url))


def _prepare_sqlite_file(path: Path) -> None:
    # WAL lets readers go on while one writer writes; the mode is stored in the file.
    with contextlib.closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA journal_mode=WAL")


def is_sqlite(engine: Engine) -> TypeGuard[SQLiteEngine]:
    return engine.engine_type == "sqlite"


# The engine piccolo finds through ``piccolo_conf.DB`` (migrations ask it by ``engine_finder``).
_configured: Engine | None = None


def configured_engine() -> Engine:
    """The engine bound by ``use_engine``; else the settings' engine, made on first use.

    Made lazily, not on import: opening the SQLite engine creates its file, and importing
    the piccolo configuration must not leave a database in whatever directory it runs in.
    """
    global _configured
    if _configured is None:
        _configured = make_engine(Settings.from_env().database_url)
    return _configured


def use_engine(engine: Engine) -> None:
    """Bind every table of the app, and piccolo's migration table, to ``engine``."""
    from piccolo.apps.migrations.tables import Migration

    from mediathek.piccolo_app import TABLES

    global _configured
    _configured = engine
    for table in [*TABLES, Migration]:
        table._meta.db = engine


def current_engine() -> Engine:
    from mediathek.piccolo_app import TABLES

    return TABLES[0]._meta.db


def write_transaction(engine: Engine | None = None):
    """A transaction for read-then-write work.

    On SQLite it starts with BEGIN IMMEDIATE, taking the write lock at once: a deferred
    transaction that reads first and writes later fails with "database is locked" under
    concurrency instead of waiting. So on SQLite every write transaction runs alone.

    PostgreSQL's BEGIN takes no lock: two transactions may read the same state and both
    pass a check. A check-then-write must therefore start with ``lock_rows`` on the row
    that owns the checked fact (the loan for its renewal count, the patron for her limits)
    or be a conditional UPDATE.
    """
    engine = engine or current_engine()
    outer = engine.current_transaction.get()
    if outer is not None:
        return _Savepoint(outer)
    if is_sqlite(engine):
        return _QueuedWrite(engine)
    return engine.transaction()


_WRITER_QUEUES: dict[str, tuple[asyncio.AbstractEventLoop, asyncio.Lock]] = {}


def _writer_queue(engine: SQLiteEngine) -> asyncio.Lock:
    """The queue of this process's writers to one SQLite file (a lock belongs to one loop)."""
    loop = asyncio.get_running_loop()
    known = _WRITER_QUEUES.get(engine.path)
    if known is None or known[0] is not loop:
        known = _WRITER_QUEUES[engine.path] = (loop, asyncio.Lock())
    return known[1]


class _QueuedWrite(SQLiteTransaction):
    """A SQLite write transaction that waits its turn in the process before BEGIN IMMEDIATE.

    SQLite lets one writer in at a time; the others would wait in its busy handler, which
    sleeps in growing steps (up to 100 ms) and wakes in no order, so under load a checkout
    waited seconds behind others. In an asyncio queue the next writer starts the moment the
    last one commits, first come first served. Writers of other processes still meet in the
    busy handler.
    """

    def __init__(self, engine: SQLiteEngine) -> None:
        super().__init__(engine, transaction_type=TransactionType.immediate)
        self.queue = _writer_queue(engine)
        self.in_turn = False

    async def get_connection(self):
        # The turn first, then a connection: writers waiting in the queue hold none, so the
        # capped pool stays free for readers (connections are kept open, taking one is cheap).
        await self.queue.acquire()
        self.in_turn = True
        try:
            return await super().get_connection()
        except BaseException:
            self._leave_queue()
            raise

    async def begin(self) -> None:
        try:
            await super().begin()
        except BaseException:
            self._leave_queue()
            await self.connection.close()
            raise

    async def __aexit__(self, exc_type, exc, tb) -> bool:
        try:
            return await super().__aexit__(exc_type, exc, tb)
        finally:
            self._leave_queue()

    def _leave_queue(self) -> None:
        if self.in_turn:
            self.in_turn = False
            self.queue.release()


class _DataVersion:
    """What ``data_version`` reads for one engine in one process."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.pid = os.getpid()
        self.sqlite: sqlite3.Connection | None = None
        self.task: asyncio.Task[str] | None = None
        self.task_for = 0  # callers that had asked when the running read began
        self.asked = 0

    def read_sqlite(self) -> int:
        if self.sqlite is None:
            path = cast(SQLiteEngine, self.engine).path
            # Never writes: every commit, of this process's connections or another's, is
            # one "by another connection" for it. No thread: the pragma takes microseconds.
            self.sqlite = sqlite3.connect(path, timeout=1, check_same_thread=False)
        return int(self.sqlite.execute("PRAGMA data_version").fetchone()[0])

    def close(self) -> None:
        if self.sqlite is not None and self.pid == os.getpid():
            self.sqlite.close()

    async def read_postgres(self) -> str:
        """One query at a time, and each caller gets a read that began after it asked: a
        read already under way may have begun before a commit the caller has seen."""
        self.asked += 1
        mine = self.asked
        loop = asyncio.get_running_loop()
        while True:
            task = self.task
            if task is not None and task.get_loop() is loop and not task.done():
                if self.task_for >= mine:
                    return await asyncio.shield(task)
                await asyncio.wait([task])
                continue
            self.task_for = self.asked
            self.task = loop.create_task(self._snapshot())

    async def _snapshot(self) -> str:
        engine = cast(PostgresEngine, self.engine)
        query = "SELECT pg_current_snapshot()::text AS s"
        if engine.pool is not None:
            async with engine.pool.acquire() as connection:
                return str(await connection.fetchval(query))
        rows = await engine.run_querystring(QueryString(query))
        return str(rows[0]["s"])


_DATA_VERSIONS: dict[int, _DataVersion] = {}
MAX_DATA_VERSIONS = 8


async def data_version(engine: Engine | None = None) -> int | str:
    """A value that differs from the one read before whenever a write has been committed to
    the database since, by any connection of any process (kept pages are checked by it).

    SQLite: ``PRAGMA data_version`` of a connection of its own that never writes. PostgreSQL:
    the current snapshot (oldest and next transaction, those in progress): a committed write
    was in progress or not yet begun at the last read, so the text is another now. Other
    databases' transactions on the same server change it too, which only costs a page made
    again.
    """
    engine = engine or current_engine()
    known = _DATA_VERSIONS.get(id(engine))
    # A new engine at a recycled id, or a forked worker: a connection of its own.
    if known is None or known.engine is not engine or known.pid != os.getpid():
        known = _DATA_VERSIONS[id(engine)] = _DataVersion(engine)
        while len(_DATA_VERSIONS) > MAX_DATA_VERSIONS:  # tests make an engine per test
            _DATA_VERSIONS.pop(next(iter(_DATA_VERSIONS))).close()
    if is_sqlite(engine):
        return known.read_sqlite()
    return await known.read_postgres()


async def lock_rows(table: str, *ids: int) -> None:
    """Lock rows of ``table`` for the rest of the write transaction (PostgreSQL).

    A second transaction locking the same row waits until the first commits, and its later
    reads see what the first wrote (READ COMMITTED reads afresh per statement). Rows are
    locked in id order so that two lockers of the same rows cannot deadlock. On SQLite
    BEGIN IMMEDIATE already serialises writers: nothing to do.
    """
    engine = current_engine()
    if is_sqlite(engine) or not ids:
        return
    if table not in _LOCKABLE:
        raise ValueError(f"lock_rows: unknown table {table!r}")
    await engine.run_querystring(
        QueryString(
            f"SELECT id FROM {table} WHERE id = ANY({{}}) ORDER BY id FOR UPDATE",
            sorted(set(ids)),
        )
    )


async def lock_value(kind: str, value: str) -> None:
    """Like ``lock_rows`` for a fact that has no row yet (an e-mail address about to be
    registered): a transaction-scoped advisory lock on the value (PostgreSQL)."""
    engine = current_engine()
    if is_sqlite(engine):
        return
    await engine.run_querystring(
        QueryString("SELECT pg_advisory_xact_lock(hashtextextended({}, 0))", f"{kind}:{value}")
    )


# Table names ``lock_rows`` may put into SQL (never user input, but kept to a known list).
_LOCKABLE = frozenset({"loan", "patron", "hold", "booking", "copy", "title", "stocktake"})


class _Savepoint:
    """A write transaction inside another one: all or nothing on its own.

    piccolo lets a nested transaction join the outer one, so an error raised inside it and
    caught outside would leave its first writes in place (a copy claimed by a refused
    checkout, say) and the outer commit would keep them. A savepoint undoes them.
    """

    def __init__(self, outer: Any) -> None:
        self.outer = outer
        self.savepoint: Any = None

    async def __aenter__(self) -> Any:
        self.savepoint = await self.outer.savepoint()
        return self.outer

    async def __aexit__(self, exc_type, exc, tb) -> bool:
        if exc is None:
            await self.savepoint.release()
        else:
            await self.savepoint.rollback_to()
        return False


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
    """Connections kept open for the app's lifetime (else every query opens one): PostgreSQL's
    pool, or SQLite's idle connections."""
    if isinstance(engine, PostgresEngine):
        await engine.start_connection_pool(min_size=2, max_size=10)
    elif isinstance(engine, ReusingSQLiteEngine):
        await engine.start_connection_pool()
    else:
        yield
        return
    try:
        yield
    finally:
        await engine.close_connection_pool()
