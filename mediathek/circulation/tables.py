"""Loan rules, the opening calendar and loans (DESIGN §3 "Loans")."""

from __future__ import annotations

from piccolo.columns import (
    Boolean,
    Date,
    ForeignKey,
    OnDelete,
    Serial,
    SmallInt,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from mediathek.catalogue.tables import Copy, Title
from mediathek.patrons.tables import Account, Patron
from mediathek.vocab import MediaType, PatronCategory


class LoanRule(Table):
    """(patron category × media type) → loan days, max renewals. Unique per pair."""

    id = Serial(primary_key=True)
    patron_category = Varchar(length=30, choices=PatronCategory)
    media_type = Varchar(length=30, choices=MediaType)
    loan_days = SmallInt(default=28)
    max_renewals = SmallInt(default=2)


class CategoryLimit(Table):
    """Per patron category: how many open loans and holds at once."""

    id = Serial(primary_key=True)
    patron_category = Varchar(length=30, choices=PatronCategory, unique=True)
    max_loans = SmallInt(default=20)
    max_holds = SmallInt(default=5)


class OpeningDay(Table):
    """Weekday 0 (Monday) … 6 (Sunday): open or not, and the hours shown to patrons."""

    id = Serial(primary_key=True)
    weekday = SmallInt(unique=True)
    is_open = Boolean(default=False)
    hours = Varchar(length=100, default="")  # e.g. "10–13 und 14–17 Uhr"


class Closure(Table):
    """Staff-entered closed days (holidays of the centre, training days …)."""

    id = Serial(primary_key=True)
    start_on = Date(index=True)
    end_on = Date(index=True)
    label = Varchar(length=200)


class Loan(Table):
    id = Serial(primary_key=True)
    copy = ForeignKey(references=Copy, on_delete=OnDelete.restrict, null=False, index=True)
    # Redundant with copy.title, kept so statistics survive withdrawn copies.
    title = ForeignKey(references=Title, on_delete=OnDelete.restrict, null=False, index=True)
    # NULL once anonymised (DSGVO); category and media type stay for statistics.
    patron = ForeignKey(references=Patron, on_delete=OnDelete.set_null, null=True, index=True)
    patron_category = Varchar(length=30, choices=PatronCategory)
    media_type = Varchar(length=30, choices=MediaType)
    loaned_at = Timestamptz(default=TimestamptzNow())
    loaned_on = Date(index=True)
    due_on = Date(index=True)
    # Why the due date is not simply checkout day + loan days (a booking, the card's end, a
    # closure): shown wherever the due date is. Empty for the usual period.
    due_reason = Text(default="")
    returned_at = Timestamptz(null=True, default=None, index=True)
    renewals = SmallInt(default=0)
    reminder_level = SmallInt(default=0)  # 0 none, 1–3 overdue levels sent
    override_reason = Text(default="")  # staff override of a refusal
    checkin_note = Text(default="")  # e.g. missing parts of a kit
    lent_by = ForeignKey(references=Account, on_delete=OnDelete.set_null, null=True)
    anonymised_at = Timestamptz(null=True, default=None)


class AppliedRequest(Table):
    """A desk scan or API call that carried a client-made id, with the answer it got.

    A scanner page that retries a request (the answer was lost on a flaky network) sends the
    same id again; the primary key lets exactly one of them apply, the others replay its answer.
    """

    request_id = Varchar(length=80, primary_key=True)
    answer = Text()
    created_at = Timestamptz(default=TimestamptzNow(), index=True)
