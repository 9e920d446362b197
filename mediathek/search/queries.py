"""The catalogue search: ``await search(SearchParams(...)) -> SearchResult``.

One service for the public page and the JSON API. The text match runs on the engine's own
index (FTS5 on SQLite, tsvector + GIN on PostgreSQL, both maintained by triggers); filters,
facet counts, sorting and paging are plain SQL over the matched ids. Facets count
disjunctively: the counts of one facet ignore that facet's own selection, so ticking "Buch"
still shows how many games there are.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field, replace

from mediathek.catalogue.tables import Copy, CopyStatus, Title
from mediathek.db import current_engine, is_sqlite
from mediathek.search import text
from mediathek.vocab import (
    AGE_GROUP_LABELS,
    LANGUAGES,
    LEVEL_LABELS,
    MEDIA_TYPE_LABELS,
    TOPICS,
    AgeGroup,
    Level,
    MediaType,
    values_between,
)

PAGE_SIZE = 20
MAX_PAGE = 500
SORTS = {"relevanz": "Relevanz", "titel": "Titel (A–Z)", "neu": "Neu im Bestand"}
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
    languages: list[str] = field(default_factory=list)
    copies: int = 0
    available: int = 0


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

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))

    @property
    def corrected_words(self) -> list[str]:
        return [alts[0] for alts in self.corrections.values() if alts]


# ---- SQL pieces ----------------------------------------------------------------------------


class _Sql:
    """A SQL text with piccolo's ``{}`` placeholders and its arguments, built in order."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.args: list = []

    def add(self, sql: str, *args) -> _Sql:
        self.parts.append(sql)
        self.args.extend(args)
        return self

    def extend(self, other: _Sql) -> _Sql:
        self.parts.extend(other.parts)
        self.args.extend(other.args)
        return self

    @property
    def sql(self) -> str:
        return " ".join(self.parts)


def _in_list(column: str, values: tuple[str, ...] | list[str]) -> _Sql:
    return _Sql().add(f"{column} IN ({', '.join('{}' for _ in values)})", *values)


def _range_covers(low_col: str, high_col: str, enum_cls, wanted: tuple[str, ...]) -> _Sql:
    """A title's range low..high (open ends reach to the first/last code) covers any of
    ``wanted``; a title without any range matches no range filter."""
    sql = _Sql().add(f"(({low_col} IS NOT NULL OR {high_col} IS NOT NULL) AND (")
    for i, code in enumerate(wanted):
        lows = values_between(enum_cls, None, code)
        highs = values_between(enum_cls, code, None)
        if i:
            sql.add("OR")
        sql.add(f"(({low_col} IS NULL OR").extend(_in_list(low_col, lows))
        sql.add(f") AND ({high_col} IS NULL OR").extend(_in_list(high_col, highs)).add("))")
    return sql.add("))")


def _filters(p: SearchParams, skip: str | None = None) -> _Sql:
    """WHERE conditions on title ``t`` for every chosen facet except ``skip``."""
    sql = _Sql().add("t.withdrawn_at IS NULL")
    if p.media_types and skip != "media_type":
        sql.add("AND").extend(_in_list("t.media_type", p.media_types))
    if p.languages and skip != "language":
        sql.add("AND EXISTS (SELECT 1 FROM title_language tl WHERE tl.title = t.id AND")
        sql.extend(_in_list("tl.language", p.languages)).add(")")
    if p.levels and skip != "level":
        sql.add("AND").extend(_range_covers("t.level_min", "t.level_max", Level, p.levels))
    if p.ages and skip != "age":
        sql.add("AND").extend(_range_covers("t.age_min", "t.age_max", AgeGroup, p.ages))
    if p.topics and skip != "topic":
        sql.add("AND EXISTS (SELECT 1 FROM title_topic tt WHERE tt.title = t.id AND")
        sql.extend(_in_list("tt.topic", p.topics)).add(")")
    if p.available and skip != "available":
        sql.add("AND").add(_AVAILABLE)
    return sql


def _other_filters(p: SearchParams, skip: str) -> bool:
    """Whether any facet other than ``skip`` is chosen."""
    chosen = {
        "media_type": p.media_types,
        "language": p.languages,
        "level": p.levels,
        "age": p.ages,
        "topic": p.topics,
        "available": p.available,
    }
    return any(value for name, value in chosen.items() if name != skip)


