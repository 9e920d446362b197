"""Pages of the Merkliste (course planning) and of sets: the teacher's list, the sets she can
book, the staff's set editor, and staff booking a set or a borrower's list for her.
Handlers parse, call one service, render."""

from __future__ import annotations

from datetime import date

from litestar import Request, Response, get, post
from litestar.plugins.htmx import HTMXRequest

from mediathek.errors import InvalidInput, NotFound
from mediathek.i18n import N_, _
from mediathek.patrons.tables import Patron
from mediathek.reservations import basket, for_borrower, policy, sets
from mediathek.reservations.basket import BasketResult, Line
from mediathek.reservations.sets import SetDraft
from mediathek.web.auth import User
from mediathek.web.forms import Form, Id, flat, form_value
from mediathek.web.guards import Access
from mediathek.web.rendering import CurrentUser, Today, redirect, render

OK_MESSAGES = {
    "gemerkt": N_("Der Titel steht auf Ihrer Merkliste."),
    "entfernt": N_("Der Titel ist von der Merkliste genommen."),
    "geleert": N_("Ihre Merkliste ist leer."),
    "geaendert": N_("Die Anzahl ist geändert."),
    "set-gemerkt": N_("Die Titel des Sets stehen auf Ihrer Merkliste."),
}
STAFF_OK = {
    "gespeichert": N_("Das Set ist gespeichert."),
    "geloescht": N_("Das Set ist gelöscht. Reservierungen daraus bleiben bestehen."),
}


def _message(request: Request, table: dict[str, str]) -> str | None:
    message = table.get(request.query_params.get("ok", ""))
    return _(message) if message else None


def parse_range(data: dict) -> tuple[date, date]:
    """The first and last day of a form; InvalidInput (German, per field) when missing or
    not a date."""
    days: dict[str, date] = {}
    errors: dict[str, str] = {}
    missing = {
        "start_on": _("Bitte geben Sie den ersten Tag (Abholung) an."),
        "end_on": _("Bitte geben Sie den letzten Tag (Rückgabe) an."),
    }
    for name in ("start_on", "end_on"):
        value = form_value(data, name).strip()
        if not value:
            errors[name] = missing[name]
            continue
        try:
            days[name] = date.fromisoformat(value)
        except ValueError:
            errors[name] = _("Bitte das Datum als TT.MM.JJJJ angeben.")
    if errors:
        raise InvalidInput(" ".join(errors.values()), errors=errors)
    return days["start_on"], days["end_on"]


def parse_quantity(data: dict) -> int:
    value = form_value(data, "anzahl").strip()
    if not value.isdigit() or not 1 <= int(value) <= policy.MAX_QUANTITY:
        message = _("Bitte eine Anzahl von 1 bis %(max)s angeben.") % {"max": policy.MAX_QUANTITY}
        raise InvalidInput(message, errors={"anzahl": message})
    return int(value)


# ---- the teacher's Merkliste ---------------------------------------------------------------


async def basket_context(
    request: Request,
    patron_id: int,
    *,
    result: BasketResult | None = None,
    form: dict | None = None,
    errors: dict | None = None,
) -> dict:
    return {
        "items": await basket.items(patron_id),
        "result": result,
        # After a booking the form keeps its range: the rest may go another week.
        "form": form
        or (
            {"start_on": result.start_on.isoformat(), "end_on": result.end_on.isoformat()}
            if result
            else {}
        ),
        "errors": errors or {},
        "message": _message(request, OK_MESSAGES),
    }


@get("/merkliste", access=Access.patron, include_in_schema=False)
async def basket_page(request: Request, user: CurrentUser) -> Response:
    """The Merkliste: titles, quantities, one date range for all of them."""
    context = await basket_context(request, user.own_patron_id())
    return render(request, "reservations/basket.html", **context)


@post(
    "/merkliste/titel/{title_id:int}",
    access=Access.patron,
    include_in_schema=False,
    status_code=200,
)
async def add_title(request: HTMXRequest, user: CurrentUser, title_id: Id, data: Form) -> Response:
    """ "Auf die Merkliste" on the results and the title page; HTMX swaps the button."""
    patron_id = user.own_patron_id()
    await basket.add(patron_id, title_id)
    if request.htmx:
        return render(
            request,
            "reservations/_basket_button.html",
            title_id=title_id,
            on_list=True,
            count=await basket.count(patron_id),
        )
    return redirect(request, "/merkliste?ok=gemerkt")


@post(
    "/merkliste/titel/{title_id:int}/anzahl",
    access=Access.patron,
    include_in_schema=False,
    status_code=200,
)
async def change_quantity(
    request: Request, user: CurrentUser, title_id: Id, data: Form
) -> Response:
    patron_id = user.own_patron_id()
    try:
        await basket.set_quantity(patron_id, title_id, parse_quantity(data))
    except InvalidInput as exc:
        errors = {f"anzahl-{title_id}": exc.message}
        context = await basket_context(request, patron_id, errors=errors)
        return render(request, "reservations/basket.html", status_code=422, **context)
    return redirect(request, "/merkliste?ok=geaendert")


