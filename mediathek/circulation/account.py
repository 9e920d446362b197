"""A teacher's own loans in "Mein Konto", with online renewal."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from litestar import Request, Response, get, post
from litestar.params import Parameter

from mediathek.circulation import policy, services
from mediathek.circulation.tables import Loan
from mediathek.errors import NotFound
from mediathek.site_settings import get_setting
from mediathek.web.guards import Access
from mediathek.web.rendering import library_today, render

LoanId = Annotated[int, Parameter(ge=1, le=2**31 - 1)]


async def my_loans(patron_id: int, today: date) -> list[dict]:
    """Open loans of one patron, with overdue days and whether "renew" may be offered."""
    rows = await (
        Loan.select(
            Loan.id,
            Loan.due_on,
            Loan.loaned_on,
            Loan.renewals,
            Loan.reminder_level,
            Loan.copy.barcode.as_alias("barcode"),
            Loan.title.title.as_alias("title_name"),
            Loan.title.id.as_alias("title_id"),
        )
        .where(Loan.patron == patron_id, Loan.returned_at.is_null())
        .order_by(Loan.due_on)
    )
    soon = int(await get_setting("due_soon_days"))
    for r in rows:
        r["overdue_days"] = max(0, (today - r["due_on"]).days)
        r["due_soon"] = 0 <= (r["due_on"] - today).days <= soon
    return rows


async def my_loans_context(patron_id: int, today: date, **extra) -> dict:
    """What ``circulation/_my_loans.html`` needs; Mein Konto passes it to its template."""
    return {
        "my_loans": await my_loans(patron_id, today),
        "loan_message": "",
        "loan_error": "",
        **extra,
    }


@get("/konto/ausleihen", access=Access.patron, include_in_schema=False)
async def my_loans_page(request: Request) -> Response:
    user = request.scope["user"]
    today = library_today(request)
    return render(
        request,
        "circulation/my_loans.html",
        fragment="circulation/_my_loans.html",
        **await my_loans_context(user.patron_id, today),
    )


@post(
    "/konto/ausleihen/{loan_id:int}/verlaengern",
    access=Access.patron,
    include_in_schema=False,
    status_code=200,
)
async def renew_my_loan(request: Request, loan_id: LoanId) -> Response:
    user = request.scope["user"]
    today = library_today(request)
    message = error = ""
    status = 200
    try:
        done = await services.renew(loan_id, today=today, by_patron_id=user.patron_id)
        message = f"„{done.title}“ ist verlängert bis {done.due_on:%d.%m.%Y}."
    except policy.RenewalRefused as exc:
        error = exc.message
    except NotFound:
        error = "Diese Ausleihe gibt es nicht."
        status = 404
    return render(
        request,
        "circulation/my_loans.html",
        fragment="circulation/_my_loans.html",
        status_code=status,
        **await my_loans_context(user.patron_id, today, loan_message=message, loan_error=error),
    )


ROUTES = [my_loans_page, renew_my_loan]
