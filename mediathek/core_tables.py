"""Tables of the house itself: admin-editable settings and the job leases (no area's data)."""

from __future__ import annotations

from piccolo.columns import (
    JSON,
    Integer,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


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
