"""Read-only catalogue views used by several pages."""

from __future__ import annotations

from piccolo.query.functions.aggregate import Count

from mediathek.catalogue.tables import Copy, CopyStatus, Title
from mediathek.vocab import MediaType


async def home_overview(newest: int = 12) -> dict:
    """What the home page shows: counts per media type and the newest titles."""
    counts = (
        await Title.select(Title.media_type, Count(Title.id, alias="n"))
        .where(Title.withdrawn_at.is_null())
        .group_by(Title.media_type)
    )
    by_type = {MediaType(r["media_type"]): r["n"] for r in counts}
    latest = (
        await Title.select(
            Title.id,
            Title.title,
            Title.subtitle,
            Title.authors,
            Title.media_type,
            Title.level_min,
            Title.level_max,
        )
        .where(Title.withdrawn_at.is_null())
        .order_by(Title.created_at, ascending=False)
        .order_by(Title.id, ascending=False)
        .limit(newest)
    )
    available = await Copy.count().where(Copy.status == CopyStatus.available)
    return {
        "media_type_counts": [(t, by_type.get(t, 0)) for t in MediaType],
        "title_count": sum(by_type.values()),
        "available_copies": available,
        "newest": latest,
    }
