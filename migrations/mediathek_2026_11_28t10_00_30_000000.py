"""A title stands once on a Merkliste and once in a set (with a quantity).

Two quick clicks on "Auf die Merkliste" add one row, not two: unique indexes on
(patron, title) and (title_set, title), raw SQL that both engines accept.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-28T10:00:30:000000"
VERSION = "1.38.0"
DESCRIPTION = "basket and set items unique per title"

STATEMENTS = [
    "CREATE UNIQUE INDEX IF NOT EXISTS basket_item_patron_title ON basket_item (patron, title)",
    "CREATE UNIQUE INDEX IF NOT EXISTS title_set_item_set_title "
    "ON title_set_item (title_set, title)",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="mediathek", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    async def run_backwards():
        engine = engine_finder()
        await engine.run_ddl("DROP INDEX IF EXISTS basket_item_patron_title")
        await engine.run_ddl("DROP INDEX IF EXISTS title_set_item_set_title")

    manager.add_raw(run)
    manager.add_raw_backwards(run_backwards)
    return manager
