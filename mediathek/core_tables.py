"""Tables shared by every area: the audit log and admin-editable settings."""

from __future__ import annotations

from piccolo.columns import JSON, ForeignKey, OnDelete, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from mediathek.patrons.tables import Account


class AuditLog(Table):
    """Who did what that must be traceable: overrides, deletions, role changes …"""

    id = Serial(primary_key=True)
    at = Timestamptz(default=TimestamptzNow(), index=True)
    actor = ForeignKey(references=Account, on_delete=OnDelete.set_null, null=True, index=True)
    actor_label = Varchar(length=254, default="")  # kept when the account is gone
    action = Varchar(length=50, index=True)
    object_type = Varchar(length=30, default="")
    object_id = Varchar(length=50, default="")
    detail = JSON(default={})


class SiteSetting(Table):
    """Admin-editable values: reminder offsets, contact data, legal pages' text …"""

    id = Serial(primary_key=True)
    key = Varchar(length=100, unique=True)
    value = JSON(default={})
    updated_at = Timestamptz(default=TimestamptzNow())
    note = Text(default="")
