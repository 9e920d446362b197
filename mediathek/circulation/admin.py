"""Settings pages for lending (loan rules, opening days and closures) and the overdue list."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from litestar import Request, Response, get, post
from litestar.params import Parameter, QueryParameter

from mediathek.circulation import calendar as cal
from mediathek.circulation import policy, rules
from mediathek.circulation.tables import Loan
from mediathek.errors import InvalidInput
from mediathek.i18n import _
from mediathek.site_settings import get_setting
from mediathek.vocab import MediaType, PatronCategory
from mediathek.web.guards import Access
from mediathek.web.rendering import library_today, redirect, render

ClosureId = Annotated[int, Parameter(ge=1, le=2**31 - 1)]


def _number(form, name: str, low: int, high: int, errors: dict) -> int:
    raw = str(form.get(name, "")).strip()
    if raw.isascii() and raw.isdigit() and low <= int(raw) <= high:
        return int(raw)
    errors[name] = _("Bitte eine ganze Zahl von %(low)s bis %(high)s.") % {"low": low, "high": high}
    return 0


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
async def save_loan_rules(request: Request) -> Response:
    form = await request.form()
    errors: dict[str, str] = {}
    table = {
        (c.value, m.value): rules.Rule(
            _number(form, f"days-{c.value}-{m.value}", 1, 365, errors),
            _number(form, f"renewals-{c.value}-{m.value}", 0, 20, errors),
        )
        for c in PatronCategory
        for m in MediaType
    }
    limits = {
        c.value: rules.Limits(
            _number(form, f"loans-{c.value}", 0, 999, errors),
            _number(form, f"holds-{c.value}", 0, 999, errors),
        )
        for c in PatronCategory
    }
    if errors:
        return await _rules_page(request, errors=errors, form=form)
    await rules.save_policy_table(table, limits)
    return redirect(request, "/admin/ausleihregeln?gespeichert=1")


async def _calendar_page(request: Request, errors: dict | None = None, form=None) -> Response:
    today = library_today(request)
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
    )


@get("/admin/kalender", access=Access.admin, include_in_schema=False)
async def calendar_page(request: Request) -> Response:
    return await _calendar_page(request)


@post(
    "/admin/kalender/oeffnungstage", access=Access.admin, include_in_schema=False, status_code=200
)
async def save_opening_days(request: Request) -> Response:
    form = await request.form()
    await cal.save_opening_days(
        {
            d: (bool(form.get(f"open-{d}")), str(form.get(f"hours-{d}", "")).strip())
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
async def add_closure(request: Request) -> Response:
    form = await request.form()
    errors: dict[str, str] = {}
    start_on, end_on = _date(form, "start_on", errors), _date(form, "end_on", errors)
    try:
        if errors or start_on is None or end_on is None:
            raise InvalidInput(errors=errors)
        await cal.add_closure(start_on, end_on, str(form.get("label", "")))
    except InvalidInput as exc:
        return await _calendar_page(request, errors={**errors, **exc.errors}, form=dict(form))
    return redirect(request, "/admin/kalender")


@post(
    "/admin/kalender/schliesstage/{closure_id:int}/loeschen",
    access=Access.admin,
    include_in_schema=False,
    status_code=200,
)
async def remove_closure(request: Request, closure_id: ClosureId) -> Response:
    await cal.remove_closure(closure_id)
    return redirect(request, "/admin/kalender")


SORTS = {
    "faellig": (Loan.due_on, True),
    "name": (Loan.patron.last_name, True),
    "titel": (Loan.title.title, True),
    "mahnstufe": (Loan.reminder_level, False),
}


@get("/verwaltung/ueberfaellig", access=Access.staff, include_in_schema=False)
async def overdue_list(
    request: Request, sortierung: Annotated[str, QueryParameter()] = "faellig"
) -> Response:
    today = library_today(request)
    column, ascending = SORTS.get(sortierung, SORTS["faellig"])
    rows = await (
        Loan.select(
            Loan.id,
            Loan.due_on,
            Loan.reminder_level,
            Loan.copy.barcode.as_alias("barcode"),
            Loan.title.title.as_alias("title_name"),
            Loan.patron.first_name.as_alias("first_name"),
            Loan.patron.last_name.as_alias("last_name"),
            Loan.patron.email.as_alias("email"),
            Loan.patron.phone.as_alias("phone"),
            Loan.patron.card_barcode.as_alias("card"),
            Loan.patron.institution.as_alias("institution"),
        )
        .where(Loan.returned_at.is_null(), Loan.due_on < today)
        .order_by(column, ascending=ascending)
        .order_by(Loan.due_on)
    )
    level_days = list(await get_setting("overdue_level_days"))
    for r in rows:
        r["overdue_days"] = (today - r["due_on"]).days
        r["level"] = policy.overdue_level(r["due_on"], today, level_days, r["reminder_level"])
    if sortierung == "mahnstufe":
        rows.sort(key=lambda r: (-r["level"], r["due_on"]))
    return render(
        request,
        "circulation/overdue.html",
        rows=rows,
        sort=sortierung if sortierung in SORTS else "faellig",
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
