"""CSRF (skipped for Bearer-token API calls, which carry no cookies), security headers on every
answer, and HEAD served wherever GET is."""

from __future__ import annotations

from litestar.config.csrf import CSRFConfig
from litestar.datastructures import MutableScopeHeaders
from litestar.middleware.csrf import CSRFMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send

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


class TokenAwareCSRFMiddleware(CSRFMiddleware):
    """Litestar's double-submit CSRF check, except for requests authenticated by a Bearer
    token: a browser never attaches such a header cross-site, so there is nothing to forge."""

    def __init__(self, app: ASGIApp, config: CSRFConfig) -> None:
        super().__init__(app, config)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and _has_bearer(scope):
            await self.app(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


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
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def send_without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        # A copy: the server's own scope keeps saying HEAD (its log, its framing).
        await self.app({**scope, "method": "GET"}, receive, send_without_body)


def around_every_answer(app: ASGIApp) -> ASGIApp:
    """What wraps the application outside routing and error handling (``Litestar.asgi_handler``),
    where the routes' middleware list does not reach."""
    return SecurityHeadersMiddleware(HeadAsGetMiddleware(app))
