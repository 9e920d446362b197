"""The public catalogue page /katalog: search box, facets, results (live with HTMX)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from litestar import Request, Response, get
from litestar.params import QueryParameter
from markupsafe import Markup, escape

from mediathek import i18n
from mediathek.i18n import N_, _
from mediathek.search.models import SORTS, SearchParams, SearchResult
from mediathek.search.services import search
from mediathek.search.understand import load_synonyms, search_page_stamp
from mediathek.vocab import (
    AGE_GROUP_LABELS,
    LANGUAGES,
    LEVEL_LABELS,
    MEDIA_TYPE_LABELS,
    TOPICS,
)
from mediathek.web.guards import Access
from mediathek.web.rendering import AppSettings, render
from mediathek.web.templating import LanguageNames, Translated, de_number

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


# What the HTMX controls of the results send with every change of a filter.
HX = 'hx-target="#search-results" hx-push-url="true" hx-sync="#search-form:replace"'
LABELS = {
    "media_type": Translated(MEDIA_TYPE_LABELS),
    "language": LanguageNames(LANGUAGES),
    "level": Translated(LEVEL_LABELS),
    "age": Translated(AGE_GROUP_LABELS),
}
OPTION = (
    '<div class="facet-option">\n'
    '<input type="checkbox" id="f-{param}-{n}" name="{param}" value="{value}"{state} '
    'hx-get="/katalog" hx-include="closest form" ' + HX + ">\n"
    '<label for="f-{param}-{n}">{label} <span class="count">({count})</span>{note}</label>\n'
    "</div>\n"
)
# (language, facet, value) → the escaped label; the values come from the vocabularies.
_labels: dict[tuple[str, str, str], str] = {}


def facet_label(facet: str, value: str) -> str:
    """A filter value's label in the reader's language, escaped (kept per language)."""
    key = (i18n.current(), facet, value)
    label = _labels.get(key)
    if label is None:
        labels = LABELS.get(facet)
        try:
            text = labels[value] if labels is not None else value
        except KeyError:
            text = value
        label = _labels[key] = str(escape(text))
    return label


def facet_groups(result: SearchResult, params: SearchParams) -> list[dict]:
    """The filter lists of the results, their options written out here as markup: a search
    shows about a hundred options, and rendering each through the template's macros and
    autoescaping was most of the page's time."""
    recognised = {(r.facet, v) for r in result.recognised for v in r.values}
    note = ' <span class="from-words">' + str(escape(_("aus dem Suchtext"))) + "</span>"
    groups = []
    for facet, (param, attr, legend) in FACET_PARAMS.items():
        values = result.facets.get(facet)
        if not values:
            continue
        chosen_in_url = getattr(params, attr)
        options = []
        for n, f in enumerate(values, 1):
            from_words = (facet, f.value) in recognised and f.value not in chosen_in_url
            state = (" checked" if f.selected else "") + (" disabled" if from_words else "")
            options.append(
                OPTION.format(
                    param=param,
                    n=n,
                    value=escape(f.value),
                    state=state,
                    label=facet_label(facet, f.value),
                    count=escape(de_number(f.count)),
                    note=note if from_words else "",
                )
            )
        groups.append(
            {
                "facet": facet,
                "legend": legend,
                "chosen": sum(1 for f in values if f.selected),
                "options": Markup("".join(options)),
            }
        )
    return groups


@get(
    "/katalog",
    access=Access.public,
    include_in_schema=False,
    visitor_page=search_page_stamp,
)
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
        facet_groups=facet_groups(result, params),
        url_for=url_for,
        toggle_url=toggle_url,
        relax_url=relax_url,
        suggested_types=list(MEDIA_TYPE_LABELS.items())[:8],
        suggested_topics=TOPICS[:8],
    )


ROUTES = [catalogue]
