"""JSON API for staff (/api/v1): statistics and stocktake scanning, over the same services."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated

from litestar import Request, get, post
from litestar.params import JSONBody, QueryParameter

from mediathek.api.common import problems
from mediathek.reports import stocktake as stocktakes
from mediathek.reports.statistics import compute, parse_period
from mediathek.web.forms import Id
from mediathek.web.guards import Access
from mediathek.web.rendering import AppSettings, CurrentUser, Today

Query = Annotated[str | None, QueryParameter(required=False)]
SECURITY: list[dict[str, list[str]]] = [{"bearer": []}, {"session": []}]


@get(
    "/api/v1/statistics",
    access=Access.staff,
    tags=["Statistik"],
    security=SECURITY,
    responses=problems(401, 403, 422),
)
async def statistics(
    request: Request,
    settings: AppSettings,
    today: Today,
    jahr: Query = None,
    von: Query = None,
    bis: Query = None,
) -> dict:
    """All statistics tables for a year (``jahr``) or a range (``von``/``bis``, JJJJ-MM-TT)."""
    period = parse_period(jahr, von, bis, today)
    return (await compute(period, settings.tz)).as_dict()


@dataclass
class StocktakeIn:
    label: str = ""
    shelf_marks: list[str] = field(default_factory=list)  # prefixes; empty = whole stock


@dataclass
class ScanIn:
    barcode: str
    shelf_mark: str = ""  # the shelf being scanned


@post(
    "/api/v1/stocktakes",
    access=Access.staff,
    tags=["Bestandsrevision"],
    security=SECURITY,
    responses=problems(401, 403, 422),
)
async def start_stocktake(user: CurrentUser, data: JSONBody[StocktakeIn]) -> dict:
    prefixes = stocktakes.parse_prefixes(",".join(data.shelf_marks))
    new_id = await stocktakes.start_stocktake(data.label, prefixes, user.account_id)
    return (await stocktakes.stocktake_report(new_id)).as_dict()


@get(
    "/api/v1/stocktakes/{stocktake_id:int}",
    access=Access.staff,
    tags=["Bestandsrevision"],
    security=SECURITY,
    responses=problems(401, 403, 404),
)
async def stocktake_report(stocktake_id: Id) -> dict:
    """The lists: missing, seen although not on the shelf by status, wrong shelf, unknown."""
    return (await stocktakes.stocktake_report(stocktake_id)).as_dict()


@post(
    "/api/v1/stocktakes/{stocktake_id:int}/scans",
    access=Access.staff,
    tags=["Bestandsrevision"],
    security=SECURITY,
    status_code=200,
    responses=problems(401, 403, 404, 409, 422),
)
async def scan(stocktake_id: Id, data: JSONBody[ScanIn]) -> dict:
    """Record one scanned barcode; scanning again is harmless (outcome ``again``)."""
    result = await stocktakes.record_scan(stocktake_id, data.barcode, data.shelf_mark)
    return {
        "barcode": result.barcode,
        "outcome": result.outcome,
        "message": result.message,
        "copy_id": result.copy["id"] if result.copy else None,
        "warnings": result.warnings,
    }


ROUTES = [statistics, start_stocktake, stocktake_report, scan]
