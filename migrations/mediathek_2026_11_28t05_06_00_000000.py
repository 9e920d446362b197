"""Applied requests: a desk scan or API call with a client-made id is applied once.

The primary key is the guard: of two requests with one id, even at the same moment, one
inserts its row inside the transaction that does the work; the other finds the row and
answers as the first did. One statement that both engines accept.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-28T05:06:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "applied requests"

UP = [
    "CREATE TABLE applied_request (request_id VARCHAR(80) PRIMARY KEY, "
    "answer TEXT NOT NULL DEFAULT '', created_at TIMESTAMPTZ NOT NULL)",
    "CREATE INDEX applied_request_created_at ON applied_request (created_at)",
]
DOWN = ["DROP TABLE IF EXISTS applied_request"]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="mediathek", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in UP:
            await engine.run_ddl(statement)

    async def run_backwards():
        engine = engine_finder()
        for statement in DOWN:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    manager.add_raw_backwards(run_backwards)
    return manager
