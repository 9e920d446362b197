"""JSON API for borrowers (staff): /api/v1/patrons over the same services as the pages."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Annotated

from litestar import Controller, Response, delete, get, patch, post
from litestar.params import Body, QueryParameter

from mediathek.api.common import problems
from mediathek.patrons import privacy, registration, services
from mediathek.patrons.cards import card_svg
from mediathek.patrons.inputs import PatronInput
from mediathek.patrons.queries import open_loans
from mediathek.web.forms import Id
from mediathek.web.rendering import AppSettings, CurrentUser, Today


# The body is the services' input, the expiry narrowed to a JSON date.
@dataclass
class PatronIn(PatronInput):
    expires_on: date | None = None


@dataclass
class RejectIn:
    reason: str = ""


@dataclass
class BlockIn:
    reason: str


PUBLIC_FIELDS = (
    "id",
    *services.PATRON_FIELDS,
    "card_barcode",
    "status",
    "registered_on",
    "blocked_reason",
)


def patron_json(row: dict) -> dict:
    out = {k: row.get(k) for k in PUBLIC_FIELDS if k in row}
    out["blocked"] = bool(row.get("blocked_reason"))
    return out


class PatronApi(Controller):
    path = "/api/v1/patrons"
    opt = {"access": "staff"}
    tags = ["Ausleihende"]
    security = [{"bearer": []}, {"session": []}]

    @get("/", responses=problems(401, 403))
    async def list_patrons(
        self,
        q: Annotated[str, QueryParameter(max_length=200, description="Suchwörter")] = "",
        status: Annotated[str, QueryParameter(max_length=20)] = "",
    ) -> list[dict]:
        """Search by name, email, institution or card code (every word must match)."""
        return [patron_json(r) for r in await services.search_patrons(q, status=status)]

    @post("/", status_code=201, responses=problems(401, 403, 422))
    async def create_patron(
        self,
        user: CurrentUser,
        settings: AppSettings,
        data: Annotated[PatronIn, Body()],
        today: Today,
    ) -> dict:
        patron_id = await services.create_patron(
            data,
            today=today,
            card_prefix=settings.card_barcode_prefix,
            actor=user,
        )
        return patron_json(await services.get_patron(patron_id))

    @get("/{patron_id:int}", responses=problems(401, 403, 404))
    async def get_patron(self, patron_id: Id) -> dict:
        row = await services.get_patron(patron_id)
        out = patron_json(row)
        out["open_loans"] = [
            {k: v for k, v in loan.items()} for loan in await open_loans(patron_id)
        ]
        return out

    @patch("/{patron_id:int}", responses=problems(401, 403, 404, 422))
    async def update_patron(
        self, user: CurrentUser, patron_id: Id, data: Annotated[PatronIn, Body()]
    ) -> dict:
        """A new address of a patron with a login waits for its owner's confirmation
        (``pending_email``); staff cannot change the login of staff or an admin (403)."""
        pending = await services.update_patron(patron_id, data, actor=user)
        return {**patron_json(await services.get_patron(patron_id)), "pending_email": pending}

    @post("/{patron_id:int}/block", status_code=200, responses=problems(401, 403, 404, 422))
    async def block(
        self, user: CurrentUser, patron_id: Id, data: Annotated[BlockIn, Body()]
    ) -> dict:
        await services.set_blocked(patron_id, data.reason, actor=user)
        return patron_json(await services.get_patron(patron_id))

    @post("/{patron_id:int}/unblock", status_code=200, responses=problems(401, 403, 404))
    async def unblock(self, user: CurrentUser, patron_id: Id) -> dict:
        await services.set_blocked(patron_id, None, actor=user)
        return patron_json(await services.get_patron(patron_id))

    @post("/{patron_id:int}/approve", status_code=200, responses=problems(401, 403, 404, 409))
    async def approve(
        self, user: CurrentUser, settings: AppSettings, patron_id: Id, today: Today
    ) -> dict:
        """Approve an online registration: card number, active login, email to the person."""
        await registration.approve(
            patron_id,
            actor=user,
            today=today,
            card_prefix=settings.card_barcode_prefix,
            base_url=settings.base_url,
        )
        return patron_json(await services.get_patron(patron_id))

    @post("/{patron_id:int}/reject", status_code=200, responses=problems(401, 403, 404, 409))
    async def reject(
        self, user: CurrentUser, patron_id: Id, data: Annotated[RejectIn, Body()], today: Today
    ) -> dict:
        await registration.reject(
            patron_id,
            actor=user,
            today=today,
            reason=data.reason,
        )
        return patron_json(await services.get_patron(patron_id))

    @post("/{patron_id:int}/invite", status_code=202, responses=problems(401, 403, 404, 409))
    async def invite(self, user: CurrentUser, patron_id: Id, today: Today) -> dict:
        """Email the patron a link (valid 7 days) to set a password for a new login."""
        await registration.invite(patron_id, actor=user, today=today)
        return {"status": "invited"}

    @delete("/{patron_id:int}", status_code=204, responses=problems(401, 403, 404, 409))
    async def delete_patron(self, user: CurrentUser, patron_id: Id) -> None:
        """Delete (refused while loans are open); returned loans stay anonymised."""
        await privacy.delete_patron(patron_id, actor=user)

    @get(
        "/{patron_id:int}/card.svg",
        media_type="image/svg+xml",
        responses=problems(401, 403, 404),
    )
    async def card(self, patron_id: Id) -> Response:
        """The library card's barcode (Code128) as SVG."""
        row = await services.get_patron(patron_id)
        if not row["card_barcode"]:
            from mediathek.errors import NotFound

            raise NotFound("Diese Person hat noch keine Ausweisnummer.")
        return Response(card_svg(row["card_barcode"]), media_type="image/svg+xml")


@dataclass
class ProfileIn:
    email: str | None = None
    phone: str | None = None
    street: str | None = None
    postcode: str | None = None
    city: str | None = None
    preferred_language: str | None = None


class MeApi(Controller):
    """The logged-in teacher's own data: nothing here takes another patron's id."""

    path = "/api/v1/me"
    opt = {"access": "patron"}
    tags = ["Mein Konto"]
    security = [{"bearer": []}, {"session": []}]

    @get("/", responses=problems(401, 403))
    async def me(self, user: CurrentUser) -> dict:
        """My patron record, login, loans, holds, bookings and notifications."""
        return await privacy.export_data(user.own_patron_id())

    @patch("/", responses=problems(401, 403, 422))
    async def update_me(self, user: CurrentUser, data: Annotated[ProfileIn, Body()]) -> dict:
        """A new ``email`` counts once confirmed through the link sent to it."""
        patron_id = user.own_patron_id()
        pending = await privacy.update_own_profile(patron_id, PatronInput(**asdict(data)))
        return {**patron_json(await services.get_patron(patron_id)), "pending_email": pending}


ROUTES = [PatronApi, MeApi]
