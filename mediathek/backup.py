"""Backups a small library can rely on: taken while the app runs, restored into a fresh one.

SQLite: ``VACUUM INTO`` writes one consistent, self-contained file while the app keeps
writing. Copying the database file is not a backup: committed loans may still sit in the
``-wal`` file beside it. PostgreSQL: ``pg_dump`` in its custom format, restored with
``pg_restore --clean``. After a restore the migrations run, so an older backup works with a
newer version of the app.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import shutil
import sqlite3
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from mediathek.db import postgres_config, sqlite_path
from mediathek.settings import Settings

log = logging.getLogger("mediathek.backup")

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_CUSTOM_MAGIC = b"PGDMP"
DAILY_PREFIX = "mediathek-taeglich-"
# Rows in any of these mean the database is in use: a restore must not overwrite it unasked.
CONTENT_TABLES = ("title", "copy", "patron", "account", "loan")


class BackupError(Exception):
    """Backup or restore is not possible; the message says why and what to do (German)."""


@dataclass(frozen=True)
class RestoreResult:
    source: Path
    safety_copy: Path | None  # the database as it was before, if it held anything


def extension(settings: Settings) -> str:
    return ".sqlite3" if settings.is_sqlite else ".dump"


def backup_name(settings: Settings, at: datetime) -> str:
    return f"mediathek-{at:%Y-%m-%d-%H%M%S}{extension(settings)}"


def daily_name(settings: Settings, day: date) -> str:
    return f"{DAILY_PREFIX}{day.isoformat()}{extension(settings)}"


def _private_dir(directory: Path) -> Path:
    # Backups hold personal data: only the app's user may read them.
    directory.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(OSError):
        directory.chmod(0o700)
    return directory


# ---- taking a backup ------------------------------------------------------------------------


async def create_backup(settings: Settings, target: Path | None = None) -> Path:
    """Write a backup of the running database to ``target`` (default: a new file in the
    backup directory) and return its path. The file appears only when it is complete."""
    if target is None:
        target = _private_dir(settings.backups_path) / backup_name(settings, datetime.now())
    elif target.is_dir():
        target = target / backup_name(settings, datetime.now())
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
    part = target.with_name(target.name + ".teil")
    part.unlink(missing_ok=True)
    try:
        if settings.is_sqlite:
            await asyncio.to_thread(_sqlite_backup, sqlite_path(settings.database_url), part)
        else:
            await _pg_dump(settings, part)
        part.chmod(0o600)
        os.replace(part, target)
    finally:
        part.unlink(missing_ok=True)
    return target


def _sqlite_backup(database: Path, part: Path) -> None:
    if not database.exists():
        raise BackupError(f"Die Datenbankdatei {database} gibt es nicht.")
    with contextlib.closing(sqlite3.connect(database, timeout=30)) as conn:
        # One read transaction: a consistent snapshot, WAL content included, writers go on.
        conn.execute("VACUUM INTO ?", (str(part),))
    _check_sqlite_file(part)


def _check_sqlite_file(path: Path) -> None:
    with path.open("rb") as f:
        if f.read(len(SQLITE_MAGIC)) != SQLITE_MAGIC:
            raise BackupError(f"{path} ist keine SQLite-Sicherung der Mediathek.")
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        if conn.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise BackupError(f"Die Sicherung {path} ist beschädigt (integrity_check).")
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    if "title" not in tables:
        raise BackupError(f"{path} enthält keine Mediathek-Datenbank.")


# ---- PostgreSQL tools -----------------------------------------------------------------------


def _pg_env(settings: Settings) -> tuple[list[str], dict[str, str]]:
    config = postgres_config(settings.database_url)
    env = dict(os.environ)
    if config.get("password"):
        env["PGPASSWORD"] = config["password"]
    args = ["-h", config["host"], "-p", str(config["port"]), "-U", config["user"]]
    return args, env


async def _server_major(settings: Settings) -> int:
    import asyncpg

    conn = await asyncpg.connect(**postgres_config(settings.database_url))
    try:
        return conn.get_server_version().major
    finally:
        await conn.close()


def version_problem(tool: str, client_major: int, server_major: int) -> str | None:
    """German explanation when ``tool`` cannot work with the server, else None. pg_dump must
    be at least as new as the server; pg_restore reads dumps of its own version and older."""
    if client_major >= server_major:
        return None
    return (
        f"{tool} hat Version {client_major}, der PostgreSQL-Server aber {server_major}: "
        f"{tool} muss mindestens so neu sein wie der Server. Bitte das Paket "
        f"postgresql-client-{server_major} installieren (Debian/Ubuntu: apt install "
        f"postgresql-client-{server_major}) oder MEDIATHEK_PG_BIN_DIR auf dessen "
        f"bin-Verzeichnis setzen (z. B. /usr/lib/postgresql/{server_major}/bin)."
    )


def find_pg_tool(settings: Settings, tool: str, server_major: int) -> str:
    """The tool from MEDIATHEK_PG_BIN_DIR, else the one of the server's major version that
    Debian installs side by side, else the one on PATH."""
    if settings.pg_bin_dir:
        path = Path(settings.pg_bin_dir) / tool
        if not path.exists():
            raise BackupError(f"{tool} gibt es nicht in MEDIATHEK_PG_BIN_DIR ({path}).")
        return str(path)
    same_version = Path(f"/usr/lib/postgresql/{server_major}/bin/{tool}")
    if same_version.exists():
        return str(same_version)
    found = shutil.which(tool)
    if found is None:
        raise BackupError(
            f"{tool} wurde nicht gefunden. Für Sicherungen einer PostgreSQL-Datenbank bitte "
            f"das Paket postgresql-client installieren (Debian/Ubuntu: apt install "
            f"postgresql-client-{server_major}) oder MEDIATHEK_PG_BIN_DIR setzen."
        )
    return found


async def _run(command: list[str], env: dict[str, str]) -> str:
    process = await asyncio.create_subprocess_exec(
        *command, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await process.communicate()
    if process.returncode != 0:
        raise BackupError(
            f"{Path(command[0]).name} ist fehlgeschlagen: {err.decode(errors='replace').strip()}"
        )
    return out.decode(errors="replace")


async def _pg_tool(settings: Settings, tool: str) -> tuple[str, list[str], dict[str, str]]:
    server = await _server_major(settings)
    path = find_pg_tool(settings, tool, server)
    args, env = _pg_env(settings)
    match = re.search(r"(\d+)", await _run([path, "--version"], env))
    problem = version_problem(tool, int(match.group(1)) if match else 0, server)
    if problem:
        raise BackupError(problem)
    return path, args, env


async def _pg_dump(settings: Settings, part: Path) -> None:
    tool, args, env = await _pg_tool(settings, "pg_dump")
    database = postgres_config(settings.database_url)["database"]
    await _run(
        [tool, "--format=custom", "--no-owner", "--no-privileges", f"--file={part}", *args]
        + [database],
        env,
    )
    with part.open("rb") as f:
        if f.read(len(PG_CUSTOM_MAGIC)) != PG_CUSTOM_MAGIC:
            raise BackupError("pg_dump hat keine Sicherung im erwarteten Format geschrieben.")


# ---- restoring ------------------------------------------------------------------------------


async def database_has_content(settings: Settings) -> bool:
    """Whether titles, copies, people, accounts or loans exist in the configured database."""
    if settings.is_sqlite:
        return await asyncio.to_thread(_sqlite_has_content, sqlite_path(settings.database_url))
    import asyncpg

    conn = await asyncpg.connect(**postgres_config(settings.database_url))
    try:
        for table in CONTENT_TABLES:
            if await conn.fetchval("SELECT to_regclass($1)", f"public.{table}") is None:
                continue
            if await conn.fetchval(f'SELECT EXISTS (SELECT 1 FROM "{table}")'):
                return True
        return False
    finally:
        await conn.close()


def _sqlite_has_content(database: Path) -> bool:
    if not database.exists():
        return False
    with contextlib.closing(sqlite3.connect(database, timeout=30)) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        return any(
            conn.execute(f'SELECT EXISTS (SELECT 1 FROM "{t}")').fetchone()[0]
            for t in CONTENT_TABLES
            if t in tables
        )


def backup_kind(path: Path) -> str:
    """ "sqlite" or "postgresql" by the file's first bytes."""
    if not path.is_file():
        raise BackupError(f"Die Sicherungsdatei {path} gibt es nicht.")
    with path.open("rb") as f:
        head = f.read(len(SQLITE_MAGIC))
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PG_CUSTOM_MAGIC):
        return "postgresql"
    raise BackupError(f"{path} ist keine Sicherung der Mediathek (weder SQLite noch pg_dump).")


