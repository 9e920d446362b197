"""JSON API for holds and bookings (/api/v1), over the same services as the pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated

from litestar import Request, Response, delete, get, post, put
from litestar.params import JSONBody, Parameter, QueryParameter
from msgspec import Meta

from mediathek.api.common import problems
from mediathek.errors import Forbidden, InvalidInput, NotFound
from mediathek.reservations import basket, for_borrower, queries, services, sets
from mediathek.reservations.basket import BasketResult
from mediathek.reservations.reservation_pages import ics_response
from mediathek.web.auth import User
from mediathek.web.forms import Id
from mediathek.web.guards import Access
from mediathek.web.rendering import CurrentUser, Today

SECURED: list[dict[str, list[str]]] = [{"session": []}, {"bearer": []}]


# Fields of a JSON body are checked by msgspec, which reads its own ``Meta`` (Litestar's
# ``Parameter`` bounds hold for path and query parameters only, and document the schema): an
# id beyond PostgreSQL's integer range would otherwise reach the database, a server error.
BodyId = Annotated[int, Meta(ge=1, le=2**31 - 1), Parameter(ge=1, le=2**31 - 1)]
_PATRON_REF = "Staff only: the borrower to reserve for (also one without a login)."
PatronRef = (
    Annotated[
        int,
        Meta(ge=1, le=2**31 - 1),
        Parameter(ge=1, le=2**31 - 1, description=_PATRON_REF),
    ]
    | None
)


@dataclass
class HoldIn:
    title_id: BodyId
    patron_id: PatronRef = None


@dataclass
class HoldOut:
    id: int
    title_id: int
    title: str
    status: str
    position: int  # place in the queue; 0 when a copy is ready
    pickup_until: date | None


@dataclass
class BookingIn:
    title_id: BodyId
    start_on: date
    end_on: date
    patron_id: PatronRef = None


@dataclass
class BookingOut:
    id: int
    title_id: int
    title: str
    status: str
    start_on: date
    end_on: date


@dataclass
class DayOut:
    day: date
    free: int


def _reserving_for(user: User, patron_id: int | None) -> tuple[int, bool]:
    """Whose reservation this is, and whether staff place it for someone else. A teacher
    reserves for herself; staff name the borrower."""
    if patron_id is not None and patron_id != user.patron_id:
        if not user.is_staff:
            raise Forbidden("Nur Mitarbeitende dürfen für andere Personen reservieren.")
        return patron_id, True
    if user.patron_id is None:
        raise InvalidInput(
            "Ihr Zugang gehört zu keiner ausleihenden Person: bitte patron_id angeben.",
            errors={"patron_id": "Bitte angeben, für wen reserviert wird."},
        )
    return user.patron_id, False


def _hold_out(row: dict) -> HoldOut:
    return HoldOut(
        id=row["id"],
        title_id=row["title.id"],
        title=row["title.title"],
        status=row["status"],
        position=row["position"],
        pickup_until=row["pickup_until"],
    )


def _booking_out(row: dict) -> BookingOut:
    return BookingOut(
        id=row["id"],
        title_id=row["title.id"],
        title=row["title.title"],
        status=row["status"],
        start_on=row["start_on"],
        end_on=row["end_on"],
    )


@get(
    "/api/v1/holds",
    access=Access.patron,
    tags=["Reservierungen"],
    security=SECURED,
    responses=problems(401, 403),
)
async def list_holds(user: CurrentUser) -> list[HoldOut]:
    """My open holds with their place in the queue."""
    return [_hold_out(r) for r in await queries.my_holds(user.own_patron_id())]


@post(
    "/api/v1/holds",
    access=Access.login,
    tags=["Reservierungen"],
    security=SECURED,
    responses=problems(400, 401, 403, 404, 409, 422),
)
async def create_hold(user: CurrentUser, data: JSONBody[HoldIn], today: Today) -> HoldOut:
    """Place a hold on a title; a copy on the shelf is set aside at once (status ready).
    Staff may place it for a borrower (``patron_id``); she gets the usual e-mails."""
    patron_id, for_other = _reserving_for(user, data.patron_id)
    if for_other:
        placed = await for_borrower.place_for(
            patron_id,
            data.title_id,
            start_on=None,
            end_on=None,
            today=today,
            staff_id=user.account_id,
        )
        hold_id = placed.id
    else:
        hold_id = (await services.place_hold(patron_id, data.title_id, today)).hold_id
    row = next(r for r in await queries.my_holds(patron_id) if r["id"] == hold_id)
    return _hold_out(row)


@delete(
    "/api/v1/holds/{hold_id:int}",
    access=Access.patron,
    tags=["Reservierungen"],
    security=SECURED,
    responses=problems(400, 401, 403, 404, 409),
)
async def delete_hold(user: CurrentUser, hold_id: Id, today: Today) -> None:
    """Cancel one of my holds."""
    await services.cancel_hold(hold_id, user.own_patron_id(), today)


@get(
    "/api/v1/bookings",
    access=Access.patron,
    tags=["Reservierungen"],
    security=SECURED,
    responses=problems(401, 403),
)
async def list_bookings(user: CurrentUser) -> list[BookingOut]:
    """My open bookings."""
    return [_booking_out(r) for r in await queries.my_bookings(user.own_patron_id())]


@post(
    "/api/v1/bookings",
    access=Access.login,
    tags=["Reservierungen"],
    security=SECURED,
    responses=problems(400, 401, 403, 404, 409, 422),
)
async def create_booking(user: CurrentUser, data: JSONBody[BookingIn], today: Today) -> BookingOut:
    """Reserve a title for a date range. 409 with ``suggestion`` when no copy is free.
    Staff may book for a borrower (``patron_id``); she gets the usual e-mails."""
    patron_id, for_other = _reserving_for(user, data.patron_id)
    try:
        if for_other:
            placed = await for_borrower.place_for(
                patron_id,
                data.title_id,
                start_on=data.start_on,
                end_on=data.end_on,
                today=today,
                staff_id=user.account_id,
            )
            booking_id = placed.id
        else:
            booking_id = await services.book(
                patron_id, data.title_id, data.start_on, data.end_on, today
            )
    except services.BookingUnavailable as exc:
        body = {
            "type": "about:blank#booking_unavailable",
            "title": "Nicht möglich",
            "status": 409,
            "detail": exc.message,
            "suggestion": (
                {
                    "start_on": exc.suggestion.start.isoformat(),
                    "end_on": exc.suggestion.end.isoformat(),
                }
                if exc.suggestion
                else None
            ),
        }
        # Litestar sends a returned Response as it is; the annotation names the success
        # body, which OpenAPI documents, so the refusal does not fit it.
        return Response(  # type: ignore[return-value]
            body, status_code=409, media_type="application/problem+json"
        )
    row = next(r for r in await queries.my_bookings(patron_id) if r["id"] == booking_id)
    return _booking_out(row)


@delete(
    "/api/v1/bookings/{booking_id:int}",
    access=Access.patron,
    tags=["Reservierungen"],
    security=SECURED,
    responses=problems(400, 401, 403, 404, 409),
)
async def delete_booking(user: CurrentUser, booking_id: Id, today: Today) -> None:
    """Cancel one of my bookings."""
    await services.cancel_booking(booking_id, user.own_patron_id(), today)


@get(
    "/api/v1/bookings/{booking_id:int}/ics",
    access=Access.patron,
    tags=["Reservierungen"],
    security=SECURED,
    responses=problems(400, 401, 403, 404),
    media_type="text/calendar",
)
async def booking_calendar(request: Request, user: CurrentUser, booking_id: Id) -> Response:
    """The booking as an iCalendar file (all-day event)."""
    return await ics_response(request, booking_id, user.own_patron_id())


@get(
    "/api/v1/titles/{title_id:int}/availability",
    access=Access.public,
    tags=["Reservierungen"],
    responses=problems(400, 404),
)
async def title_availability(
    request: Request,
    title_id: Id,
    today: Today,
    from_day: Annotated[date | None, QueryParameter(name="from")] = None,
    days: Annotated[int, QueryParameter(ge=1, le=366)] = services.CALENDAR_DAYS,
) -> list[DayOut]:
    """Copies free per day (a copy counts when a one-day booking of it would succeed)."""
    if not await queries.title_exists(title_id):
        raise NotFound("Diesen Titel gibt es nicht.")
    rows = await services.availability(title_id, today, from_day, days)
    return [DayOut(day=d, free=n) for d, n in rows]


@get(
    "/api/v1/reservations/hold-shelf",
    access=Access.staff,
    tags=["Reservierungen (Mitarbeitende)"],
    security=SECURED,
    responses=problems(401, 403),
)
async def staff_hold_shelf() -> list[dict]:
    """Everything on the hold shelf: ready holds and bookings, by deadline."""
    return await queries.hold_shelf()


@get(
    "/api/v1/reservations/pull-list",
    access=Access.staff,
    tags=["Reservierungen (Mitarbeitende)"],
    security=SECURED,
    responses=problems(401, 403),
)
async def staff_pull_list(today: Today) -> dict:
    """Copies to fetch from the shelves, bookings about to start, copies to put back."""
    return {**await queries.pull_list(today), "put_back": await queries.put_back()}


# ---- the Merkliste and sets ----------------------------------------------------------------

Quantity = Annotated[
    int,
    Meta(ge=1, le=99),
    Parameter(ge=1, le=99, description="Copies of the title wanted (at most as many as exist)."),
]


@dataclass
class BasketItemIn:
    title_id: BodyId
    quantity: Quantity = 1


@dataclass
class BasketItemOut:
    title_id: int
    title: str
    quantity: int
    copies: int  # bookable copies the Mediathek has
    withdrawn: bool  # no longer in the catalogue: booking the list takes it off


@dataclass
class RangeIn:
    start_on: date
    end_on: date
    patron_id: PatronRef = None


@dataclass
class RangeOut:
    start_on: date
    end_on: date


@dataclass
class AlternativeOut:
    title_id: int
    title: str
    why: str


@dataclass
class BasketLineOut:
    title_id: int
    title: str
    wanted: int
    booked: int
    status: str  # booked, partly, none, gone
    booking_ids: list[int]
    message: str
    suggestion: RangeOut | None
    alternative: AlternativeOut | None


@dataclass
class BasketResultOut:
    start_on: date
    end_on: date
    lines: list[BasketLineOut]


@dataclass
class SetItemOut:
    title_id: int
    title: str
    quantity: int


@dataclass
class SetOut:
    id: int
    name: str
    description: str
    items: list[SetItemOut]


def _item_out(row: dict) -> BasketItemOut:
    return BasketItemOut(
        title_id=row["title_id"],
        title=row["title"],
        quantity=row["quantity"],
        copies=row["copies"],
        withdrawn=row["gone"],
    )


def _result_out(result: BasketResult) -> BasketResultOut:
    return BasketResultOut(
        start_on=result.start_on,
        end_on=result.end_on,
        lines=[
            BasketLineOut(
                title_id=line.title_id,
                title=line.title,
                wanted=line.wanted,
                booked=line.booked,
                status=line.status,
                booking_ids=line.booking_ids,
                message=line.message,
                suggestion=RangeOut(line.suggestion.start, line.suggestion.end)
                if line.suggestion
                else None,
                alternative=AlternativeOut(
                    line.alternative["id"], line.alternative["title"], line.alternative["why"]
                )
                if line.alternative
                else None,
            )
            for line in result.lines
        ],
    )


@get(
    "/api/v1/basket",
    access=Access.patron,
    tags=["Merkliste und Sets"],
    security=SECURED,
    responses=problems(401, 403),
)
async def list_basket(user: CurrentUser) -> list[BasketItemOut]:
    """My Merkliste: titles with the number of copies wanted."""
    return [_item_out(r) for r in await basket.items(user.own_patron_id())]


@put(
    "/api/v1/basket",
    access=Access.patron,
    tags=["Merkliste und Sets"],
    security=SECURED,
    responses=problems(400, 401, 403, 404, 422),
)
async def put_basket_item(user: CurrentUser, data: JSONBody[BasketItemIn]) -> list[BasketItemOut]:
    """Put a title on my Merkliste with this quantity (or change the quantity of one that is
    there). 422 when more copies are wanted than the Mediathek has."""
    patron_id = user.own_patron_id()
    if not await basket.add(patron_id, data.title_id, data.quantity):
        await basket.set_quantity(patron_id, data.title_id, data.quantity)
    return [_item_out(r) for r in await basket.items(patron_id)]


@delete(
    "/api/v1/basket/{title_id:int}",
    access=Access.patron,
    tags=["Merkliste und Sets"],
    security=SECURED,
    responses=problems(400, 401, 403),
)
async def delete_basket_item(user: CurrentUser, title_id: Id) -> None:
    """Take a title off my Merkliste (nothing happens if it is not there)."""
    await basket.remove(user.own_patron_id(), title_id)


@post(
    "/api/v1/basket/book",
    access=Access.login,
    tags=["Merkliste und Sets"],
    security=SECURED,
    status_code=200,
    responses=problems(400, 401, 403, 404, 409, 422),
)
async def book_basket(user: CurrentUser, data: JSONBody[RangeIn], today: Today) -> BasketResultOut:
    """Book every title of the Merkliste for the range in one transaction. Each line says
    what was booked; for the rest the reason, the nearest free range (``suggestion``) and a
    free title of the same series or topic (``alternative``). Booked titles leave the list.
    Staff may book a borrower's list for her (``patron_id``); she gets the usual e-mails."""
    patron_id, for_other = _reserving_for(user, data.patron_id)
    if for_other:
        result = await for_borrower.book_many_for(
            patron_id,
            set_id=None,
            start_on=data.start_on,
            end_on=data.end_on,
            today=today,
            staff_id=user.account_id,
        )
    else:
        result = await basket.book_basket(patron_id, data.start_on, data.end_on, today)
    return _result_out(result)


