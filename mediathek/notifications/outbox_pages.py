"""Staff pages: the outbox, one notice, the level-3 list; admin: reminder offsets, templates."""

from __future__ import annotations

from typing import Annotated

from litestar import Request, Response, get, post
from litestar.params import PathParameter, QueryParameter

from mediathek.errors import InvalidInput
from mediathek.i18n import N_
from mediathek.notifications import services
from mediathek.notifications.kinds import KIND_LABELS, STATUS_LABELS
from mediathek.notifications.reminders import level_three_patrons
from mediathek.web.forms import Form, Id, form_value
from mediathek.web.guards import Access
from mediathek.web.rendering import AppSettings, redirect, render
from mediathek.web.templating import Translated

TemplateName = Annotated[str, PathParameter(max_length=100)]
BASE = "/verwaltung/benachrichtigungen"


def actor(request: Request) -> dict:
    user = request.scope["user"]
    return {"actor_id": user.account_id, "actor_label": user.email}


async def _outbox_page(request: Request, flt: services.OutboxFilter, **extra) -> Response:
    return render(
        request,
        "notifications/outbox.html",
        fragment="notifications/_outbox.html",
        outbox=await services.list_notices(flt),
        kind_labels=Translated(KIND_LABELS),
        status_labels=Translated(STATUS_LABELS),
        **extra,
    )


@get(BASE, access=Access.staff, include_in_schema=False)
async def outbox(
    request: Request,
    status: Annotated[str, QueryParameter()] = "",
    kind: Annotated[str, QueryParameter(name="art")] = "",
    text: Annotated[str, QueryParameter(name="suche")] = "",
    page: Annotated[int, QueryParameter(name="seite", ge=1, le=10_000)] = 1,
) -> Response:
    return await _outbox_page(request, services.OutboxFilter(status, kind, text, page))


@get(BASE + "/{notice_id:int}", access=Access.staff, include_in_schema=False)
async def notice(request: Request, settings: AppSettings, notice_id: Id) -> Response:
    return render(
        request,
        "notifications/notice.html",
        notice=await services.get_notice(notice_id, settings),
        kind_labels=Translated(KIND_LABELS),
        status_labels=Translated(STATUS_LABELS),
        queued=request.query_params.get("erneut") == "1",
    )


# The HTML part as the patron's mail program would show it. Its own page with a strict policy:
# no scripts, no requests, only the email's inline styles.
EMAIL_HTML_POLICY = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:"


@get(BASE + "/{notice_id:int}/html", access=Access.staff, include_in_schema=False)
async def notice_html(request: Request, settings: AppSettings, notice_id: Id) -> Response:
    found = await services.get_notice(notice_id, settings)
    return Response(
        content=found["body_html"],
        media_type="text/html",
        headers={"content-security-policy": EMAIL_HTML_POLICY},
    )


@post(BASE + "/{notice_id:int}/erneut-senden", access=Access.staff, include_in_schema=False)
async def resend(request: Request, notice_id: Id) -> Response:
    await services.resend_notice(notice_id, **actor(request))
    return redirect(request, f"{BASE}/{notice_id}?erneut=1")


@post(BASE + "/test", access=Access.admin, include_in_schema=False, status_code=200)
async def test_email(request: Request, settings: AppSettings, data: Form) -> Response:
    email = form_value(data, "email")
    try:
        await services.send_test(settings, email)
    except InvalidInput as exc:
        return await _outbox_page(
            request, services.OutboxFilter(), test_error=exc.errors["email"], test_email=email
        )
    return await _outbox_page(request, services.OutboxFilter(), test_sent=email)


@get("/verwaltung/mahnstufe-3", access=Access.staff, include_in_schema=False)
async def level_three(request: Request) -> Response:
    return render(request, "notifications/level3.html", patrons=await level_three_patrons())


@get("/admin/erinnerungen", access=Access.admin, include_in_schema=False)
async def reminder_settings(request: Request) -> Response:
    return render(
        request,
        "notifications/reminder_settings.html",
        values=await services.reminder_settings(),
        errors={},
        saved=False,
    )


@post("/admin/erinnerungen", access=Access.admin, include_in_schema=False, status_code=200)
async def save_reminder_settings(request: Request, data: Form) -> Response:
    levels = [form_value(data, f"level{n}") for n in (1, 2, 3)]
    try:
        values = await services.save_reminder_settings(
            form_value(data, "due_soon_days"), levels, **actor(request)
        )
    except InvalidInput as exc:
        raw = {"due_soon_days": form_value(data, "due_soon_days"), "overdue_level_days": levels}
        return render(
            request,
            "notifications/reminder_settings.html",
            status_code=422,
            values=raw,
            errors=exc.errors,
            saved=False,
        )
    return render(
        request, "notifications/reminder_settings.html", values=values, errors={}, saved=True
    )


@get("/admin/email-vorlagen", access=Access.admin, include_in_schema=False)
async def templates(request: Request) -> Response:
    return render(
        request, "notifications/templates.html", templates=await services.list_templates()
    )


@get("/admin/email-vorlagen/{name:str}", access=Access.admin, include_in_schema=False)
async def template_form(request: Request, settings: AppSettings, name: TemplateName) -> Response:
    template = await services.get_template(name, settings)
    return render(
        request,
        "notifications/template_edit.html",
        template=template,
        errors={},
        saved=request.query_params.get("gespeichert") == "1",
    )


@post("/admin/email-vorlagen/{name:str}", access=Access.admin, include_in_schema=False)
async def save_template(
    request: Request, settings: AppSettings, name: TemplateName, data: Form
) -> Response:
    subject, body = form_value(data, "subject"), form_value(data, "body")
    if form_value(data, "action") == "reset":
        await services.reset_template(name, **actor(request))
        return redirect(request, f"/admin/email-vorlagen/{name}?gespeichert=1")
    try:
        await services.save_template(name, subject, body, settings, **actor(request))
    except InvalidInput as exc:  # re-render the form with the text as typed
        template = await services.get_template(name, settings)
        return render(
            request,
            "notifications/template_edit.html",
            status_code=422,
            template={**template, "subject": subject, "body": body},
            errors=exc.errors,
            saved=False,
        )
    return redirect(request, f"/admin/email-vorlagen/{name}?gespeichert=1")


ROUTES = [
    outbox,
    notice,
    notice_html,
    resend,
    test_email,
    level_three,
    reminder_settings,
    save_reminder_settings,
    templates,
    template_form,
    save_template,
]

STAFF_LINKS = [
    (N_("Benachrichtigungen"), BASE, N_("E-Mails an Ausleihende: Status, Fehler, erneut senden")),
    (
        N_("Mahnstufe 3"),
        "/verwaltung/mahnstufe-3",
        N_("Ausleihende mit Medien in der 3. Mahnstufe"),
    ),
]
ADMIN_LINKS = [
    (N_("Erinnerungen"), "/admin/erinnerungen", N_("Wann an Rückgaben erinnert und gemahnt wird")),
    (N_("E-Mail-Vorlagen"), "/admin/email-vorlagen", N_("Texte der E-Mails anpassen")),
]
