"""Pages that belong to no one area: home, login/logout, health check."""

from __future__ import annotations

from typing import Annotated

from litestar import Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, QueryParameter

from mediathek.catalogue.queries import home_overview
from mediathek.i18n import _
from mediathek.patrons import accounts
from mediathek.patrons.tables import Account
from mediathek.web.auth import (
    SESSION_COOKIE,
    SESSION_LIFETIME,
    client_address,
    end_session,
    start_session,
)
from mediathek.web.guards import Access
from mediathek.web.rendering import redirect, render
from mediathek.web.return_to import landing_page, safe_next


@get("/", access=Access.public, include_in_schema=False)
async def home(request: Request) -> Response:
    return render(request, "home.html", overview=await home_overview())


@get("/healthz", access=Access.public, tags=["Betrieb"])
async def healthz() -> Response:
    """Checks that the database answers."""
    try:
        await Account.raw("SELECT 1")
    except Exception:  # noqa: BLE001 - any database failure means "not healthy"
        return Response({"status": "error", "database": "unreachable"}, status_code=503)
    return Response({"status": "ok", "database": "ok"})


@get("/anmelden", access=Access.anonymous, include_in_schema=False)
async def login_form(
    request: Request, weiter: Annotated[str | None, QueryParameter(name="weiter")] = None
) -> Response:
    if request.scope.get("user"):
        return redirect(request, safe_next(weiter) or "/")
    return render(request, "auth/login.html", next=safe_next(weiter), email="", error="")


@post("/anmelden", access=Access.anonymous, include_in_schema=False, status_code=200)
async def login(
    request: Request,
    data: Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)],
) -> Response:
    email = data.get("email", "")
    target = safe_next(data.get("next"))
    client = client_address(request.scope, request.app.state.settings.trusted_proxies)
    try:
        account_id = await accounts.login(email, data.get("password", ""), client)
    except (accounts.LoginFailed, accounts.TooManyAttempts) as exc:
        return render(
            request,
            "auth/login.html",
            status_code=exc.status,
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


@get("/verwaltung", access=Access.staff, include_in_schema=False)
async def staff_overview(request: Request) -> Response:
    return render(
        request,
        "overview.html",
        heading=_("Übersicht für Mitarbeitende"),
        links=_translated(request.app.state.staff_links),
    )


@get("/admin", access=Access.admin, include_in_schema=False)
async def admin_overview(request: Request) -> Response:
    return render(
        request,
        "overview.html",
        heading=_("Einstellungen"),
        links=_translated(request.app.state.admin_links),
    )


def _translated(links: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """The areas' links (marked with N_ where they are defined) in the request's language."""
    return [(_(label), href, _(description)) for label, href, description in links]


ROUTES = [home, healthz, login_form, login, logout, staff_overview, admin_overview]
