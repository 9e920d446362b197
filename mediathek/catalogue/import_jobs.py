"""Import jobs: the upload is stored, checked and written by a background task, while the
page polls an ImportJob row for progress (big files take a while).

While a job runs, its process holds a lock that the operating system or the database drops
when the process ends, however it ends: a file lock on SQLite (one machine), a session
advisory lock on PostgreSQL (any number of machines). At start the app looks for unfinished
jobs whose lock nobody holds: their process is gone, and they are marked failed. That is all
recovery needs, because an import writes in one transaction together with its "done": a job
killed while writing wrote nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from piccolo.columns import Column
from piccolo.engine.postgres import PostgresEngine

from mediathek import audit, clock
from mediathek.catalogue import imports
from mediathek.catalogue.tables import ImportJob
from mediathek.db import current_engine, write_transaction
from mediathek.errors import NotFound
from mediathek.settings import Settings

try:
    import fcntl
except ImportError:  # not on Windows: there, interrupted jobs are not recovered
    fcntl = None  # type: ignore[assignment]  # None marks its absence; each use checks

log = logging.getLogger("mediathek.import")
_TASKS: set[asyncio.Task] = set()  # keeps running tasks referenced until they finish
UNFINISHED = ("queued", "running", "writing")
# First key of the two-key advisory locks (a key space apart from the one-key locks).
ADVISORY_CLASS = 0x494D  # "IM"

INTERRUPTED = {
    "writing": "Der Import wurde beim Speichern unterbrochen, weil der Server beendet wurde. "
    "Ein Import wird in einem Schritt gespeichert: Es wurde nichts übernommen. "
    "Bitte starten Sie den Import noch einmal.",
    "checking": "Die Prüfung der Datei wurde unterbrochen, weil der Server beendet wurde. "
    "Es wurde nichts gespeichert. Bitte laden Sie die Datei noch einmal hoch.",
}


def upload_path(settings: Settings, job_id: int, filename: str) -> Path:
    folder = Path(settings.data_dir) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    suffix = ".xlsx" if filename.lower().endswith(".xlsx") else ".csv"
    return folder / f"{job_id}{suffix}"


def _lock_path(settings: Settings, job_id: int) -> Path:
    folder = Path(settings.data_dir) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{job_id}.lock"


@contextlib.asynccontextmanager
async def job_running(settings: Settings, job_id: int) -> AsyncIterator[None]:
    """Hold the job's lock while it runs (see the module docstring)."""
    engine = current_engine()
    if isinstance(engine, PostgresEngine):
        conn = await engine.get_new_connection()
        try:
            await conn.execute("SELECT pg_advisory_lock($1, $2)", ADVISORY_CLASS, job_id)
            yield
        finally:
            await conn.close()  # ends the session, and with it the lock
        return
    if fcntl is None:
        yield
        return
    with _lock_path(settings, job_id).open("a") as handle:
        await asyncio.to_thread(fcntl.flock, handle, fcntl.LOCK_EX)
        yield


async def _runner_gone(settings: Settings, job_id: int) -> bool:
    engine = current_engine()
    if isinstance(engine, PostgresEngine):
        conn = await engine.get_new_connection()
        try:
            return await conn.fetchval(
                "SELECT pg_try_advisory_lock($1, $2)", ADVISORY_CLASS, job_id
            )
        finally:
            await conn.close()
    if fcntl is None:
        return False
    with _lock_path(settings, job_id).open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True


async def recover_interrupted(settings: Settings) -> list[int]:
    """Mark unfinished jobs whose process has ended as failed; returns their ids."""
    recovered = []
    jobs = await ImportJob.select(ImportJob.id, ImportJob.status).where(
        ImportJob.status.is_in(list(UNFINISHED))
    )
    for job in jobs:
        if not await _runner_gone(settings, job["id"]):
            continue  # still running in another process
        stage = "writing" if job["status"] == "writing" else "checking"
        rows = (
            await ImportJob.update(
                {
                    ImportJob.status: "failed",
                    ImportJob.errors: [{"row": None, "message": INTERRUPTED[stage]}],
                    ImportJob.finished_at: datetime.now(UTC),
                }
            )
            .where((ImportJob.id == job["id"]) & (ImportJob.status == job["status"]))
            .returning(ImportJob.id)
        )
        if rows:
            log.warning("Import %s was interrupted (%s); marked failed", job["id"], stage)
            recovered.append(job["id"])
    return recovered


