"""Pages for visitors without a login, made once per state of the database.

Every visitor who is not logged in gets the same home page, catalogue search, title page and
JSON search as every other such visitor in her language. A route that says so
(``opt={"visitor_page": True}``) has such answers kept and sent again while nothing in the
database has changed since they were made: ``db.data_version`` is read for every request and
tells whether any write has been committed since, by any process. So a kept page is exactly as
current as one made for the request (a copy lent a moment ago shows as lent), and no write
needs to know which pages it touches. Any committed write makes every kept page again.

What differs between visitors is written in as the page is sent: her own CSRF token, which the
page was made with a marker in place of. The key holds all else a page depends on: language,
host, path, query, the HTMX headers, the library's date, the site information (footer) as
last read, and whatever the route adds (``opt={"visitor_page": stamp}``, ``stamp(settings)``:
the search's synonyms file, say). Logged-in people, a session cookie or API token (even an
expired one, as ``web.auth`` marks it), answers other than 200 and answers that set cookies
are never kept.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass

from litestar.types import ASGIApp, Message, Receive, Scope, Send
from litestar.utils.empty import value_or_default
from litestar.utils.scope.state import ScopeState

from mediathek import i18n
from mediathek.clock import today
from mediathek.db import data_version

log = logging.getLogger("mediathek.web")

# Kept answers per process, in bytes of their bodies (the oldest used go first).
MAX_BYTES = 16 * 1024 * 1024
OPT = "visitor_page"


@dataclass(slots=True)
class Kept:
    version: int | str
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes


class PageStore:
    """The kept answers of one app for one database (``app.state.visitor_pages``)."""

    def __init__(self, max_bytes: int = MAX_BYTES) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self.engine: object = None
        self.version: int | str | None = None
        self.pages: OrderedDict[Hashable, Kept] = OrderedDict()
        # Pages being made now: requests for the same page at the same state wait for it
        # instead of each making it (after a write, every open connection asks at once).
        self.making: dict[Hashable, asyncio.Future[Kept | None]] = {}
        self.hits = 0
        self.made = 0
        # Stands for the CSRF token while a page is made; random, so no text of a title or
        # query can be taken for it by chance.
        self.marker = "csrf" + secrets.token_hex(24)

    def current(self, engine: object, version: int | str) -> None:
        """Forget every page made on another database or before the last committed write."""
        if engine is not self.engine or version != self.version:
            self.pages.clear()
            self.making = {}
            self.size = 0
            self.engine, self.version = engine, version

    def get(self, key: Hashable) -> Kept | None:
        kept = self.pages.get(key)
        if kept is not None:
            self.pages.move_to_end(key)
            self.hits += 1
        return kept

    def put(self, key: Hashable, kept: Kept) -> None:
        if kept.version != self.version or len(kept.body) > self.max_bytes // 4:
            return  # made while a write was committed, or too large to be worth keeping
        old = self.pages.pop(key, None)
        if old is not None:
            self.size -= len(old.body)
        self.pages[key] = kept
        self.size += len(kept.body)
        while self.size > self.max_bytes:
            _, dropped = self.pages.popitem(last=False)
            self.size -= len(dropped.body)


def _key(scope: Scope, settings, stamp: Callable | bool) -> Hashable:
    host, htmx = b"", []
    for name, value in scope.get("headers", ()):
        if name == b"host":
            host = value
        elif name.startswith(b"hx-") and name != b"hx-current-url":
            htmx.append((name, value))
    app = scope["litestar_app"]
    return (
        i18n.current(),
        scope.get("scheme"),
        host,
        scope["path"],
        scope.get("query_string", b""),
        tuple(sorted(htmx)),
        today(settings.tz),
        app.state.site_info.changes,
        stamp(settings) if callable(stamp) else None,
    )


async def _send(send: Send, kept: Kept, marker: bytes, token: bytes) -> None:
    """The answer with the visitor's own token in place of the marker."""
    body = kept.body.replace(marker, token) if token else kept.body
    headers = [*kept.headers, (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": kept.status, "headers": headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})


class VisitorPageCache:
    """Innermost middleware: after the login is known (none), the language chosen and the
    CSRF token given (the token's cookie is set outside, as for any page)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        handler = scope.get("route_handler")
        stamp = handler.opt.get(OPT) if handler is not None else None
        if (
            not stamp
            or scope["type"] != "http"
            or scope.get("method") != "GET"
            or scope.get("user") is not None
            or scope.get("auth") is not None  # a session cookie or API token, even a stale one
        ):
            await self.app(scope, receive, send)
            return
        app = scope["litestar_app"]
        store: PageStore = app.state.visitor_pages
        try:
            version = await data_version(app.state.engine)
        except Exception:  # the page itself will say what is wrong with the database
            log.exception("Stand der Datenbank nicht lesbar; Seite ohne Zwischenspeicher")
            await self.app(scope, receive, send)
            return
        store.current(app.state.engine, version)
        key = _key(scope, app.state.settings, stamp)
        state = ScopeState.from_scope(scope)
        token = value_or_default(state.csrf_token, "").encode("latin-1")
        marker = store.marker.encode()
        kept = store.get(key)
        if kept is None and key in store.making:
            kept = await asyncio.shield(store.making[key])  # None: not to be kept, make it
        if kept is not None:
            await _send(send, kept, marker, token)
            return
        making = store.making[key] = asyncio.get_running_loop().create_future()
        try:
            made = await self._make(scope, receive, store, version)
            if made.status == 200 and not any(k == b"set-cookie" for k, _ in made.headers):
                store.put(key, made)
                if store.making.get(key) is making:
                    making.set_result(made)
            await _send(send, made, marker, token)
        finally:
            if store.making.get(key) is making:
                del store.making[key]
            if not making.done():
                making.set_result(None)

    async def _make(
        self, scope: Scope, receive: Receive, store: PageStore, version: int | str
    ) -> Kept:
        """The page as the route makes it, with the marker in place of the CSRF token."""
        state = ScopeState.from_scope(scope)
        status: int | None = None
        headers: list[tuple[bytes, bytes]] = []
        chunks: list[bytes] = []
        complete = False

        async def collect(message: Message) -> None:
            nonlocal status, complete
            if message["type"] == "http.response.start":
                status = message["status"]
                headers.extend((k, v) for k, v in message["headers"] if k != b"content-length")
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                complete = not message.get("more_body", False)

        store.made += 1
        given, state.csrf_token = state.csrf_token, store.marker
        try:
            await self.app(scope, receive, collect)
        finally:
            # An error page made outside this middleware must carry her token, not the marker.
            state.csrf_token = given
        if status is None or not complete:
            raise RuntimeError("Die Seite wurde nicht vollständig erzeugt.")
        return Kept(version, status, headers, b"".join(chunks))
