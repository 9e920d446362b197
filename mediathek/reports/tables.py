"""Stocktake (Bestandsrevision): which copies were seen on which shelves."""

from __future__ import annotations

from piccolo.columns import JSON, ForeignKey, OnDelete, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from mediathek.catalogue.tables import Copy
from mediathek.patrons.tables import Account


class Stocktake(Table):
    id = Serial(primary_key=True)
    label = Varchar(length=200, default="")
    shelf_marks = JSON(default=[])  # prefixes of shelf marks covered; empty = everything
    status = Varchar(length=20, default="open")  # open, applied, cancelled
    started_by = ForeignKey(references=Account, on_delete=OnDelete.set_null, null=True)
    started_at = Timestamptz(default=TimestamptzNow())
    finished_at = Timestamptz(null=True, default=None)


class StocktakeScan(Table):
    id = Serial(primary_key=True)
    stocktake = ForeignKey(references=Stocktake, on_delete=OnDelete.cascade, null=False, index=True)
    copy = ForeignKey(references=Copy, on_delete=OnDelete.cascade, null=True, index=True)
    barcode = Varchar(length=64)  # as scanned, also when unknown
    shelf_mark = Varchar(length=100, default="")  # the shelf being scanned
    scanned_at = Timestamptz(default=TimestamptzNow())
