"""Loans say why their due date is what it is (a booking, the end of the card, a closure)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Text
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-28T08:50:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "loan_due_reason"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="mediathek", description=DESCRIPTION)

    manager.add_column(
        table_class_name="Loan",
        tablename="loan",
        column_name="due_reason",
        db_column_name="due_reason",
        column_class_name="Text",
        column_class=Text,
        params={
            "default": "",
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    return manager