async def restore_backup(settings: Settings, source: Path, *, force: bool = False) -> RestoreResult:
    """Replace the configured database by the backup ``source``. Refuses a database that
    holds anything unless ``force``; then the old content is first saved as a safety copy.
    The app must be stopped meanwhile (SQLite: its open connections would keep the old file)."""
    from mediathek.db import make_engine, migrate

    kind = backup_kind(source)
    engine_kind = "sqlite" if settings.is_sqlite else "postgresql"
    if kind != engine_kind:
        names = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
        raise BackupError(
            f"Die Sicherung stammt aus {names[kind]}, eingestellt ist aber "
            f"{names[engine_kind]} (MEDIATHEK_DATABASE_URL)."
        )
    safety = None
    if await database_has_content(settings):
        if not force:
            raise BackupError(
                "Die Datenbank ist nicht leer. Wiederherstellen überschreibt alles, was darin "
                "steht; dazu bitte --force angeben (der jetzige Stand wird vorher gesichert)."
            )
        safety = _private_dir(settings.backups_path) / (
            f"vor-wiederherstellung-{datetime.now():%Y-%m-%d-%H%M%S}{extension(settings)}"
        )
        await create_backup(settings, safety)
    if settings.is_sqlite:
        await asyncio.to_thread(_sqlite_restore, source, sqlite_path(settings.database_url))
    else:
        await _pg_restore(settings, source)
    await migrate(make_engine(settings.database_url))
    return RestoreResult(source, safety)


