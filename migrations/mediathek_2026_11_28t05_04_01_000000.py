"""One login_throttle row per (account, client): the unique index that makes counting a
failed login one atomic upsert (``INSERT … ON CONFLICT (account_key, client) DO UPDATE …
WHERE``) on SQLite and PostgreSQL."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-28T05:04:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "login throttle unique pair"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="mediathek", description=DESCRIPTION)

    async def run():
        await engine_finder().run_ddl(
            "CREATE UNIQUE INDEX login_throttle_pair ON login_throttle (account_key, client)"
        )

    async def run_backwards():
        await engine_finder().run_ddl("DROP INDEX IF EXISTS login_throttle_pair")

    manager.add_raw(run)
    manager.add_raw_backwards(run_backwards)
    return manager
