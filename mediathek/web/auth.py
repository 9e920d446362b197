"""Who is asking: a login session (cookie) or a personal API token (Bearer).

Anonymous visitors get no server-side state; a session row exists only after a login.
Only SHA-256 digests of cookie and API tokens are stored.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from litestar.types import ASGIApp, Receive, Scope, Send

from mediathek.passwords import new_token, token_digest
from mediathek.patrons.tables import Account, ApiToken, WebSession
from mediathek.settings import ProxyNetwork
from mediathek.vocab import Role

SESSION_COOKIE = "mediathek_session"
SESSION_LIFETIME = timedelta(days=14)


@dataclass(frozen=True)
class CurrentUser:
    account_id: int
    email: str
    role: Role
    patron_id: int | None
    display_name: str
    session_id: int | None = None  # None for API tokens
    # Forms of this session must carry it (web.middleware); empty for API tokens.
    csrf_token: str = field(default="", repr=False)

    @property
    def is_staff(self) -> bool:
        return self.role in (Role.staff, Role.admin)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.admin


def _now() -> datetime:
    return datetime.now(UTC)


async def start_session(account_id: int, user_agent: str = "") -> str:
    """Create a session for a verified login; returns the cookie value."""
    token = new_token()
    account = await Account.select(Account.session_epoch).where(Account.id == account_id).first()
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


def _user(row: dict, prefix: str, session_id: int | None, csrf_token: str = "") -> CurrentUser:
    return CurrentUser(
        account_id=row[f"{prefix}id"],
        email=row[f"{prefix}email"],
        role=Role(row[f"{prefix}role"]),
        patron_id=row[f"{prefix}patron"],
        display_name=row[f"{prefix}display_name"] or row[f"{prefix}email"],
        session_id=session_id,
        csrf_token=csrf_token,
    )


# Written out by hand: it runs on every request of a logged-in user, and piccolo spends over a
# millisecond building the same select with seven columns through the foreign key.
SESSION_SQL = (
    "SELECT s.id AS session_id, s.expires_at, s.session_epoch AS session_epoch, s.csrf_token, "
    "a.id, a.email, a.role, a.patron, a.display_name, a.is_active, "
    "a.session_epoch AS account_epoch "
    "FROM web_session s JOIN account a ON a.id = s.account WHERE s.token_hash = {}"
)


async def user_from_session(token: str) -> CurrentUser | None:
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
    return _user(row, "", row["session_id"], row["csrf_token"])


def token_expires_at(created_at: datetime, token_days: int) -> datetime:
    return created_at + timedelta(days=token_days)


async def user_from_api_token(token: str, token_days: int) -> CurrentUser | None:
    """The token's owner, unless the token is revoked or older than ``token_days``."""
    row = (
        await ApiToken.select(
            ApiToken.id,
            ApiToken.created_at,
            ApiToken.account.id,
            ApiToken.account.email,
            ApiToken.account.role,
            ApiToken.account.patron,
            ApiToken.account.display_name,
            ApiToken.account.is_active,
        )
        .where(ApiToken.token_hash == token_digest(token), ApiToken.revoked_at.is_null())
        .first()
    )
    if (
        row is None
        or not row["account.is_active"]
        or token_expires_at(row["created_at"], token_days) <= _now()
    ):
        return None
    await ApiToken.update({ApiToken.last_used_at: _now()}).where(ApiToken.id == row["id"])
    return _user(row, "account.", None)


def _cookie(scope: Scope, name: str) -> str | None:
    for key, value in scope.get("headers", []):
        if key == b"cookie":
            for part in value.decode("latin-1").split(";"):
                k, _, v = part.strip().partition("=")
                if k == name:
                    return v
    return None


def _bearer(scope: Scope) -> str | None:
    for key, value in scope.get("headers", []):
        if key == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            if scheme.lower() == "bearer" and token:
                return token.strip()
    return None


class AuthMiddleware:
    """Puts ``CurrentUser | None`` into ``scope["user"]`` for every HTTP request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            user = None
            path = scope.get("path", "")
            if not path.startswith("/static/"):
                if bearer := _bearer(scope):
                    settings = scope["litestar_app"].state.settings
                    user = await user_from_api_token(bearer, settings.api_token_days)
                    scope["auth"] = "token"
                elif cookie := _cookie(scope, SESSION_COOKIE):
                    user = await user_from_session(cookie)
                    scope["auth"] = "session"
            scope["user"] = user
        await self.app(scope, receive, send)


def _trusted(address: str, proxies: tuple[ProxyNetwork, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in proxies)


def client_address(scope: Scope, proxies: tuple[ProxyNetwork, ...]) -> str:
    """The address of the person's device: the peer, or — only when the peer is one of our
    own proxies — the nearest X-Forwarded-For hop that is not one of them. Anyone else can
    write any X-Forwarded-For they like, so it is ignored."""
    peer = (scope.get("client") or ("",))[0] or ""
    if not _trusted(peer, proxies):
        return peer
    hops = [
        hop.strip()
        for key, value in scope.get("headers", [])
        if key == b"x-forwarded-for"
        for hop in value.decode("latin-1").split(",")
        if hop.strip()
    ]
    for hop in reversed(hops):
        if not _trusted(hop, proxies):
            return hop[:100]
    return hops[0][:100] if hops else peer
