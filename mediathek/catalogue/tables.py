"""Catalogue records: a Title has many Copies (DESIGN §2–§3)."""

from __future__ import annotations

from enum import StrEnum

from piccolo.columns import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    OnDelete,
    Serial,
    SmallInt,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from mediathek.i18n import N_
from mediathek.patrons.tables import Account
from mediathek.vocab import AgeGroup, Level, MediaType


class CopyStatus(StrEnum):
    available = "available"
    on_loan = "on_loan"
    on_hold_shelf = "on_hold_shelf"
    needs_check = "needs_check"
    in_repair = "in_repair"
    lost = "lost"
    withdrawn = "withdrawn"


COPY_STATUS_LABELS: dict[str, str] = {
    CopyStatus.available: N_("im Regal"),
    CopyStatus.on_loan: N_("ausgeliehen"),
    CopyStatus.on_hold_shelf: N_("im Abholregal"),
    CopyStatus.needs_check: N_("wird geprüft"),
    CopyStatus.in_repair: N_("in Reparatur"),
    CopyStatus.lost: N_("verloren"),
    CopyStatus.withdrawn: N_("ausgesondert"),
}


class Title(Table):
    id = Serial(primary_key=True)
    title = Varchar(length=500)
    subtitle = Varchar(length=500, default="")
    authors = Varchar(length=500, default="")  # "Nachname, Vorname; …" as printed
    isbn = Varchar(length=13, null=True, default=None, unique=True)  # ISBN-13, digits only
    media_type = Varchar(length=30, choices=MediaType, index=True)
    level_min = Varchar(length=10, choices=Level, null=True, default=None)
    level_max = Varchar(length=10, choices=Level, null=True, default=None)
    age_min = Varchar(length=20, choices=AgeGroup, null=True, default=None)
    age_max = Varchar(length=20, choices=AgeGroup, null=True, default=None)
    description = Text(default="")
    publisher = Varchar(length=200, default="")
    year = SmallInt(null=True, default=None)
    series = Varchar(length=200, default="")
    volume = Varchar(length=50, default="")
    cover_file = Varchar(length=200, default="")  # file name under the data dir, never a URL
    notes = Text(default="")  # staff only
    # Free identifier for imports without ISBN (a re-import must not duplicate).
    import_key = Varchar(length=64, null=True, default=None, unique=True)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    withdrawn_at = Timestamptz(null=True, default=None)


class TitleLanguage(Table):
    """Languages of a title (ISO 639-3); a join table so facets count with an index."""

    id = Serial(primary_key=True)
    title = ForeignKey(references=Title, on_delete=OnDelete.cascade, null=False, index=True)
    language = Varchar(length=3, index=True)


class Topic(Table):
    """The curated list of topics (Schlagwörter) staff choose from."""

    id = Serial(primary_key=True)
    name = Varchar(length=100, unique=True)


class TitleTopic(Table):
    id = Serial(primary_key=True)
    title = ForeignKey(references=Title, on_delete=OnDelete.cascade, null=False, index=True)
    topic = Varchar(length=100, index=True)


class Component(Table):
    """One line of a kit's or game's checklist, checked at return."""

    id = Serial(primary_key=True)
    title = ForeignKey(references=Title, on_delete=OnDelete.cascade, null=False, index=True)
    position = SmallInt(default=0)
    name = Varchar(length=200)
    quantity = SmallInt(default=1)


class Copy(Table):
    id = Serial(primary_key=True)
    # RESTRICT: a title with copies (and so with loan history) is withdrawn, never deleted.
    title = ForeignKey(references=Title, on_delete=OnDelete.restrict, null=False, index=True)
    barcode = Varchar(length=32, unique=True)
    shelf_mark = Varchar(length=100, default="", index=True)
    status = Varchar(length=20, choices=CopyStatus, default=CopyStatus.available, index=True)
    status_note = Text(default="")
    notes = Text(default="")
    acquired_on = Date(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    withdrawn_at = Timestamptz(null=True, default=None)


class ImportJob(Table):
    """A catalogue import (CSV/XLSX): dry run or real, with progress for big files."""

    id = Serial(primary_key=True)
    filename = Varchar(length=255)
    dry_run = Boolean(default=True)
    status = Varchar(length=20, default="queued")  # queued, running, done, failed
    total_rows = Integer(default=0)
    done_rows = Integer(default=0)
    created_titles = Integer(default=0)
    created_copies = Integer(default=0)
    errors = JSON(default=[])  # [{"row": 3, "message": "…"}]
    created_by = ForeignKey(references=Account, on_delete=OnDelete.set_null, null=True)
    created_at = Timestamptz(default=TimestamptzNow())
    finished_at = Timestamptz(null=True, default=None)
