"""Catalogue records for reservation tests: a title with n copies, a loan of a copy."""

from __future__ import annotations

from datetime import date, timedelta

from mediathek.catalogue.barcodes import make_code
from mediathek.catalogue.tables import Copy, CopyStatus, Title
from mediathek.circulation.tables import Loan
from mediathek.vocab import MediaType

_copy_numbers = iter(range(1, 1_000_000))


async def make_title(copies: int = 1, name: str = "Bildkarten Obst", media_type=MediaType.game):
    """Returns (title id, [copy ids])."""
    row = await Title.insert(Title(title=name, media_type=media_type)).returning(Title.id)
    title_id = row[0]["id"]
    ids = []
    for _ in range(copies):
        c = await Copy.insert(
            Copy(title=title_id, barcode=make_code("M", next(_copy_numbers)))
        ).returning(Copy.id)
        ids.append(c[0]["id"])
    return title_id, ids


async def lend(copy_id: int, patron_id: int, loaned_on: date, due_on: date | None = None) -> int:
    """A running loan as the desk would leave it (copy on loan)."""
    copy = await Copy.select(Copy.title, Copy.title.media_type).where(Copy.id == copy_id).first()
    row = await Loan.insert(
        Loan(
            copy=copy_id,
            title=copy["title"],
            patron=patron_id,
            patron_category="paid_teacher",
            media_type=copy["title.media_type"],
            loaned_on=loaned_on,
            due_on=due_on or loaned_on + timedelta(days=28),
        )
    ).returning(Loan.id)
    await Copy.update({Copy.status: CopyStatus.on_loan}).where(Copy.id == copy_id)
    return row[0]["id"]


async def give_back(copy_id: int) -> None:
    """What checkin does before asking reservations: close the loan, copy back available."""
    from mediathek.clock import now

    await Loan.update({Loan.returned_at: now()}).where(
        Loan.copy == copy_id, Loan.returned_at.is_null()
    )
    await Copy.update({Copy.status: CopyStatus.available}).where(Copy.id == copy_id)


async def copy_status(copy_id: int) -> str:
    row = await Copy.select(Copy.status).where(Copy.id == copy_id).first()
    return row["status"]


def next_years_monday() -> date:
    """A Monday in February of next year: the pages use the real clock, and Monday to Friday
    of that week are opening days (NRW has no public holiday in February)."""
    first = date(date.today().year + 1, 2, 8)
    return first + timedelta(days=(7 - first.weekday()) % 7)
