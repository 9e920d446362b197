"""Titles and copies for circulation tests."""

from __future__ import annotations

from mediathek.catalogue.barcodes import make_code
from mediathek.catalogue.tables import Component, Copy, Title
from mediathek.vocab import MediaType

_numbers = iter(range(1, 1_000_000))


async def make_title(
    name: str = "Bildkarten Obst",
    media_type: MediaType = MediaType.picture_cards,
    copies: int = 1,
    components: list[tuple[str, int]] | None = None,
    isbn: str | None = None,
) -> tuple[int, list[str]]:
    """A title with ``copies`` copies; returns (title id, copy barcodes)."""
    row = await Title.insert(Title(title=name, media_type=media_type, isbn=isbn)).returning(
        Title.id
    )
    title_id = row[0]["id"]
    for pos, (part, qty) in enumerate(components or []):
        await Component.insert(Component(title=title_id, position=pos, name=part, quantity=qty))
    codes = [make_code("M", next(_numbers)) for _ in range(copies)]
    for code in codes:
        await Copy.insert(Copy(title=title_id, barcode=code))
    return title_id, codes
