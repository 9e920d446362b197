"""CSRF (bound to the login session; skipped for Bearer-token API calls, which carry no
cookies), security headers on every answer, and HEAD served wherever GET is."""

from __future__ import annotations

from secrets import compare_digest
from typing import cast

from litestar.config.csrf import CSRFConfig
from litestar.connection import Request
from litestar.datastructures import Cookie, MutableScopeHeaders
from litestar.enums import RequestEncodingType
from litestar.exceptions import PermissionDeniedException
from litestar.middleware._utils import should_bypass_middleware
from litestar.middleware.csrf import CSRFMiddleware, generate_csrf_token
from litestar.types import ASGIApp, HTTPScope, Message, Receive, Scope, Send
from litestar.utils.scope.state import ScopeState

from mediathek.web.guards import allowed, route_access
from mediathek.web.language import LanguageMiddleware

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "media-src 'self' blob:; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)

SECURITY_HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
    "permissions-policy": "camera=(self), microphone=(), geolocation=()",
}


def _has_bearer(scope: Scope) -> bool:
    return any(
        key == b"authorization" and value[:7].lower() == b"bearer "
        for key, value in scope.get("headers", [])
    )


def _needs_login(scope: Scope) -> bool:
    handler = scope.get("route_handler")
    access = route_access(handler) if handler is not None else None
    return access is not None and not allowed(access, None)


class TokenAwareCSRFMiddleware(CSRFMiddleware):
    """CSRF check bound to the login session, double submit for anonymous visitors.

    - A logged-in browser's forms must carry its session's own token (stored with the
      session): a token minted for one session, or an anonymous one, is refused in another.
      The cookie carries the same token so that scripts of the page can read it.
    - Anonymous forms (login, registration, forgotten password) keep Litestar's signed
      double-submit token, so that visitors get no server-side state.
    - Requests authenticated by a Bearer token are not checked: a browser never attaches
      such a header cross-site, so there is nothing to forge.
    """

    def __init__(self, app: ASGIApp, config: CSRFConfig) -> None:
        super().__init__(app, config)
        # The cookie's attributes never change: written once here rather than by a Cookie
        # object per answer (which went through http.cookies on every anonymous page view).
        template = Cookie(
            key=config.cookie_name,
            value="-",
            path=config.cookie_path,
            secure=config.cookie_secure,
            httponly=config.cookie_httponly,
            samesite=config.cookie_samesite,
            domain=config.cookie_domain,
        ).to_header(header="")
        self._cookie_prefix = f"{config.cookie_name}=".encode("latin-1")
        self._cookie_suffix = template.partition(";")[2].encode("latin-1")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or _has_bearer(scope):
            await self.app(scope, receive, send)
            return
        if should_bypass_middleware(
            scope=scope,
            scopes=self.scopes,
            exclude_opt_key=self.config.exclude_from_csrf_key,
            exclude_path_pattern=self.exclude,
        ):
            await self.app(scope, receive, send)
            return
        user = scope.get("user")
        if user is None and _needs_login(scope):
            # Nothing runs for an anonymous request here but the redirect to the login. A
            # form sent after the session expired carries that session's token: checking it
            # would answer 403 instead of leading her to the login and back to her page.
            await self.app(scope, receive, send)
            return
        session_token = user.csrf_token if user is not None else ""
        request: Request = scope["litestar_app"].request_class(scope=scope, receive=receive)
        cookie = request.cookies.get(self.config.cookie_name)
        state = ScopeState.from_scope(scope)
        if request.method in self.config.safe_methods:
            if session_token:
                token = session_token
            elif cookie and self._decode_csrf_token(cookie):
                token = cookie
            else:  # none yet, or one left over from a session that has ended
                token = generate_csrf_token(secret=self.config.secret)
            state.csrf_token = token
            send = self._send_cookie(send, token) if cookie != token else send
            await self.app(scope, receive, send)
            return
        sent = request.headers.get(self.config.header_name)
        if not sent and request.content_type[0] in (
            RequestEncodingType.URL_ENCODED,
            RequestEncodingType.MULTI_PART,
        ):
            sent = (await request.form()).get("_csrf_token")
        if session_token:
            ok = isinstance(sent, str) and compare_digest(sent, session_token)
        else:
            ok = (
                isinstance(sent, str)
                and cookie is not None
                and self._csrf_tokens_match(sent, cookie)
            )
        if not ok or not isinstance(sent, str):
            raise PermissionDeniedException("CSRF token verification failed")
        state.csrf_token = sent
        await self.app(scope, receive, send)

    def _send_cookie(self, send: Send, token: str) -> Send:
        value = self._cookie_prefix + token.encode("latin-1") + b";" + self._cookie_suffix
        header = (b"set-cookie", value)

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), header]
            await send(message)

        return send_wrapper


class SecurityHeadersMiddleware:
    """Adds the security headers to every answer. Wrapped around the whole application (see
    ``around_every_answer``), so answers made outside the routes' own middleware get them
    too: 404 and 405 from routing, CSRF refusals, errors of the error handling."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableScopeHeaders.from_message(message)
                for key, value in SECURITY_HEADERS.items():
                    if key not in headers:
                        headers[key] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)


class HeadAsGetMiddleware:
    """Serves HEAD wherever GET is served (uptime monitors, link checkers): the request runs as
    GET — same guards, same status and headers — and the body is left out (RFC 9110 §9.3.2)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or cast("HTTPScope", scope)["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def send_without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        # A copy: the server's own scope keeps saying HEAD (its log, its framing).
        await self.app(cast("Scope", {**scope, "method": "GET"}), receive, send_without_body)


def around_every_answer(app: ASGIApp) -> ASGIApp:
    """What wraps the application outside routing and error handling (``Litestar.asgi_handler``),
    where the routes' middleware list does not reach."""
    return SecurityHeadersMiddleware(LanguageMiddleware(HeadAsGetMiddleware(app)))