@post(
    "/merkliste/titel/{title_id:int}/entfernen",
    access=Access.patron,
    include_in_schema=False,
    status_code=200,
)
async def remove_title(request: Request, user: CurrentUser, title_id: Id) -> Response:
    await basket.remove(user.own_patron_id(), title_id)
    return redirect(request, "/merkliste?ok=entfernt")


@post("/merkliste/leeren", access=Access.patron, include_in_schema=False, status_code=200)
async def empty_basket(request: Request, user: CurrentUser) -> Response:
    await basket.empty(user.own_patron_id())
    return redirect(request, "/merkliste?ok=geleert")


@post("/merkliste/reservieren", access=Access.patron, include_in_schema=False, status_code=200)
async def book_basket(request: Request, user: CurrentUser, data: Form, today: Today) -> Response:
    """Book the whole list: the page then shows what was booked and what is offered instead."""
    patron_id = user.own_patron_id()
    try:
        start, end = parse_range(data)
        result = await basket.book_basket(patron_id, start, end, today)
    except InvalidInput as exc:
        context = await basket_context(
            request, patron_id, form=flat(data), errors=exc.errors or {"start_on": exc.message}
        )
        return render(request, "reservations/basket.html", status_code=422, **context)
    context = await basket_context(request, patron_id, result=result)
    return render(request, "reservations/basket.html", **context)


# ---- sets for teachers ---------------------------------------------------------------------


async def sets_context(request: Request, **extra) -> dict:
    user = request.scope.get("user")
    return {
        "sets": await sets.list_sets(),
        "can_book": bool(user and user.patron_id),
        "form": {},
        "errors": {},
        "chosen": None,
        "result": None,
        **extra,
    }


@get("/sets", access=Access.public, include_in_schema=False)
async def sets_page(request: Request) -> Response:
    """Sets staff put together: what is in each, and (logged in) book one for a range."""
    return render(request, "reservations/sets.html", **await sets_context(request))


@post(
    "/sets/{set_id:int}/reservieren", access=Access.patron, include_in_schema=False, status_code=200
)
async def book_set(
    request: Request, user: CurrentUser, set_id: Id, data: Form, today: Today
) -> Response:
    try:
        start, end = parse_range(data)
        result = await sets.book_set(set_id, user.own_patron_id(), start, end, today)
    except InvalidInput as exc:
        context = await sets_context(
            request, form=flat(data), errors=exc.errors or {"start_on": exc.message}, chosen=set_id
        )
        return render(request, "reservations/sets.html", status_code=422, **context)
    return render(
        request,
        "reservations/sets.html",
        **await sets_context(request, result=result, chosen=set_id),
    )


@post("/sets/{set_id:int}/merken", access=Access.patron, include_in_schema=False, status_code=200)
async def set_to_basket(request: Request, user: CurrentUser, set_id: Id) -> Response:
    """The titles of a set onto her Merkliste, to book them together with others."""
    await sets.add_set_to_basket(set_id, user.own_patron_id())
    return redirect(request, "/merkliste?ok=set-gemerkt")


# ---- sets for staff ------------------------------------------------------------------------


def parse_set_form(data: dict) -> SetDraft:
    """Name, description and one title per line: "Titelnummer" or "Titelnummer × Anzahl"."""
    lines: list[Line] = []
    bad: list[str] = []
    for raw in form_value(data, "titel").splitlines():
        text = raw.strip()
        if not text:
            continue
        for sign in ("×", "x", "X", "*", ";", ","):
            text = text.replace(sign, " ")
        parts = text.split()
        numbers = [p for p in parts[:2] if p.isdigit() and len(p) < 10]
        if len(parts) > 2 or len(numbers) != len(parts) or not 1 <= int(numbers[0]) <= 2**31 - 1:
            bad.append(raw.strip()[:60])
            continue
        quantity = int(numbers[1]) if len(numbers) == 2 else 1
        lines.append(Line(int(numbers[0]), quantity))
    if bad:
        message = _(
            "Diese Zeilen sind nicht lesbar: %(lines)s. Bitte je Zeile die Titelnummer und "
            "optional die Anzahl angeben, z. B. „123 × 2“."
        ) % {"lines": "; ".join(f"„{b}“" for b in bad)}
        raise InvalidInput(message, errors={"titel": message})
    return SetDraft(form_value(data, "name"), form_value(data, "beschreibung"), tuple(lines))


def set_form_values(found: dict) -> dict:
    return {
        "name": found["name"],
        "beschreibung": found["description"],
        "titel": "\n".join(f"{i['title_id']} × {i['quantity']}" for i in found["items"]),
    }


@get("/verwaltung/sets", access=Access.staff, include_in_schema=False)
async def staff_sets(request: Request) -> Response:
    return render(
        request,
        "reservations/staff_sets.html",
        sets=await sets.list_sets(),
        message=_message(request, STAFF_OK),
    )


