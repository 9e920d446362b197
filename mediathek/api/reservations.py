"""JSON API for holds and bookings (/api/v1), over the same services as the pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated

from litestar import Request, Response, delete, get, post
from litestar.params import JSONBody, Parameter, QueryParameter
from msgspec import Meta

from mediathek.api.common import problems
from mediathek.errors import Forbidden, InvalidInput, NotFound
from mediathek.reservations import for_borrower, queries, services
from mediathek.reservations.reservation_pages import ics_response
from mediathek.web.forms import Id
from mediathek.web.guards import Access
from mediathek.web.rendering import library_today

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


def _patron(request: Request) -> int:
    return request.scope["user"].patron_id


def _reserving_for(request: Request, patron_id: int | None) -> tuple[int, bool]:
    """Whose reservation this is, and whether staff place it for someone else. A teacher
    reserves for herself; staff name the borrower."""
    user = request.scope["user"]
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
async def list_holds(request: Request) -> list[HoldOut]:
    """My open holds with their place in the queue."""
    return [_hold_out(r) for r in await queries.my_holds(_patron(request))]


@post(
    "/api/v1/holds",
    access=Access.login,
    tags=["Reservierungen"],
    security=SECURED,
    responses=problems(400, 401, 403, 404, 409, 422),
)
async def create_hold(request: Request, data: JSONBody[HoldIn]) -> HoldOut:
    """Place a hold on a title; a copy on the shelf is set aside at once (status ready).
    Staff may place it for a borrower (``patron_id``); she gets the usual e-mails."""
    patron_id, for_other = _reserving_for(request, data.patron_id)
    today = library_today(request)
    if for_other:
        placed = await for_borrower.place_for(
            patron_id,
            data.title_id,
            start_on=None,
            end_on=None,
            today=today,
            staff_id=request.scope["user"].account_id,
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
async def delete_hold(request: Request, hold_id: Id) -> None:
    """Cancel one of my holds."""
    await services.cancel_hold(hold_id, _patron(request), library_today(request))


@get(
    "/api/v1/bookings",
    access=Access.patron,
    tags=["Reservierungen"],
    security=SECURED,
    responses=problems(401, 403),
)
async def list_bookings(request: Request) -> list[BookingOut]:
    """My open bookings."""
    return [_booking_out(r) for r in await queries.my_bookings(_patron(request))]


@post(
    "/api/v1/bookings",
    access=Access.login,
    tags=["Reservierungen"],
    security=SECURED,
    responses=problems(400, 401, 403, 404, 409, 422),
)
async def create_booking(request: Request, data: JSONBody[BookingIn]) -> BookingOut:
    """Reserve a title for a date range. 409 with ``suggestion`` when no copy is free.
    Staff may book for a borrower (``patron_id``); she gets the usual e-mails."""
    patron_id, for_other = _reserving_for(request, data.patron_id)
    today = library_today(request)
    try:
        if for_other:
            placed = await for_borrower.place_for(
                patron_id,
                data.title_id,
                start_on=data.start_on,
                end_on=data.end_on,
                today=today,
                staff_id=request.scope["user"].account_id,
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
async def delete_booking(request: Request, booking_id: Id) -> None:
    """Cancel one of my bookings."""
    await services.cancel_booking(booking_id, _patron(request), library_today(request))


@get(
    "/api/v1/bookings/{booking_id:int}/ics",
    access=Access.patron,
    tags=["Reservierungen"],
    security=SECURED,
    responses=problems(400, 401, 403, 404),
    media_type="text/calendar",
)
async def booking_calendar(request: Request, booking_id: Id) -> Response:
    """The booking as an iCalendar file (all-day event)."""
    return await ics_response(request, booking_id, _patron(request))


@get(
    "/api/v1/titles/{title_id:int}/availability",
    access=Access.public,
    tags=["Reservierungen"],
    responses=problems(400, 404),
)
async def title_availability(
    request: Request,
    title_id: Id,
    from_day: Annotated[date | None, QueryParameter(name="from")] = None,
    days: Annotated[int, QueryParameter(ge=1, le=366)] = services.CALENDAR_DAYS,
) -> list[DayOut]:
    """Copies free per day (a copy counts when a one-day booking of it would succeed)."""
    if not await queries.title_exists(title_id):
        raise NotFound("Diesen Titel gibt es nicht.")
    rows = await services.availability(title_id, library_today(request), from_day, days)
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
async def staff_pull_list(request: Request) -> dict:
    """Copies to fetch from the shelves, bookings about to start, copies to put back."""
    return {**await queries.pull_list(library_today(request)), "put_back": await queries.put_back()}


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
]
