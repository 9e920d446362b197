"""Pages: accounts and roles (admin), personal API tokens (staff)."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post

from mediathek.errors import InvalidInput
from mediathek.i18n import N_
from mediathek.patrons import roles
from mediathek.vocab import ROLE_LABELS
from mediathek.web.forms import Form, Id, form_value
from mediathek.web.guards import Access
from mediathek.web.rendering import CurrentUser, redirect, render


class AccountAdminPages(Controller):
    path = "/admin/benutzerkonten"
    opt = {"access": Access.admin}
    include_in_schema = False

    @get("/")
    async def index(self, request: Request) -> Response:
        return render(
            request,
            "patrons/accounts.html",
            accounts=await roles.list_accounts(),
            roles=list(ROLE_LABELS.items()),
        )

    @post("/{account_id:int}/rolle", status_code=200)
    async def role(
        self, request: Request, user: CurrentUser, account_id: Id, data: Form
    ) -> Response:
        await roles.change_role(account_id, form_value(data, "role"), actor=user)
        return redirect(request, "/admin/benutzerkonten")


class TokenPages(Controller):
    path = "/verwaltung/api-tokens"
    opt = {"access": Access.staff}
    include_in_schema = False

    async def _page(self, request: Request, *, new_token: str = "", errors=None) -> Response:
        return render(
            request,
            "patrons/tokens.html",
            status_code=422 if errors else 200,
            tokens=await roles.list_tokens(
                request.scope["user"].account_id, request.app.state.settings.api_token_days
            ),
            token_days=request.app.state.settings.api_token_days,
            new_token=new_token,
            errors=errors or {},
        )

    @get("/")
    async def index(self, request: Request) -> Response:
        return await self._page(request)

    @post("/", status_code=200)
    async def create(self, request: Request, user: CurrentUser, data: Form) -> Response:
        try:
            token = await roles.create_token(user.account_id, form_value(data, "name"))
        except InvalidInput as exc:
            return await self._page(request, errors=exc.errors)
        # Shown once, in this response; never stored, never shown again.
        return await self._page(request, new_token=token)

    @post("/{token_id:int}/widerrufen", status_code=200)
    async def revoke(self, request: Request, user: CurrentUser, token_id: Id) -> Response:
        await roles.revoke_token(user.account_id, token_id)
        return redirect(request, "/verwaltung/api-tokens")


ROUTES = [AccountAdminPages, TokenPages]
ADMIN_LINKS = [
    (
        N_("Benutzerkonten"),
        "/admin/benutzerkonten",
        N_("Rollen von Lehrkräften, Mitarbeitenden, Verwaltung"),
    ),
    (N_("API-Tokens"), "/verwaltung/api-tokens", N_("Persönliche Tokens für Skripte")),
]
STAFF_LINKS = [(N_("API-Tokens"), "/verwaltung/api-tokens", N_("Persönliche Tokens für Skripte"))]
