"""Staff pages: statistics for a year or a date range, with CSV export of every table."""

from __future__ import annotations

from typing import Annotated

from litestar import Request, Response, get
from litestar.params import FromPath, QueryParameter

from mediathek.csv_files import to_csv
from mediathek.errors import InvalidInput, NotFound
from mediathek.i18n import N_
from mediathek.reports import charts
from mediathek.reports.statistics import compute, parse_period
from mediathek.web.guards import Access
from mediathek.web.rendering import AppSettings, Today, render

Query = Annotated[str | None, QueryParameter(required=False)]


@get("/verwaltung/statistik", access=Access.staff, include_in_schema=False)
async def statistics_page(
    request: Request,
    settings: AppSettings,
    today: Today,
    jahr: Query = None,
    von: Query = None,
    bis: Query = None,
) -> Response:
    try:
        period = parse_period(jahr, von, bis, today)
    except InvalidInput as exc:
        # Re-show the form with the message instead of an error page.
        return render(
            request,
            "reports/statistics.html",
            status_code=422,
            stats=None,
            errors=exc.errors,
            form={"jahr": jahr or "", "von": von or "", "bis": bis or ""},
        )
    stats = await compute(period, settings.tz)
    pictures = {}
    for table in stats.tables:
        if table.chart:
            rows = [(str(r[0]), int(r[1])) for r in table.rows]
            draw = charts.vertical_bars if table.key == "monate" else charts.horizontal_bars
            pictures[table.key] = draw(f"chart-{table.key}", table.caption, rows)
    query = f"von={period.start.isoformat()}&bis={period.end.isoformat()}"
    return render(
        request,
        "reports/statistics.html",
        stats=stats,
        charts=pictures,
        query=query,
        errors={},
        form={
            "jahr": jahr or ("" if von or bis else str(period.start.year)),
            "von": period.start.isoformat() if von or bis else "",
            "bis": period.end.isoformat() if von or bis else "",
        },
    )


@get("/verwaltung/statistik/{name:str}", access=Access.staff, include_in_schema=False)
async def statistics_csv(
    request: Request,
    settings: AppSettings,
    today: Today,
    name: FromPath[str],
    jahr: Query = None,
    von: Query = None,
    bis: Query = None,
) -> Response:
    key = name.removesuffix(".csv")
    if not name.endswith(".csv"):
        raise NotFound("Diese Tabelle gibt es nicht.")
    period = parse_period(jahr, von, bis, today)
    stats = await compute(period, settings.tz)
    table = stats.table(key)
    if table is None:
        raise NotFound("Diese Tabelle gibt es nicht.")
    return Response(
        content=to_csv(table.columns, table.rows).encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="statistik-{key}-'
            f'{period.start.isoformat()}-{period.end.isoformat()}.csv"'
        },
    )


ROUTES = [statistics_page, statistics_csv]
STAFF_LINKS = [
    (N_("Statistik"), "/verwaltung/statistik", N_("Ausleihen und Nutzung für den Jahresbericht")),
]
