"""Getting a login: register online, approvals by staff, invites, forgotten passwords."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, Response, get, post
from litestar.params import Parameter

from mediathek import i18n
from mediathek.errors import InvalidInput
from mediathek.i18n import N_
from mediathek.patrons import email_change, registration, services
from mediathek.patrons.inputs import registration_input
from mediathek.patrons.login_pages import start_browser_session
from mediathek.vocab import PATRON_CATEGORY_LABELS, PatronCategory
from mediathek.web.forms import Form, Id, flat, form_value
from mediathek.web.guards import Access
from mediathek.web.rendering import AppSettings, CurrentUser, MaybeUser, Today, redirect, render

Token = Annotated[str, Parameter(min_length=10, max_length=100)]
SELF_CATEGORIES = [(c.value, PATRON_CATEGORY_LABELS[c]) for c in PatronCategory if c != "staff"]


def _register_page(request: Request, values: dict, errors: dict, status: int = 200) -> Response:
    return render(
        request,
        "auth/register.html",
        status_code=status,
        values=values,
        errors=errors,
        categories=[(value, i18n.gettext(label)) for value, label in SELF_CATEGORIES],
        languages=list(services.EMAIL_LANGUAGES.items()),
    )


@get("/registrieren", access=Access.anonymous, include_in_schema=False)
async def register_form(request: Request, user: MaybeUser) -> Response:
    if user:
        return redirect(request, "/")
    return _register_page(
        request, {"category": "volunteer_teacher", "preferred_language": i18n.current()}, {}
    )


@post("/registrieren", access=Access.anonymous, include_in_schema=False, status_code=200)
async def register(request: Request, data: Form, today: Today) -> Response:
    values = flat(data)
    try:
        await registration.register(registration_input(values), today=today)
    except InvalidInput as exc:
        values.pop("password", None)
        values.pop("password_repeat", None)
        return _register_page(request, values, exc.errors, 422)
    return render(request, "auth/registered.html", approval_days=await registration.approval_days())


@get("/passwort-vergessen", access=Access.anonymous, include_in_schema=False)
async def forgot_form(request: Request) -> Response:
    return render(request, "auth/forgot.html", sent=False)


@post("/passwort-vergessen", access=Access.anonymous, include_in_schema=False, status_code=200)
async def forgot(request: Request, data: Form, today: Today) -> Response:
    await registration.request_password_reset(
        form_value(data, "email"),
        today=today,
    )
    # The same answer whether or not the address has an account.
    return render(request, "auth/forgot.html", sent=True)


@get("/passwort-setzen/{token:str}", access=Access.public, include_in_schema=False)
async def set_password_form(request: Request, token: Token) -> Response:
    link = await registration.check_link(token)
    return render(request, "auth/set_password.html", token=token, link=link, errors={})


@post(
    "/passwort-setzen/{token:str}", access=Access.public, include_in_schema=False, status_code=200
)
async def set_password(request: Request, token: Token, data: Form) -> Response:
    try:
        account_id = await registration.set_password_with_link(
            token, form_value(data, "password"), form_value(data, "password_repeat")
        )
    except InvalidInput as exc:
        link = await registration.check_link(token)
        return render(
            request,
            "auth/set_password.html",
            status_code=422,
            token=token,
            link=link,
            errors=exc.errors,
        )
    response = redirect(request, "/")
    await start_browser_session(request, response, account_id)
    return response


@get("/email-bestaetigen/{token:str}", access=Access.public, include_in_schema=False)
async def confirm_email_form(request: Request, user: MaybeUser, token: Token) -> Response:
    # Only a page: mail programs open links to scan them, and that must change nothing.
    return render(
        request,
        "auth/confirm_email.html",
        token=token,
        link=await email_change.link_for(token),
        account_id=user.account_id if user else None,
    )


@post(
    "/email-bestaetigen/{token:str}", access=Access.public, include_in_schema=False, status_code=200
)
async def confirm_email(request: Request, user: MaybeUser, token: Token) -> Response:
    new_email = await email_change.confirm_email_change(token, user.account_id if user else None)
    return render(request, "auth/email_confirmed.html", email=new_email)


class ApprovalPages(Controller):
    path = "/verwaltung/freischaltungen"
    opt = {"access": Access.staff}
    include_in_schema = False

    @get("/")
    async def index(self, request: Request) -> Response:
        return render(
            request, "patrons/approvals.html", pending=await registration.pending_registrations()
        )

    @post("/{patron_id:int}/freischalten", status_code=200)
    async def approve(
        self,
        request: Request,
        user: CurrentUser,
        settings: AppSettings,
        patron_id: Id,
        today: Today,
    ) -> Response:
        await registration.approve(
            patron_id,
            actor=user,
            today=today,
            card_prefix=settings.card_barcode_prefix,
            base_url=settings.base_url,
        )
        return redirect(request, f"/verwaltung/ausleihende/{patron_id}")

    @post("/{patron_id:int}/ablehnen", status_code=200)
    async def reject(
        self, request: Request, user: CurrentUser, patron_id: Id, data: Form, today: Today
    ) -> Response:
        await registration.reject(
            patron_id,
            actor=user,
            today=today,
            reason=form_value(data, "reason"),
        )
        return redirect(request, "/verwaltung/freischaltungen")


@post(
    "/verwaltung/ausleihende/{patron_id:int}/einladen",
    access=Access.staff,
    include_in_schema=False,
    status_code=200,
)
async def invite(request: Request, user: CurrentUser, patron_id: Id, today: Today) -> Response:
    await registration.invite(
        patron_id,
        actor=user,
        today=today,
    )
    return redirect(request, f"/verwaltung/ausleihende/{patron_id}?eingeladen=1")


ROUTES = [
    register_form,
    register,
    forgot_form,
    forgot,
    set_password_form,
    set_password,
    confirm_email_form,
    confirm_email,
    ApprovalPages,
    invite,
]
STAFF_LINKS = [
    (N_("Freischaltungen"), "/verwaltung/freischaltungen", N_("Online-Anmeldungen prüfen")),
]
