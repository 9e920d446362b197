"""When jobs run: the daily jobs once a day at ``settings.reminder_time`` (Europe/Berlin),
the outbox every few minutes. Started in the app's lifespan (when ``scheduler_enabled``);
``mediathek notify`` does one round of the same for cron.

Several app instances (or worker processes) may each run this loop: the daily run and each
delivery take a database lock, and the daily run is recorded, so it happens once a day.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from datetime import date, datetime, time

from mediathek.clock import now
from mediathek.jobs.daily import run_daily_jobs
from mediathek.jobs.locks import (
    job_lock,
    last_run,
    mark_run,
    release_abandoned_leases,
)
from mediathek.notifications.delivery import deliver_outbox
from mediathek.settings import Settings

log = logging.getLogger("mediathek.jobs")

DELIVERY_INTERVAL_SECONDS = 300
DAILY = "daily"


def reminder_time(settings: Settings) -> time:
    try:
        hours, minutes = settings.reminder_time.split(":")
        return time(int(hours), int(minutes))
    except ValueError:
        log.warning("MEDIATHEK_REMINDER_TIME %r ist ungültig; nehme 06:30.", settings.reminder_time)
        return time(6, 30)


def daily_run_due(settings: Settings, at: datetime, last: datetime | None) -> date | None:
    """The library's date when today's daily run is due (time reached, not yet run today)."""
    local = at.astimezone(settings.tz)
    if local.time() < reminder_time(settings):
        return None
    if last is not None and last.astimezone(settings.tz).date() >= local.date():
        return None
    return local.date()


async def run_daily_once(settings: Settings, today: date, at: datetime | None = None) -> dict:
    """Run the daily jobs under the "daily" lock and record the run."""
    async with job_lock(DAILY) as holder:
        if holder is None:
            return {"skipped": "läuft bereits"}
        results = await run_daily_jobs(today, settings=settings)
        await mark_run(DAILY, at or now())
        return results


async def tick(settings: Settings, at: datetime | None = None) -> dict:
    """One round of the loop: the daily jobs if due, then the outbox."""
    at = at or now()
    result: dict = {}
    today = daily_run_due(settings, at, await last_run(DAILY))
    if today is not None:
        result["daily"] = await run_daily_once(settings, today, at)
    result["delivery"] = await deliver_outbox(settings, at=at)
    return result


async def run_forever(settings: Settings, stop: asyncio.Event) -> None:
    while not stop.is_set():
        try:
            result = await tick(settings)
            if any(result["delivery"].get(k) for k in ("sent", "failed", "error")):
                log.info("Benachrichtigungen: %s", result)
        except Exception:  # noqa: BLE001 - the loop must survive a bad round (DB restart …)
            log.exception("Runde der geplanten Aufgaben fehlgeschlagen")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=DELIVERY_INTERVAL_SECONDS)


@contextlib.asynccontextmanager
async def scheduler_running(settings: Settings) -> AsyncIterator[None]:
    """Runs the loop as a background task for the app's lifetime (if enabled)."""
    # Before anything else: a crashed predecessor's lease would hold up mail for a while.
    await release_abandoned_leases()
    if not settings.scheduler_enabled:
        yield
        return
    stop = asyncio.Event()
    task = asyncio.create_task(run_forever(settings, stop), name="mediathek-scheduler")
    try:
        yield
    finally:
        stop.set()
        try:
            await asyncio.wait_for(task, timeout=30)
        except (TimeoutError, asyncio.CancelledError):
            task.cancel()
