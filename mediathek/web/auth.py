"""Who is asking: a login session (cookie) or a personal API token (Bearer).

Anonymous visitors get no server-side state; a session row exists only after a login.
Only SHA-256 digests of cookie and API tokens are stored.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from litestar.types import ASGIApp, Receive, Scope, Send

from mediathek.errors import Forbidden
from mediathek.i18n import _
from mediathek.settings import ProxyNetwork
from mediathek.vocab import Role

SESSION_COOKIE = "mediathek_session"


@dataclass(frozen=True)
class User:
    account_id: int
    email: str
    role: Role
    patron_id: int | None
    display_name: str
    session_id: int | None = None  # None for API tokens
    # Forms of this session must carry it (web.middleware); empty for API tokens.
    csrf_token: str = field(default="", repr=False)
    language: str = ""  # the account's page language; "" = switch or browser

    @property
    def is_staff(self) -> bool:
        return self.role in (Role.staff, Role.admin)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.admin

    def own_patron_id(self) -> int:
        """The borrower behind this login, on a route only borrowers may use (its guard,
        ``Access.patron``, lets no other login in)."""
        if self.patron_id is None:
            raise Forbidden(_("Das geht nur mit einem Ausweis der Mediathek."))
        return self.patron_id


@dataclass(frozen=True)
class LoginLookup:
    """How the edge finds the login behind a session cookie or an API token. The functions
    come from the area that owns logins (``app.py`` passes ``patrons.sessions``); each
    returns the login's fields for ``User`` or None when the cookie or token is no
    longer good."""

    of_session: Callable[[str], Awaitable[dict | None]]
    of_api_token: Callable[[str, int], Awaitable[dict | None]]


def _user(login: dict) -> User:
    return User(**{**login, "role": Role(login["role"])})


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
    """Puts ``User | None`` into ``scope["user"]`` for every HTTP request."""

    def __init__(self, app: ASGIApp, logins: LoginLookup) -> None:
        self.app = app
        self.logins = logins

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            user = None
            path = scope.get("path", "")
            if not path.startswith("/static/"):
                if bearer := _bearer(scope):
                    settings = scope["litestar_app"].state.settings
                    login = await self.logins.of_api_token(bearer, settings.api_token_days)
                    user = _user(login) if login else None
                    scope["auth"] = "token"
                elif cookie := _cookie(scope, SESSION_COOKIE):
                    login = await self.logins.of_session(cookie)
                    user = _user(login) if login else None
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