_AVAILABLE = (
    f"EXISTS (SELECT 1 FROM copy c WHERE c.title = t.id AND c.status = '{CopyStatus.available}'"
    " AND c.withdrawn_at IS NULL)"
)


@dataclass
class _Match:
    """Where the matching title ids (and a score, lower is better) come from."""

    sql: _Sql
    ranked: bool
    words: list[str] = field(default_factory=list)
    alternatives: dict[str, list[str]] = field(default_factory=dict)


def _text_match(words: list[str], alternatives: dict[str, list[str]], ranked: bool) -> _Match:
    if is_sqlite(current_engine()):
        score = "bm25(title_fts, 10.0, 4.0, 3.0, 2.0, 3.0, 3.0, 1.0)" if ranked else "0"
        sql = _Sql().add(
            f"SELECT rowid AS id, {score} AS score FROM title_fts WHERE title_fts MATCH {{}}",
            text.fts5_query(words, alternatives),
        )
    else:
        query = text.tsquery(words, alternatives)
        score = "-ts_rank(s.document, q.q)" if ranked else "0"
        sql = _Sql().add(
            f"SELECT s.title_id AS id, {score} AS score FROM title_search s, "
            "to_tsquery('german', {}) AS q(q) WHERE s.document @@ q.q",
            query,
        )
    return _Match(sql, ranked, words, alternatives)


def _unranked(match: _Match | None) -> _Match | None:
    if match is None or not match.ranked:
        return match
    return _text_match(match.words, match.alternatives, ranked=False)


def _ids_match(ids: list[int]) -> _Match:
    if not ids:
        return _Match(_Sql().add("SELECT id, 0 AS score FROM title WHERE 1 = 0"), False)
    return _Match(
        _Sql().add("SELECT id, 0 AS score FROM title WHERE").extend(_in_list("id", ids)), False
    )


_HIT_COLUMNS = (
    "t.id, t.title, t.subtitle, t.authors, t.media_type, t.level_min, t.level_max, "
    "t.age_min, t.age_max, t.year, t.publisher, t.series, t.isbn"
)


def _order(p: SearchParams, match: _Match | None) -> str:
    if p.sort == "titel":
        return "lower(t.title), t.id"
    if p.sort == "neu" or match is None or not match.ranked:
        return "t.created_at DESC, t.id DESC"
    return "m.score, t.id"


async def _query(sql: _Sql) -> list[dict]:
    """Run a search statement. PostgreSQL would JIT-compile these large CASE-heavy statements
    on every call, which measured 3-5x slower than running them plainly; so JIT is off for
    this one transaction."""
    engine = current_engine()
    if is_sqlite(engine):
        return await Title.raw(sql.sql, *sql.args)
    async with engine.transaction():
        await Title.raw("SET LOCAL jit = off")
        return await Title.raw(sql.sql, *sql.args)


async def _hits(p: SearchParams, match: _Match | None) -> list[dict]:
    """The ids of the requested page only; their details are fetched for those 20 alone."""
    sql = _Sql()
    if match is None:
        sql.add("SELECT t.id FROM title t WHERE")
    else:
        sql.add("WITH m AS (").extend(match.sql).add(")")
        sql.add("SELECT t.id FROM m JOIN title t ON t.id = m.id WHERE")
    sql.extend(_filters(p))
    sql.add(f"ORDER BY {_order(p, match)} LIMIT {PAGE_SIZE} OFFSET {(p.page - 1) * PAGE_SIZE}")
    return await _query(sql)


def _ordinal(column: str, enum_cls, open_end: int) -> str:
    cases = " ".join(f"WHEN '{m.value}' THEN {i}" for i, m in enumerate(enum_cls))
    return f"(CASE {column} {cases} ELSE {open_end} END)"


_RANGES = (
    ("level", "lv", Level, "t.level_min", "t.level_max"),
    ("age", "ag", AgeGroup, "t.age_min", "t.age_max"),
)
_SCAN_FACETS = ("media_type", "level", "age", "available")
# Count columns of the one-pass scan: one per level, one per age group, one for "available".
_SCAN_COLUMNS = [
    f"{prefix}_{m.value}" for _, prefix, enum_cls, _, _ in _RANGES for m in enum_cls
] + ["avail"]


