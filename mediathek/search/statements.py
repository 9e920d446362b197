"""The search statements: text match per engine, facet filters, one-pass facet counts.

Built as SQL text with piccolo's ``{}`` placeholders; every value is passed as an argument.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mediathek.catalogue.tables import CopyStatus, Title
from mediathek.db import current_engine, is_sqlite
from mediathek.search import text
from mediathek.search.models import PAGE_SIZE, SearchParams
from mediathek.vocab import (
    AgeGroup,
    Level,
    values_between,
)

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
class Match:
    """Where the matching title ids (and a score, lower is better) come from."""

    sql: _Sql
    ranked: bool
    words: list[str] = field(default_factory=list)
    alternatives: dict[str, list[str]] = field(default_factory=dict)


def text_match(words: list[str], alternatives: dict[str, list[str]], ranked: bool) -> Match:
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
    return Match(sql, ranked, words, alternatives)


def unranked(match: Match | None) -> Match | None:
    if match is None or not match.ranked:
        return match
    return text_match(match.words, match.alternatives, ranked=False)


def ids_match(ids: list[int]) -> Match:
    if not ids:
        return Match(_Sql().add("SELECT id, 0 AS score FROM title WHERE 1 = 0"), False)
    return Match(
        _Sql().add("SELECT id, 0 AS score FROM title WHERE").extend(_in_list("id", ids)), False
    )


HIT_COLUMNS = (
    "t.id, t.title, t.subtitle, t.authors, t.media_type, t.level_min, t.level_max, "
    "t.age_min, t.age_max, t.year, t.publisher, t.series, t.isbn"
)


def _order(p: SearchParams, match: Match | None) -> str:
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


async def page_ids(p: SearchParams, match: Match | None) -> list[dict]:
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
SCAN_FACETS = ("media_type", "level", "age", "available")
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


async def facet_counts(p: SearchParams, match: Match | None) -> list[dict]:
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
    scans = [(None, [f for f in SCAN_FACETS if not chosen[f]])]
    scans += [(f, [f]) for f in SCAN_FACETS if chosen[f]]
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
