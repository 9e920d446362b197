"""The desk (/theke): thin handlers around ``desk.scan`` and the desk verbs.

The open patron travels in the page (hidden field, ``?ausweis=`` in the URL), never in server
session state, so two desks or two browser tabs never mix up patrons.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from litestar import Request, Response, get, post
from litestar.params import QueryParameter

from mediathek.catalogue.barcodes import normalise_code
from mediathek.circulation import (
    corrections,
    desk,
    my_loans_pages,
    policy,
    rules_pages,
    services,
)
from mediathek.circulation.once import request_id
from mediathek.errors import DomainError, InvalidInput, NotFound
from mediathek.i18n import N_, _
from mediathek.reservations import for_borrower
from mediathek.web.forms import Form, flat, form_value, form_values
from mediathek.web.guards import Access
from mediathek.web.rendering import Today, render, wants_fragment


def _staff(request: Request) -> int | None:
    user = request.scope.get("user")
    return user.account_id if user else None


def _int(value: str | None) -> int:
    try:
        number = int(value or "")
    except ValueError as exc:
        raise InvalidInput("Ungültige Nummer.") from exc
    if not 1 <= number <= 2**31 - 1:
        raise InvalidInput("Ungültige Nummer.")
    return number


def _desk_session(form) -> str:
    """The desk page's session (one per browser tab, made by desk.js), if it sent one."""
    return request_id(form.get("desk")) or ""


async def _desk(
    request: Request, outcome: desk.Outcome | None, ausweis: str, today: date
) -> Response:
    panel = await desk.patron_panel(ausweis, today)
    if ausweis and panel is None:
        outcome = desk.Outcome("error", ok=False, message=_("Diesen Ausweis kennen wir nicht."))
        ausweis = ""
    url = f"/theke?ausweis={ausweis}" if ausweis else "/theke"
    return render(
        request,
        "circulation/desk.html",
        fragment="circulation/_desk.html",
        headers={"HX-Push-Url": url},
        outcome=outcome,
        panel=panel,
        ausweis=ausweis,
        scan_id=uuid.uuid4().hex,
    )


@get("/theke", access=Access.staff, include_in_schema=False)
async def desk_page(
    request: Request, today: Today, ausweis: Annotated[str, QueryParameter(name="ausweis")] = ""
) -> Response:
    return await _desk(request, None, normalise_code(ausweis)[:32], today)


@post("/theke/scan", access=Access.staff, include_in_schema=False, status_code=200)
async def desk_scan(request: Request, data: Form, today: Today) -> Response:
    missing = None
    if data.get("checklist"):
        missing = (
            []
            if data.get("complete")
            else desk.missing_parts(
                form_values(data, "component"),
                form_values(data, "quantity"),
                set(form_values(data, "present")),
                form_values(data, "missing_count"),
            )
        )
    outcome, ausweis = await desk.scan(
        str(data.get("code", ""))[:64],
        normalise_code(str(data.get("ausweis", "")))[:32],
        today=today,
        staff_id=_staff(request),
        card_prefix=request.app.state.settings.card_barcode_prefix,
        override_reason=str(data.get("override_reason", "")).strip()[:500] or None,
        missing_components=missing,
        scan_id=request_id(data.get("scan_id")),
        desk=_desk_session(data),
    )
    if outcome.new_loan and wants_fragment(request):
        return _lent_answer(request, outcome, ausweis)
    return await _desk(request, outcome, ausweis, today)


def _lent_answer(request: Request, outcome: desk.Outcome, ausweis: str) -> Response:
    """The scanner's common case, kept short: a checkout changes only the result box and the
    loan list, so HTMX gets just these, without reading the whole panel again."""
    return render(
        request,
        "circulation/_desk_lent.html",
        headers={
            "HX-Push-Url": f"/theke?ausweis={ausweis}",
            "HX-Retarget": "#desk-outcome",
            "HX-Reswap": "outerHTML",
        },
        outcome=outcome,
        ausweis=ausweis,
    )


@get("/theke/ausleihende", access=Access.staff, include_in_schema=False)
async def borrower_lookup(
    request: Request,
    today: Today,
    q: Annotated[str, QueryParameter(name="q", max_length=100)] = "",
) -> Response:
    """Borrowers by name for the scan field's suggestions (a listbox fragment for the desk's
    script, a page of links without it)."""
    return render(
        request,
        "circulation/borrowers.html",
        fragment="circulation/_desk_borrowers.html",
        q=q,
        borrowers=await desk.find_borrowers(q, today),
        listbox=wants_fragment(request),
    )


