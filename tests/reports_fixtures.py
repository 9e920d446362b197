"""Catalogue and loan rows for statistics, privacy and stocktake tests."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from mediathek.catalogue.barcodes import make_code
from mediathek.catalogue.tables import Copy, CopyStatus, Title, TitleLanguage
from mediathek.circulation.tables import Loan
from mediathek.patrons.tables import Patron

_copy_numbers = iter(range(5000, 100_000))


async def make_title(
    title: str,
    media_type: str = "book",
    *,
    levels: tuple[str | None, str | None] = (None, None),
    ages: tuple[str | None, str | None] = (None, None),
    languages: tuple[str, ...] = ("deu",),
) -> int:
    row = await Title.insert(
        Title(
            title=title,
            media_type=media_type,
            level_min=levels[0],
            level_max=levels[1],
            age_min=ages[0],
            age_max=ages[1],
            created_at=datetime(2020, 1, 1, tzinfo=UTC),
        )
    ).returning(Title.id)
    title_id = row[0]["id"]
    for code in languages:
        await TitleLanguage.insert(TitleLanguage(title=title_id, language=code))
    return title_id


async def make_copy(
    title_id: int, shelf_mark: str = "", status: str = CopyStatus.available
) -> tuple[int, str]:
    code = make_code("M", next(_copy_numbers))
    row = await Copy.insert(
        Copy(title=title_id, barcode=code, shelf_mark=shelf_mark, status=status)
    ).returning(Copy.id)
    return row[0]["id"], code


async def make_loan(
    copy_id: int,
    patron_id: int,
    loaned_on: date,
    returned_on: date | None = None,
) -> int:
    copy = await Copy.select(Copy.title, Copy.title.media_type).where(Copy.id == copy_id).first()
    patron = await Patron.select(Patron.category).where(Patron.id == patron_id).first()
    returned_at = datetime.combine(returned_on, time(12), UTC) if returned_on is not None else None
    row = await Loan.insert(
        Loan(
            copy=copy_id,
            title=copy["title"],
            patron=patron_id,
            patron_category=patron["category"],
            media_type=copy["title.media_type"],
            loaned_at=datetime.combine(loaned_on, time(10), UTC),
            loaned_on=loaned_on,
            due_on=loaned_on,
            returned_at=returned_at,
        )
    ).returning(Loan.id)
    return row[0]["id"]
