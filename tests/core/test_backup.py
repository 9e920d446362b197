"""Backups: taken while the desk lends, restored into a fresh instance with nothing missing."""

import asyncio
import contextlib
import dataclasses
import sqlite3
from datetime import date, timedelta
from pathlib import Path

import asyncpg
import pytest

from mediathek import backup
from mediathek.backup import BackupError, create_backup, daily_backup, restore_backup
from mediathek.circulation import services
from mediathek.db import postgres_config, sqlite_path, use_engine
from mediathek.demo import load_demo
from mediathek.jobs.scheduler import run_daily_once
from mediathek.vocab import PatronCategory
from tests.db_snapshot import snapshot
from tests.factories import PG_TEST_DB, make_persona, title_with_copies


@pytest.fixture
async def fresh_url(db, database_url, tmp_path):
    """The URL of a second, empty database: the "fresh instance" a backup is restored into."""
    if database_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / 'restored' / 'mediathek.sqlite3'}"
    name = PG_TEST_DB + "_restored"
    config = postgres_config(database_url)
    conn = await asyncpg.connect(**{**config, "database": "postgres"})
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return database_url.rsplit("/", 1)[0] + "/" + name


async def loans_in(url: str) -> tuple[set[int], set[int]]:
    """(ids of loans, ids of copies on loan) in the database at ``url``."""
    if url.startswith("sqlite"):
        with contextlib.closing(sqlite3.connect(sqlite_path(url))) as conn:
            loans = {r[0] for r in conn.execute("SELECT id FROM loan")}
            lent = {r[0] for r in conn.execute("SELECT copy FROM loan WHERE returned_at IS NULL")}
            on_loan = {r[0] for r in conn.execute("SELECT id FROM copy WHERE status = 'on_loan'")}
    else:
        conn = await asyncpg.connect(**postgres_config(url))
        try:
            loans = {r[0] for r in await conn.fetch("SELECT id FROM loan")}
            lent = {
                r[0] for r in await conn.fetch("SELECT copy FROM loan WHERE returned_at IS NULL")
            }
            on_loan = {
                r[0] for r in await conn.fetch("SELECT id FROM copy WHERE status = 'on_loan'")
            }
        finally:
            await conn.close()
    assert lent == on_loan  # a consistent snapshot: no loan without its copy, no copy without
    return loans, on_loan


async def restore_into(settings, url: str, path: Path, db, **kw):
    try:
        return await restore_backup(dataclasses.replace(settings, database_url=url), path, **kw)
    finally:
        use_engine(db)  # the restore migrated (and bound the tables to) the other database


async def test_a_backup_taken_while_the_desk_lends_restores_every_acknowledged_loan(
    db, settings, database_url, fresh_url, today, tmp_path
):
    settings = dataclasses.replace(settings, database_url=database_url)
    codes = [(await title_with_copies(f"Titel {i}"))[1][0] for i in range(60)]
    cards = [
        (await make_persona(f"Leser{i} Test", None, PatronCategory.volunteer_teacher)).card
        for i in range(6)
    ]
    acknowledged: list[int] = []
    started = asyncio.Event()
    backed_up = asyncio.Event()

    async def desk(n: int):
        mine = codes[n::3]
        for i, code in enumerate(mine):
            if i == len(mine) - 1:
                # Each desk's last loan waits for the backup: however fast the checkouts are,
                # the backup is taken while the desks are still lending.
                await backed_up.wait()
            result = await services.checkout(
                cards[(n + 3 * i) % 6], code, today=today, staff_id=None
            )
            acknowledged.append(result.loan_id)
            if len(acknowledged) >= 12:
                started.set()

    desks = [asyncio.create_task(desk(n)) for n in range(3)]
    await started.wait()
    if database_url.startswith("sqlite"):
        # The situation a file copy gets wrong: committed loans still in the write-ahead log.
        wal = f"{sqlite_path(database_url)}-wal"
        assert await asyncio.to_thread(lambda: Path(wal).stat().st_size) > 0
    before = set(acknowledged)
    path = await create_backup(settings, tmp_path / "live")
    after = set(acknowledged)
    backed_up.set()
    await asyncio.gather(*desks)
    assert len(before) >= 12 and len(after) < 60  # the desks were still lending meanwhile

    await restore_into(settings, fresh_url, path, db)
    restored, _ = await loans_in(fresh_url)
    assert before <= restored <= set(acknowledged)
    live, _ = await loans_in(database_url)
    assert len(live) == 60


