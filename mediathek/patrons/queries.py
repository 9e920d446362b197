"""Read-only lists about one patron: their open loans."""

from __future__ import annotations

from mediathek.circulation.tables import Loan


async def open_loans(patron_id: int) -> list[dict]:
    return (
        await Loan.select(
            Loan.id,
            Loan.title.title.as_alias("title"),
            Loan.copy.barcode.as_alias("barcode"),
            Loan.loaned_on,
            Loan.due_on,
            Loan.renewals,
        )
        .where(Loan.patron == patron_id, Loan.returned_at.is_null())
        .order_by(Loan.due_on)
    )
