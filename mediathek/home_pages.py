"""Pages that belong to no one area: home, health check, the staff and admin overviews."""

from __future__ import annotations

from litestar import Request, Response, get

from mediathek.db import current_engine, data_version
from mediathek.i18n import _
from mediathek.patrons.tables import Account
from mediathek.search.models import SearchParams
from mediathek.search.services import search
from mediathek.vocab import MediaType
from mediathek.web.guards import Access
from mediathek.web.rendering import render

# The last overview, with the database and its state it was made from.
_overview: tuple[object, int | str, dict] | None = None


async def home_overview(newest: int = 12) -> dict:
    """What the home page shows: titles per media type, titles on the shelf now and the newest
    titles.

    All of it comes from the search's in-memory facet table (an empty search, newest first):
    counting the catalogue in SQL on every visit scanned every title and copy, and a few
    visitors at once kept the database busy. It is made again only after a write has been
    committed (``data_version``): the newest titles' details were most of a logged-in
    teacher's home page (a visitor's whole page is kept, see ``web.page_cache``).
    """
    global _overview
    engine = current_engine()
    version = await data_version(engine)
    if _overview is not None and _overview[0] is engine and _overview[1] == version:
        return _overview[2]
    result = await search(SearchParams(sort="neu"))
    by_type = {f.value: f.count for f in result.facets["media_type"]}
    overview = {
        "media_type_counts": [(t, by_type.get(t.value, 0)) for t in MediaType],
        "title_count": result.total,
        "available_titles": result.facets["available"][0].count,
        "newest": result.hits[:newest],
    }
    _overview = (engine, version, overview)
    return overview


@get("/", access=Access.public, include_in_schema=False, visitor_page=True)
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


ROUTES = [home, healthz, staff_overview, admin_overview]
