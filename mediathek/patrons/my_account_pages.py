"""Mein Konto (teachers) and the staff's list of deletion requests."""

from __future__ import annotations

import json
from datetime import date

from litestar import Controller, Request, Response, get, post

from mediathek.circulation.my_loans_pages import my_loans_context
from mediathek.circulation.own_loans import account_summary
from mediathek.errors import InvalidInput
from mediathek.i18n import N_, _
from mediathek.patrons import privacy, services
from mediathek.patrons.inputs import patron_input
from mediathek.patrons.login_pages import start_browser_session
from mediathek.reservations import queries as reservation_queries
from mediathek.web.forms import Form, Id, flat, form_value
from mediathek.web.guards import Access
from mediathek.web.rendering import CurrentUser, Today, redirect, render

EMAIL_PENDING = N_(
    "Ihre Angaben wurden gespeichert. Wir haben einen Link an die neue E-Mail-Adresse "
    "geschickt: erst wenn Sie ihn öffnen und bestätigen, gilt die neue Adresse. "
    "Bis dahin melden Sie sich mit der bisherigen an."
)


class AccountPages(Controller):
    path = "/konto"
    opt = {"access": Access.patron}
    include_in_schema = False

    async def _page(
        self,
        request: Request,
        today: date,
        *,
        errors=None,
        message: str = "",
        fragment: str | None = None,
    ) -> Response:
        patron_id = request.scope["user"].patron_id
        loans = await my_loans_context(patron_id, today)
        holds = await reservation_queries.my_holds(patron_id)
        bookings = await reservation_queries.my_bookings(patron_id)
        return render(
            request,
            "account/index.html",
            fragment=fragment,
            status_code=422 if errors else 200,
            patron=await services.get_patron(patron_id),
            summary=account_summary(
                loans["my_loans"],
                holds_ready=sum(1 for h in holds if h["status"] == "ready"),
                bookings_ready=sum(1 for b in bookings if b["status"] == "ready"),
                today=today,
            ),
            # The lending and reservation areas render their own lists (renew, cancel).
            **loans,
            holds=holds,
            bookings=bookings,
            languages=list(services.EMAIL_LANGUAGES.items()),
            errors=errors or {},
            message=message,
        )

    @get("/")
    async def index(self, request: Request, today: Today) -> Response:
        messages = {
            "profil": N_("Ihre Angaben wurden gespeichert."),
            "email": EMAIL_PENDING,
            "passwort": N_("Ihr Passwort wurde geändert. Auf anderen Geräten sind Sie abgemeldet."),
            "loeschen": N_("Ihr Löschantrag ist eingegangen."),
        }
        message = messages.get(request.query_params.get("ok", ""))
        return await self._page(request, today, message=_(message) if message else "")

    @get("/uebersicht")
    async def summary(self, request: Request, today: Today) -> Response:
        """The summary line alone: Mein Konto reloads it after a renewal."""
        return await self._page(request, today, fragment="account/_summary.html")

    @post("/profil", status_code=200)
    async def profile(
        self, request: Request, user: CurrentUser, data: Form, today: Today
    ) -> Response:
        try:
            pending = await privacy.update_own_profile(
                user.own_patron_id(), patron_input(flat(data))
            )
        except InvalidInput as exc:
            return await self._page(request, today, errors=exc.errors)
        return redirect(request, "/konto?ok=email" if pending else "/konto?ok=profil")

    @post("/passwort", status_code=200)
    async def password(
        self, request: Request, user: CurrentUser, data: Form, today: Today
    ) -> Response:
        try:
            await privacy.change_password(
                user.account_id,
                form_value(data, "current_password"),
                form_value(data, "password"),
                form_value(data, "password_repeat"),
            )
        except InvalidInput as exc:
            return await self._page(request, today, errors=exc.errors)
        # Every session ended with the change; this browser stays logged in with a new one.
        response = redirect(request, "/konto?ok=passwort")
        await start_browser_session(request, response, user.account_id)
        return response

    @get("/daten.json")
    async def download(self, user: CurrentUser) -> Response:
        data = await privacy.export_data(user.own_patron_id())
        return Response(
            json.dumps(data, ensure_ascii=False, indent=2),
            media_type="application/json",
            headers={"Content-Disposition": 'attachment; filename="meine-daten-mediathek.json"'},
        )

    @post("/loeschen", status_code=200)
    async def request_deletion(self, request: Request, user: CurrentUser) -> Response:
        await privacy.request_deletion(user.own_patron_id())
        return redirect(request, "/konto?ok=loeschen")


class DeletionPages(Controller):
    path = "/verwaltung/loeschantraege"
    opt = {"access": Access.staff}
    include_in_schema = False

    @get("/")
    async def index(self, request: Request, today: Today) -> Response:
        return render(request, "patrons/deletions.html", requests=await privacy.deletion_requests())

    @post("/{patron_id:int}/loeschen", status_code=200)
    async def delete(self, request: Request, user: CurrentUser, patron_id: Id) -> Response:
        await privacy.delete_patron(patron_id, actor=user)
        return redirect(request, "/verwaltung/loeschantraege?ok=1")


ROUTES = [AccountPages, DeletionPages]
STAFF_LINKS = [
    (N_("Löschanträge"), "/verwaltung/loeschantraege", N_("Wünsche nach Löschung bearbeiten")),
]
