"""CSV export of the catalogue, with the column names the import reads back."""

from __future__ import annotations

from collections.abc import Iterable

from mediathek.catalogue.imports import EXPORT_HEADERS
from mediathek.catalogue.tables import Component, Copy, Title, TitleLanguage, TitleTopic
from mediathek.csv_files import to_csv
from mediathek.vocab import AGE_GROUP_LABELS, LEVEL_LABELS, MEDIA_TYPE_LABELS


def _grouped(rows: Iterable[dict], key: str, value: str) -> dict[int, list]:
    out: dict[int, list] = {}
    for r in rows:
        out.setdefault(r[key], []).append(r[value])
    return out


async def export_csv() -> str:
    """The catalogue (not withdrawn) as CSV with German headers the import reads back (and
    a BOM: Excel on Windows opens UTF-8 CSV correctly only with it)."""
    titles = await Title.select().where(Title.withdrawn_at.is_null()).order_by(Title.id)
    langs = _grouped(await TitleLanguage.select().order_by(TitleLanguage.id), "title", "language")
    topics = _grouped(await TitleTopic.select().order_by(TitleTopic.topic), "title", "topic")
    comps = _grouped(
        [
            {"title": c["title"], "v": f"{c['quantity']} x {c['name']}"}
            for c in await Component.select().order_by(Component.title, Component.position)
        ],
        "title",
        "v",
    )
    copies: dict[int, list[dict]] = {}
    for c in (
        await Copy.select(Copy.title, Copy.barcode, Copy.shelf_mark)
        .where(Copy.withdrawn_at.is_null())
        .order_by(Copy.barcode)
    ):
        copies.setdefault(c["title"], []).append(c)
    rows = []
    for t in titles:
        own = copies.get(t["id"], [])
        rows.append(
            [
                t["title"],
                t["subtitle"],
                t["authors"],
                t["isbn"] or "",
                MEDIA_TYPE_LABELS.get(t["media_type"], t["media_type"]),
                ", ".join(langs.get(t["id"], [])),
                LEVEL_LABELS.get(t["level_min"], "") if t["level_min"] else "",
                LEVEL_LABELS.get(t["level_max"], "") if t["level_max"] else "",
                AGE_GROUP_LABELS.get(t["age_min"], "") if t["age_min"] else "",
                AGE_GROUP_LABELS.get(t["age_max"], "") if t["age_max"] else "",
                ", ".join(topics.get(t["id"], [])),
                t["publisher"],
                t["year"] or "",
                t["series"],
                t["volume"],
                t["description"],
                "; ".join(comps.get(t["id"], [])),
                len(own),
                own[0]["shelf_mark"] if own else "",
                " ".join(c["barcode"] for c in own),
            ]
        )
    return to_csv(EXPORT_HEADERS.values(), rows)
