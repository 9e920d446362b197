"""Pages for holds and bookings: the reservation box of a title, "Meine Reservierungen",
and the staff's hold shelf. Handlers parse, call one service, render."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated

from litestar import Request, Response, get, post
from litestar.params import QueryParameter
from litestar.plugins.htmx import HTMXRequest

from mediathek import i18n
from mediathek.errors import Forbidden, InvalidInput, NotFound
from mediathek.i18n import N_, _
from mediathek.reservations import policy, queries, services
from mediathek.reservations.ics import booking_ics
from mediathek.site_settings import get_setting
from mediathek.web.forms import Form, Id
from mediathek.web.guards import Access
from mediathek.web.rendering import Today, redirect, render

FromDay = Annotated[str | None, QueryParameter(name="ab", max_length=10)]

OK_MESSAGES = {
    "vormerkung": N_("Der Titel ist für Sie vorgemerkt."),
    "reservierung": N_("Ihre Reservierung ist gespeichert."),
    "storniert": N_("Storniert."),
}
CALENDAR_WEEKS = 6


def ok_message(request: Request) -> str | None:
    message = OK_MESSAGES.get(request.query_params.get("ok", ""))
    return _(message) if message else None


def patron_id_of(request: Request) -> int | None:
    user = request.scope.get("user")
    return user.patron_id if user else None


def own_patron_id(request: Request) -> int:
    """The patron on a route only patrons may use (its guard has let her in)."""
    patron_id = patron_id_of(request)
    if patron_id is None:
        raise Forbidden("Das geht nur mit einem Ausweis der Mediathek.")
    return patron_id


def parse_day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


async def calendar_context(title_id: int, today: date, first: date | None) -> dict:
    """Weeks (Monday to Sunday) of copies free per day; days up to today are not bookable."""
    tomorrow = today + timedelta(days=1)
    first = max(first or tomorrow, tomorrow)
    monday = first - timedelta(days=first.weekday())
    days = await services.availability_calendar(title_id, today, monday, CALENDAR_WEEKS * 7)
    weeks = [days[i : i + 7] for i in range(0, len(days), 7)]
    return {
        "weeks": weeks,
        "today": today,
        "first_bookable": tomorrow,
        "earlier": monday - timedelta(days=7 * CALENDAR_WEEKS) if monday > tomorrow else None,
        "later": monday + timedelta(days=7 * CALENDAR_WEEKS),
    }


async def title_context(
    request: Request, title_id: int, today: date, first: date | None = None, **extra
) -> dict:
    return {
        **await queries.title_box(title_id, patron_id_of(request)),
        "form": {},
        "errors": {},
        "message": ok_message(request),
        **await calendar_context(title_id, today, first),
        **extra,
    }


def render_title(request: Request, context: dict, status_code: int = 200) -> Response:
    return render(
        request,
        "reservations/title.html",
        fragment="reservations/_title_actions.html",
        status_code=status_code,
        **context,
    )


@get("/titel/{title_id:int}/reservieren", access=Access.patron, include_in_schema=False)
async def title_page(request: Request, title_id: Id, today: Today, ab: FromDay = None) -> Response:
    """The reservation box of a title as a page of its own."""
    context = await title_context(request, title_id, today, parse_day(ab))
    return render(request, "reservations/title.html", **context)


@get("/reservierungen/titel/{title_id:int}", access=Access.public, include_in_schema=False)
async def title_actions(
    request: Request, title_id: Id, today: Today, ab: FromDay = None
) -> Response:
    """The box for the title page (an HTMX fragment); anonymous visitors see availability."""
    return render_title(request, await title_context(request, title_id, today, parse_day(ab)))


@get("/reservierungen/titel/{title_id:int}/kalender", access=Access.public, include_in_schema=False)
async def title_calendar(
    request: Request, title_id: Id, today: Today, ab: FromDay = None
) -> Response:
    context = await title_context(request, title_id, today, parse_day(ab))
    return render(
        request,
        "reservations/title.html",
        fragment="reservations/_availability.html",
        **context,
    )


@post(
    "/titel/{title_id:int}/vormerken",
    access=Access.patron,
    include_in_schema=False,
    status_code=200,
)
async def hold_title(request: HTMXRequest, title_id: Id, today: Today) -> Response:
    result = await services.place_hold(own_patron_id(request), title_id, today)
    message = (
        _("Ein Exemplar liegt für Sie bereit. Bitte holen Sie es bis zum %(date)s ab.")
        % {"date": i18n.format_day(result.pickup_until)}
        if result.pickup_until
        else _("Der Titel ist für Sie vorgemerkt. Sie sind Nummer %(position)s in der Warteliste.")
        % {"position": result.position}
    )
    if request.htmx:
        return render_title(request, await title_context(request, title_id, today, message=message))
    return redirect(request, "/konto/reservierungen?ok=vormerkung")


@post(
    "/titel/{title_id:int}/reservieren",
    access=Access.patron,
    include_in_schema=False,
    status_code=200,
)
async def book_title(request: HTMXRequest, title_id: Id, data: Form, today: Today) -> Response:
    start, end = parse_day(data.get("start_on")), parse_day(data.get("end_on"))
    try:
        if start is None or end is None:
            raise InvalidInput(
                errors={
                    **({"start_on": _("Bitte geben Sie den ersten Tag an.")} if not start else {}),
                    **({"end_on": _("Bitte geben Sie den letzten Tag an.")} if not end else {}),
                }
            )
        await services.book(own_patron_id(request), title_id, start, end, today)
    except InvalidInput as exc:
        context = await title_context(request, title_id, today, form=data, errors=exc.errors)
        return render_title(request, context, status_code=422)
    except services.BookingUnavailable as exc:
        context = await title_context(
            request,
            title_id,
            today,
            start,
            form=data,
            refusal=exc.message,
            suggestion=exc.suggestion,
        )
        return render_title(request, context, status_code=422)
    if request.htmx:
        message = f"{_('Reserviert.')} {policy.pickup_return_text(start, end)}"
        return render_title(request, await title_context(request, title_id, today, message=message))
    return redirect(request, "/konto/reservierungen?ok=reservierung")


# ---- Mein Konto ----------------------------------------------------------------------------


async def mine_context(request: Request) -> dict:
    patron_id = own_patron_id(request)
    return {
        "holds": await queries.my_holds(patron_id),
        "bookings": await queries.my_bookings(patron_id),
        "message": ok_message(request),
    }


@get("/konto/reservierungen", access=Access.patron, include_in_schema=False)
async def my_reservations(request: Request) -> Response:
    return render(request, "reservations/mine.html", **await mine_context(request))


@get("/konto/reservierungen/vormerkungen", access=Access.patron, include_in_schema=False)
async def my_holds_fragment(request: Request) -> Response:
    """The hold list for the account page (loaded into its slot)."""
    return render(
        request,
        "reservations/mine.html",
        fragment="reservations/_my_holds.html",
        **await mine_context(request),
    )


@get("/konto/reservierungen/zeitraeume", access=Access.patron, include_in_schema=False)
async def my_bookings_fragment(request: Request) -> Response:
    return render(
        request,
        "reservations/mine.html",
        fragment="reservations/_my_bookings.html",
        **await mine_context(request),
    )


@post(
    "/konto/vormerkungen/{hold_id:int}/stornieren",
    access=Access.patron,
    include_in_schema=False,
    status_code=200,
)
async def cancel_my_hold(request: HTMXRequest, hold_id: Id, today: Today) -> Response:
    await services.cancel_hold(hold_id, patron_id_of(request), today)
    if request.htmx:
        context = {**await mine_context(request), "message": _("Die Vormerkung ist storniert.")}
        return render(request, "reservations/_my_holds.html", **context)
    return redirect(request, "/konto/reservierungen?ok=storniert")


@post(
    "/konto/reservierungen/{booking_id:int}/stornieren",
    access=Access.patron,
    include_in_schema=False,
    status_code=200,
)
async def cancel_my_booking(request: HTMXRequest, booking_id: Id, today: Today) -> Response:
    await services.cancel_booking(booking_id, patron_id_of(request), today)
    if request.htmx:
        context = {**await mine_context(request), "message": _("Die Reservierung ist storniert.")}
        return render(request, "reservations/_my_bookings.html", **context)
    return redirect(request, "/konto/reservierungen?ok=storniert")


async def ics_response(request: Request, booking_id: int, patron_id: int | None) -> Response:
    booking = await queries.booking_for_calendar(booking_id, patron_id)
    if booking is None:
        raise NotFound(_("Diese Reservierung gibt es nicht."))
    settings = request.app.state.settings
    contact = await get_setting("contact") or {}
    text = booking_ics(
        booking_id=booking["id"],
        title=booking["title.title"],
        start_on=booking["start_on"],
        end_on=booking["end_on"],
        host=settings.base_url.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0],
        location=", ".join(filter(None, [contact.get("name"), contact.get("address")]))
        or "Mediathek",
        description=_("Exemplar %(barcode)s. %(when)s, an der Theke.")
        % {
            "barcode": booking["copy.barcode"],
            "when": policy.pickup_return_text(booking["start_on"], booking["end_on"]),
        },
    )
    return Response(
        content=text.encode(),
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="reservierung-{booking_id}.ics"'},
    )


@get(
    "/konto/reservierungen/{booking_id:int}/kalender.ics",
    access=Access.patron,
    include_in_schema=False,
)
async def my_booking_ics(request: Request, booking_id: Id) -> Response:
    return await ics_response(request, booking_id, patron_id_of(request))


# ---- staff ---------------------------------------------------------------------------------


@get("/verwaltung/vormerkungen", access=Access.staff, include_in_schema=False)
async def staff_page(request: Request, today: Today) -> Response:
    return render(
        request,
        "reservations/staff.html",
        shelf=await queries.hold_shelf(),
        pull=await queries.pull_list(today),
        put_back=await queries.put_back(),
        today=today,
        message={
            "abgleich": _("Der Tagesabgleich ist gelaufen."),
            "erledigt": _("Erledigt."),
            "storniert": _(
                "Storniert. Das Exemplar geht weiter an die nächste Person oder zurück ins Regal."
            ),
        }.get(request.query_params.get("ok", "")),
    )


@post(
    "/verwaltung/vormerkungen/exemplare/{copy_id:int}/erledigt",
    access=Access.staff,
    include_in_schema=False,
    status_code=200,
)
async def copy_moved(request: Request, copy_id: Id) -> Response:
    await services.mark_moved(copy_id)
    return redirect(request, "/verwaltung/vormerkungen?ok=erledigt")


@post(
    "/verwaltung/vormerkungen/{hold_id:int}/stornieren",
    access=Access.staff,
    include_in_schema=False,
    status_code=200,
)
async def staff_cancel_hold(request: Request, hold_id: Id, today: Today) -> Response:
    """The patron told the desk she no longer needs it: the copy moves on at once."""
    await services.cancel_hold(hold_id, None, today)
    return redirect(request, "/verwaltung/vormerkungen?ok=storniert")


@post(
    "/verwaltung/reservierungen/{booking_id:int}/stornieren",
    access=Access.staff,
    include_in_schema=False,
    status_code=200,
)
async def staff_cancel_booking(request: Request, booking_id: Id, today: Today) -> Response:
    await services.cancel_booking(booking_id, None, today)
    return redirect(request, "/verwaltung/vormerkungen?ok=storniert")


@post(
    "/verwaltung/vormerkungen/abgleich",
    access=Access.staff,
    include_in_schema=False,
    status_code=200,
)
async def run_now(request: Request, today: Today) -> Response:
    await services.run_daily(today)
    return redirect(request, "/verwaltung/vormerkungen?ok=abgleich")


ROUTES = [
    title_page,
    title_actions,
    title_calendar,
    hold_title,
    book_title,
    my_reservations,
    my_holds_fragment,
    my_bookings_fragment,
    cancel_my_hold,
    cancel_my_booking,
    my_booking_ics,
    staff_page,
    copy_moved,
    staff_cancel_hold,
    staff_cancel_booking,
    run_now,
]

STAFF_LINKS = [
    (
        N_("Vormerkungen & Abholregal"),
        "/verwaltung/vormerkungen",
        N_("Abholregal, was aus dem Regal geholt werden muss, abgelaufene Abholungen"),
    )
]
