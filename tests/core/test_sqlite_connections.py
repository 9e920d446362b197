"""SQLite: connections are kept for the next query while the app runs, and never one that is
still inside a transaction."""

import asyncio
import sqlite3
from contextlib import closing

import pytest

from mediathek.db import ReusingSQLiteEngine, write_transaction
from mediathek.patrons.tables import Patron


@pytest.fixture
def sqlite_db(db):
    if not isinstance(db, ReusingSQLiteEngine):
        pytest.skip("SQLite only: PostgreSQL has asyncpg's pool")
    return db


async def temp_tables() -> set[str]:
    """A TEMP table lives in one connection: seeing it again means the connection came back."""
    rows = await Patron.raw("SELECT name FROM temp.sqlite_master WHERE type = 'table'")
    return {r["name"] for r in rows}


async def test_queries_and_transactions_reuse_the_same_connection(sqlite_db):
    await Patron.raw("CREATE TEMP TABLE probe (x INTEGER)")
    assert await temp_tables() == {"probe"}
    async with write_transaction():
        assert await temp_tables() == {"probe"}
    with pytest.raises(ValueError):
        async with write_transaction():
            await Patron.raw("INSERT INTO probe (x) VALUES (1)")
            raise ValueError("rolled back")
    # The rolled-back transaction gave its connection back, outside any transaction.
    assert await Patron.raw("SELECT count(*) AS n FROM probe") == [{"n": 0}]


async def test_a_connection_left_inside_a_transaction_is_closed_not_reused(sqlite_db):
    connection = await sqlite_db.get_connection()
    await connection.execute("CREATE TEMP TABLE probe (x INTEGER)")
    await connection.execute("BEGIN IMMEDIATE")
    await connection.close()
    assert await temp_tables() == set()
    # Closing it ended the transaction: another writer gets the lock at once.
    with closing(sqlite3.connect(sqlite_db.path, timeout=0)) as other:
        other.execute("BEGIN IMMEDIATE")
        other.rollback()


async def test_two_transactions_at_once_each_have_a_connection_of_their_own(sqlite_db):
    both_inside = asyncio.Barrier(2)

    async def work(name: str) -> set[str]:
        async with sqlite_db.transaction():
            await Patron.raw(f"CREATE TEMP TABLE {name} (x INTEGER)")
            await both_inside.wait()
            return await temp_tables()

    assert await asyncio.gather(work("one"), work("two")) == [{"one"}, {"two"}]


async def test_closing_the_pool_closes_the_kept_connections(sqlite_db):
    connection = await sqlite_db.get_connection()
    await connection.close()
    await connection.execute("SELECT 1")  # kept for the next query, still open
    await sqlite_db.close_connection_pool()
    with pytest.raises(ValueError, match="no active connection"):
        await connection.execute("SELECT 1")
    # Without the pool every query has a connection of its own again.
    await Patron.raw("CREATE TEMP TABLE probe (x INTEGER)")
    assert await temp_tables() == set()


async def test_a_writer_waits_its_turn_however_long_the_one_before_takes(sqlite_db):
    # SQLite's own wait would give up after 50 ms with "database is locked".
    impatient = ReusingSQLiteEngine(path=sqlite_db.path, timeout=0.05)

    async def writer(name: str, hold: float) -> None:
        async with write_transaction(impatient) as tx:
            await tx.connection.execute(
                "INSERT INTO patron (last_name, category) VALUES (?, 'paid_teacher')", [name]
            )
            await asyncio.sleep(hold)

    await asyncio.gather(writer("A", 0.3), writer("B", 0.0), writer("C", 0.0))
    assert await Patron.count() == 3


async def test_a_failed_write_hands_its_turn_on(sqlite_db):
    with pytest.raises(ValueError):
        async with write_transaction():
            raise ValueError("rolled back")
    async with asyncio.timeout(5), write_transaction():
        await Patron.raw("SELECT 1")


async def test_open_connections_stay_within_the_pool_size(sqlite_db):
    # Each reader holds its connection for a while; the writers come in between.
    engine = ReusingSQLiteEngine(path=sqlite_db.path)
    await engine.start_connection_pool(max_idle=3)
    most = 0

    async def reader() -> None:
        nonlocal most
        async with engine.transaction():
            most = max(most, engine._open)
            await Patron.raw("SELECT count(*) FROM patron")
            await asyncio.sleep(0.01)

    async def writer(n: int) -> None:
        async with write_transaction(engine) as tx:
            await tx.connection.execute(
                "INSERT INTO patron (last_name, category) VALUES (?, 'paid_teacher')", [f"W{n}"]
            )

    try:
        async with asyncio.timeout(20):
            await asyncio.gather(*(reader() for _ in range(12)), *(writer(n) for n in range(6)))
        assert most == 3
        assert engine._open == 3
    finally:
        await engine.close_connection_pool()
    assert engine._open == 0
    assert await Patron.count() == 6
