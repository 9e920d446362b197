"""Logging in and out in the browser: the login form, the session cookie, logging out."""

from __future__ import annotations

from typing import Annotated

from litestar import Request, Response, get, post
from litestar.params import QueryParameter

from mediathek.patrons import logins
from mediathek.patrons.sessions import SESSION_LIFETIME, end_session, landing_page, start_session
from mediathek.web.auth import SESSION_COOKIE, client_address
from mediathek.web.errors import status_of
from mediathek.web.forms import Form, form_value
from mediathek.web.guards import Access
from mediathek.web.rendering import AppSettings, MaybeUser, redirect, render
from mediathek.web.return_to import safe_next


@get("/anmelden", access=Access.anonymous, include_in_schema=False)
async def login_form(
    request: Request,
    user: MaybeUser,
    weiter: Annotated[str | None, QueryParameter(name="weiter")] = None,
) -> Response:
    if user:
        return redirect(request, safe_next(weiter) or "/")
    return render(request, "auth/login.html", next=safe_next(weiter), email="", error="")


@post("/anmelden", access=Access.anonymous, include_in_schema=False, status_code=200)
async def login(
    request: Request,
    settings: AppSettings,
    data: Form,
) -> Response:
    email = form_value(data, "email")
    target = safe_next(form_value(data, "next"))
    client = client_address(request.scope, settings.trusted_proxies)
    try:
        account_id = await logins.login(email, form_value(data, "password"), client)
    except (logins.LoginFailed, logins.TooManyAttempts) as exc:
        return render(
            request,
            "auth/login.html",
            status_code=status_of(exc),
            next=target,
            email=email,
            error=exc.message,
        )
    # Without a page to go back to, a teacher lands on her account and its summary.
    response = redirect(request, target or await landing_page(account_id))
    await start_browser_session(request, response, account_id)
    return response


async def start_browser_session(request: Request, response: Response, account_id: int) -> None:
    """Log this browser in: a new session and its cookie (HttpOnly, SameSite=Lax, Secure
    when the site runs on https)."""
    token = await start_session(account_id, request.headers.get("user-agent", ""))
    settings = request.app.state.settings
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(SESSION_LIFETIME.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
        path="/",
    )


@post("/abmelden", access=Access.public, include_in_schema=False, status_code=200)
async def logout(request: Request) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        await end_session(token)
    response = redirect(request, "/")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


ROUTES = [login_form, login, logout]
