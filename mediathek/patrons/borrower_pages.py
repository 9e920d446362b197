"""Staff pages for borrowers: list and search, register, edit, block, library card."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from litestar import Controller, Request, Response, get, post
from litestar.params import QueryParameter

from mediathek.errors import Forbidden, InvalidInput
from mediathek.i18n import N_, _
from mediathek.patrons import services
from mediathek.patrons.cards import card_svg_data_uri
from mediathek.patrons.inputs import patron_input
from mediathek.patrons.queries import open_loans
from mediathek.reservations import for_borrower
from mediathek.vocab import PATRON_CATEGORY_LABELS
from mediathek.web.errors import status_of
from mediathek.web.forms import Form, Id, flat, form_value
from mediathek.web.guards import Access
from mediathek.web.rendering import AppSettings, CurrentUser, Today, redirect, render

BASE = "/verwaltung/ausleihende"


def _form_context(values: dict, errors: dict | None = None) -> dict:
    return {
        "values": values,
        "errors": errors or {},
        "categories": [(key, _(label)) for key, label in PATRON_CATEGORY_LABELS.items()],
        "languages": list(services.EMAIL_LANGUAGES.items()),
    }


class PatronPages(Controller):
    path = BASE
    opt = {"access": Access.staff}
    include_in_schema = False

    @get("/")
    async def index(
        self,
        request: Request,
        today: Today,
        q: Annotated[str, QueryParameter(max_length=200)] = "",
    ) -> Response:
        rows = await services.search_patrons(q)
        return render(
            request,
            "patrons/index.html",
            fragment="patrons/_list.html",
            patrons=rows,
            q=q,
            today=today,
        )

    @get("/neu")
    async def new(self, request: Request) -> Response:
        values = {"category": "volunteer_teacher", "preferred_language": "de"}
        return render(request, "patrons/form.html", patron=None, **_form_context(values))

    @post("/", status_code=200)
    async def create(
        self, request: Request, user: CurrentUser, settings: AppSettings, data: Form, today: Today
    ) -> Response:
        values = flat(data)
        try:
            patron_id = await services.create_patron(
                patron_input(values),
                today=today,
                card_prefix=settings.card_barcode_prefix,
                actor=user,
            )
        except InvalidInput as exc:
            return render(
                request,
                "patrons/form.html",
                status_code=422,
                patron=None,
                **_form_context(values, exc.errors),
            )
        return redirect(request, f"{BASE}/{patron_id}?neu=1")

    @get("/{patron_id:int}")
    async def detail(
        self,
        request: Request,
        today: Today,
        patron_id: Id,
        neu: Annotated[str, QueryParameter()] = "",
        email: Annotated[str, QueryParameter()] = "",
    ) -> Response:
        return await self._detail(
            request, today, patron_id, created=bool(neu), email_pending=bool(email)
        )

    async def _detail(
        self,
        request: Request,
        today: date,
        patron_id: int,
        *,
        created: bool = False,
        email_pending: bool = False,
        errors=None,
        reserve=None,
    ) -> Response:
        return render(
            request,
            "patrons/detail.html",
            status_code=422 if errors else 200,
            patron=await services.get_patron(patron_id),
            loans=await open_loans(patron_id),
            created=created,
            email_pending=email_pending,
            errors=errors or {},
            today=today,
            reserve=reserve,
        )

    @get("/{patron_id:int}/bearbeiten")
    async def edit(self, request: Request, patron_id: Id) -> Response:
        patron = await services.get_patron(patron_id)
        return render(request, "patrons/form.html", patron=patron, **_form_context(patron))

    @post("/{patron_id:int}", status_code=200)
    async def update(
        self, request: Request, user: CurrentUser, patron_id: Id, data: Form
    ) -> Response:
        values = flat(data)
        try:
            pending = await services.update_patron(patron_id, patron_input(values), actor=user)
        except (InvalidInput, Forbidden) as exc:
            # A login's address that staff may not change is shown at the field, like a typo.
            errors = exc.errors if isinstance(exc, InvalidInput) else {"email": exc.message}
            patron = await services.get_patron(patron_id)
            return render(
                request,
                "patrons/form.html",
                status_code=status_of(exc),
                patron=patron,
                **_form_context(values, errors),
            )
        return redirect(request, f"{BASE}/{patron_id}" + ("?email=1" if pending else ""))

    @post("/{patron_id:int}/sperren", status_code=200)
    async def block(
        self, request: Request, user: CurrentUser, patron_id: Id, data: Form, today: Today
    ) -> Response:
        try:
            await services.set_blocked(patron_id, form_value(data, "reason"), actor=user)
        except InvalidInput as exc:
            return await self._detail(request, today, patron_id, errors=exc.errors)
        return redirect(request, f"{BASE}/{patron_id}")

    @post("/{patron_id:int}/entsperren", status_code=200)
    async def unblock(self, request: Request, user: CurrentUser, patron_id: Id) -> Response:
        await services.set_blocked(patron_id, None, actor=user)
        return redirect(request, f"{BASE}/{patron_id}")

    @post("/{patron_id:int}/vormerken", status_code=200)
    async def reserve(
        self, request: Request, user: CurrentUser, patron_id: Id, data: Form, today: Today
    ) -> Response:
        """Staff place a hold or a booking for this borrower (also without a login)."""
        await services.get_patron(patron_id)  # a clear 404 for a borrower who is gone
        try:
            wanted = for_borrower.parse_wanted(flat(data))
        except InvalidInput as exc:
            reply = for_borrower.refused(exc)
        else:
            reply = await for_borrower.reserve(
                patron_id, wanted, today=today, staff_id=user.account_id
            )
        return await self._detail(request, today, patron_id, reserve=reply)

    @get("/{patron_id:int}/ausweis")
    async def card(self, request: Request, patron_id: Id) -> Response:
        patron = await services.get_patron(patron_id)
        barcode = card_svg_data_uri(patron["card_barcode"]) if patron["card_barcode"] else ""
        return render(request, "patrons/card.html", patron=patron, barcode=barcode)


ROUTES = [PatronPages]
STAFF_LINKS = [
    (N_("Ausleihende"), BASE, N_("Suchen, anlegen, sperren, Ausweis drucken")),
]
