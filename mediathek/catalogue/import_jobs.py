"""Import jobs: the upload is stored, checked and written by a background task, while the
page polls an ImportJob row for progress (big files take a while)."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from pathlib import Path

from mediathek import audit, clock
from mediathek.catalogue import imports
from mediathek.catalogue.tables import ImportJob
from mediathek.errors import NotFound
from mediathek.settings import Settings

log = logging.getLogger("mediathek.import")
MAX_UPLOAD_BYTES = 20_000_000
_TASKS: set[asyncio.Task] = set()  # keeps running tasks referenced until they finish


def upload_path(settings: Settings, job_id: int, filename: str) -> Path:
    folder = Path(settings.data_dir) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    suffix = ".xlsx" if filename.lower().endswith(".xlsx") else ".csv"
    return folder / f"{job_id}{suffix}"


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
    job = await get_job(job_id)
    path = upload_path(settings, job_id, job["filename"])
    today = clock.today(settings.tz)

    async def progress(done: int, total: int) -> None:
        await ImportJob.update({ImportJob.done_rows: done, ImportJob.total_rows: total}).where(
            ImportJob.id == job_id
        )

    await ImportJob.update({ImportJob.status: "running"}).where(ImportJob.id == job_id)
    try:
        checked = await imports.check_file(job["filename"], path.read_bytes(), today.year, progress)
        values = {
            ImportJob.total_rows: checked.total,
            ImportJob.done_rows: checked.total,
            ImportJob.errors: checked.errors,
        }
        if checked.errors or job["dry_run"]:
            # Dry run, or bad rows: nothing is written. The counts say what would happen.
            values |= {
                ImportJob.created_titles: len(checked.rows),
                ImportJob.created_copies: sum(r.copies for r in checked.rows),
            }
        else:
            await ImportJob.update({ImportJob.status: "writing", ImportJob.done_rows: 0}).where(
                ImportJob.id == job_id
            )
            titles, copies = await imports.write_rows(
                checked.rows, settings.copy_barcode_prefix, today
            )
            values |= {ImportJob.created_titles: titles, ImportJob.created_copies: copies}
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
        await ImportJob.update(values).where(ImportJob.id == job_id)
    except imports.ImportFileError as exc:
        await _fail(job_id, str(exc))
    except Exception:
        log.exception("Import %s failed", job_id)
        await _fail(
            job_id,
            "Der Import ist abgebrochen; es wurde nichts gespeichert. Bitte prüfen Sie die Datei.",
        )


async def _fail(job_id: int, message: str) -> None:
    await ImportJob.update(
        {
            ImportJob.status: "failed",
            ImportJob.errors: [{"row": None, "message": message}],
            ImportJob.finished_at: datetime.now(UTC),
        }
    ).where(ImportJob.id == job_id)


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
