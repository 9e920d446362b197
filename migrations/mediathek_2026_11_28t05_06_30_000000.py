"""Loan ids are never used twice (SQLite).

SQLite gives a new row the highest rowid plus one, so the id of an undone (deleted) newest loan
went to the next checkout, and an old form naming that id named another patron's loan.
AUTOINCREMENT forbids that, but SQLite cannot add it to a table: the table is rebuilt in the
way SQLite documents (https://sqlite.org/lang_altertable.html#otheralter) — foreign keys off
on one connection, new table from the stored definition, rows copied with their ids, old table
dropped, new one renamed, its indexes and triggers created again, foreign keys checked, commit.
The definition is read from the database, so columns and indexes added meanwhile are kept.
PostgreSQL sequences never hand out an id twice: nothing to do there.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-28T05:06:30:000000"
VERSION = "1.38.0"
DESCRIPTION = "loan ids never reused"

PLAIN_KEY = '"id" INTEGER PRIMARY KEY NOT NULL'
AUTOINCREMENT_KEY = '"id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL'


async def _rebuild_loan(from_key: str, to_key: str) -> None:
    engine = engine_finder()
    if engine.engine_type != "sqlite":
        return
    conn = await engine.get_connection()
    try:
        # Outside a transaction, or the pragma does nothing; without it the DROP would run
        # the ON DELETE actions of tables that reference loans.
        await conn.execute("PRAGMA foreign_keys = OFF")
        await conn.execute("BEGIN IMMEDIATE")
        try:
            [row] = await conn.execute_fetchall(
                "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'loan'"
            )
            table_sql = row["sql"]
            if to_key in table_sql:
                await conn.execute("ROLLBACK")
                return
            if table_sql.count(from_key) != 1:
                raise RuntimeError(f"unexpected definition of table loan: {table_sql}")
            others = await conn.execute_fetchall(
                "SELECT sql FROM sqlite_master WHERE tbl_name = 'loan' "
                "AND type IN ('index', 'trigger') AND sql IS NOT NULL"
            )
            new_sql = table_sql.replace(from_key, to_key).replace(
                'CREATE TABLE "loan"', 'CREATE TABLE "loan_rebuilt"', 1
            )
            if 'CREATE TABLE "loan_rebuilt"' not in new_sql:
                raise RuntimeError(f"unexpected definition of table loan: {table_sql}")
            await conn.execute(new_sql)
            await conn.execute("INSERT INTO loan_rebuilt SELECT * FROM loan")
            await conn.execute("DROP TABLE loan")
            # Legacy renaming: other tables' references to "loan" stay as they are.
            await conn.execute("PRAGMA legacy_alter_table = ON")
            await conn.execute("ALTER TABLE loan_rebuilt RENAME TO loan")
            await conn.execute("PRAGMA legacy_alter_table = OFF")
            for other in others:
                await conn.execute(other["sql"])
            broken = await conn.execute_fetchall("PRAGMA foreign_key_check")
            if broken:
                raise RuntimeError(f"foreign keys broken by the rebuild: {broken[:5]}")
        except BaseException:
            await conn.execute("ROLLBACK")
            raise
        await conn.execute("COMMIT")
    finally:
        await conn.execute("PRAGMA foreign_keys = ON")
        await conn.close()


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="mediathek", description=DESCRIPTION, wrap_in_transaction=False
    )

    async def run():
        await _rebuild_loan(PLAIN_KEY, AUTOINCREMENT_KEY)

    async def run_backwards():
        await _rebuild_loan(AUTOINCREMENT_KEY, PLAIN_KEY)

    manager.add_raw(run)
    manager.add_raw_backwards(run_backwards)
    return manager
