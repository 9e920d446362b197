"""Pages that belong to no one area: home, health check, the staff and admin overviews."""

from __future__ import annotations

from litestar import Request, Response, get

from mediathek.catalogue.queries import home_overview
from mediathek.patrons.tables import Account
from mediathek.web.guards import Access
from mediathek.web.rendering import render


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


@get("/verwaltung", access=Access.staff, include_in_schema=False)
async def staff_overview(request: Request) -> Response:
    return render(
        request,
        "overview.html",
        heading="Übersicht für Mitarbeitende",
        links=request.app.state.staff_links,
    )


@get("/admin", access=Access.admin, include_in_schema=False)
async def admin_overview(request: Request) -> Response:
    return render(
        request, "overview.html", heading="Einstellungen", links=request.app.state.admin_links
    )


ROUTES = [home, healthz, staff_overview, admin_overview]