async def _set_form(
    request: Request, set_id: int | None, form: dict, errors: dict, status: int = 200
):
    found = await sets.get_set(set_id) if set_id else None
    return render(
        request,
        "reservations/staff_set_form.html",
        status_code=status,
        found=found,
        form=form,
        errors=errors,
    )


@get("/verwaltung/sets/neu", access=Access.staff, include_in_schema=False)
async def new_set_form(request: Request) -> Response:
    return await _set_form(request, None, {}, {})


@get("/verwaltung/sets/{set_id:int}", access=Access.staff, include_in_schema=False)
async def edit_set_form(request: Request, set_id: Id) -> Response:
    return await _set_form(request, set_id, set_form_values(await sets.get_set(set_id)), {})


async def _save(request: Request, user: User, set_id: int | None, data: dict) -> Response:
    try:
        await sets.save_set(parse_set_form(data), set_id, user.account_id)
    except InvalidInput as exc:
        errors = exc.errors or {"titel": exc.message}
        # The form's fields are called in German; the service names them in English.
        renamed = {
            {"description": "beschreibung", "titles": "titel"}.get(k, k): v
            for k, v in errors.items()
        }
        return await _set_form(request, set_id, flat(data), renamed, 422)
    return redirect(request, "/verwaltung/sets?ok=gespeichert")


@post("/verwaltung/sets/neu", access=Access.staff, include_in_schema=False, status_code=200)
async def create_set(request: Request, user: CurrentUser, data: Form) -> Response:
    return await _save(request, user, None, data)


@post(
    "/verwaltung/sets/{set_id:int}", access=Access.staff, include_in_schema=False, status_code=200
)
async def update_set(request: Request, user: CurrentUser, set_id: Id, data: Form) -> Response:
    await sets.get_set(set_id)  # 404 for a set deleted meanwhile
    return await _save(request, user, set_id, data)


@post(
    "/verwaltung/sets/{set_id:int}/loeschen",
    access=Access.staff,
    include_in_schema=False,
    status_code=200,
)
async def delete_set(request: Request, user: CurrentUser, set_id: Id) -> Response:
    await sets.delete_set(set_id, user.account_id)
    return redirect(request, "/verwaltung/sets?ok=geloescht")


# ---- staff book for a borrower -------------------------------------------------------------


async def for_borrower_context(patron_id: int, **extra) -> dict:
    patron = (
        await Patron.select(Patron.id, Patron.first_name, Patron.last_name, Patron.email)
        .where(Patron.id == patron_id)
        .first()
    )
    if patron is None:
        raise NotFound(_("Diese Person gibt es nicht."))
    return {
        "patron": {**patron, "name": f"{patron['first_name']} {patron['last_name']}".strip()},
        "sets": await sets.list_sets(),
        "items": await basket.items(patron_id),
        "form": {},
        "errors": {},
        "result": None,
        **extra,
    }


@get(
    "/verwaltung/ausleihende/{patron_id:int}/mehrere-reservieren",
    access=Access.staff,
    include_in_schema=False,
)
async def for_borrower_page(request: Request, patron_id: Id) -> Response:
    """Book a set, or the borrower's own Merkliste, for her (also without a login)."""
    return render(
        request, "reservations/for_borrower.html", **await for_borrower_context(patron_id)
    )


@post(
    "/verwaltung/ausleihende/{patron_id:int}/mehrere-reservieren",
    access=Access.staff,
    include_in_schema=False,
    status_code=200,
)
async def book_for_borrower(
    request: Request, user: CurrentUser, patron_id: Id, data: Form, today: Today
) -> Response:
    choice = form_value(data, "was").strip()
    try:
        set_id = None
        if choice != "merkliste":
            if not choice.isdigit() or not 1 <= int(choice) <= 2**31 - 1:
                message = _("Bitte ein Set oder die Merkliste auswählen.")
                raise InvalidInput(message, errors={"was": message})
            set_id = int(choice)
        start, end = parse_range(data)
        result = await for_borrower.book_many_for(
            patron_id,
            set_id=set_id,
            start_on=start,
            end_on=end,
            today=today,
            staff_id=user.account_id,
        )
    except InvalidInput as exc:
        context = await for_borrower_context(
            patron_id, form=flat(data), errors=exc.errors or {"was": exc.message}
        )
        return render(request, "reservations/for_borrower.html", status_code=422, **context)
    return render(
        request,
        "reservations/for_borrower.html",
        **await for_borrower_context(patron_id, result=result),
    )


ROUTES = [
    basket_page,
    add_title,
    change_quantity,
    remove_title,
    empty_basket,
    book_basket,
    sets_page,
    book_set,
    set_to_basket,
    staff_sets,
    new_set_form,
    edit_set_form,
    create_set,
    update_set,
    delete_set,
    for_borrower_page,
    book_for_borrower,
]

STAFF_LINKS = [
    (
        N_("Sets"),
        "/verwaltung/sets",
        N_("Sets aus mehreren Titeln anlegen, die Lehrkräfte auf einmal reservieren"),
    )
]
