"""Login throttle: failed logins counted per (account, client) in one row, updated atomically.

Replaces ``login_attempt`` (one row per failure, counted per address and per client
address): counting rows let parallel attempts all pass the check, and a per-address limit
locked out everyone behind one NAT. The unique index (next migration: piccolo runs raw
steps before it creates tables) makes the counting statement an upsert on both engines.
"""

from enum import Enum

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Integer, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-28T05:04:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "login throttle per account and client, login warning notices"

KINDS = [
    "due_soon",
    "overdue",
    "hold_ready",
    "hold_expired",
    "booking_confirmed",
    "booking_ready",
    "loan_receipt",
    "account_approved",
    "account_rejected",
    "invite",
    "password_reset",
]

TABLE = "LoginThrottle"
TABLENAME = "login_throttle"


def _params(**extra) -> dict:
    return {
        "null": False,
        "primary_key": False,
        "unique": False,
        "index": False,
        "index_method": IndexMethod.btree,
        "choices": None,
        "db_column_name": None,
        "secret": False,
        **extra,
    }


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="mediathek", description=DESCRIPTION)
    manager.drop_table(class_name="LoginAttempt", tablename="login_attempt", schema=None)
    manager.add_table(class_name=TABLE, tablename=TABLENAME, schema=None, columns=None)
    columns = [
        ("id", Serial, _params(primary_key=True)),
        ("account_key", Varchar, _params(length=300, default="")),
        ("client", Varchar, _params(length=100, default="")),
        ("failures", Integer, _params(default=0)),
        ("window_started_at", Timestamptz, _params(default=TimestamptzNow(), index=True)),
    ]
    for name, column_class, params in columns:
        manager.add_column(
            table_class_name=TABLE,
            tablename=TABLENAME,
            column_name=name,
            db_column_name=name,
            column_class_name=column_class.__name__,
            column_class=column_class,
            params=params,
            schema=None,
        )

    # A new kind of notice (the owner's warning); choices are not enforced by the database.
    manager.alter_column(
        table_class_name="Notification",
        tablename="notification",
        column_name="kind",
        db_column_name="kind",
        params={
            "choices": Enum("NotificationKind", {k: k for k in [*KINDS, "login_warning", "test"]})
        },
        old_params={"choices": Enum("NotificationKind", {k: k for k in [*KINDS, "test"]})},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )
    return manager
