"""Accounts: creating logins and checking passwords."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from mediathek.addresses import AddressInvalid, address_problem, normalise_address
from mediathek.errors import Conflict, DomainError, InvalidInput
from mediathek.patrons.tables import Account, LoginAttempt, PatronStatus
from mediathek.vocab import Role
from mediathek.web.security import hash_password, password_problem, verify_password

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
# Failed logins are stored (not kept in memory) so that every app instance counts them.
LOGIN_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_EMAIL = 5
MAX_FAILURES_PER_IP = 20
TOO_MANY_ATTEMPTS = (
    "Zu viele fehlgeschlagene Anmeldeversuche. Bitte warten Sie 15 Minuten und versuchen "
    "Sie es dann noch einmal. Haben Sie Ihr Passwort vergessen? Dann können Sie es neu setzen."
)


class TooManyAttempts(DomainError):
    status = 429
    code = "too_many_attempts"


def _keys(email: str, ip: str) -> tuple[str, str]:
    return f"email:{normalise_email(email)}"[:300], f"ip:{ip}"[:300]


async def check_login_allowed(email: str, ip: str) -> None:
    email_key, ip_key = _keys(email, ip)
    since = datetime.now(UTC) - LOGIN_WINDOW
    by_email = await LoginAttempt.count().where(
        LoginAttempt.key == email_key, LoginAttempt.at > since
    )
    by_ip = await LoginAttempt.count().where(LoginAttempt.key == ip_key, LoginAttempt.at > since)
    if by_email >= MAX_FAILURES_PER_EMAIL or by_ip >= MAX_FAILURES_PER_IP:
        raise TooManyAttempts(TOO_MANY_ATTEMPTS)


async def record_login_failure(email: str, ip: str) -> None:
    email_key, ip_key = _keys(email, ip)
    now = datetime.now(UTC)
    await LoginAttempt.insert(LoginAttempt(key=email_key, at=now), LoginAttempt(key=ip_key, at=now))
    # Old attempts say nothing any more; keeping the table small keeps the counts cheap.
    await LoginAttempt.delete().where(LoginAttempt.at < now - timedelta(days=1))


async def clear_login_failures(email: str) -> None:
    email_key, _ = _keys(email, "")
    await LoginAttempt.delete().where(LoginAttempt.key == email_key)


async def login(email: str, password: str, ip: str) -> int:
    """Check the rate limit, then the password; returns the account id or raises."""
    await check_login_allowed(email, ip)
    account_id = await authenticate(email, password)
    if account_id is None:
        await record_login_failure(email, ip)
        if await _waiting_for_approval(email, password):
            raise LoginFailed(
                "Ihr Konto ist noch nicht freigeschaltet. Sie bekommen eine E-Mail, "
                "sobald wir es freigeschaltet haben."
            )
        raise LoginFailed("E-Mail-Adresse oder Passwort stimmen nicht.")
    await clear_login_failures(email)
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


class LoginFailed(DomainError):
    status = 400
    code = "login_failed"