async def test_a_restored_instance_has_every_row_of_the_backed_up_one(
    db, settings, database_url, fresh_url, tmp_path
):
    settings = dataclasses.replace(settings, database_url=database_url)
    counts = await load_demo(settings)
    assert counts["loans"] > 0
    path = await create_backup(settings, tmp_path / "demo")
    await restore_into(settings, fresh_url, path, db)
    original, restored = await snapshot(database_url), await snapshot(fresh_url)
    assert sum(len(rows) for rows in original.values()) > 100
    assert restored == original


async def test_a_restore_refuses_a_database_in_use_unless_forced(
    db, settings, database_url, fresh_url, tmp_path
):
    settings = dataclasses.replace(settings, database_url=database_url)
    await title_with_copies("Schon da")
    path = await create_backup(settings, tmp_path / "one")
    fresh = dataclasses.replace(settings, database_url=fresh_url)
    await restore_into(settings, fresh_url, path, db)
    await title_with_copies(
        "Noch einer"
    )  # the original changes; the fresh one must not be overwritten
    newer = await create_backup(settings, tmp_path / "two")
    with pytest.raises(BackupError, match="nicht leer.*--force"):
        await restore_into(settings, fresh_url, newer, db)
    assert len((await snapshot(fresh_url))["title"]) == 1
    result = await restore_into(settings, fresh_url, newer, db, force=True)
    assert len((await snapshot(fresh_url))["title"]) == 2
    # What was overwritten is kept as a backup of its own.
    assert result.safety_copy is not None and result.safety_copy.parent == fresh.backups_path
    assert backup.backup_kind(result.safety_copy) in ("sqlite", "postgresql")


async def test_a_backup_of_the_other_engine_is_refused(db, settings, database_url, tmp_path):
    settings = dataclasses.replace(settings, database_url=database_url)
    other = tmp_path / "other"
    if database_url.startswith("sqlite"):
        other.write_bytes(backup.PG_CUSTOM_MAGIC + b"\x01\x0e")
    else:
        with contextlib.closing(sqlite3.connect(other)) as conn:
            conn.execute("CREATE TABLE title (id integer)")
    with pytest.raises(BackupError, match="Die Sicherung stammt aus"):
        await restore_backup(settings, other)
    (tmp_path / "junk").write_text("kein Backup")
    with pytest.raises(BackupError, match="keine Sicherung"):
        await restore_backup(settings, tmp_path / "junk")


async def test_the_daily_backup_keeps_the_newest_n_and_never_manual_ones(
    db, settings, database_url, tmp_path
):
    settings = dataclasses.replace(
        settings, database_url=database_url, backup_keep=3, backup_dir=tmp_path / "sicherungen"
    )
    manual = await create_backup(settings)
    first = date(2026, 3, 1)
    for n in range(5):
        result = await daily_backup(settings, first + timedelta(days=n))
        assert result["created"] is True
    again = await daily_backup(settings, first + timedelta(days=4))
    assert again["created"] is False
    names = sorted(p.name for p in settings.backups_path.iterdir())
    ext = ".sqlite3" if settings.is_sqlite else ".dump"
    assert names == sorted(
        [manual.name] + [f"mediathek-taeglich-2026-03-0{d}{ext}" for d in (3, 4, 5)]
    )
    assert oct(settings.backups_path.stat().st_mode & 0o777) == "0o700"
    assert oct(manual.stat().st_mode & 0o777) == "0o600"


async def test_the_daily_run_writes_the_backup_and_zero_switches_it_off(
    db, settings, database_url, today
):
    settings = dataclasses.replace(settings, database_url=database_url)
    results = await run_daily_once(settings, today)
    assert results["backup"]["created"] is True
    assert Path(results["backup"]["file"]).parent == settings.data_dir / "backups"
    off = dataclasses.replace(settings, backup_keep=0)
    assert "abgeschaltet" in (await daily_backup(off, today))["skipped"]


def test_pg_dump_older_than_the_server_is_explained_in_german():
    assert backup.version_problem("pg_dump", 16, 15) is None
    assert backup.version_problem("pg_dump", 15, 15) is None
    message = backup.version_problem("pg_dump", 15, 17)
    assert "Version 15" in message and "postgresql-client-17" in message
    assert "/usr/lib/postgresql/17/bin" in message


def test_a_missing_pg_dump_is_explained_in_german(tmp_path, monkeypatch, settings):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(BackupError, match="pg_dump wurde nicht gefunden.*postgresql-client"):
        backup.find_pg_tool(settings, "pg_dump", 99)
    wrong_dir = dataclasses.replace(settings, pg_bin_dir=str(tmp_path))
    with pytest.raises(BackupError, match="MEDIATHEK_PG_BIN_DIR"):
        backup.find_pg_tool(wrong_dir, "pg_dump", 15)