@post("/theke/vormerken", access=Access.staff, include_in_schema=False, status_code=200)
async def desk_reserve(request: Request, data: Form, today: Today) -> Response:
    """A hold or a booking for the open borrower (phoning, or at the counter)."""
    ausweis = normalise_code(str(data.get("ausweis", "")))[:32]
    try:
        patron = await services.find_patron(ausweis)
    except NotFound as exc:
        return await _desk(request, desk.Outcome("error", ok=False, message=exc.message), "", today)
    try:
        wanted = for_borrower.parse_wanted(flat(data))
    except InvalidInput as exc:
        reply = for_borrower.refused(exc)
    else:
        reply = await for_borrower.reserve(
            patron["id"], wanted, today=today, staff_id=_staff(request)
        )
    outcome = desk.Outcome("reserved", ok=reply.ok, message=reply.message)
    outcome.extra["reserve"] = reply
    return await _desk(request, outcome, ausweis, today)


@post("/theke/schliessen", access=Access.staff, include_in_schema=False, status_code=200)
async def desk_close(request: Request, today: Today) -> Response:
    return await _desk(
        request, desk.Outcome("info", message=_("Ausweis geschlossen. Rückgabe-Modus.")), "", today
    )


@post("/theke/rueckgaengig", access=Access.staff, include_in_schema=False, status_code=200)
async def desk_undo(request: Request, data: Form, today: Today) -> Response:
    ausweis = normalise_code(str(data.get("ausweis", "")))[:32]
    try:
        text = await corrections.undo_last(
            corrections.UndoToken.parse(str(data.get("undo", ""))[:200]),
            today=today,
            staff_id=_staff(request),
            desk=_desk_session(data),
        )
        outcome = desk.Outcome("undone", message=text)
    except DomainError as exc:
        outcome = desk.Outcome("error", ok=False, message=exc.message)
    return await _desk(request, outcome, ausweis, today)


@post("/theke/wiedergefunden", access=Access.staff, include_in_schema=False, status_code=200)
async def desk_found(request: Request, data: Form, today: Today) -> Response:
    """A copy marked lost or withdrawn turned up at the desk: back on the shelf."""
    ausweis = normalise_code(str(data.get("ausweis", "")))[:32]
    try:
        title, hold_message = await corrections.found_again(
            str(data.get("code", ""))[:64], today=today, staff_id=_staff(request)
        )
        outcome = desk.Outcome(
            "info",
            message=_("„%(title)s“ ist wieder da und zurück im Bestand.") % {"title": title},
        )
        outcome.extra["hold_message"] = hold_message
    except DomainError as exc:
        outcome = desk.Outcome("error", ok=False, message=exc.message)
    return await _desk(request, outcome, ausweis, today)


@get("/theke/abholzettel", access=Access.staff, include_in_schema=False)
async def hold_slip(
    request: Request, exemplar: Annotated[str, QueryParameter(name="exemplar")] = ""
) -> Response:
    """The printed slip for a copy set aside on the hold shelf."""
    slip = await desk.hold_slip(normalise_code(exemplar)[:64])
    return render(request, "circulation/hold_slip.html", slip=slip)


@post("/theke/abholregal", access=Access.staff, include_in_schema=False, status_code=200)
async def desk_hold_shelved(request: Request, data: Form, today: Today) -> Response:
    """The person at the desk confirms: the returned copy lies on the hold shelf."""
    ausweis = normalise_code(str(data.get("ausweis", "")))[:32]
    try:
        slip = await desk.hold_slip(str(data.get("code", ""))[:64])
        outcome = desk.Outcome(
            "info",
            message=_("Im Abholregal: „%(title)s“ (%(barcode)s) für %(name)s.")
            % {"title": slip.title, "barcode": slip.barcode, "name": slip.who},
        )
    except DomainError as exc:
        outcome = desk.Outcome("error", ok=False, message=exc.message)
    return await _desk(request, outcome, ausweis, today)


@post("/theke/verlaengern", access=Access.staff, include_in_schema=False, status_code=200)
async def desk_renew(request: Request, data: Form, today: Today) -> Response:
    """Renew a loan for the open borrower. A loan at the second reminder or later is renewed
    only with a reason (asked for here, written to the audit log)."""
    ausweis = normalise_code(str(data.get("ausweis", "")))[:32]
    loan_id = _int(form_value(data, "loan_id"))
    try:
        done = await services.renew(
            loan_id,
            today=today,
            staff_id=_staff(request),
            override_reason=str(data.get("override_reason", ""))[:500] or None,
        )
        outcome = desk.Outcome(
            "renewed",
            message=_("Verlängert: „%(title)s“ bis %(day)s.")
            % {"title": done.title, "day": f"{done.due_on:%d.%m.%Y}"},
        )
        outcome.extra["due_reason"] = done.due_reason
        if done.overridden:
            outcome.message += " " + _("(Begründung wurde protokolliert.)")
    except policy.RenewalNeedsReason as exc:
        outcome = desk.Outcome("renew_reason", ok=False, message=exc.message)
        outcome.extra["loan_id"] = loan_id
    except (policy.RenewalRefused, NotFound) as exc:
        outcome = desk.Outcome("error", ok=False, message=exc.message)
    return await _desk(request, outcome, ausweis, today)