def _scan(p: SearchParams, base: str, skip: str | None, facets: list[str]) -> _Sql:
    """One pass over the matches that counts media types, each level and age step a title's
    range covers, and titles available now: four facets for the price of one scan."""
    inner = ["t.media_type AS mt"]
    for _, prefix, enum_cls, low, high in _RANGES:
        inner += [
            f"{_ordinal(low, enum_cls, 0)} AS {prefix}_lo",
            f"{_ordinal(high, enum_cls, len(enum_cls) - 1)} AS {prefix}_hi",
            f"CASE WHEN {low} IS NULL AND {high} IS NULL THEN 0 ELSE 1 END AS {prefix}_set",
        ]
    available = f"CASE WHEN {_AVAILABLE} THEN 1 ELSE 0 END" if "available" in facets else "0"
    inner.append(f"{available} AS av")
    sums = [
        f"sum(CASE WHEN {prefix}_set = 1 AND {prefix}_lo <= {i} AND {prefix}_hi >= {i} "
        f"THEN 1 ELSE 0 END) AS {prefix}_{m.value}"
        for _, prefix, enum_cls, _, _ in _RANGES
        for i, m in enumerate(enum_cls)
    ]
    tag = ("all:" if skip is None else "scan:") + ",".join(facets)
    sql = _Sql().add(
        f"SELECT '{tag}' AS facet, mt AS value, count(*) AS n, "
        f"{', '.join(sums)}, sum(av) AS avail FROM (SELECT {', '.join(inner)} FROM {base} WHERE"
    )
    return sql.extend(_filters(p, skip)).add(") x GROUP BY mt")


async def _facet_counts(p: SearchParams, match: _Match | None) -> list[dict]:
    """Every facet's counts in one statement over the matched ids (computed once)."""
    sql = _Sql()
    # SQLite's planner would start from title_language/title_topic and probe the matches;
    # CROSS JOIN pins the order: matches first, then their rows.
    # It would also walk title_media_type and fetch every wide title row (descriptions) for
    # GROUP BY; the narrow covering index holds every column the counts need.
    sqlite = is_sqlite(current_engine())
    join = "CROSS JOIN" if sqlite else "JOIN"
    base = "title t INDEXED BY title_search_facets" if sqlite else "title t"
    if match is not None:
        sql.add("WITH m AS MATERIALIZED (").extend(match.sql).add(")")
        base = f"m {join} {base} ON t.id = m.id"
    chosen = {
        "media_type": bool(p.media_types),
        "level": bool(p.levels),
        "age": bool(p.ages),
        "available": p.available,
    }
    # Facets nobody selected share one scan with every filter; a selected facet counts in a
    # scan without its own filter (so its other values keep their counts).
    # The scan with every filter always runs: its counts add up to the total.
    scans = [(None, [f for f in _SCAN_FACETS if not chosen[f]])]
    scans += [(f, [f]) for f in _SCAN_FACETS if chosen[f]]
    branches = [_scan(p, base, skip, facets) for skip, facets in scans]
    padding = ", ".join("NULL" for _ in _SCAN_COLUMNS)
    for facet, table, column in (
        ("language", "title_language", "language"),
        ("topic", "title_topic", "topic"),
    ):
        if match is not None and not _other_filters(p, facet):
            # The text index holds no withdrawn titles: without further filters the title
            # rows are not needed at all.
            branches.append(
                _Sql().add(
                    f"SELECT '{facet}', x.{column}, count(*), {padding} FROM m "
                    f"{join} {table} x ON x.title = m.id GROUP BY x.{column}"
                )
            )
            continue
        branches.append(
            _Sql()
            .add(f"SELECT '{facet}', x.{column}, count(*), {padding} FROM {base}")
            .add(f"{join} {table} x ON x.title = t.id WHERE")
            .extend(_filters(p, facet))
            .add(f"GROUP BY x.{column}")
        )
    for i, branch in enumerate(branches):
        sql.add("UNION ALL" if i else "").extend(branch)
    return await _query(sql)


