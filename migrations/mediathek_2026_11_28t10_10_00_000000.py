"""Notices: the pickup reminder the opening day before a booking's pickup day
(pickup_reminder). Only the column's choices change; neither engine stores them, so no SQL
runs.
"""

from enum import Enum

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar

ID = "2026-11-28T10:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "notice_kind_pickup_reminder"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="mediathek", description=DESCRIPTION)

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
                    "registration_received": "registration_received",
                    "account_approved": "account_approved",
                    "account_rejected": "account_rejected",
                    "invite": "invite",
                    "password_reset": "password_reset",
                    "email_change_confirm": "email_change_confirm",
                    "email_change_notice": "email_change_notice",
                    "login_warning": "login_warning",
                    "card_expiry": "card_expiry",
                    "dates_moved": "dates_moved",
                    "pickup_reminder": "pickup_reminder",
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
                    "registration_received": "registration_received",
                    "account_approved": "account_approved",
                    "account_rejected": "account_rejected",
                    "invite": "invite",
                    "password_reset": "password_reset",
                    "email_change_confirm": "email_change_confirm",
                    "email_change_notice": "email_change_notice",
                    "login_warning": "login_warning",
                    "card_expiry": "card_expiry",
                    "dates_moved": "dates_moved",
                    "test": "test",
                },
            )
        },
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    return manager
