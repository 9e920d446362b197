"""Holds (queue per title) and bookings (a title for a date range), DESIGN §3."""

from __future__ import annotations

from enum import StrEnum

from piccolo.columns import Date, ForeignKey, OnDelete, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from mediathek.catalogue.tables import Copy, Title
from mediathek.patrons.tables import Patron


class HoldStatus(StrEnum):
    waiting = "waiting"  # in the queue
    ready = "ready"  # a copy is set aside on the hold shelf
    fulfilled = "fulfilled"  # picked up (lent)
    cancelled = "cancelled"
    expired = "expired"  # pickup deadline missed


class Hold(Table):
    id = Serial(primary_key=True)
    title = ForeignKey(references=Title, on_delete=OnDelete.cascade, null=False, index=True)
    patron = ForeignKey(references=Patron, on_delete=OnDelete.cascade, null=False, index=True)
    status = Varchar(length=20, choices=HoldStatus, default=HoldStatus.waiting, index=True)
    placed_at = Timestamptz(default=TimestamptzNow(), index=True)
    copy = ForeignKey(references=Copy, on_delete=OnDelete.set_null, null=True, index=True)
    ready_at = Timestamptz(null=True, default=None)
    pickup_until = Date(null=True, default=None)
    closed_at = Timestamptz(null=True, default=None)


class BookingStatus(StrEnum):
    confirmed = "confirmed"  # copy assigned, range secured
    ready = "ready"  # set aside before the start, patron notified
    collected = "collected"  # lent out
    cancelled = "cancelled"
    expired = "expired"  # not collected


class Booking(Table):
    id = Serial(primary_key=True)
    title = ForeignKey(references=Title, on_delete=OnDelete.cascade, null=False, index=True)
    patron = ForeignKey(references=Patron, on_delete=OnDelete.cascade, null=False, index=True)
    copy = ForeignKey(references=Copy, on_delete=OnDelete.restrict, null=False, index=True)
    start_on = Date(index=True)
    end_on = Date(index=True)
    status = Varchar(length=20, choices=BookingStatus, default=BookingStatus.confirmed, index=True)
    created_at = Timestamptz(default=TimestamptzNow())
    ready_at = Timestamptz(null=True, default=None)
    closed_at = Timestamptz(null=True, default=None)
