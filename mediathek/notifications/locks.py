"""A database lock per scheduled job, so two app instances never run the same job at once.

PostgreSQL: a session advisory lock (``pg_try_advisory_lock``) held on a connection of its
own; it vanishes with the connection if the process dies. SQLite (one machine, possibly several
worker processes): a lease row in ``job_lock`` taken with a conditional UPDATE; a crashed
holder's lease runs out after ``LEASE``.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import uuid
import zlib
from collections.abc import AsyncIterator
from datetime import datetime, timedelta

from piccolo.engine.postgres import PostgresEngine

from mediathek.clock import now
from mediathek.db import current_engine, is_sqlite, write_transaction
from mediathek.notifications.tables import JobLock

log = logging.getLogger("mediathek.jobs")

LEASE = timedelta(minutes=15)
# Advisory lock keys live in one 64-bit space shared with other users of the database.
ADVISORY_NAMESPACE = 0x4D454449  # "MEDI"


def _holder() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def advisory_key(name: str) -> int:
    return (ADVISORY_NAMESPACE << 32) | zlib.crc32(name.encode())


async def _ensure_row(name: str) -> None:
    await (
        JobLock.insert(JobLock(name=name, locked_until=now() - timedelta(seconds=1)))
        .on_conflict(target=JobLock.name, action="DO NOTHING")
        .run()
    )


async def _take_lease(name: str, holder: str, until: datetime) -> bool:
    await _ensure_row(name)
    async with write_transaction():
        rows = (
            await JobLock.update({JobLock.holder: holder, JobLock.locked_until: until})
            .where((JobLock.name == name) & (JobLock.locked_until < now()))
            .returning(JobLock.id)
        )
    return bool(rows)


async def extend_lease(name: str, holder: str) -> None:
    """Long runs call this between batches so their lease does not run out under them."""
    await JobLock.update({JobLock.locked_until: now() + LEASE}).where(
        (JobLock.name == name) & (JobLock.holder == holder)
    )


@contextlib.asynccontextmanager
async def job_lock(name: str) -> AsyncIterator[str | None]:
    """Yields a holder id when this process got the lock, None when another one holds it."""
    engine = current_engine()
    holder = _holder()
    if isinstance(engine, PostgresEngine):
        conn = await engine.get_new_connection()
        try:
            got = await conn.fetchval("SELECT pg_try_advisory_lock($1)", advisory_key(name))
            if not got:
                log.info("Job %s läuft schon in einer anderen Instanz; übersprungen.", name)
                yield None
                return
            try:
                yield holder
            finally:
                await conn.execute("SELECT pg_advisory_unlock($1)", advisory_key(name))
        finally:
            await conn.close()
        return
    assert is_sqlite(engine)
    if not await _take_lease(name, holder, now() + LEASE):
        log.info("Job %s läuft schon in einem anderen Prozess; übersprungen.", name)
        yield None
        return
    try:
        yield holder
    finally:
        await JobLock.update({JobLock.locked_until: now() - timedelta(seconds=1)}).where(
            (JobLock.name == name) & (JobLock.holder == holder)
        )


async def last_run(name: str) -> datetime | None:
    row = await JobLock.select(JobLock.last_run_at).where(JobLock.name == name).first()
    return row["last_run_at"] if row else None


async def mark_run(name: str, at: datetime) -> None:
    await _ensure_row(name)
    await JobLock.update({JobLock.last_run_at: at, JobLock.runs: JobLock.runs + 1}).where(
        JobLock.name == name
    )