def _facets(p: SearchParams, rows: list[dict]) -> dict[str, list[FacetValue]]:
    counts: dict[str, dict[str, int]] = {name: {} for name in (*_SCAN_FACETS, "language", "topic")}
    for row in rows:
        kind, _, names = row["facet"].partition(":")
        if kind not in ("all", "scan"):
            counts[kind][row["value"]] = row["n"]
            continue
        for facet in filter(None, names.split(",")):
            got = counts[facet]
            if facet == "media_type":
                got[row["value"]] = got.get(row["value"], 0) + row["n"]
            elif facet == "available":
                got["ja"] = got.get("ja", 0) + int(row["avail"] or 0)
            else:
                prefix = "lv" if facet == "level" else "ag"
                for key, value in row.items():
                    if key.startswith(prefix + "_"):
                        code = key[len(prefix) + 1 :]
                        got[code] = got.get(code, 0) + int(value or 0)

    def ordered(name: str, labels: dict, chosen: tuple[str, ...]) -> list[FacetValue]:
        got = counts.get(name, {})
        return [
            FacetValue(code, label, got.get(code, 0), code in chosen)
            for code, label in ((str(k), v) for k, v in labels.items())
            if got.get(code, 0) or code in chosen
        ]

    def by_count(name: str, labels: dict, chosen: tuple[str, ...], size: int) -> list[FacetValue]:
        got = counts.get(name, {})
        codes = sorted(got, key=lambda c: (-got[c], labels.get(c, c)))[:size]
        codes += [c for c in chosen if c not in codes]
        return [FacetValue(c, labels.get(c, c), got.get(c, 0), c in chosen) for c in codes]

    return {
        "media_type": ordered("media_type", MEDIA_TYPE_LABELS, p.media_types),
        "language": by_count("language", LANGUAGES, p.languages, len(LANGUAGES)),
        "level": ordered("level", LEVEL_LABELS, p.levels),
        "age": ordered("age", AGE_GROUP_LABELS, p.ages),
        "topic": by_count("topic", {t: t for t in TOPICS}, p.topics, TOPIC_FACET_SIZE),
        "available": [
            FacetValue(
                "ja", "jetzt im Regal", counts.get("available", {}).get("ja", 0), p.available
            )
        ],
    }


def _total(facet_rows: list[dict]) -> int:
    return sum(row["n"] for row in facet_rows if row["facet"].startswith("all:"))


async def _hit_details(rows: list[dict]) -> list[SearchHit]:
    if not rows:
        return []
    ids = [r["id"] for r in rows]
    marks = ", ".join("{}" for _ in ids)
    details, languages, copies = await asyncio.gather(
        Title.raw(f"SELECT {_HIT_COLUMNS} FROM title t WHERE t.id IN ({marks})", *ids),
        Title.raw(
            f"SELECT title, language FROM title_language WHERE title IN ({marks}) ORDER BY id",
            *ids,
        ),
        Copy.raw(
            "SELECT title, count(*) AS n, "
            f"sum(CASE WHEN status = '{CopyStatus.available}' THEN 1 ELSE 0 END) AS free "
            f"FROM copy WHERE title IN ({marks}) AND withdrawn_at IS NULL GROUP BY title",
            *ids,
        ),
    )
    langs: dict[int, list[str]] = {}
    for row in languages:
        langs.setdefault(row["title"], []).append(row["language"])
    stock = {row["title"]: (row["n"], int(row["free"] or 0)) for row in copies}
    by_id = {row["id"]: row for row in details}
    hits = []
    for title_id in ids:
        fields = by_id[title_id]
        n, free = stock.get(title_id, (0, 0))
        hits.append(
            SearchHit(**fields, languages=langs.get(title_id, []), copies=n, available=free)
        )
    return hits


# ---- identifiers and typos ------------------------------------------------------------------


