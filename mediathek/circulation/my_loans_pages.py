"""A teacher's own loans in "Mein Konto", with online renewal (one or all)."""

from __future__ import annotations

from datetime import date

from litestar import Request, Response, get, post

from mediathek import i18n
from mediathek.circulation import policy, services
from mediathek.circulation.own_loans import my_loans, renew_all
from mediathek.errors import NotFound
from mediathek.i18n import _
from mediathek.web.forms import Id
from mediathek.web.guards import Access
from mediathek.web.rendering import CurrentUser, Today, render

# Tells the rest of Mein Konto (the summary line) that the loans changed.
LOANS_CHANGED = {"HX-Trigger": "loans-changed"}


async def my_loans_context(patron_id: int, today: date, **extra) -> dict:
    """What ``circulation/_my_loans.html`` needs; Mein Konto passes it to its template."""
    return {
        "my_loans": await my_loans(patron_id, today),
        "today": today,
        "loan_message": "",
        "loan_error": "",
        "renewed_id": None,
        "renew_report": [],
        **extra,
    }


@get("/konto/ausleihen", access=Access.patron, include_in_schema=False)
async def my_loans_page(request: Request, user: CurrentUser, today: Today) -> Response:
    return render(
        request,
        "circulation/my_loans.html",
        fragment="circulation/_my_loans.html",
        **await my_loans_context(user.own_patron_id(), today),
    )


@post(
    "/konto/ausleihen/{loan_id:int}/verlaengern",
    access=Access.patron,
    include_in_schema=False,
    status_code=200,
)
async def renew_my_loan(request: Request, user: CurrentUser, loan_id: Id, today: Today) -> Response:
    message = error = ""
    status = 200
    try:
        done = await services.renew(loan_id, today=today, by_patron_id=user.own_patron_id())
        message = _("„%(title)s“ ist verlängert bis %(date)s.") % {
            "title": done.title,
            "date": i18n.format_day(done.due_on),
        }
        if done.due_reason:
            message += " " + policy.due_reason_text(done.due_reason)
    except policy.RenewalRefused as exc:
        error = exc.message
    except NotFound:
        error = _("Diese Ausleihe gibt es nicht.")
        status = 404
    return render(
        request,
        "circulation/my_loans.html",
        fragment="circulation/_my_loans.html",
        status_code=status,
        headers=LOANS_CHANGED,
        **await my_loans_context(
            user.own_patron_id(), today, loan_message=message, loan_error=error, renewed_id=loan_id
        ),
    )


@post(
    "/konto/ausleihen/alle-verlaengern",
    access=Access.patron,
    include_in_schema=False,
    status_code=200,
)
async def renew_all_my_loans(request: Request, user: CurrentUser, today: Today) -> Response:
    report = await renew_all(user.own_patron_id(), today)
    renewed = sum(1 for r in report if r.renewed)
    if not report:
        message = _("Sie haben gerade nichts ausgeliehen.")
    elif renewed == len(report):
        message = _("Alle Ausleihen sind verlängert.")
    else:
        message = _("%(renewed)s von %(total)s Ausleihen verlängert.") % {
            "renewed": renewed,
            "total": len(report),
        }
    return render(
        request,
        "circulation/my_loans.html",
        fragment="circulation/_my_loans.html",
        headers=LOANS_CHANGED,
        **await my_loans_context(
            user.own_patron_id(), today, loan_message=message, renew_report=report
        ),
    )


ROUTES = [my_loans_page, renew_my_loan, renew_all_my_loans]