@get(
    "/api/v1/sets",
    access=Access.public,
    tags=["Merkliste und Sets"],
    responses=problems(),
)
async def list_sets() -> list[SetOut]:
    """The sets staff put together (titles with quantities)."""
    return [
        SetOut(
            id=s["id"],
            name=s["name"],
            description=s["description"],
            items=[SetItemOut(i["title_id"], i["title"], i["quantity"]) for i in s["items"]],
        )
        for s in await sets.list_sets()
    ]


@post(
    "/api/v1/sets/{set_id:int}/book",
    access=Access.login,
    tags=["Merkliste und Sets"],
    security=SECURED,
    status_code=200,
    responses=problems(400, 401, 403, 404, 409, 422),
)
async def book_set(
    user: CurrentUser, set_id: Id, data: JSONBody[RangeIn], today: Today
) -> BasketResultOut:
    """Book every title of a set in its quantity for the range (same answer as the
    Merkliste). Staff may book it for a borrower (``patron_id``)."""
    patron_id, for_other = _reserving_for(user, data.patron_id)
    if for_other:
        result = await for_borrower.book_many_for(
            patron_id,
            set_id=set_id,
            start_on=data.start_on,
            end_on=data.end_on,
            today=today,
            staff_id=user.account_id,
        )
    else:
        result = await sets.book_set(set_id, patron_id, data.start_on, data.end_on, today)
    return _result_out(result)


ROUTES = [
    list_holds,
    create_hold,
    delete_hold,
    list_bookings,
    create_booking,
    delete_booking,
    booking_calendar,
    title_availability,
    staff_hold_shelf,
    staff_pull_list,
    list_basket,
    put_basket_item,
    delete_basket_item,
    book_basket,
    list_sets,
    book_set,
]
