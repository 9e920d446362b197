"""Daily jobs of all areas, run once a day by the scheduler and by ``mediathek notify``.

Each entry is an imported ``async def run_daily(today: date) -> dict``: a renamed or removed
job fails when the app starts, never silently. A job must be safe to run twice on one day
(the scheduler guards with a lock, but cron and the app may both be configured).
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date

from mediathek.backup import daily_backup
from mediathek.circulation import card_expiry, once
from mediathek.notifications import pickup, reminders
from mediathek.reports import privacy
from mediathek.reservations import services as reservations
from mediathek.search import index as search_index
from mediathek.settings import Settings

log = logging.getLogger("mediathek.jobs")

DailyJob = Callable[[date], Awaitable[dict]]

# Order matters: pickups expire and bookings are set aside (or expire) before the reminders
# are written, so one run's notices describe the day's final state.
DAILY_JOBS: list[DailyJob] = [
    reservations.run_daily,
    privacy.run_daily,
    card_expiry.run_daily,
    reminders.run_daily,
    pickup.run_daily,
    search_index.run_daily,
    once.run_daily,
]


def job_name(job: DailyJob) -> str:
    """``module:function``, the key of a job's result."""
    return f"{job.__module__}:{job.__qualname__}"


def check_daily_jobs(jobs: list[DailyJob]) -> None:
    """Refuse to start with an entry that is not an async job (the app calls it at start)."""
    broken = [repr(job) for job in jobs if not inspect.iscoroutinefunction(job)]
    if broken:
        raise RuntimeError(f"Daily jobs that are not async functions: {', '.join(broken)}")


async def run_daily_jobs(
    today: date, jobs: list[DailyJob] | None = None, settings: Settings | None = None
) -> dict[str, dict]:
    """Run every daily job; one failing job is logged and does not stop the others. With
    ``settings`` (the scheduler and ``mediathek notify``) the daily backup comes last, so it
    holds the day's final state."""
    results: dict[str, dict] = {}
    for job in DAILY_JOBS if jobs is None else jobs:
        name = job_name(job)
        try:
            results[name] = await job(today)
        except Exception as exc:  # noqa: BLE001 - one broken job must not stop the rest
            log.exception("Tagesjob %s fehlgeschlagen", name)
            results[name] = {"error": str(exc)}
    if settings is not None and jobs is None:
        try:
            results["backup"] = await daily_backup(settings, today)
        except Exception as exc:  # noqa: BLE001 - a failed backup is reported, not fatal
            log.exception("Tägliche Sicherung fehlgeschlagen")
            results["backup"] = {"error": str(exc)}
    return results


@dataclass
class Notice:
    patron: str
    kind: str
    level: int
    items: int


@dataclass
class DailyPreview:
    """What the daily jobs would do on a day: their results, the notices they would queue,
    the loans whose reminder level would rise and how many loans would be anonymised."""

    results: dict[str, dict]
    notices: list[Notice] = field(default_factory=list)
    levels_raised: int = 0
    anonymised: int = 0


class _Rollback(Exception):
    pass


async def preview_daily_jobs(today: date) -> DailyPreview:
    """Run the daily jobs for ``today`` inside one transaction and roll it back: the real
    rules decide what would happen, and nothing is kept. No mail is sent (sending is not a
    daily job) and no backup written. On SQLite the transaction holds the write lock while it
    runs, so the app's writes wait (seconds) instead of interleaving."""
    from mediathek.circulation.tables import Loan
    from mediathek.db import write_transaction
    from mediathek.notifications.tables import Notification

    preview: DailyPreview | None = None
    try:
        async with write_transaction():
            last = (
                await Notification.select(Notification.id)
                .order_by(Notification.id, ascending=False)
                .first()
            )
            levels = {
                r["id"]: r["reminder_level"]
                for r in await Loan.select(Loan.id, Loan.reminder_level).where(
                    Loan.returned_at.is_null()
                )
            }
            results = await run_daily_jobs(today)
            new = await (
                Notification.select(
                    Notification.kind,
                    Notification.level,
                    Notification.payload,
                    Notification.patron.first_name,
                    Notification.patron.last_name,
                )
                .where(Notification.id > (last["id"] if last else 0))
                .order_by(Notification.id)
                .output(load_json=True)
            )
            after = await Loan.select(Loan.id, Loan.reminder_level).where(
                Loan.id.is_in(list(levels) or [0])
            )
            preview = DailyPreview(
                results,
                [
                    Notice(
                        f"{n['patron.first_name'] or ''} {n['patron.last_name'] or ''}".strip(),
                        n["kind"],
                        n["level"],
                        len((n["payload"] or {}).get("items", [])),
                    )
                    for n in new
                ],
                sum(1 for r in after if r["reminder_level"] > levels[r["id"]]),
                int(results.get(job_name(privacy.run_daily), {}).get("anonymised_loans", 0)),
            )
            raise _Rollback
    except _Rollback:
        pass
    assert preview is not None
    return preview
