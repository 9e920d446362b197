"""Catalogue records for search tests: one call per title with its languages, topics, copies."""

from __future__ import annotations

from itertools import count

from mediathek.catalogue.barcodes import make_code
from mediathek.catalogue.tables import Copy, CopyStatus, Title, TitleLanguage, TitleTopic

_copy_numbers = count(1)


async def add_title(
    title: str,
    *,
    media_type: str = "book",
    languages: tuple[str, ...] = ("deu",),
    topics: tuple[str, ...] = (),
    copies: tuple[str, ...] = (CopyStatus.available,),
    **fields,
) -> int:
    """Insert a title; ``copies`` lists each copy's status. Returns the title id."""
    row = await Title.insert(Title(title=title, media_type=media_type, **fields)).returning(
        Title.id
    )
    title_id = row[0]["id"]
    if languages:
        await TitleLanguage.insert(*[TitleLanguage(title=title_id, language=c) for c in languages])
    if topics:
        await TitleTopic.insert(*[TitleTopic(title=title_id, topic=t) for t in topics])
    for status in copies:
        await Copy.insert(
            Copy(title=title_id, barcode=make_code("M", next(_copy_numbers)), status=status)
        )
    return title_id


async def barcode_of(title_id: int) -> str:
    row = await Copy.select(Copy.barcode).where(Copy.title == title_id).first()
    return row["barcode"]
