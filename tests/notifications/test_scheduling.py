"""When the jobs run: daily at the reminder time (Berlin), the outbox every round, once."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from mediathek import app as app_module
from mediathek.clock import now, today
from mediathek.jobs import daily
from mediathek.jobs.daily import DAILY_JOBS, job_name, run_daily_jobs
from mediathek.jobs.scheduler import daily_run_due, tick
from mediathek.notifications import reminders
from mediathek.notifications.tables import Notification
from mediathek.settings import Settings
from tests.core.test_cli import run_cli
from tests.factories import lend_new_title


def test_the_daily_run_waits_for_the_reminder_time_in_berlin():
    settings = Settings(reminder_time="06:30")
    # 05:00 UTC is 06:00 in Berlin (winter): too early; 05:45 UTC is 06:45: due.
    assert daily_run_due(settings, datetime(2026, 3, 10, 5, 0, tzinfo=UTC), None) is None
    due = daily_run_due(settings, datetime(2026, 3, 10, 5, 45, tzinfo=UTC), None)
    assert due is not None and due.isoformat() == "2026-03-10"


def test_the_daily_run_happens_once_per_berlin_day():
    settings = Settings(reminder_time="06:30")
    ran = datetime(2026, 3, 10, 5, 45, tzinfo=UTC)
    assert daily_run_due(settings, ran + timedelta(hours=8), ran) is None
    assert daily_run_due(settings, ran + timedelta(days=1), ran) is not None


async def test_a_failing_daily_job_is_reported_and_the_others_run(teacher_anna, today):
    async def broken(day):
        raise RuntimeError("kaputt")

    await lend_new_title(teacher_anna.patron_id, today - timedelta(days=7))
    results = await run_daily_jobs(today, [broken, reminders.run_daily])
    assert results[job_name(broken)] == {"error": "kaputt"}
    assert results["mediathek.notifications.reminders:run_daily"]["digests"] == 1


def test_the_daily_jobs_are_imported_functions_and_include_the_reminders():
    assert reminders.run_daily in DAILY_JOBS
    assert "mediathek.notifications.reminders:run_daily" in [job_name(j) for j in DAILY_JOBS]


def test_the_app_refuses_to_start_with_a_daily_job_that_is_not_a_job(monkeypatch):
    monkeypatch.setattr(daily, "DAILY_JOBS", [*daily.DAILY_JOBS, "mediathek.reminders:run_daily"])
    monkeypatch.setattr(app_module, "DAILY_JOBS", daily.DAILY_JOBS)
    with pytest.raises(RuntimeError, match="not async functions"):
        app_module.create_app(Settings())


async def test_a_scheduler_round_creates_and_delivers_once_a_day(
    teacher_anna, mail_settings, smtp_server
):
    # Midnight: the daily run is due whenever the test runs (real clock, queued "now").
    settings = dataclasses.replace(mail_settings, reminder_time="00:00")
    morning = now()
    await lend_new_title(teacher_anna.patron_id, today(settings.tz) - timedelta(days=7))
    first = await tick(settings, morning)
    second = await tick(settings, morning + timedelta(minutes=5))
    assert "daily" in first and "daily" not in second
    assert len(smtp_server.inbox.messages) == 1
    assert await Notification.count() == 1


def test_notify_command_creates_and_reports(tmp_path):
    assert run_cli(tmp_path, "migrate").returncode == 0
    done = run_cli(tmp_path, "notify", "--create-only", "--date", "2026-03-10")
    assert done.returncode == 0, done.stderr
    assert "reminders:run_daily" in done.stdout
    wrong = run_cli(tmp_path, "notify", "--date", "10.03.2026")
    assert wrong.returncode == 2 and "JJJJ-MM-TT" in wrong.stderr


async def test_the_background_scheduler_delivers_while_the_app_runs(
    teacher_anna, mail_settings, smtp_server
):
    import asyncio

    from mediathek.jobs.scheduler import scheduler_running
    from mediathek.notifications.outbox import enqueue, notice_key
    from mediathek.notifications.tables import NotificationKind

    day = today()
    await enqueue(
        NotificationKind.hold_expired,
        key=notice_key(NotificationKind.hold_expired, teacher_anna.patron_id, day, 1),
        patron_id=teacher_anna.patron_id,
        payload={"title": "Memo Tiere"},
    )
    settings = dataclasses.replace(mail_settings, scheduler_enabled=True, reminder_time="23:59")
    async with scheduler_running(settings):
        for _ in range(100):
            if smtp_server.inbox.messages:
                break
            await asyncio.sleep(0.1)
    [msg] = smtp_server.inbox.messages
    assert msg["Subject"] == "Abholfrist abgelaufen: Memo Tiere"
