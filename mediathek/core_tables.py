"""Tables shared by every area: the audit log, admin-editable settings, the job leases."""

from __future__ import annotations

from piccolo.columns import (
    JSON,
    ForeignKey,
    Integer,
    OnDelete,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class AuditLog(Table):
    """Who did what that must be traceable: overrides, deletions, role changes …"""

    id = Serial(primary_key=True)
    at = Timestamptz(default=TimestamptzNow(), index=True)
    # Named, not imported: the house's own tables know no area.
    actor = ForeignKey(
        references="mediathek.patrons.tables.Account",
        on_delete=OnDelete.set_null,
        null=True,
        index=True,
    )
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


class JobLock(Table):
    """A named lease so only one app instance runs a scheduled job at a time (SQLite too)."""

    id = Serial(primary_key=True)
    name = Varchar(length=50, unique=True)
    holder = Varchar(length=100, default="")
    locked_until = Timestamptz(default=TimestamptzNow())
    last_run_at = Timestamptz(null=True, default=None)
    runs = Integer(default=0)
