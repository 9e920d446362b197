"""The outbox: every notice is a row, created once and delivered separately (DESIGN §3)."""

from __future__ import annotations

from enum import StrEnum

from piccolo.columns import (
    JSON,
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

from mediathek.circulation.tables import Loan
from mediathek.patrons.tables import Patron


class NotificationKind(StrEnum):
    due_soon = "due_soon"
    overdue = "overdue"  # with level 1–3
    hold_ready = "hold_ready"
    hold_expired = "hold_expired"
    booking_confirmed = "booking_confirmed"
    booking_ready = "booking_ready"
    loan_receipt = "loan_receipt"
    registration_received = "registration_received"
    account_approved = "account_approved"
    account_rejected = "account_rejected"
    invite = "invite"
    password_reset = "password_reset"
    email_change_confirm = "email_change_confirm"  # link to the new address
    email_change_notice = "email_change_notice"  # heads-up to the old address
    login_warning = "login_warning"  # someone keeps guessing the password of a login
    card_expiry = "card_expiry"  # the library card runs out in 14 days
    dates_moved = "dates_moved"  # a closure moved her due dates, pickup or booking days
    pickup_reminder = "pickup_reminder"  # the opening day before a booking's pickup day
    test = "test"


class NotificationStatus(StrEnum):
    queued = "queued"
    sent = "sent"
    failed = "failed"  # permanent (bad address) or out of attempts


class Notification(Table):
    id = Serial(primary_key=True)
    # Unique key (patron, kind, level, items, day): the same notice is never created twice.
    key = Varchar(length=200, unique=True)
    patron = ForeignKey(references=Patron, on_delete=OnDelete.cascade, null=True, index=True)
    recipient = Varchar(length=254)
    kind = Varchar(length=30, choices=NotificationKind, index=True)
    level = SmallInt(default=0)
    language = Varchar(length=5, default="de")
    subject = Varchar(length=300, default="")
    body_text = Text(default="")
    body_html = Text(default="")
    payload = JSON(default={})  # what the notice is about (loan ids, titles, dates)
    status = Varchar(
        length=20, choices=NotificationStatus, default=NotificationStatus.queued, index=True
    )
    attempts = SmallInt(default=0)
    last_error = Text(default="")
    message_id = Varchar(length=200, default="")  # Message-ID header, stable across retries
    created_at = Timestamptz(default=TimestamptzNow(), index=True)
    next_attempt_at = Timestamptz(default=TimestamptzNow(), index=True)
    sent_at = Timestamptz(null=True, default=None)


class LoanNotice(Table):
    """What a patron was told about one loan: one row per (loan, due date, stage), whichever
    notice carried it (a due-soon item inside an overdue digest counts as told). The reminder
    planning reads these rows, so no item is announced twice for the same due date and stage.
    Unique (loan, due_on, level) — a raw index in the migration."""

    id = Serial(primary_key=True)
    # The row belongs to the loan: a loan undone at the desk takes its rows along.
    loan = ForeignKey(references=Loan, on_delete=OnDelete.cascade, null=False, index=True)
    due_on = Date()  # the due date the notice was about (a renewal makes a new one)
    level = SmallInt(default=0)  # 0 due soon, 1–3 overdue level
    # The notice (of any kind) that carried the item; NULL once that notice is deleted.
    notification = ForeignKey(
        references=Notification, on_delete=OnDelete.set_null, null=True, default=None
    )
    told_on = Date()  # the day of the reminder run
