"""The overdue list for staff: open loans past their due date, with their reminder level."""

from __future__ import annotations

from datetime import date

from mediathek.circulation import policy
from mediathek.circulation.tables import Loan
from mediathek.site_settings import get_setting

# Sort keys of the list (German, as in the URL) -> column, ascending.
SORTS = {
    "faellig": (Loan.due_on, True),
    "name": (Loan.patron.last_name, True),
    "titel": (Loan.title.title, True),
    "mahnstufe": (Loan.reminder_level, False),
}


async def overdue_loans(today: date, sort: str = "faellig") -> list[dict]:
    column, ascending = SORTS.get(sort, SORTS["faellig"])
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
    if sort == "mahnstufe":
        rows.sort(key=lambda r: (-r["level"], r["due_on"]))
    return rows
