"""Holds (queue per title) and bookings (a title for a date range), DESIGN §3."""

from __future__ import annotations

from enum import StrEnum

from piccolo.columns import (
    Date,
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


# A booking that still holds its copy for its range: not yet collected, cancelled or expired.
ACTIVE_BOOKING = (BookingStatus.confirmed, BookingStatus.ready)


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


class BasketItem(Table):
    """A title on a patron's Merkliste (course planning), with how many copies she wants.
    Kept on the server, so the list follows her from the school PC to her phone."""

    id = Serial(primary_key=True)
    patron = ForeignKey(references=Patron, on_delete=OnDelete.cascade, null=False, index=True)
    title = ForeignKey(references=Title, on_delete=OnDelete.cascade, null=False, index=True)
    quantity = Integer(default=1)
    added_at = Timestamptz(default=TimestamptzNow())


class TitleSet(Table):
    """A set staff put together once ("Kita-Sprachförderpaket A1") and teachers book as one."""

    id = Serial(primary_key=True)
    name = Varchar(length=200, unique=True)
    description = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class TitleSetItem(Table):
    id = Serial(primary_key=True)
    title_set = ForeignKey(references=TitleSet, on_delete=OnDelete.cascade, null=False, index=True)
    title = ForeignKey(references=Title, on_delete=OnDelete.cascade, null=False, index=True)
    quantity = Integer(default=1)