@post("/theke/markieren", access=Access.staff, include_in_schema=False, status_code=200)
async def desk_mark(request: Request, data: Form, today: Today) -> Response:
    """Mark a copy as lost or damaged (from the desk or the overdue list). "Lost" is asked
    first (the page's dialog, or a page of its own without JavaScript) and can be taken
    back right after."""
    ausweis = normalise_code(str(data.get("ausweis", "")))[:32]
    code = str(data.get("code", ""))[:64]
    note = str(data.get("note", ""))[:500]
    lost = data.get("what") == "lost"
    if lost and not data.get("confirmed"):
        return confirm_page(
            request,
            question=_("Exemplar %(code)s als verloren markieren?") % {"code": code},
            detail=_(
                "Die Ausleihe endet, das Exemplar gilt als verloren. Gleich danach lässt "
                "sich das rückgängig machen; taucht es später auf, ist es an der Theke "
                "„wiedergefunden“."
            ),
            action="/theke/markieren",
            fields={"code": code, "ausweis": ausweis, "what": "lost"},
            button=_("Als verloren markieren"),
            back=f"/theke?ausweis={ausweis}" if ausweis else "/verwaltung/ueberfaellig",
        )
    try:
        if lost:
            text, token = await corrections.mark_lost_undoable(
                code, staff_id=_staff(request), note=note
            )
        else:
            text = await corrections.mark_damaged(code, staff_id=_staff(request), note=note)
            token = None
        outcome = desk.Outcome("info", message=text)
        if token:
            outcome.extra["undo_lost"] = str(token)
    except DomainError as exc:
        outcome = desk.Outcome("error", ok=False, message=exc.message)
    return await _desk(request, outcome, ausweis, today)


@post("/theke/verloren-rueckgaengig", access=Access.staff, include_in_schema=False, status_code=200)
async def desk_undo_lost(request: Request, data: Form, today: Today) -> Response:
    ausweis = normalise_code(str(data.get("ausweis", "")))[:32]
    try:
        text = await corrections.undo_lost(
            corrections.LostToken.parse(str(data.get("undo", ""))[:200]), staff_id=_staff(request)
        )
        outcome = desk.Outcome("undone", message=text)
    except DomainError as exc:
        outcome = desk.Outcome("error", ok=False, message=exc.message)
    return await _desk(request, outcome, ausweis, today)


def confirm_page(request: Request, **context) -> Response:
    """The question a staff action asks before it acts, as a page (no JavaScript)."""
    return render(request, "confirm.html", **context)


def _receipt_patron(ausweis: str, patron_id: str | None) -> str | int:
    """A receipt is asked for by card (lending) or by the borrower's id (after returns,
    scanned without her card)."""
    if patron_id:
        return _int(patron_id)
    return normalise_code(ausweis)[:32]


@get("/theke/quittung", access=Access.staff, include_in_schema=False)
async def receipt(
    request: Request,
    today: Today,
    ausweis: Annotated[str, QueryParameter(name="ausweis")] = "",
    ausleihende: Annotated[str, QueryParameter(name="ausleihende", max_length=12)] = "",
) -> Response:
    """The printed receipt: what the borrower took home today and what she brought back."""
    found = await desk.receipt_of(
        _receipt_patron(ausweis, ausleihende), today, request.app.state.settings.tz
    )
    return render(
        request,
        "circulation/receipt.html",
        patron=found.patron,
        name=services.patron_name(found.patron),
        loans=found.lent,
        returned=found.returned,
        today=today,
        ausweis=normalise_code(ausweis)[:32],
    )


@post("/theke/quittung", access=Access.staff, include_in_schema=False, status_code=200)
async def email_receipt(request: Request, data: Form, today: Today) -> Response:
    ausweis = normalise_code(str(data.get("ausweis", "")))[:32]
    outcome = await desk.email_receipt(
        _receipt_patron(ausweis, form_value(data, "ausleihende")),
        today,
        request.app.state.settings.tz,
    )
    return await _desk(request, outcome, ausweis, today)


ROUTES = [
    desk_page,
    borrower_lookup,
    desk_scan,
    desk_close,
    desk_reserve,
    desk_undo,
    desk_renew,
    desk_found,
    desk_hold_shelved,
    hold_slip,
    desk_mark,
    desk_undo_lost,
    receipt,
    email_receipt,
    *my_loans_pages.ROUTES,
    *rules_pages.ROUTES,
]
STAFF_LINKS = [
    (N_("Theke"), "/theke", N_("Ausleihe und Rückgabe mit dem Scanner")),
    (N_("Überfällig"), "/verwaltung/ueberfaellig", N_("Überfällige Medien mit Kontaktdaten")),
]
ADMIN_LINKS = [
    (N_("Ausleihregeln"), "/admin/ausleihregeln", N_("Leihfristen, Verlängerungen, Höchstzahlen")),
    (
        N_("Öffnungstage und Schließtage"),
        "/admin/kalender",
        N_("Öffnungszeiten, Schließzeiten, Feiertage"),
    ),
]
