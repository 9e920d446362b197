"""Full page or fragment: one markup source per fragment, included by its page.

A handler returns only the fragment for an HTMX request that is neither boosted nor a history
restore; every other request (plain browser, back button, boosted link) gets the full page.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from litestar import Request, Response
from litestar.di import NamedDependency
from litestar.params import SkipValidation
from litestar.response import Redirect, Template

from mediathek.clock import today
from mediathek.settings import Settings
from mediathek.web.auth import User


def provide_today(request: Request) -> date:
    """The dependency ``today`` of every handler: the library's date (Europe/Berlin by
    default), so a test can freeze it in one place."""
    return today(request.app.state.settings.tz)


# A handler asks for the library's date with a parameter ``today: Today``.
Today = NamedDependency[date]


def provide_settings(request: Request) -> Settings:
    """The dependency ``settings`` of every handler: the settings the app was built with."""
    settings: Settings = request.app.state.settings
    return settings


# A handler asks for the app's settings with a parameter ``settings: AppSettings``. The
# object is passed as it is: not validated per request (msgspec cannot take its field types).
AppSettings = NamedDependency[SkipValidation[Settings]]


def provide_user(request: Request) -> User | None:
    """The dependency ``user`` of every handler: who is asking, as ``web.auth`` found them
    for this request (None for an anonymous visitor)."""
    user: User | None = request.scope.get("user")
    return user


# A handler behind a login asks for it with a parameter ``user: CurrentUser``; a route open to
# anonymous visitors takes ``user: MaybeUser``. The object is passed as it is, like the
# settings: the guard has already decided who may use the route.
CurrentUser = NamedDependency[SkipValidation[User]]
MaybeUser = NamedDependency[SkipValidation[User | None]]


def wants_fragment(request: Request) -> bool:
    htmx = getattr(request, "htmx", None)
    return htmx is not None and bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def render(
    request: Request,
    page: str,
    *,
    fragment: str | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
    **context: Any,
) -> Template:
    name = fragment if fragment and wants_fragment(request) else page
    return Template(
        template_name=name,
        context=context,
        status_code=status_code,
        headers={"Vary": "HX-Request", **(headers or {})},
    )


def redirect(request: Request, url: str) -> Redirect | Response:
    """Redirect after a POST. HTMX would follow a 303 invisibly and swap the target page into
    the fragment's place, so it gets ``HX-Redirect`` and navigates instead."""
    if getattr(request, "htmx", None):
        return Response(content=b"", status_code=200, headers={"HX-Redirect": url})
    return Redirect(path=url, status_code=303)
