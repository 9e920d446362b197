"""After a crash during delivery, mail starts again as soon as the app or ``notify`` starts."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import subprocess
import sys
from datetime import timedelta

from mediathek.clock import now
from mediathek.core_tables import JobLock
from mediathek.jobs.locks import (
    LEASE,
    advisory_key,
    lease_is_abandoned,
    release_abandoned_leases,
)
from mediathek.jobs.scheduler import scheduler_running
from mediathek.notifications.delivery import deliver_outbox
from mediathek.notifications.outbox import enqueue
from mediathek.notifications.tables import NotificationKind
from tests.core.test_cli import run_cli

HOST = socket.gethostname()


def ended_pid() -> int:
    """The pid of a process that has run and ended."""
    done = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    return int(done.stdout)


# PostgreSQL: another app instance holding the delivery lock on its own connection.
HOLD_ADVISORY_LOCK = """
import asyncio, sys, asyncpg
async def main():
    conn = await asyncpg.connect(sys.argv[1])
    assert await conn.fetchval("SELECT pg_try_advisory_lock($1)", int(sys.argv[2]))
    print("locked", flush=True)
    await asyncio.sleep(120)
asyncio.run(main())
"""


@contextlib.contextmanager
def other_instance(database_url: str):
    """A live process holding the delivery lock the way its engine does; yields its pid."""
    if database_url.startswith("sqlite"):
        proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    else:
        proc = subprocess.Popen(
            [sys.executable, "-c", HOLD_ADVISORY_LOCK, database_url, str(advisory_key("deliver"))],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert proc.stdout.readline().strip() == "locked"
    try:
        yield proc
    finally:
        proc.kill()
        proc.wait()


async def leave_lease(holder: str) -> None:
    """The lease row a process writes on SQLite when it takes the delivery lock."""
    await JobLock.insert(JobLock(name="deliver", holder=holder, locked_until=now() + LEASE))


async def crash_while_delivering(database_url: str) -> None:
    """A process that took the delivery lock and died without letting go."""
    with other_instance(database_url) as proc:
        if database_url.startswith("sqlite"):
            await leave_lease(f"{HOST}:{proc.pid}:dead0001")
        proc.kill()  # SIGKILL: no clean-up of any kind
        proc.wait()
    if not database_url.startswith("sqlite"):
        # The server ends the dead connection's session, and with it the advisory lock.
        for _ in range(50):
            if not await JobLock.raw(
                "SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted AND database = "
                "(SELECT oid FROM pg_database WHERE datname = current_database())"
            ):
                break
            await asyncio.sleep(0.1)


async def lease_until():
    row = await JobLock.select(JobLock.locked_until).where(JobLock.name == "deliver").first()
    return row["locked_until"] if row else None


def test_only_a_gone_process_of_this_machine_loses_its_lease():
    running = {100}.__contains__
    assert lease_is_abandoned(f"{HOST}:200:ab12", HOST, 1, running)
    assert not lease_is_abandoned(f"{HOST}:100:ab12", HOST, 1, running)
    # Another instance on another machine: its processes cannot be seen from here.
    assert not lease_is_abandoned("other-host:200:ab12", HOST, 1, running)
    # Our own pid, at start: left by an earlier process with the same number.
    assert lease_is_abandoned(f"{HOST}:1:ab12", HOST, 1, {1}.__contains__)
    assert not lease_is_abandoned("nonsense", HOST, 1, running)


async def test_notify_after_a_crash_delivers_at_once(
    database_url, tmp_path, mail_settings, smtp_server
):
    await enqueue(NotificationKind.test, key="after-crash", recipient="anna@example.org")
    await crash_while_delivering(database_url)
    if database_url.startswith("sqlite"):
        assert (await deliver_outbox(mail_settings))["skipped"]  # for 15 minutes, until now

    done = run_cli(
        tmp_path,
        "notify",
        "--deliver-only",
        env_extra={
            "MEDIATHEK_DATABASE_URL": database_url,
            "MEDIATHEK_SMTP_HOST": "127.0.0.1",
            "MEDIATHEK_SMTP_PORT": str(smtp_server.port),
        },
    )
    assert done.returncode == 0, done.stderr
    assert "1 gesendet" in done.stdout
    assert [m["To"] for m in smtp_server.inbox.messages] == ["anna@example.org"]


async def test_app_start_releases_a_crashed_lease(
    database_url, settings, mail_settings, smtp_server
):
    await enqueue(NotificationKind.test, key="after-crash", recipient="anna@example.org")
    await crash_while_delivering(database_url)
    async with scheduler_running(settings):  # what the app's lifespan runs at start
        pass
    assert (await deliver_outbox(mail_settings))["sent"] == 1


async def test_a_live_instance_keeps_its_lock(database_url, mail_settings, smtp_server):
    await enqueue(NotificationKind.test, key="while-busy", recipient="anna@example.org")
    with other_instance(database_url) as proc:
        if database_url.startswith("sqlite"):
            await leave_lease(f"{HOST}:{proc.pid}:a11ve001")
        assert await release_abandoned_leases() == []
        assert (await deliver_outbox(mail_settings))["skipped"]
    assert smtp_server.inbox.messages == []


async def test_a_lease_of_another_machine_is_left_to_run_out(mail_settings, smtp_server):
    # Its processes cannot be seen from here: alive or not, only its lease time tells.
    await leave_lease("app-2.example:1:a11ve002")
    assert await release_abandoned_leases() == []
    assert await lease_until() > now() + LEASE - timedelta(minutes=1)
