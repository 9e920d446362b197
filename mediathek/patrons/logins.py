"""Accounts: creating logins and checking passwords."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from mediathek import errors
from mediathek.addresses import AddressInvalid, address_problem, normalise_address
from mediathek.errors import Conflict, InvalidInput, Refused
from mediathek.i18n import N_, _
from mediathek.notifications.outbox import enqueue, notice_key
from mediathek.notifications.tables import NotificationKind
from mediathek.passwords import hash_password, password_problem, verify_password
from mediathek.patrons.tables import Account, LoginThrottle, PatronStatus
from mediathek.vocab import Role

# Verifying against a fixed hash when the email is unknown keeps the response time alike,
# so timing does not tell whether an address has an account.
_DUMMY_HASH = hash_password("dummy-password-for-timing")


def normalise_email(email: str) -> str:
    return email.strip().lower()


def email_problem(email: str) -> str | None:
    """A German message when ``email`` is not exactly one valid address (``addresses``)."""
    return address_problem(email)


async def authenticate(email: str, password: str) -> int | None:
    """The account id for a correct email/password of an active account, else None."""
    row = (
        await Account.select(Account.id, Account.password_hash, Account.is_active)
        .where(Account.email == normalise_email(email))
        .first()
    )
    if row is None:
        verify_password(_DUMMY_HASH, password)
        return None
    if not verify_password(row["password_hash"], password) or not row["is_active"]:
        return None
    return row["id"]


async def create_account(
    email: str,
    password: str | None,
    role: Role,
    patron_id: int | None = None,
    display_name: str = "",
    password_hash: str | None = None,
) -> int:
    errors = {}
    try:
        email = normalise_address(email)
    except AddressInvalid as exc:
        errors["email"] = exc.message
    if password is not None and (problem := password_problem(password)):
        errors["password"] = problem
    if errors:
        raise InvalidInput(errors=errors)
    if await Account.exists().where(Account.email == email):
        raise Conflict(f"Für {email} gibt es bereits ein Benutzerkonto.")
    if password_hash is None:
        password_hash = hash_password(password) if password else ""
    row = await Account.insert(
        Account(
            email=email,
            password_hash=password_hash,
            role=role,
            patron=patron_id,
            display_name=display_name,
        )
    ).returning(Account.id)
    return row[0]["id"]


# ---- login rate limit ------------------------------------------------------------------------
# Failed logins are counted per (account, client) in the database, so that every app instance
# counts them, and so that neither a school behind one NAT address nor a stranger who types
# the admin's address five times locks anyone else out.
LOGIN_WINDOW = timedelta(minutes=15)
MAX_FAILURES = 5
TOO_MANY_ATTEMPTS = N_(
    "Zu viele fehlgeschlagene Anmeldeversuche. Bitte warten Sie 15 Minuten und versuchen "
    "Sie es dann noch einmal. Haben Sie Ihr Passwort vergessen? Dann können Sie es neu setzen."
)

# Takes one of the pair's attempts before the password is checked, in one statement: of many
# parallel attempts exactly MAX_FAILURES get a row back (the WHERE sees each earlier update),
# the rest are refused without a check. A window that has run out starts again at 1.
CLAIM_ATTEMPT_SQL = (
    "INSERT INTO login_throttle (account_key, client, failures, window_started_at) "
    "VALUES ({}, {}, 1, {}) "
    "ON CONFLICT (account_key, client) DO UPDATE SET "
    "failures = CASE WHEN login_throttle.window_started_at < {} THEN 1 "
    "ELSE login_throttle.failures + 1 END, "
    "window_started_at = CASE WHEN login_throttle.window_started_at < {} THEN {} "
    "ELSE login_throttle.window_started_at END "
    "WHERE login_throttle.window_started_at < {} OR login_throttle.failures < {} "
    "RETURNING failures"
)


class TooManyAttempts(errors.TooManyAttempts):
    code = "too_many_attempts"


def _pair(email: str, client: str) -> tuple[str, str]:
    return normalise_email(email)[:300], client[:100]


def warning_slot(at: datetime) -> str:
    """The window a warning e-mail belongs to: one warning per account and window."""
    minutes = int(LOGIN_WINDOW.total_seconds() // 60)
    return at.strftime("%H:") + f"{at.minute - at.minute % minutes:02d}"


async def claim_attempt(email: str, client: str, at: datetime) -> int:
    """Count this attempt for the (account, client) pair; returns how many it has made in the
    window, or raises TooManyAttempts when the pair is blocked."""
    account_key, client = _pair(email, client)
    start = at - LOGIN_WINDOW
    rows = await LoginThrottle.raw(
        CLAIM_ATTEMPT_SQL, account_key, client, at, start, start, at, start, MAX_FAILURES
    )
    if not rows:
        raise TooManyAttempts(_(TOO_MANY_ATTEMPTS))
    return rows[0]["failures"]


async def forget_attempts(email: str, client: str) -> None:
    """A correct password: this pair starts afresh (other clients' counts stay)."""
    account_key, client = _pair(email, client)
    await LoginThrottle.delete().where(
        LoginThrottle.account_key == account_key, LoginThrottle.client == client
    )


async def warn_owner(email: str, at: datetime) -> None:
    """Tell the owner of a login that someone is guessing its password, once per window."""
    row = (
        await Account.select(Account.email, Account.patron)
        .where(Account.email == normalise_email(email), Account.is_active.eq(True))
        .first()
    )
    if row is None:
        return
    await enqueue(
        NotificationKind.login_warning,
        key=notice_key(NotificationKind.login_warning, row["email"], at.date(), warning_slot(at)),
        patron_id=row["patron"],
        recipient=row["email"],
        language=None if row["patron"] else "de",
        payload={"minutes": int(LOGIN_WINDOW.total_seconds() // 60)},
    )


async def login(email: str, password: str, client: str) -> int:
    """Count the attempt, then check the password; returns the account id or raises."""
    at = datetime.now(UTC)
    failures = await claim_attempt(email, client, at)
    account_id = await authenticate(email, password)
    if account_id is None:
        if failures == MAX_FAILURES:
            await warn_owner(email, at)
        # Old windows say nothing any more; keeping the table small keeps the upsert cheap.
        await LoginThrottle.delete().where(LoginThrottle.window_started_at < at - timedelta(days=1))
        if await _waiting_for_approval(email, password):
            raise LoginFailed(
                _(
                    "Ihr Konto ist noch nicht freigeschaltet. Sie bekommen eine E-Mail, "
                    "sobald wir es freigeschaltet haben."
                )
            )
        raise LoginFailed(_("E-Mail-Adresse oder Passwort stimmen nicht."))
    await forget_attempts(email, client)
    return account_id


async def _waiting_for_approval(email: str, password: str) -> bool:
    """Only someone who knows the password learns that the registration is still pending."""
    row = (
        await Account.select(Account.password_hash, Account.patron.status.as_alias("status"))
        .where(Account.email == normalise_email(email), Account.is_active.eq(False))
        .first()
    )
    return (
        row is not None
        and row["status"] == PatronStatus.pending
        and verify_password(row["password_hash"], password)
    )


class LoginFailed(Refused):
    code = "login_failed"
