"""The public catalogue page /katalog: search box, facets, results (live with HTMX)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from litestar import Request, Response, get
from litestar.params import QueryParameter

from mediathek.i18n import N_
from mediathek.search.models import SORTS, SearchParams
from mediathek.search.services import search
from mediathek.search.understand import load_synonyms
from mediathek.vocab import MEDIA_TYPE_LABELS, TOPICS
from mediathek.web.guards import Access
from mediathek.web.rendering import AppSettings, render

FACET_PARAMS = {
    "media_type": ("medienart", "media_types", N_("Medienart")),
    "language": ("sprache", "languages", N_("Sprache")),
    "level": ("niveau", "levels", N_("Sprachniveau")),
    "age": ("alter", "ages", N_("Altersgruppe")),
    "topic": ("thema", "topics", N_("Thema")),
}


def url_for(params: SearchParams, **changes) -> str:
    query = urlencode(params.query_items(**changes))
    return "/katalog" + (f"?{query}" if query else "")


def relax_url(params: SearchParams, relaxation) -> str:
    """The URL of a search without one word (``relaxation.q``) or one filter."""
    changes: dict = {"page": 1}
    if relaxation.q is not None:
        changes["q"] = relaxation.q
    if relaxation.facet == "available":
        changes["available"] = False
    elif relaxation.facet:
        changes[FACET_PARAMS[relaxation.facet][1]] = ()
    return url_for(params, **changes)


def toggle_url(params: SearchParams, facet: str, value: str) -> str:
    """The URL with one facet value switched on or off (back to page 1)."""
    if facet == "available":
        return url_for(params, available=not params.available, page=1)
    attr = FACET_PARAMS[facet][1]
    chosen = getattr(params, attr)
    values = tuple(v for v in chosen if v != value) if value in chosen else (*chosen, value)
    return url_for(params, page=1, **{attr: values})


@get("/katalog", access=Access.public, include_in_schema=False)
async def catalogue(
    request: Request,
    settings: AppSettings,
    q: Annotated[str | None, QueryParameter(name="q")] = None,
    medienart: Annotated[list[str] | None, QueryParameter(name="medienart")] = None,
    sprache: Annotated[list[str] | None, QueryParameter(name="sprache")] = None,
    niveau: Annotated[list[str] | None, QueryParameter(name="niveau")] = None,
    alter: Annotated[list[str] | None, QueryParameter(name="alter")] = None,
    thema: Annotated[list[str] | None, QueryParameter(name="thema")] = None,
    verfuegbar: Annotated[str | None, QueryParameter(name="verfuegbar")] = None,
    sortierung: Annotated[str | None, QueryParameter(name="sortierung")] = None,
    seite: Annotated[str | None, QueryParameter(name="seite")] = None,
) -> Response:
    params = SearchParams.parse(
        q, medienart, sprache, niveau, alter, thema, verfuegbar, sortierung, seite
    )
    result = await search(params, load_synonyms(settings.data_dir))
    return render(
        request,
        "search/catalogue.html",
        fragment="search/_results.html",
        result=result,
        params=params,
        sorts=SORTS,
        facet_params=FACET_PARAMS,
        url_for=url_for,
        toggle_url=toggle_url,
        relax_url=relax_url,
        suggested_types=list(MEDIA_TYPE_LABELS.items())[:8],
        suggested_topics=TOPICS[:8],
    )


ROUTES = [catalogue]
