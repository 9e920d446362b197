"""``mediathek notify --date`` never runs the future for real; ``--dry-run`` only tells."""

import asyncio
import re
from datetime import timedelta

from mediathek.clock import today
from mediathek.notifications.tables import Notification
from tests.core.test_cli import run_cli
from tests.db_snapshot import snapshot


async def cli(tmp_path, database_url, smtp_server, *args):
    env = {"MEDIATHEK_DATABASE_URL": database_url, "MEDIATHEK_SMTP_PORT": str(smtp_server.port)}
    return await asyncio.to_thread(run_cli, tmp_path, *args, env_extra=env)


async def test_a_future_date_is_refused_and_a_dry_run_changes_nothing(
    db, database_url, smtp_server, tmp_path
):
    assert (await cli(tmp_path, database_url, smtp_server, "demo")).returncode == 0
    before = await snapshot(database_url)
    future = (today() + timedelta(days=60)).isoformat()

    refused = await cli(tmp_path, database_url, smtp_server, "notify", "--date", future)
    assert refused.returncode == 2
    assert "liegt in der Zukunft" in refused.stderr and "--dry-run" in refused.stderr
    assert await snapshot(database_url) == before

    dry = await cli(tmp_path, database_url, smtp_server, "notify", "--dry-run", "--date", future)
    assert dry.returncode == 0, dry.stderr
    assert "Probelauf" in dry.stdout and "keine E-Mail" in dry.stdout
    assert "Mahnung (überfällig), Stufe 3" in dry.stdout
    raised = int(re.search(r"Mahnstufe steigen würde: (\d+)", dry.stdout).group(1))
    anonymised = int(re.search(r"anonymisiert würden: (\d+)", dry.stdout).group(1))
    assert raised > 0 and anonymised > 0
    assert await snapshot(database_url) == before
    assert smtp_server.inbox.messages == []


async def test_a_dry_run_for_today_tells_exactly_what_the_real_run_then_does(
    db, database_url, smtp_server, tmp_path
):
    assert (await cli(tmp_path, database_url, smtp_server, "demo")).returncode == 0
    before = await snapshot(database_url)
    dry = await cli(tmp_path, database_url, smtp_server, "notify", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert await snapshot(database_url) == before
    announced = int(re.search(r"entstehen würden: (\d+)", dry.stdout).group(1))
    lines = sorted(line.strip() for line in dry.stdout.splitlines() if line.startswith("  "))
    assert announced == len(lines) > 0

    real = await cli(tmp_path, database_url, smtp_server, "notify", "--create-only")
    assert real.returncode == 0, real.stderr
    created = await Notification.count()
    assert created == announced
    assert smtp_server.inbox.messages == []  # --create-only sends nothing either


async def test_a_dry_run_works_for_a_past_date(db, database_url, smtp_server, tmp_path):
    assert (await cli(tmp_path, database_url, smtp_server, "demo")).returncode == 0
    before = await snapshot(database_url)
    past = (today() - timedelta(days=3)).isoformat()
    dry = await cli(tmp_path, database_url, smtp_server, "notify", "--dry-run", "--date", past)
    assert dry.returncode == 0, dry.stderr and "Probelauf" in dry.stdout
    assert await snapshot(database_url) == before
