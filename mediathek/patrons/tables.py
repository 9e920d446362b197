"""Borrowers, logins and what belongs to a login (DESIGN §3 "Borrowers", "Roles")."""

from __future__ import annotations

from enum import StrEnum

from piccolo.columns import (
    Boolean,
    Bytea,
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

from mediathek.vocab import PatronCategory, Role


class PatronStatus(StrEnum):
    pending = "pending"  # registered online, waiting for staff approval
    active = "active"
    rejected = "rejected"


class Patron(Table):
    id = Serial(primary_key=True)
    first_name = Varchar(length=100, default="")
    last_name = Varchar(length=100)
    category = Varchar(length=30, choices=PatronCategory, index=True)
    institution = Varchar(length=200, default="")  # Kita, school, association …
    card_barcode = Varchar(length=32, null=True, default=None, unique=True)
    email = Varchar(length=254, default="", index=True)
    phone = Varchar(length=50, default="")
    street = Varchar(length=200, default="")
    postcode = Varchar(length=10, default="")
    city = Varchar(length=100, default="")
    preferred_language = Varchar(length=5, default="de")  # email language
    status = Varchar(length=20, choices=PatronStatus, default=PatronStatus.active, index=True)
    registered_on = Date(null=True, default=None)
    expires_on = Date(null=True, default=None)
    blocked_reason = Text(default="")  # blocked when not empty
    notes = Text(default="")  # staff only
    keep_history = Boolean(default=False)  # opted in to keep returned loans linked
    privacy_consent_at = Timestamptz(null=True, default=None)
    deletion_requested_at = Timestamptz(null=True, default=None)
    last_activity_at = Timestamptz(default=TimestamptzNow())
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class Account(Table):
    id = Serial(primary_key=True)
    email = Varchar(length=254, unique=True)  # stored lower-case
    password_hash = Varchar(length=255, default="")  # argon2id; empty until set via invite
    role = Varchar(length=10, choices=Role, default=Role.teacher, index=True)
    # A teacher's login belongs to a patron; staff/admin logins may have none.
    patron = ForeignKey(references=Patron, on_delete=OnDelete.cascade, null=True, unique=True)
    display_name = Varchar(length=200, default="")
    is_active = Boolean(default=True)
    # Bumped on password change/logout-everywhere: older sessions stop working.
    session_epoch = Integer(default=0)
    created_at = Timestamptz(default=TimestamptzNow())
    last_login_at = Timestamptz(null=True, default=None)
    # The language of her pages ("" = the switch in the header or the browser decides).
    language = Varchar(length=5, default="")


class WebSession(Table):
    """A login session: only the hash of the cookie's token is stored."""

    id = Serial(primary_key=True)
    token_hash = Varchar(length=64, unique=True)
    account = ForeignKey(references=Account, on_delete=OnDelete.cascade, null=False, index=True)
    csrf_token = Varchar(length=64)
    session_epoch = Integer(default=0)
    data = Bytea(default=b"")  # small extras, e.g. the desk's open patron
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz(index=True)
    user_agent = Varchar(length=200, default="")


class ApiToken(Table):
    """Personal API token (Bearer) for staff scripts; revocable."""

    id = Serial(primary_key=True)
    account = ForeignKey(references=Account, on_delete=OnDelete.cascade, null=False, index=True)
    name = Varchar(length=100)
    token_hash = Varchar(length=64, unique=True)
    created_at = Timestamptz(default=TimestamptzNow())
    last_used_at = Timestamptz(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)


class TokenPurpose(StrEnum):
    invite = "invite"
    password_reset = "password_reset"
    email_change = "email_change"


class OneTimeToken(Table):
    """Emailed one-time link (invite, password reset, e-mail change) that expires. The token
    is minted when the e-mail is written (``patrons.links``); only its digest is stored."""

    id = Serial(primary_key=True)
    account = ForeignKey(references=Account, on_delete=OnDelete.cascade, null=False, index=True)
    purpose = Varchar(length=20, choices=TokenPurpose)
    token_hash = Varchar(length=64, unique=True)
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)
    # e-mail change: the address the login moves to once the link is used
    new_email = Varchar(length=254, default="")


class LoginThrottle(Table):
    """Failed logins of one account (its normalised address, known or not) from one client,
    in the current window; unique per pair (raw index in the migration), so that counting
    is one atomic upsert on every app instance."""

    id = Serial(primary_key=True)
    account_key = Varchar(length=300)
    client = Varchar(length=100)
    failures = Integer(default=0)
    window_started_at = Timestamptz(default=TimestamptzNow(), index=True)
