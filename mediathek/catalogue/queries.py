"""Read-only catalogue views used by several pages."""

from __future__ import annotations

from mediathek.search.models import SearchParams
from mediathek.search.services import search
from mediathek.vocab import MediaType


async def home_overview(newest: int = 12) -> dict:
    """What the home page shows: titles per media type, titles on the shelf now and the newest
    titles.

    All of it comes from the search's in-memory facet table (an empty search, newest first):
    counting the catalogue in SQL on every visit scanned every title and copy, and a few
    visitors at once kept the database busy.
    """
    result = await search(SearchParams(sort="neu"))
    by_type = {f.value: f.count for f in result.facets["media_type"]}
    return {
        "media_type_counts": [(t, by_type.get(t.value, 0)) for t in MediaType],
        "title_count": result.total,
        "available_titles": result.facets["available"][0].count,
        "newest": result.hits[:newest],
    }
