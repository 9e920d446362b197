"""The migrated schema is the schema the tables declare, on SQLite and on PostgreSQL."""

from piccolo.apps.migrations.commands.new import AutoMigrationManager
from piccolo.engine.postgres import PostgresEngine

from mediathek.piccolo_app import APP_CONFIG, TABLES


async def _db_columns(db, table: str) -> set[str]:
    if isinstance(db, PostgresEngine):
        rows = await TABLES[0].raw(
            "SELECT column_name FROM information_schema.columns WHERE table_name = {}", table
        )
        return {r["column_name"] for r in rows}
    rows = await TABLES[0].raw(f'PRAGMA table_info("{table}")')
    return {r["name"] for r in rows}


async def test_every_table_exists_with_exactly_its_declared_columns(db):
    for table in TABLES:
        declared = {c._meta.db_column_name for c in table._meta.columns}
        assert await _db_columns(db, table._meta.tablename) == declared, table.__name__


async def test_migrations_describe_the_current_tables_so_no_new_migration_is_needed(db):
    statements = await AutoMigrationManager().get_alter_statements(app_config=APP_CONFIG)
    pending = [s for alter in statements for s in alter.statements]
    assert pending == [], "run: piccolo migrations new mediathek --auto --desc=…"


async def test_partial_unique_index_refuses_a_second_open_loan_of_one_copy(db):
    from datetime import date

    import pytest

    from mediathek.catalogue.tables import Copy, Title
    from mediathek.circulation.tables import Loan

    title = (
        await Title.insert(Title(title="Bildkarten Obst", media_type="picture_cards")).returning(
            Title.id
        )
    )[0]["id"]
    copy = (await Copy.insert(Copy(title=title, barcode="M0000018")).returning(Copy.id))[0]["id"]
    loan = dict(
        copy=copy,
        title=title,
        patron_category="paid_teacher",
        media_type="picture_cards",
        loaned_on=date(2026, 3, 10),
        due_on=date(2026, 4, 7),
    )
    await Loan.insert(Loan(**loan))
    with pytest.raises(Exception):  # noqa: B017 - the engines raise different IntegrityErrors
        await Loan.insert(Loan(**loan))
    assert await Loan.count() == 1


async def test_loan_ids_are_never_used_twice_and_the_rebuild_keeps_rows_and_indexes(db):
    """SQLite reuses the highest rowid after a delete unless the table is AUTOINCREMENT; the
    migration that adds it rebuilds the loan table and must keep its rows and indexes."""
    import importlib.util
    from datetime import date

    from mediathek.catalogue.tables import Copy
    from mediathek.circulation.tables import Loan
    from mediathek.piccolo_app import MIGRATIONS_DIR
    from tests.factories import title_with_copies

    path = MIGRATIONS_DIR / "mediathek_2026_11_28t05_06_30_000000.py"
    spec = importlib.util.spec_from_file_location("loan_ids_migration", path)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)

    async def indexes() -> set[str]:
        if isinstance(db, PostgresEngine):
            rows = await Loan.raw(
                "SELECT indexname AS name FROM pg_indexes WHERE tablename = 'loan'"
            )
        else:
            rows = await Loan.raw(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'loan'"
            )
        return {r["name"] for r in rows}

    before = await indexes()
    # As the table was before the migration (a no-op on PostgreSQL), with loans in it.
    await migration._rebuild_loan(migration.AUTOINCREMENT_KEY, migration.PLAIN_KEY)
    title_id, _ = await title_with_copies(copies=3)
    loan = dict(
        title=title_id,
        patron_category="paid_teacher",
        media_type="book",
        loaned_on=date(2026, 3, 10),
        due_on=date(2026, 4, 7),
    )
    copies = [r["id"] for r in await Copy.select(Copy.id).where(Copy.title == title_id)]
    ids = [
        (await Loan.insert(Loan(copy=copy_id, **loan)).returning(Loan.id))[0]["id"]
        for copy_id in copies
    ]
    await migration._rebuild_loan(migration.PLAIN_KEY, migration.AUTOINCREMENT_KEY)

    assert await indexes() == before
    assert [r["id"] for r in await Loan.select(Loan.id).order_by(Loan.id)] == ids
    await Loan.delete().where(Loan.id == ids[-1])  # the newest loan, undone
    again = await Loan.insert(Loan(copy=copies[-1], **loan)).returning(Loan.id)
    assert again[0]["id"] > ids[-1]
