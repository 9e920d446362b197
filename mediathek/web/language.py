"""Which language a request is answered in, and the switch in the header that changes it.

The switch's choice is remembered in a cookie (no server-side state for anonymous visitors);
without it a logged-in person's account setting counts, then the browser's Accept-Language.
"""

from __future__ import annotations

from http.cookies import SimpleCookie
from typing import Annotated

from litestar import Request, get
from litestar.params import PathParameter, QueryParameter
from litestar.response import Redirect
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from mediathek import i18n
from mediathek.web.guards import Access
from mediathek.web.return_to import page_of, safe_next

ONE_YEAR = 365 * 24 * 3600


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", ()):
        if key == name:
            return value.decode("latin-1")
    return ""


def _cookie(scope: Scope) -> str | None:
    raw = _header(scope, b"cookie")
    if not raw or i18n.COOKIE not in raw:
        return None
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(raw)
    except Exception:  # a malformed cookie header is the browser's problem, not a 500
        return None
    morsel = jar.get(i18n.COOKIE)
    return morsel.value if morsel else None


class LanguageMiddleware:
    """Outside routing and error handling, so error pages (404, 500, refusals) speak the
    visitor's language too. The account's setting is added later by ``AccountLanguage``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        code = i18n.negotiate(
            cookie=_cookie(scope), accept_language=_header(scope, b"accept-language")
        )

        async def send_with_language(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((b"content-language", i18n.current().encode()))
                message = {**message, "headers": headers}
            await send(message)

        with i18n.using(code):
            await self.app(scope, receive, send_with_language)


class AccountLanguage:
    """After authentication: a logged-in person without a cookie choice gets her account's
    language. Set without reset on purpose: ``LanguageMiddleware`` bounds it to the request,
    and the error handlers outside this middleware render in it too."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            # Only a login with a language of its own needs the cookie read a second time.
            code = i18n.supported(getattr(scope.get("user"), "language", None))
            if code and _cookie(scope) is None:
                i18n.switch(code)
        await self.app(scope, receive, send)


@get("/sprache/{code:str}", opt={"access": Access.public}, include_in_schema=False)
async def choose_language(
    request: Request,
    code: Annotated[str, PathParameter(max_length=10)],
    zurueck: Annotated[str | None, QueryParameter(max_length=2000)] = None,
) -> Redirect:
    """The language switch: remember the choice and go back to the page she was on."""
    target = safe_next(zurueck) or page_of(
        request.headers.get("referer"), request.headers.get("host", "")
    )
    response = Redirect(path=target or "/", status_code=303)
    if chosen := i18n.supported(code):
        response.set_cookie(
            i18n.COOKIE,
            chosen,
            max_age=ONE_YEAR,
            path="/",
            samesite="lax",
            httponly=True,
            secure=request.app.state.settings.secure_cookies,
        )
    return response
