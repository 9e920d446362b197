"""Helpers for catalogue tests: a title with copies, made through the services."""

from __future__ import annotations

from datetime import date

from mediathek.catalogue import copies as copy_service
from mediathek.catalogue import services

TODAY = date(2026, 3, 10)


async def make_title(copies: int = 0, shelf_mark: str = "DAZ 1", **fields) -> tuple[int, list[str]]:
    form = {
        "title": "Schritte plus Neu 1",
        "media_type": "textbook",
        "authors": "Niebisch, Daniela",
        "publisher": "Hueber",
        "year": "2016",
        "languages": ["deu"],
        "topics": ["Integrationskurs"],
        "level_min": "a1",
        "level_max": "a1",
        **fields,
    }
    title_id = await services.create_title(form, TODAY)
    codes = (
        await copy_service.add_copies(title_id, copies, shelf_mark, "M", TODAY) if copies else []
    )
    return title_id, codes
