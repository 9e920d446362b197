"""Daily jobs of all areas, run once a day by the scheduler and by ``mediathek notify``.

Each entry names an ``async def run_daily(today: date) -> dict`` as "module:function". A job
must be safe to run twice on one day (the scheduler guards with a lock, but cron and the app
may both be configured). A module that is not installed is skipped with a log line, so this
list can name jobs of areas that come later.
"""

from __future__ import annotations

import importlib
import logging
from datetime import date

log = logging.getLogger("mediathek.jobs")

# Order matters: pickups expire and bookings are set aside before the reminders are written,
# so one run's notices describe the day's final state.
DAILY_JOBS: list[str] = [
    "mediathek.reservations.services:run_daily",
    "mediathek.reports.privacy:run_daily",
    "mediathek.notifications.reminders:run_daily",
    "mediathek.search.index:run_daily",
    "mediathek.circulation.once:run_daily",
]


def resolve(name: str):
    module_name, _, function = name.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name and module_name.startswith(exc.name):
            log.info("Tagesjob %s übersprungen: Modul nicht vorhanden.", name)
            return None
        raise
    job = getattr(module, function, None)
    if job is None:
        log.info("Tagesjob %s übersprungen: Funktion nicht vorhanden.", name)
    return job


async def run_daily_jobs(today: date, jobs: list[str] | None = None) -> dict[str, dict]:
    """Run every daily job; one failing job is logged and does not stop the others."""
    results: dict[str, dict] = {}
    for name in DAILY_JOBS if jobs is None else jobs:
        job = resolve(name)
        if job is None:
            results[name] = {"skipped": "nicht vorhanden"}
            continue
        try:
            results[name] = await job(today)
        except Exception as exc:  # noqa: BLE001 - one broken job must not stop the rest
            log.exception("Tagesjob %s fehlgeschlagen", name)
            results[name] = {"error": str(exc)}
    return results
