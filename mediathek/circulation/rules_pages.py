"""Settings pages for lending (loan rules, opening days and closures) and the overdue list."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from urllib.parse import urlencode

from litestar import Request, Response, get, post
from litestar.params import QueryParameter

from mediathek import loan_rules as rules
from mediathek import opening_calendar as cal
from mediathek.circulation import closures, overdue
from mediathek.errors import InvalidInput
from mediathek.i18n import _
from mediathek.vocab import MediaType, PatronCategory
from mediathek.web.forms import Form, Id, flat
from mediathek.web.guards import Access
from mediathek.web.rendering import Today, redirect, render


async def _rules_page(request: Request, errors: dict | None = None, saved: bool = False, form=None):
    table, limits = await rules.policy_table()
    return render(
        request,
        "circulation/loan_rules.html",
        status_code=422 if errors else 200,
        table=table,
        limits=limits,
        categories=list(PatronCategory),
        media_types=list(MediaType),
        errors=errors or {},
        saved=saved,
        form=form,
    )


@get("/admin/ausleihregeln", access=Access.admin, include_in_schema=False)
async def loan_rules_page(
    request: Request, gespeichert: Annotated[str, QueryParameter()] = ""
) -> Response:
    return await _rules_page(request, saved=bool(gespeichert))


@post("/admin/ausleihregeln", access=Access.admin, include_in_schema=False, status_code=200)
async def save_loan_rules(request: Request, data: Form) -> Response:
    try:
        await rules.save_policy_table(*rules.parse_policy_form(flat(data)))
    except InvalidInput as exc:  # re-render with the errors at their fields
        return await _rules_page(request, errors=exc.errors, form=data)
    return redirect(request, "/admin/ausleihregeln?gespeichert=1")


async def _calendar_page(
    request: Request, today: date, errors: dict | None = None, form=None, message: str = ""
) -> Response:
    calendar = await cal.load_calendar(today)
    closures = (
        await cal.Closure.select().where(cal.Closure.end_on >= today).order_by(cal.Closure.start_on)
    )
    return render(
        request,
        "circulation/calendar.html",
        status_code=422 if errors else 200,
        calendar=calendar,
        closures=closures,
        coming=cal.coming_closed_days(calendar, today),
        errors=errors or {},
        form=form or {},
        message=message,
    )


@get("/admin/kalender", access=Access.admin, include_in_schema=False)
async def calendar_page(
    request: Request,
    today: Today,
    rueckgaben: Annotated[int | None, QueryParameter(ge=0, le=10**6)] = None,
    abholfristen: Annotated[int | None, QueryParameter(ge=0, le=10**6)] = None,
    reservierungen: Annotated[int | None, QueryParameter(ge=0, le=10**6)] = None,
) -> Response:
    # The counts of the closure just entered (redirect after POST).
    message = (
        closures.moved_summary(rueckgaben, abholfristen or 0, reservierungen or 0)
        if rueckgaben is not None
        else ""
    )
    return await _calendar_page(request, today, message=message)


@post(
    "/admin/kalender/oeffnungstage", access=Access.admin, include_in_schema=False, status_code=200
)
async def save_opening_days(request: Request, data: Form) -> Response:
    await cal.save_opening_days(
        {
            d: (bool(data.get(f"open-{d}")), str(data.get(f"hours-{d}", "")).strip())
            for d in range(7)
        }
    )
    # The footer shows the opening hours: this process shows the new ones at once.
    request.app.state.site_info.forget()
    return redirect(request, "/admin/kalender")


def _date(form, name: str, errors: dict) -> date | None:
    try:
        return date.fromisoformat(str(form.get(name, "")))
    except ValueError:
        errors[name] = _("Bitte ein Datum wählen.")
        return None


@post("/admin/kalender/schliesstage", access=Access.admin, include_in_schema=False, status_code=200)
async def add_closure(request: Request, data: Form, today: Today) -> Response:
    errors: dict[str, str] = {}
    start_on, end_on = _date(data, "start_on", errors), _date(data, "end_on", errors)
    try:
        if errors or start_on is None or end_on is None:
            raise InvalidInput(errors=errors)
        result = await closures.close(start_on, end_on, str(data.get("label", "")), today=today)
    except InvalidInput as exc:
        return await _calendar_page(
            request, today, errors={**errors, **exc.errors}, form=dict(data)
        )
    return redirect(
        request,
        "/admin/kalender?"
        + urlencode(
            {
                "rueckgaben": result.count("due_on"),
                "abholfristen": result.count("pickup_until"),
                "reservierungen": result.count("booking_start"),
            }
        ),
    )


@post(
    "/admin/kalender/schliesstage/{closure_id:int}/loeschen",
    access=Access.admin,
    include_in_schema=False,
    status_code=200,
)
async def remove_closure(request: Request, closure_id: Id) -> Response:
    await cal.remove_closure(closure_id)
    return redirect(request, "/admin/kalender")


@get("/verwaltung/ueberfaellig", access=Access.staff, include_in_schema=False)
async def overdue_list(
    request: Request, today: Today, sortierung: Annotated[str, QueryParameter()] = "faellig"
) -> Response:
    return render(
        request,
        "circulation/overdue.html",
        rows=await overdue.overdue_loans(today, sortierung),
        sort=sortierung if sortierung in overdue.SORTS else "faellig",
    )


ROUTES = [
    loan_rules_page,
    save_loan_rules,
    calendar_page,
    save_opening_days,
    add_closure,
    remove_closure,
    overdue_list,
]