async def start_import(
    settings: Settings, filename: str, content: bytes, *, dry_run: bool, account_id: int | None
) -> int:
    """Store the upload, create the job and start it in the background; returns the job id."""
    row = await ImportJob.insert(
        ImportJob(filename=filename[:255], dry_run=dry_run, created_by=account_id)
    ).returning(ImportJob.id)
    job_id = row[0]["id"]
    upload_path(settings, job_id, filename).write_bytes(content)
    task = asyncio.create_task(run_job(settings, job_id))
    _TASKS.add(task)
    task.add_done_callback(_TASKS.discard)
    return job_id


async def repeat_for_real(settings: Settings, job_id: int, account_id: int | None) -> int:
    """After a clean dry run: import the same file for real."""
    job = await get_job(job_id)
    content = upload_path(settings, job_id, job["filename"]).read_bytes()
    return await start_import(
        settings, job["filename"], content, dry_run=False, account_id=account_id
    )


async def run_job(settings: Settings, job_id: int) -> None:
    async with job_running(settings, job_id):
        await _run(settings, job_id)


async def _run(settings: Settings, job_id: int) -> None:
    job = await get_job(job_id)
    path = upload_path(settings, job_id, job["filename"])
    today = clock.today(settings.tz)

    async def progress(done: int, total: int) -> None:
        await ImportJob.update({ImportJob.done_rows: done, ImportJob.total_rows: total}).where(
            ImportJob.id == job_id
        )

    await ImportJob.update({ImportJob.status: "running"}).where(ImportJob.id == job_id)
    try:
        checked = await imports.check_file(job["filename"], path, today.year, progress)
        values: dict[Column | str, Any] = {
            ImportJob.total_rows: checked.total,
            ImportJob.done_rows: checked.total,
            ImportJob.errors: checked.errors,
            ImportJob.status: "failed" if checked.errors and not job["dry_run"] else "done",
            ImportJob.finished_at: datetime.now(UTC),
        }
        # "skipped" has no column: it travels as a pseudo-row 0 message in errors when > 0.
        if checked.skipped:
            values[ImportJob.errors] = [
                {
                    "row": 0,
                    "message": f"{checked.skipped} Titel sind schon im Bestand "
                    "und werden übersprungen.",
                },
                *checked.errors,
            ]
        if checked.errors or job["dry_run"]:
            # Dry run, or bad rows: nothing is written. The counts say what would happen.
            values |= {
                ImportJob.created_titles: len(checked.rows),
                ImportJob.created_copies: sum(r.copies for r in checked.rows),
            }
            await ImportJob.update(values).where(ImportJob.id == job_id)
            return
        await ImportJob.update({ImportJob.status: "writing", ImportJob.done_rows: 0}).where(
            ImportJob.id == job_id
        )
        # The rows, the audit entry and "done" commit together: never one without the others.
        async with write_transaction():
            titles, copies = await imports.write_rows(
                checked.rows, settings.copy_barcode_prefix, today
            )
            await audit.record(
                "catalogue_imported",
                actor_id=job["created_by"],
                object_type="import_job",
                object_id=job_id,
                titles=titles,
                copies=copies,
                skipped=checked.skipped,
            )
            values |= {
                ImportJob.created_titles: titles,
                ImportJob.created_copies: copies,
                ImportJob.finished_at: datetime.now(UTC),
            }
            await ImportJob.update(values).where(ImportJob.id == job_id)
    except imports.RowLimitExceeded as exc:
        await _fail(job_id, str(exc), rows=exc.rows)
    except imports.ImportFileError as exc:
        await _fail(job_id, str(exc))
    except Exception:
        log.exception("Import %s failed", job_id)
        await _fail(
            job_id,
            "Der Import ist abgebrochen; es wurde nichts gespeichert. Bitte prüfen Sie die Datei.",
        )


async def _fail(job_id: int, message: str, rows: int | None = None) -> None:
    values: dict[Column | str, Any] = {
        ImportJob.status: "failed",
        ImportJob.errors: [{"row": None, "message": message}],
        ImportJob.finished_at: datetime.now(UTC),
    }
    if rows is not None:  # how far the reading got
        values |= {ImportJob.total_rows: rows, ImportJob.done_rows: rows}
    await ImportJob.update(values).where(ImportJob.id == job_id)


async def get_job(job_id: int) -> dict:
    job = await ImportJob.select().where(ImportJob.id == job_id).output(load_json=True).first()
    if job is None:
        raise NotFound("Diesen Import gibt es nicht.")
    return job


async def wait_for(job_id: int) -> dict:
    """Wait until a job has finished (for the API and tests; callers bound the wait)."""
    while True:
        job = await get_job(job_id)
        if job["status"] in ("done", "failed"):
            return job
        await asyncio.sleep(0.05)
