"""JSON API for lending: checkout, checkin, renewal and the list of loans."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Annotated, Any

from litestar import Response, get, post
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import JSONBody, QueryParameter

from mediathek.circulation import policy, services
from mediathek.circulation.once import REQUEST_ID, once
from mediathek.circulation.tables import Loan
from mediathek.errors import Forbidden, InvalidInput
from mediathek.web.errors import problem
from mediathek.web.forms import Id
from mediathek.web.guards import Access
from mediathek.web.rendering import CurrentUser, Today

PROBLEM = {
    401: ResponseSpec(data_container=dict, description="Nicht angemeldet"),
    403: ResponseSpec(data_container=dict, description="Kein Zugriff"),
    404: ResponseSpec(data_container=dict, description="Nicht gefunden"),
    409: ResponseSpec(data_container=dict, description="Nicht möglich (Begründung im Feld detail)"),
}
STAFF = {"access": Access.staff, "security": [{"bearer": []}, {"session": []}]}


# Optional on every write: a client that may send a request twice (a retry after a timeout)
# names it, and the request is applied once.
def request_id_field() -> Any:
    return field(
        default=None,
        metadata={
            "description": "Vom Client erzeugte Kennung (8–64 Zeichen A–Z, a–z, 0–9, _ -): "
            "eine wiederholte Anfrage mit derselben Kennung wirkt nur einmal und bekommt "
            "dieselbe Antwort",
            "pattern": REQUEST_ID.pattern,
        },
    )


@dataclass
class CheckoutIn:
    copy: str = field(metadata={"description": "Barcode des Exemplars"})
    card: str | None = field(default=None, metadata={"description": "Ausweisnummer"})
    patron_id: int | None = None
    override_reason: str | None = field(
        default=None, metadata={"description": "Ausnahme trotz Ablehnung (wird protokolliert)"}
    )
    request_id: str | None = request_id_field()


@dataclass
class RenewIn:
    override_reason: str | None = field(
        default=None,
        metadata={
            "description": "Nur Mitarbeitende: Verlängerung trotz 2. Mahnung (protokolliert)"
        },
    )


@dataclass
class CheckinIn:
    copy: str
    missing_components: list[str] | None = field(
        default=None,
        metadata={"description": "Bei Koffern/Spielen: fehlende Bestandteile ([] = vollständig)"},
    )
    note: str = ""
    request_id: str | None = request_id_field()


@post("/api/v1/checkout", opt=STAFF, tags=["Ausleihe"], responses=PROBLEM, status_code=201)
async def api_checkout(
    user: CurrentUser, data: JSONBody[CheckoutIn], today: Today
) -> dict[str, Any]:
    """Leiht ein Exemplar aus. Ablehnungen kommen als 409 mit dem Grund."""
    who: str | int | None = data.card or data.patron_id
    if who is None or (isinstance(who, int) and not 1 <= who <= 2**31 - 1):
        raise InvalidInput("Bitte card oder patron_id angeben.", {"card": "fehlt"})

    async def work() -> dict[str, Any]:
        result = await services.checkout(
            who,
            data.copy[:64],
            today=today,
            staff_id=user.account_id,
            override_reason=(data.override_reason or "")[:500] or None,
        )
        out = asdict(result)
        # For the desk's screen only; the API answers as it always did.
        for desk_only in (
            "open_loans",
            "reservations_touched",
            "loaned_at",
            "card_expires_on",
            "title_id",
            "media_type",
        ):
            del out[desk_only]
        out["due_on"] = result.due_on.isoformat()
        return _with_reason(out)

    return await once(_key("checkout", data.request_id), work, json.dumps, json.loads)


def _key(kind: str, request_id: str | None) -> str | None:
    if request_id is None:
        return None
    if not REQUEST_ID.fullmatch(request_id):
        raise InvalidInput(
            "request_id: 8–64 Zeichen aus A–Z, a–z, 0–9, _ und -.", {"request_id": "ungültig"}
        )
    return f"{kind}:{request_id}"


@post("/api/v1/checkin", opt=STAFF, tags=["Ausleihe"], responses=PROBLEM, status_code=200)
async def api_checkin(user: CurrentUser, data: JSONBody[CheckinIn], today: Today) -> Response:
    """Nimmt ein Exemplar zurück. Koffer/Spiele ohne missing_components: 409 mit der
    Liste der Bestandteile zum Prüfen."""

    async def work() -> dict[str, Any]:
        result = await services.checkin(
            data.copy[:64],
            today=today,
            staff_id=user.account_id,
            missing_components=data.missing_components,
            note=data.note[:500],
        )
        out = asdict(result)
        for desk_only in ("copy_id", "returned_at", "copy_status", "patron_id"):
            del out[desk_only]
        return out

    try:
        answer = await once(_key("checkin", data.request_id), work, json.dumps, json.loads)
    except policy.ComponentsToCheck as exc:
        return problem(409, exc.message, exc.code, components=exc.components)
    return Response(answer)


@post(
    "/api/v1/loans/{loan_id:int}/renew",
    opt={"access": Access.login, "security": [{"bearer": []}, {"session": []}]},
    tags=["Ausleihe"],
    responses=PROBLEM,
    status_code=200,
)
async def api_renew(
    user: CurrentUser, today: Today, loan_id: Id, data: JSONBody[RenewIn | None] = None
) -> dict[str, Any]:
    """Verlängert eine Ausleihe: Mitarbeitende jede, Ausleihende nur die eigene. Das neue
    Rückgabedatum zählt ab dem bisherigen; ``due_reason`` sagt in der Sprache der Anfrage,
    warum es kürzer ausfällt, ``due_reason_code`` dasselbe für Programme.
    Ab der 2. Mahnung verlängern nur Mitarbeitende, mit ``override_reason``."""
    if user.is_staff:
        result = await services.renew(
            loan_id,
            today=today,
            staff_id=user.account_id,
            override_reason=((data.override_reason or "")[:500] or None) if data else None,
        )
    elif user.patron_id is not None:
        result = await services.renew(loan_id, today=today, by_patron_id=user.patron_id)
    else:
        raise Forbidden("Sie haben keinen Zugriff.")
    return _with_reason({**asdict(result), "due_on": result.due_on.isoformat()})


@get(
    "/api/v1/loans",
    opt={"access": Access.login, "security": [{"bearer": []}, {"session": []}]},
    tags=["Ausleihe"],
    responses=PROBLEM,
)
async def api_loans(
    user: CurrentUser,
    today: Today,
    patron_id: Annotated[int | None, QueryParameter(ge=1, le=2**31 - 1)] = None,
    overdue: Annotated[bool, QueryParameter()] = False,
    limit: Annotated[int, QueryParameter(ge=1, le=1000)] = 200,
) -> list[dict[str, Any]]:
    """Offene Ausleihen. Mitarbeitende sehen alle (Filter patron_id, overdue), Ausleihende
    nur die eigenen."""
    if not user.is_staff:
        if user.patron_id is None:
            raise Forbidden("Sie haben keinen Zugriff.")
        patron_id = user.patron_id
    query = Loan.select(
        Loan.id,
        Loan.patron,
        Loan.loaned_on,
        Loan.due_on,
        Loan.due_reason,
        Loan.renewals,
        Loan.reminder_level,
        Loan.copy.barcode.as_alias("copy"),
        Loan.title.id.as_alias("title_id"),
        Loan.title.title.as_alias("title"),
    ).where(Loan.returned_at.is_null())
    if patron_id is not None:
        query = query.where(Loan.patron == patron_id)
    if overdue:
        query = query.where(Loan.due_on < today)
    rows = await query.order_by(Loan.due_on).limit(limit)
    return [
        _with_reason(
            {**r, "loaned_on": r["loaned_on"].isoformat(), "due_on": r["due_on"].isoformat()}
        )
        for r in rows
    ]


def _with_reason(loan: dict[str, Any]) -> dict[str, Any]:
    """``due_reason`` as a sentence in the request's language, ``due_reason_code`` for
    programs ("booking", "card", "booking_end", "closure"; "" when the date is the usual)."""
    stored = loan.get("due_reason") or ""
    return {
        **loan,
        "due_reason": policy.due_reason_text(stored),
        "due_reason_code": policy.due_reason_code(stored),
    }


ROUTES = [api_checkout, api_checkin, api_renew, api_loans]
