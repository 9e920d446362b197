"""Every route states who may use it: ``opt={"access": …}`` on the handler or its controller.

One guard enforces it for the whole app, and ``check_every_route_has_access`` refuses to start
an app with a route that states nothing, so a forgotten rule cannot slip through.
"""

from __future__ import annotations

from enum import StrEnum

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler

from mediathek.web.auth import User


class Access(StrEnum):
    public = "public"  # anyone, no login
    anonymous = "anonymous"  # only when not logged in (login, registration forms)
    login = "login"  # any logged-in account
    patron = "patron"  # a login that belongs to a patron (teachers; staff with a card too)
    staff = "staff"  # staff and admin
    admin = "admin"


def allowed(access: Access, user: User | None) -> bool:
    """Pure rule: may ``user`` (None = anonymous) use a route of this access level?"""
    if access in (Access.public, Access.anonymous):
        return True  # anonymous-only pages redirect logged-in users themselves
    if user is None:
        return False
    if access == Access.login:
        return True
    if access == Access.patron:
        return user.patron_id is not None
    if access == Access.staff:
        return user.is_staff
    if access == Access.admin:
        return user.is_admin
    return False


def route_access(handler: BaseRouteHandler) -> Access | None:
    value = handler.opt.get("access")
    return Access(value) if value else None


def is_automatic(handler: BaseRouteHandler) -> bool:
    # Litestar adds an OPTIONS handler per path; it only lists the allowed methods.
    return handler.handler_name == "options_handler"


async def access_guard(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    # async although it awaits nothing: Litestar runs a plain function guard in a worker
    # thread, a trip there and back on every request.
    if is_automatic(handler):
        return
    access = route_access(handler)
    if access is None:
        raise PermissionDeniedException("Für diese Seite ist kein Zugriff festgelegt.")
    user = connection.scope.get("user")
    if allowed(access, user):
        return
    if user is None:
        raise NotAuthorizedException("Bitte melden Sie sich an.")
    raise PermissionDeniedException("Sie haben keinen Zugriff auf diese Seite.")


def check_every_route_has_access(app) -> None:
    missing = []
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            if route_access(handler) is None and not is_automatic(handler):
                missing.append(f"{route.path} ({handler.handler_name})")
    if missing:
        raise RuntimeError("Routes without an access rule: " + ", ".join(sorted(missing)))
