"""Search: the three narrow indexes that databases migrated before they existed lack.

The search migration (2026-11-23T16:50) was edited after it had shipped: it gained the indexes
below. piccolo runs a migration once per database, by its ID, so a database migrated from the
first version never got them (searches there read whole title rows to count facets). Created
here where missing; a database migrated since has them already. Both engines accept
CREATE INDEX IF NOT EXISTS, with the same definitions as in the search migration.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-28T08:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "search indexes older databases lack"

REPAIR = [
    "CREATE INDEX IF NOT EXISTS title_search_facets ON title (id, withdrawn_at, media_type, "
    "level_min, level_max, age_min, age_max, created_at)",
    "CREATE INDEX IF NOT EXISTS title_search_newest ON title (created_at, id)",
    "CREATE INDEX IF NOT EXISTS copy_search_available ON copy (title) "
    "WHERE status = 'available' AND withdrawn_at IS NULL",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="mediathek", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in REPAIR:
            await engine.run_ddl(statement)

    async def run_backwards():
        # Nothing to undo: the indexes belong to the search migration, which drops them when
        # it is undone; dropping them here would take them from databases migrated since.
        pass

    manager.add_raw(run)
    manager.add_raw_backwards(run_backwards)
    return manager
