"""A database lock per scheduled job, so two app instances never run the same job at once.

PostgreSQL: a session advisory lock (``pg_try_advisory_lock``) held on a connection of its
own; it vanishes with the connection if the process dies. SQLite (one machine, possibly several
worker processes): a lease row in ``job_lock`` taken with a conditional UPDATE; a crashed
holder's lease runs out after ``LEASE``, or sooner: when the app or ``mediathek notify``
starts, ``release_abandoned_leases`` frees the leases whose holder process on this machine no
longer runs. A lease of a live process, or of another machine (whose processes this one
cannot see), is never taken away.
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
from mediathek.core_tables import JobLock
from mediathek.db import current_engine, is_sqlite, write_transaction

log = logging.getLogger("mediathek.jobs")

LEASE = timedelta(minutes=15)
# Advisory lock keys live in one 64-bit space shared with other users of the database.
ADVISORY_NAMESPACE = 0x4D454449  # "MEDI"


def _holder() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def holder_process(holder: str) -> tuple[str, int] | None:
    """(host, pid) of a holder id written by ``_holder``; None when it is not one."""
    parts = holder.rsplit(":", 2)
    if len(parts) != 3 or not parts[1].isdigit():
        return None
    return parts[0], int(parts[1])


def process_is_running(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, it belongs to someone else
    return True


def lease_is_abandoned(holder: str, host: str, own_pid: int, running) -> bool:
    """Pure rule: may a starting process on ``host`` release this holder's lease?

    Only a process of this machine can be checked. Our own pid counts as gone: a process
    that is only starting holds no lease yet, so a lease under its pid was left by an
    earlier process with the same number (in a container the app is always pid 1)."""
    found = holder_process(holder)
    if found is None or found[0] != host:
        return False
    pid = found[1]
    return pid == own_pid or not running(pid)


async def release_abandoned_leases() -> list[str]:
    """Release the leases of crashed processes of this machine; returns the job names.

    Call once at start, before this process takes any lease."""
    held = await JobLock.select(JobLock.name, JobLock.holder).where(JobLock.locked_until > now())
    host, pid = socket.gethostname(), os.getpid()
    released = []
    for row in held:
        if not lease_is_abandoned(row["holder"], host, pid, process_is_running):
            continue
        # Conditional on the same holder: a lease taken meanwhile by a live process stays.
        rows = (
            await JobLock.update({JobLock.locked_until: now() - timedelta(seconds=1)})
            .where((JobLock.name == row["name"]) & (JobLock.holder == row["holder"]))
            .returning(JobLock.name)
        )
        if rows:
            log.warning(
                "Job %s: Sperre des beendeten Prozesses %s freigegeben.", row["name"], row["holder"]
            )
            released.append(row["name"])
    return released


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
