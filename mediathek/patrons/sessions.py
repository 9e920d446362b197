"""Login sessions and personal API tokens: starting and ending them, and who is behind one.

Only SHA-256 digests of cookie and API tokens are stored. The web edge (``web.auth``) asks
``login_of_session`` and ``login_of_api_token`` through the functions ``app.py`` gives it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from mediathek.passwords import new_token, token_digest
from mediathek.patrons.tables import Account, ApiToken, WebSession

SESSION_LIFETIME = timedelta(days=14)


def _now() -> datetime:
    return datetime.now(UTC)


async def start_session(account_id: int, user_agent: str = "") -> str:
    """Create a session for a verified login; returns the cookie value."""
    token = new_token()
    account = await Account.select(Account.session_epoch).where(Account.id == account_id).first()
    assert account is not None  # the caller has just found it
    await WebSession.insert(
        WebSession(
            token_hash=token_digest(token),
            account=account_id,
            csrf_token=new_token(),
            session_epoch=account["session_epoch"],
            expires_at=_now() + SESSION_LIFETIME,
            user_agent=user_agent[:200],
        )
    )
    await Account.update({Account.last_login_at: _now()}).where(Account.id == account_id)
    return token


async def end_session(token: str) -> None:
    await WebSession.delete().where(WebSession.token_hash == token_digest(token))


async def end_all_sessions(account_id: int) -> None:
    """Log out everywhere (after a password change or a block): every session and every
    personal API token of the account stop working."""
    await Account.update({Account.session_epoch: Account.session_epoch + 1}).where(
        Account.id == account_id
    )
    await WebSession.delete().where(WebSession.account == account_id)
    await ApiToken.update({ApiToken.revoked_at: _now()}).where(
        ApiToken.account == account_id, ApiToken.revoked_at.is_null()
    )


def _login(row: dict, prefix: str, session_id: int | None, csrf_token: str = "") -> dict:
    """The login as the web edge needs it (``web.auth.User`` is made from it)."""
    return {
        "account_id": row[f"{prefix}id"],
        "email": row[f"{prefix}email"],
        "role": row[f"{prefix}role"],
        "patron_id": row[f"{prefix}patron"],
        "display_name": row[f"{prefix}display_name"] or row[f"{prefix}email"],
        "session_id": session_id,
        "csrf_token": csrf_token,
        "language": row.get(f"{prefix}language") or "",
    }


# Written out by hand: it runs on every request of a logged-in user, and piccolo spends over a
# millisecond building the same select with seven columns through the foreign key.
SESSION_SQL = (
    "SELECT s.id AS session_id, s.expires_at, s.session_epoch AS session_epoch, s.csrf_token, "
    "a.id, a.email, a.role, a.patron, a.display_name, a.is_active, a.language, "
    "a.session_epoch AS account_epoch "
    "FROM web_session s JOIN account a ON a.id = s.account WHERE s.token_hash = {}"
)


async def login_of_session(token: str) -> dict | None:
    rows = await WebSession.raw(SESSION_SQL, token_digest(token))
    if not rows:
        return None
    row = rows[0]
    if (
        row["expires_at"] < _now()
        or not row["is_active"]
        or row["session_epoch"] != row["account_epoch"]
    ):
        return None
    return _login(row, "", row["session_id"], row["csrf_token"])


# "Zuletzt benutzt" on the token list is exact to these minutes: writing it on every request
# doubled the writes of a script's checkout.
TOKEN_USE_RECORDED_EVERY = timedelta(minutes=5)


def token_expires_at(created_at: datetime, token_days: int) -> datetime:
    return created_at + timedelta(days=token_days)


async def login_of_api_token(token: str, token_days: int) -> dict | None:
    """The token's owner, unless the token is revoked or older than ``token_days``."""
    # Written out: every API request asks this, and piccolo took longer to build the joined
    # select than the database took to answer it.
    rows = await ApiToken.raw(
        'SELECT t.id, t.created_at, t.last_used_at, a.id AS "account.id", '
        'a.email AS "account.email", a.role AS "account.role", a.patron AS "account.patron", '
        'a.display_name AS "account.display_name", a.is_active AS "account.is_active", '
        'a.language AS "account.language" '
        "FROM api_token t JOIN account a ON a.id = t.account "
        "WHERE t.token_hash = {} AND t.revoked_at IS NULL",
        token_digest(token),
    )
    row = rows[0] if rows else None
    if (
        row is None
        or not row["account.is_active"]
        or token_expires_at(row["created_at"], token_days) <= _now()
    ):
        return None
    now = _now()
    last_used = row["last_used_at"]
    if last_used is None or last_used <= now - TOKEN_USE_RECORDED_EVERY:
        # Conditional: of many requests arriving together, one writes.
        await ApiToken.update({ApiToken.last_used_at: now}).where(
            ApiToken.id == row["id"],
            (ApiToken.last_used_at.is_null())
            | (ApiToken.last_used_at <= now - TOKEN_USE_RECORDED_EVERY),
        )
    return _login(row, "account.", None)


async def landing_page(account_id: int) -> str:
    """Where a login without a page to return to goes: a teacher to her account (with the
    summary of her loans and holds on top), staff to the start page."""
    row = await Account.select(Account.patron).where(Account.id == account_id).first()
    return "/konto" if row and row["patron"] else "/"
