"""What a search asks (parameters from the URL) and what it answers."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from mediathek.i18n import N_
from mediathek.search import text
from mediathek.vocab import (
    LANGUAGES,
    TOPICS,
    AgeGroup,
    Level,
    MediaType,
)

PAGE_SIZE = 20
MAX_PAGE = 500
SORTS = {"relevanz": N_("Relevanz"), "titel": N_("Titel (A–Z)"), "neu": N_("Neu im Bestand")}
TOPIC_FACET_SIZE = 15


@dataclass(frozen=True)
class SearchParams:
    q: str = ""
    media_types: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    levels: tuple[str, ...] = ()
    ages: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    available: bool = False
    sort: str = "relevanz"
    page: int = 1

    @classmethod
    def parse(
        cls,
        q: str | None = None,
        medienart: list[str] | None = None,
        sprache: list[str] | None = None,
        niveau: list[str] | None = None,
        alter: list[str] | None = None,
        thema: list[str] | None = None,
        verfuegbar: str | None = None,
        sortierung: str | None = None,
        seite: str | None = None,
    ) -> SearchParams:
        """From query parameters: unknown values are dropped (an old shared link still works)."""

        def keep(values: list[str] | None, known) -> tuple[str, ...]:
            out: list[str] = []
            for value in values or []:
                value = text.clean_query(value)
                if value in known and value not in out:
                    out.append(value)
            return tuple(out)

        try:
            page = min(max(int(seite or 1), 1), MAX_PAGE)
        except ValueError:
            page = 1
        sort = sortierung if sortierung in SORTS else "relevanz"
        return cls(
            q=text.clean_query(q),
            media_types=keep(medienart, {m.value for m in MediaType}),
            languages=keep(sprache, LANGUAGES),
            levels=keep(niveau, {m.value for m in Level}),
            ages=keep(alter, {m.value for m in AgeGroup}),
            topics=keep(thema, set(TOPICS)),
            available=(verfuegbar or "").lower() in {"1", "ja", "true", "on"},
            sort=sort,
            page=page,
        )

    def query_items(self, **changes) -> list[tuple[str, str]]:
        """The URL parameters (German names) of these params, with ``changes`` applied."""
        p = replace(self, **changes)
        items: list[tuple[str, str]] = []
        if p.q:
            items.append(("q", p.q))
        for name, values in (
            ("medienart", p.media_types),
            ("sprache", p.languages),
            ("niveau", p.levels),
            ("alter", p.ages),
            ("thema", p.topics),
        ):
            items += [(name, v) for v in values]
        if p.available:
            items.append(("verfuegbar", "1"))
        if p.sort != "relevanz":
            items.append(("sortierung", p.sort))
        if p.page > 1:
            items.append(("seite", str(p.page)))
        return items

    def with_values(self, facet: str, values: tuple[str, ...]) -> SearchParams:
        """These params with ``values`` added to one facet's filter."""
        attr = FACET_ATTRS[facet]
        chosen = getattr(self, attr)
        return replace(self, **{attr: chosen + tuple(v for v in values if v not in chosen)})

    def chosen(self, facet: str) -> tuple[str, ...]:
        if facet == "available":
            return ("ja",) if self.available else ()
        return getattr(self, FACET_ATTRS[facet])

    @property
    def has_filters(self) -> bool:
        return bool(
            self.media_types
            or self.languages
            or self.levels
            or self.ages
            or self.topics
            or self.available
        )


# Facet name → attribute of SearchParams.
FACET_ATTRS = {
    "media_type": "media_types",
    "language": "languages",
    "level": "levels",
    "age": "ages",
    "topic": "topics",
}

# Facet name → its parameter in the URL (/katalog?medienart=game).
URL_PARAMS = {
    "media_type": "medienart",
    "language": "sprache",
    "level": "niveau",
    "age": "alter",
    "topic": "thema",
    "available": "verfuegbar",
}


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool


@dataclass
class SearchHit:
    id: int
    title: str
    subtitle: str
    authors: str
    media_type: str
    level_min: str | None
    level_max: str | None
    age_min: str | None
    age_max: str | None
    year: int | None
    publisher: str
    series: str
    isbn: str | None
    cover_file: str = ""
    languages: list[str] = field(default_factory=list)
    copies: int = 0
    available: int = 0


@dataclass
class RecognisedFilter:
    """A filter the query's words named ("Kita" → age group kita), shown as a chip."""

    facet: str
    values: tuple[str, ...]
    label: str
    words: str
    # The query without these words: removing the chip searches this.
    q_without: str


@dataclass
class Relaxation:
    """One way out of an empty result: drop a word (``q``) or a filter (``facet``)."""

    label: str
    count: int
    q: str | None = None
    facet: str | None = None


@dataclass
class SearchResult:
    params: SearchParams
    hits: list[SearchHit]
    total: int
    facets: dict[str, list[FacetValue]]
    # "isbn" or "barcode" when the query was an identifier matched exactly.
    exact: str | None = None
    # Words tried instead of unknown ones (typos), e.g. {"schrite": ["schritte"]}.
    corrections: dict[str, list[str]] = field(default_factory=dict)
    # Spelling suggestions when even the corrected search found nothing.
    suggestions: list[str] = field(default_factory=list)
    # Filters named by words of the query, and the words left for the text search.
    recognised: list[RecognisedFilter] = field(default_factory=list)
    text: str = ""
    # The filters in force: the params' own and the recognised ones.
    applied: SearchParams | None = None
    # Ways to loosen a search that found nothing, most hits first.
    relaxations: list[Relaxation] = field(default_factory=list)
    # True when words naming filters found nothing as filters and were searched as text.
    words_as_text: bool = False

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))

    @property
    def corrected_words(self) -> list[str]:
        return [alts[0] for alts in self.corrections.values() if alts]
