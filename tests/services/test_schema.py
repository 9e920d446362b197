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
