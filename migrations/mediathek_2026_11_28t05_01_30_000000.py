"""Reminders: each (loan, due date, stage) is told once, and what the outbox already told counts.

The unique index is what makes "once" hold. The existing due-soon notices and overdue
reminders are read item by item — whatever kind of digest carried an item — so the first
reminder run after the update does not announce again what patrons were already told.
"""

import json
from datetime import date

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-28T05:01:30:000000"
VERSION = "1.38.0"
DESCRIPTION = "loan notice: once per item, and what was told before"

UNIQUE = "CREATE UNIQUE INDEX loan_notice_once ON loan_notice (loan, due_on, level)"
CHUNK = 200


def _told_items(rows, open_loans: set[int]) -> list[tuple[int, str, int, int, str]]:
    """(loan, due date, level, notice id, day) of every item of the notices, oldest first."""
    items = []
    for row in rows:
        payload = row["payload"]
        if isinstance(payload, str):
            payload = json.loads(payload or "{}")
        try:
            told_on = date.fromisoformat(str(row["created_at"])[:10]).isoformat()
        except ValueError:
            continue
        for item in (payload or {}).get("items", []):
            try:
                loan_id = int(item["loan_id"])
                due_on = date.fromisoformat(str(item["due_on"])).isoformat()
                level = int(item.get("level", 0))
            except (KeyError, TypeError, ValueError):
                continue  # an item the reminder job did not write: nothing to learn from it
            if loan_id in open_loans:
                items.append((loan_id, due_on, level, int(row["id"]), told_on))
    return items


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="mediathek", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        await engine.run_ddl(UNIQUE)
        # Only open loans can be reminded again; the others need no record.
        open_loans = {
            int(r["id"])
            for r in await engine.run_ddl("SELECT id FROM loan WHERE returned_at IS NULL")
        }
        rows = await engine.run_ddl(
            "SELECT id, payload, created_at FROM notification "
            "WHERE kind IN ('due_soon', 'overdue') ORDER BY id"
        )
        items = _told_items(rows, open_loans)
        # Values were checked above (integers and ISO dates), so they can stand in the text.
        for start in range(0, len(items), CHUNK):
            values = ", ".join(
                f"({loan}, '{due}', {level}, {notice}, '{day}')"
                for loan, due, level, notice, day in items[start : start + CHUNK]
            )
            await engine.run_ddl(
                "INSERT INTO loan_notice (loan, due_on, level, notification, told_on) "
                f"VALUES {values} ON CONFLICT DO NOTHING"
            )

    async def run_backwards():
        await engine_finder().run_ddl("DROP INDEX IF EXISTS loan_notice_once")

    manager.add_raw(run)
    manager.add_raw_backwards(run_backwards)
    return manager