def _sqlite_restore(source: Path, database: Path) -> None:
    _check_sqlite_file(source)
    database.parent.mkdir(parents=True, exist_ok=True)
    part = database.with_name(database.name + ".wiederherstellung")
    shutil.copyfile(source, part)
    with part.open("rb") as f:
        os.fsync(f.fileno())
    # The old database's write-ahead log belongs to the old file: applied to the restored
    # one it would corrupt it.
    for suffix in ("-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    os.replace(part, database)


async def _pg_restore(settings: Settings, source: Path) -> None:
    tool, args, env = await _pg_tool(settings, "pg_restore")
    database = postgres_config(settings.database_url)["database"]
    await _run(
        [tool, "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction"]
        + [*args, f"--dbname={database}", str(source)],
        env,
    )


# ---- the daily backup -----------------------------------------------------------------------


def to_delete(names: list[str], keep: int) -> list[str]:
    """The daily backups beyond the newest ``keep`` (names sort by their date)."""
    daily = sorted(n for n in names if n.startswith(DAILY_PREFIX) and not n.endswith(".teil"))
    return daily[: max(0, len(daily) - keep)]


async def daily_backup(settings: Settings, today: date) -> dict:
    """Today's backup in the backup directory, once a day, and only the newest
    ``settings.backup_keep`` daily ones kept. Manual backups there are never deleted."""
    if settings.backup_keep <= 0:
        return {"skipped": "abgeschaltet (MEDIATHEK_BACKUP_KEEP=0)"}
    directory = _private_dir(settings.backups_path)
    target = directory / daily_name(settings, today)
    made = False
    if not target.exists():
        await create_backup(settings, target)
        made = True
    removed = to_delete([p.name for p in directory.iterdir()], settings.backup_keep)
    for name in removed:
        (directory / name).unlink(missing_ok=True)
    return {"file": str(target), "created": made, "deleted": len(removed)}
