"""Stocktake pages: start, scan (USB scanner: focused field + Enter), results, apply, cancel."""

from __future__ import annotations

from litestar import Request, Response, get, post

from mediathek.errors import InvalidInput
from mediathek.i18n import N_, _
from mediathek.reports import stocktake as service
from mediathek.web.forms import Form, Id, flat, form_value
from mediathek.web.guards import Access
from mediathek.web.rendering import CurrentUser, Today, redirect, render


@get("/verwaltung/revision", access=Access.staff, include_in_schema=False)
async def stocktakes(request: Request) -> Response:
    return render(
        request,
        "reports/stocktakes.html",
        stocktakes=await service.list_stocktakes(),
        status_labels=service.STATUS_LABELS,
        errors={},
        form={},
    )


@post("/verwaltung/revision", access=Access.staff, include_in_schema=False, status_code=200)
async def start(request: Request, user: CurrentUser, data: Form) -> Response:
    try:
        prefixes = service.parse_prefixes(form_value(data, "signaturen"))
    except InvalidInput as exc:
        return render(
            request,
            "reports/stocktakes.html",
            status_code=422,
            stocktakes=await service.list_stocktakes(),
            status_labels=service.STATUS_LABELS,
            errors=exc.errors,
            form=flat(data),
        )
    new_id = await service.start_stocktake(
        form_value(data, "bezeichnung"), prefixes, user.account_id
    )
    return redirect(request, f"/verwaltung/revision/{new_id}")


async def _page(request: Request, stocktake_id: int, **extra) -> Response:
    context = {
        "report": await service.stocktake_report(stocktake_id),
        "recent": await service.recent_scans(stocktake_id),
        "status_labels": service.STATUS_LABELS,
        "result": None,
        "shelf": "",
        "errors": {},
        **extra,
    }
    return render(
        request,
        "reports/stocktake.html",
        fragment="reports/_scan.html",
        status_code=422 if context["errors"] else 200,
        **context,
    )


@get("/verwaltung/revision/{stocktake_id:int}", access=Access.staff, include_in_schema=False)
async def stocktake_page(request: Request, stocktake_id: Id) -> Response:
    return await _page(request, stocktake_id)


@post(
    "/verwaltung/revision/{stocktake_id:int}/scan",
    access=Access.staff,
    include_in_schema=False,
    status_code=200,
)
async def scan(request: Request, stocktake_id: Id, data: Form) -> Response:
    shelf = form_value(data, "regal")
    try:
        result = await service.record_scan(stocktake_id, form_value(data, "barcode"), shelf)
    except InvalidInput as exc:
        return await _page(request, stocktake_id, shelf=shelf, errors=exc.errors)
    return await _page(request, stocktake_id, shelf=shelf, result=result)


@post(
    "/verwaltung/revision/{stocktake_id:int}/anwenden",
    access=Access.staff,
    include_in_schema=False,
    status_code=200,
)
async def apply(
    request: Request, user: CurrentUser, stocktake_id: Id, data: Form, today: Today
) -> Response:
    """Asked first (the page's dialog, or a page of its own without JavaScript)."""
    if not form_value(data, "confirmed"):
        report = await service.stocktake_report(stocktake_id)
        return render(
            request,
            "confirm.html",
            question=_("Ergebnis der Bestandsrevision übernehmen?"),
            detail=_(
                "%(n)s nicht gefundene Exemplare werden auf „verloren“ gesetzt, die Revision "
                "wird abgeschlossen. Das lässt sich danach rückgängig machen."
            )
            % {"n": len(report.missing)},
            action=f"/verwaltung/revision/{stocktake_id}/anwenden",
            fields={},
            button=_("Ergebnis übernehmen"),
            back=f"/verwaltung/revision/{stocktake_id}",
        )
    await service.apply_stocktake(
        stocktake_id,
        today,
        user.account_id,
        user.email,
        note=form_value(data, "note")[:500],
    )
    return redirect(request, f"/verwaltung/revision/{stocktake_id}")


@post(
    "/verwaltung/revision/{stocktake_id:int}/rueckgaengig",
    access=Access.staff,
    include_in_schema=False,
    status_code=200,
)
async def undo_apply(request: Request, user: CurrentUser, stocktake_id: Id) -> Response:
    """The copies marked lost go back on the shelf, the stocktake is open again."""
    await service.undo_apply(stocktake_id, user.account_id)
    return redirect(request, f"/verwaltung/revision/{stocktake_id}")


@post(
    "/verwaltung/revision/{stocktake_id:int}/abbrechen",
    access=Access.staff,
    include_in_schema=False,
    status_code=200,
)
async def cancel(request: Request, stocktake_id: Id) -> Response:
    await service.cancel_stocktake(stocktake_id)
    return redirect(request, f"/verwaltung/revision/{stocktake_id}")


ROUTES = [stocktakes, start, stocktake_page, scan, apply, undo_apply, cancel]
STAFF_LINKS = [
    (N_("Bestandsrevision"), "/verwaltung/revision", N_("Regale scannen, Fehlendes finden")),
]
