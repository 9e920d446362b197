"""Pages for data protection: legal texts, retention periods, deletion candidates, audit log."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from litestar import Request, Response, get, post
from litestar.params import QueryParameter

from mediathek.audit import Actor
from mediathek.errors import InvalidInput
from mediathek.i18n import N_
from mediathek.reports import legal
from mediathek.reports.audit_log import audit_entries
from mediathek.reports.privacy import (
    RETENTION,
    anonymise_now_by,
    inactive_patrons,
    parse_retention,
    save_retention,
)
from mediathek.reports.statistics import parse_day
from mediathek.site_settings import get_setting
from mediathek.web.forms import Form, flat
from mediathek.web.guards import Access
from mediathek.web.rendering import AppSettings, Today, redirect, render

Query = Annotated[str | None, QueryParameter(required=False)]


def _actor(request: Request) -> Actor:
    user = request.scope["user"]
    return Actor(user.account_id, user.email)


async def _legal_page(request: Request, slug: str) -> Response:
    page = legal.PAGES_BY_SLUG[slug]
    text = await legal.page_text(page)
    return render(request, "reports/legal_page.html", legal=page, body=legal.render_markup(text))


@get("/impressum", access=Access.public, include_in_schema=False)
async def imprint(request: Request) -> Response:
    return await _legal_page(request, "impressum")


@get("/datenschutz", access=Access.public, include_in_schema=False)
async def privacy_policy(request: Request) -> Response:
    return await _legal_page(request, "datenschutz")


@get("/barrierefreiheit", access=Access.public, include_in_schema=False)
async def accessibility_statement(request: Request) -> Response:
    return await _legal_page(request, "barrierefreiheit")


@get("/leichte-sprache", access=Access.public, include_in_schema=False)
async def easy_language(request: Request) -> Response:
    return await _legal_page(request, "leichte-sprache")


@get("/admin/rechtliches", access=Access.admin, include_in_schema=False)
async def legal_form(request: Request, gespeichert: Query = None) -> Response:
    texts = {p.key: await legal.page_text(p) for p in legal.PAGES}
    return render(
        request, "reports/legal_form.html", pages=legal.PAGES, texts=texts, saved=bool(gespeichert)
    )


@post("/admin/rechtliches", access=Access.admin, include_in_schema=False, status_code=200)
async def legal_save(request: Request, data: Form) -> Response:
    await legal.save_texts(flat(data), _actor(request))
    return redirect(request, "/admin/rechtliches?gespeichert=1")


@get("/admin/datenschutz", access=Access.admin, include_in_schema=False)
async def retention_form(request: Request, gespeichert: Query = None) -> Response:
    values = {key: await get_setting(key) for key in RETENTION}
    return render(
        request,
        "reports/retention.html",
        values=values,
        errors={},
        saved=gespeichert,
    )


@post("/admin/datenschutz", access=Access.admin, include_in_schema=False, status_code=200)
async def retention_save(request: Request, data: Form) -> Response:
    values = flat(data)
    try:
        await save_retention(parse_retention(values), _actor(request))
    except InvalidInput as exc:  # re-render with the errors at their fields
        return render(
            request,
            "reports/retention.html",
            status_code=422,
            values=values,
            errors=exc.errors,
            saved=None,
        )
    return redirect(request, "/admin/datenschutz?gespeichert=1")


@post(
    "/admin/datenschutz/anonymisieren",
    access=Access.admin,
    include_in_schema=False,
    status_code=200,
)
async def anonymise_now(request: Request, today: Today) -> Response:
    count = await anonymise_now_by(today, _actor(request))
    return redirect(request, f"/admin/datenschutz?gespeichert=anonymisiert-{count}")


@get("/verwaltung/loeschkandidaten", access=Access.staff, include_in_schema=False)
async def deletion_candidates(request: Request, today: Today) -> Response:
    return render(
        request,
        "reports/inactive.html",
        patrons=await inactive_patrons(today),
        years=await get_setting("inactive_after_years"),
    )


@get("/admin/protokoll", access=Access.admin, include_in_schema=False)
async def audit_page(
    request: Request,
    settings: AppSettings,
    aktion: Query = None,
    von: Query = None,
    bis: Query = None,
    seite: Query = None,
) -> Response:
    errors: dict[str, str] = {}
    day_from = parse_day(von, "von", errors) if von else None
    day_to = parse_day(bis, "bis", errors) if bis else None
    page = int(seite) if seite and seite.isascii() and seite.isdigit() and len(seite) < 7 else 1
    result = await audit_entries(aktion or None, day_from, day_to, page, settings.tz)
    query = "&".join(
        f"{k}={quote(v)}"
        for k, v in (("aktion", aktion), ("von", von), ("bis", bis))
        if v and k not in errors
    )
    return render(
        request,
        "reports/audit.html",
        status_code=422 if errors else 200,
        result=result,
        errors=errors,
        form={"aktion": aktion or "", "von": von or "", "bis": bis or ""},
        query=query,
    )


ROUTES = [
    imprint,
    privacy_policy,
    accessibility_statement,
    easy_language,
    legal_form,
    legal_save,
    retention_form,
    retention_save,
    anonymise_now,
    deletion_candidates,
    audit_page,
]
STAFF_LINKS = [
    (
        N_("Löschkandidaten"),
        "/verwaltung/loeschkandidaten",
        N_("Ausleihende, die lange nichts ausgeliehen haben"),
    ),
]
ADMIN_LINKS = [
    (
        N_("Rechtliche Seiten"),
        "/admin/rechtliches",
        N_("Impressum, Datenschutz, Barrierefreiheit, Leichte Sprache"),
    ),
    (N_("Datenschutz-Fristen"), "/admin/datenschutz", N_("Anonymisierung und Löschfristen")),
    (N_("Protokoll"), "/admin/protokoll", N_("Wer hat wann was geändert")),
]
