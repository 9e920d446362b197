"""Public information pages (contact, "So funktioniert die Ausleihe") and the admin pages
for the contact block, opening hours text and the deadlines of holds and bookings."""

from __future__ import annotations

from typing import Annotated

from litestar import Request, Response, get, post
from litestar.params import QueryParameter

from mediathek.errors import InvalidInput
from mediathek.i18n import N_
from mediathek.info import policy, services
from mediathek.web.forms import Form, flat
from mediathek.web.guards import Access
from mediathek.web.rendering import Today, redirect, render

Saved = Annotated[str | None, QueryParameter(required=False)]


def _actor(request: Request) -> dict:
    user = request.scope["user"]
    return {"actor_id": user.account_id, "actor_label": user.email}


@get("/kontakt", access=Access.public, include_in_schema=False)
async def contact_page(request: Request, today: Today) -> Response:
    # Read fresh: this is the page people check before they set off.
    info = await request.app.state.site_info.refresh(force=True)
    closed = await services.closed_days_ahead(today)
    return render(request, "info/contact.html", info=info, closed=closed)


@get("/so-funktionierts", access=Access.public, include_in_schema=False)
async def how_it_works(request: Request) -> Response:
    return render(
        request,
        "info/how_it_works.html",
        rules=await services.lending_rules(),
        info=await request.app.state.site_info.refresh(force=True),
        days=policy.days,
        renewals=policy.renewals,
    )


async def _contact_form(request: Request, values: dict, errors: dict, saved: bool = False):
    return render(
        request,
        "info/contact_form.html",
        status_code=422 if errors else 200,
        values=values,
        errors=errors,
        saved=saved,
    )


@get("/admin/kontakt", access=Access.admin, include_in_schema=False)
async def contact_form(request: Request, gespeichert: Saved = None) -> Response:
    return await _contact_form(request, await services.contact_settings(), {}, bool(gespeichert))


@post("/admin/kontakt", access=Access.admin, include_in_schema=False, status_code=200)
async def contact_save(request: Request, data: Form) -> Response:
    errors: dict[str, str] = {}
    contact, numbers = {}, {}
    # Both checks run, so every wrong field is named at once.
    try:
        contact = policy.parse_contact(flat(data))
    except InvalidInput as exc:
        errors |= exc.errors
    try:
        numbers = policy.parse_numbers(flat(data), policy.REGISTRATION_NUMBERS)
    except InvalidInput as exc:
        errors |= exc.errors
    if errors:
        return await _contact_form(request, flat(data), errors)
    await services.save_contact(contact, numbers, **_actor(request))
    request.app.state.site_info.forget()
    return redirect(request, "/admin/kontakt?gespeichert=1")


async def _deadlines_form(request: Request, values: dict, errors: dict, saved: bool = False):
    return render(
        request,
        "info/deadlines_form.html",
        status_code=422 if errors else 200,
        values=values,
        errors=errors,
        saved=saved,
        fields=policy.DEADLINES,
    )


@get("/admin/fristen", access=Access.admin, include_in_schema=False)
async def deadlines_form(request: Request, gespeichert: Saved = None) -> Response:
    return await _deadlines_form(request, await services.deadline_settings(), {}, bool(gespeichert))


@post("/admin/fristen", access=Access.admin, include_in_schema=False, status_code=200)
async def deadlines_save(request: Request, data: Form) -> Response:
    try:
        values = policy.parse_numbers(flat(data), policy.DEADLINES)
    except InvalidInput as exc:
        return await _deadlines_form(request, flat(data), exc.errors)
    await services.save_deadlines(values, **_actor(request))
    return redirect(request, "/admin/fristen?gespeichert=1")


ROUTES = [
    contact_page,
    how_it_works,
    contact_form,
    contact_save,
    deadlines_form,
    deadlines_save,
]
ADMIN_LINKS = [
    (
        N_("Kontakt und Öffnungszeiten"),
        "/admin/kontakt",
        N_("Anschrift, Telefon, E-Mail und Öffnungszeiten für die Seiten und E-Mails"),
    ),
    (
        N_("Fristen für Vormerkungen und Reservierungen"),
        "/admin/fristen",
        N_("Abholfrist, Puffer, Zurücklegen, längste Reservierung"),
    ),
]
