"""Constraints piccolo cannot declare on a column: composite and partial unique indexes.

The partial unique index on open loans is the last line of defence for "a copy is never
lent twice"; the services already guard it with a conditional UPDATE.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-23T16:27:24:661027"
VERSION = "1.38.0"
DESCRIPTION = "constraints"

STATEMENTS = [
    "CREATE UNIQUE INDEX loan_one_open_per_copy ON loan (copy) WHERE returned_at IS NULL",
    "CREATE INDEX loan_open_due ON loan (due_on) WHERE returned_at IS NULL",
    "CREATE UNIQUE INDEX loan_rule_pair ON loan_rule (patron_category, media_type)",
    "CREATE UNIQUE INDEX title_language_pair ON title_language (title, language)",
    "CREATE UNIQUE INDEX title_topic_pair ON title_topic (title, topic)",
    "CREATE UNIQUE INDEX hold_one_active_per_patron ON hold (title, patron)"
    " WHERE status IN ('waiting', 'ready')",
    "CREATE UNIQUE INDEX hold_one_per_copy ON hold (copy) WHERE status = 'ready'",
    "CREATE INDEX booking_copy_range ON booking (copy, start_on, end_on)",
    "CREATE UNIQUE INDEX stocktake_scan_once ON stocktake_scan (stocktake, barcode)",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="mediathek", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    async def run_backwards():
        engine = engine_finder()
        for statement in STATEMENTS:
            name = statement.split(" INDEX ")[1].split(" ")[0]
            await engine.run_ddl(f"DROP INDEX IF EXISTS {name}")

    manager.add_raw(run)
    manager.add_raw_backwards(run_backwards)
    return manager