async def _exact_ids(query: str) -> tuple[str | None, list[int]]:
    isbn = text.isbn13(query)
    if isbn:
        rows = await Title.raw(
            "SELECT id FROM title WHERE isbn = {} AND withdrawn_at IS NULL", isbn
        )
        return "isbn", [r["id"] for r in rows]
    if text.looks_like_code(query):
        from mediathek.catalogue.barcodes import normalise_code

        rows = await Copy.raw(
            "SELECT c.title AS id FROM copy c JOIN title t ON t.id = c.title "
            "WHERE c.barcode = {} AND t.withdrawn_at IS NULL",
            normalise_code(query),
        )
        if rows:
            return "barcode", [rows[0]["id"]]
    return None, []


_VOCABULARY: dict[str, tuple[float, text.Vocabulary]] = {}
# The SQLite word list is read from the index at most this often; a word added since then
# is still found by the normal search, it only gets no typo suggestions until the next read.
VOCABULARY_TTL = 300.0


async def _sqlite_vocabulary() -> text.Vocabulary:
    key = str(current_engine().path)
    cached = _VOCABULARY.get(key)
    if cached and time.monotonic() - cached[0] < VOCABULARY_TTL:
        return cached[1]
    rows = await Title.raw(
        "SELECT term, doc FROM title_fts_vocab WHERE length(term) BETWEEN 4 AND 40"
    )
    vocabulary = text.Vocabulary({r["term"]: r["doc"] for r in rows})
    _VOCABULARY[key] = (time.monotonic(), vocabulary)
    return vocabulary


def forget_vocabulary() -> None:
    """Drop the cached SQLite word list (tests, bulk imports)."""
    _VOCABULARY.clear()


async def _alternatives(words: list[str]) -> dict[str, list[str]]:
    """Similar indexed words for each query word the index does not know (typos)."""
    if is_sqlite(current_engine()):
        vocabulary = await _sqlite_vocabulary()
        out = {}
        for word in words:
            if vocabulary.has_prefix(text.german_stem(word)):
                continue
            found = vocabulary.candidates(word)
            if found:
                out[word] = found
        return out
    out = {}
    for word in words:
        if len(word) < 4:
            continue
        known = await Title.raw(
            "SELECT EXISTS (SELECT 1 FROM title_search "
            "WHERE document @@ to_tsquery('german', {})) AS known",
            text.tsquery([word]),
        )
        if known[0]["known"]:
            continue
        rows = await Title.raw(
            "SELECT word FROM search_word WHERE word % {} "
            "ORDER BY similarity(word, {}) DESC, word LIMIT 4",
            word,
            word,
        )
        if rows and rows[0]["word"] != word:
            out[word] = [r["word"] for r in rows if r["word"] != word][:3]
    return out


# ---- the service -------------------------------------------------------------------------------


async def search(params: SearchParams) -> SearchResult:
    """Search the catalogue: hits of the requested page, total, facet counts.

    An ISBN (any form) or a copy barcode finds its title exactly; other text is matched word
    by word (all words, as stems and prefixes); when nothing matches, unknown words are
    retried with similar indexed words (typos) and the result says so.
    """
    exact: str | None = None
    corrections: dict[str, list[str]] = {}
    words = text.terms(params.q)
    match: _Match | None = None
    if params.q:
        exact, ids = await _exact_ids(params.q)
        if exact:
            match = _ids_match(ids)
        elif words:
            match = _text_match(words, {}, ranked=params.sort == "relevanz")
        else:
            match = _ids_match([])

    ranked = params.sort == "relevanz"
    # Facets need no ranking; both queries run side by side.
    rows, facet_rows = await asyncio.gather(
        _hits(params, match), _facet_counts(params, _unranked(match))
    )
    total = _total(facet_rows)
    if total == 0 and words and not exact:
        corrections = await _alternatives(words)
        if corrections:
            match = _text_match(words, corrections, ranked=ranked)
            rows, facet_rows = await asyncio.gather(
                _hits(params, match), _facet_counts(params, _unranked(match))
            )
            total = _total(facet_rows)
    hits = await _hit_details(rows)
    suggestions: list[str] = []
    if total == 0 and corrections:
        suggestions = [alts[0] for alts in corrections.values()]
        corrections = {}
    return SearchResult(
        params=params,
        hits=hits,
        total=total,
        facets=_facets(params, facet_rows),
        exact=exact if total else None,
        corrections=corrections if total else {},
        suggestions=suggestions,
    )
