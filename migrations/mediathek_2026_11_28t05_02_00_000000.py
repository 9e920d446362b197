"""One-time links minted at delivery; links stored readable before are withdrawn.

Invite and password-reset e-mails used to be stored with their link, readable by every staff
member in the outbox. From now on a notice holds only the id of its link row and the token
is minted while the e-mail is written (``mediathek.patrons.links``). This migration

- adds ``one_time_token.new_email`` (the address an e-mail change moves the login to),
- ends every link that was still unused (its token may have been read from the outbox),
- removes the links from stored notices and fails those still waiting (staff can invite
  again; a person can ask for a new reset link).

Plain SQL that SQLite and PostgreSQL both accept.
"""

from enum import Enum

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod
from piccolo.engine import engine_finder

ID = "2026-11-28T05:02:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "one-time links minted at delivery"

WITHDRAWN = "[Link aus Sicherheitsgründen entfernt]"
SECRET_KINDS = "('invite', 'password_reset')"

# The column and the new choices are declared for piccolo (its record of the schema);
# the data changes below are plain SQL.
UP = [
    "UPDATE one_time_token SET used_at = created_at WHERE used_at IS NULL",
    "UPDATE notification SET status = 'failed', "
    "last_error = 'Nicht gesendet: der Link wurde aus Sicherheitsgründen zurückgezogen. "
    "Bitte neu einladen bzw. einen neuen Link anfordern.' "
    f"WHERE kind IN {SECRET_KINDS} AND status = 'queued'",
    f"UPDATE notification SET payload = '{{}}', body_text = '{WITHDRAWN}', "
    f"body_html = '<p>{WITHDRAWN}</p>' WHERE kind IN {SECRET_KINDS}",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="mediathek", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in UP:
            await engine.run_ddl(statement)

    manager.add_column(
        table_class_name="OneTimeToken",
        tablename="one_time_token",
        column_name="new_email",
        db_column_name="new_email",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 254,
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
    manager.alter_column(
        table_class_name="OneTimeToken",
        tablename="one_time_token",
        column_name="purpose",
        db_column_name="purpose",
        params={
            "choices": Enum(
                "TokenPurpose",
                {
                    "invite": "invite",
                    "password_reset": "password_reset",
                    "email_change": "email_change",
                },
            )
        },
        old_params={
            "choices": Enum(
                "TokenPurpose", {"invite": "invite", "password_reset": "password_reset"}
            )
        },
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )
    manager.alter_column(
        table_class_name="Notification",
        tablename="notification",
        column_name="kind",
        db_column_name="kind",
        params={
            "choices": Enum(
                "NotificationKind",
                {
                    "due_soon": "due_soon",
                    "overdue": "overdue",
                    "hold_ready": "hold_ready",
                    "hold_expired": "hold_expired",
                    "booking_confirmed": "booking_confirmed",
                    "booking_ready": "booking_ready",
                    "loan_receipt": "loan_receipt",
                    "account_approved": "account_approved",
                    "account_rejected": "account_rejected",
                    "invite": "invite",
                    "password_reset": "password_reset",
                    "email_change_confirm": "email_change_confirm",
                    "email_change_notice": "email_change_notice",
                    "test": "test",
                },
            )
        },
        old_params={
            "choices": Enum(
                "NotificationKind",
                {
                    "due_soon": "due_soon",
                    "overdue": "overdue",
                    "hold_ready": "hold_ready",
                    "hold_expired": "hold_expired",
                    "booking_confirmed": "booking_confirmed",
                    "booking_ready": "booking_ready",
                    "loan_receipt": "loan_receipt",
                    "account_approved": "account_approved",
                    "account_rejected": "account_rejected",
                    "invite": "invite",
                    "password_reset": "password_reset",
                    "test": "test",
                },
            )
        },
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )
    manager.add_raw(run)
    return manager
