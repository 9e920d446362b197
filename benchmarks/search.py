"""Search page speed on a big catalogue, on SQLite and on PostgreSQL.

Builds (once, cached) a catalogue of N titles with 2 copies each, 1–2 languages and 1–3 topics
per title, bulk-loaded (executemany on SQLite, COPY on PostgreSQL) with the search index
rebuilt in one statement, then requests the full HTML page /katalog through the ASGI app in
process and prints p50/p95 per query kind.

    uv run python benchmarks/search.py                 # 100,000 titles, both engines
    uv run python benchmarks/search.py --titles 20000 --engines sqlite --rounds 30
    uv run python benchmarks/search.py --language en      # the page in English

``--language`` sends that Accept-Language: the page is rendered through its catalogue.

PostgreSQL: postgresql://postgres@127.0.0.1:5432, database bench_search_<N> (kept for reuse;
--rebuild drops it). SQLite: /tmp/mediathek-bench-search/search-<N>.sqlite3. ``--name x``
uses database bench_x_<N> and /tmp/mediathek-bench-x instead, so that runs beside each
other do not share (and change) one catalogue.
"""

# A one-off script: blocking file calls while nothing else runs are fine here.
# ruff: noqa: ASYNC240, SIM905
from __future__ import annotations

import argparse
import asyncio
import gc
import importlib.util
import logging
import random
import sqlite3
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mediathek.app import create_app  # noqa: E402
from mediathek.catalogue.barcodes import make_code  # noqa: E402
from mediathek.db import connection_pool, make_engine, migrate, postgres_config  # noqa: E402
from mediathek.search import index  # noqa: E402
from mediathek.settings import Settings  # noqa: E402
from mediathek.vocab import LANGUAGES, TOPICS, AgeGroup, Level, MediaType  # noqa: E402
from mediathek.web.page_cache import PageStore  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import report  # noqa: E402

PG_SERVER = "postgresql://postgres@127.0.0.1:5432"
CACHE = Path("/tmp/mediathek-bench-search")
PG_PREFIX = "bench_search"

NOUNS = [
    "Spiel",
    "Spiele",
    "Bildkarten",
    "Wörter",
    "Grammatik",
    "Übungen",
    "Geschichten",
    "Lieder",
    "Reime",
    "Rätsel",
    "Memo",
    "Domino",
    "Bingo",
    "Quartett",
    "Lesebuch",
    "Arbeitsbuch",
    "Kursbuch",
    "Wörterbuch",
    "Bildwörterbuch",
    "Hörbuch",
    "Koffer",
    "Kiste",
    "Karten",
    "Puzzle",
    "Geschichtenkoffer",
    "Erzähltheater",
    "Kamishibai",
    "Sprachspiele",
    "Fingerspiele",
    "Alltag",
    "Familie",
    "Tiere",
    "Farben",
    "Zahlen",
    "Jahreszeiten",
    "Gefühle",
    "Körper",
    "Essen",
    "Kleidung",
    "Wohnen",
    "Arbeit",
    "Schule",
    "Kita",
    "Stadt",
    "Natur",
    "Wetter",
]
ADJECTIVES = [
    "Erste",
    "Einfache",
    "Bunte",
    "Große",
    "Kleine",
    "Neue",
    "Lustige",
    "Starke",
    "Leichte",
    "Spannende",
    "Schöne",
    "Wichtige",
    "Praktische",
    "Tägliche",
]
SERIES = [
    "Schritte plus Neu",
    "Menschen",
    "Momente",
    "Netzwerk",
    "Linie 1",
    "Berliner Platz",
    "Pluspunkt Deutsch",
    "Aspekte",
    "Spektrum",
    "Begegnungen",
    "Klick auf Deutsch",
    "",
]
PUBLISHERS = [
    "Hueber",
    "Cornelsen",
    "Klett",
    "Finken",
    "Don Bosco",
    "Ravensburger",
    "Haba",
    "Schubi",
    "Verlag an der Ruhr",
    "Beltz",
    "Carlsen",
    "Oetinger",
]
SURNAMES = [
    "Müller",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Weber",
    "Meyer",
    "Wagner",
    "Becker",
    "Schulz",
    "Hoffmann",
    "Öztürk",
    "Yılmaz",
    "Kaya",
    "Nowak",
    "Kowalski",
    "Haddad",
    "Rahimi",
    "Petrenko",
    "Dubois",
    "Rossi",
    "Niebisch",
    "Hilpert",
    "Kalender",
]
FIRST = ["Anna", "Daniela", "Silke", "Emre", "Leyla", "Jan", "Olga", "Marta", "Karim", "Sophie"]
SYLLABLES = [
    "ka",
    "lo",
    "mi",
    "ter",
    "ban",
    "zu",
    "ri",
    "fel",
    "nor",
    "gast",
    "lin",
    "pa",
    "dor",
    "wen",
    "sel",
    "tru",
    "mar",
    "ki",
    "bo",
    "han",
    "sti",
    "rel",
    "gu",
    "fo",
]
FILLER = (
    "mit vielen Bildern und Aufgaben für den Unterricht in Kursen und Gruppen zum "
    "Üben Sprechen Hören Lesen Schreiben Wiederholen Entdecken Spielen Lernen im Alltag "
    "ideal für Anfänger Fortgeschrittene Kinder Jugendliche Erwachsene Eltern"
).split()

QUERIES = {
    # Calibration: one trivial query and no template, to show how busy the machine was.
    "Leerlauf (/healthz)": "/healthz",
    "häufig (Deutsch)": "/katalog?q=Deutsch",
    "häufig (Spiele)": "/katalog?q=Spiele",
    "selten": "/katalog?q={rare}",
    "Präfix (Bildk)": "/katalog?q=Bildk",
    "Wortteil (Karten)": "/katalog?q=Karten",
    "Umlaut als ue (uebungen)": "/katalog?q=uebungen",
    "erkannte Filter (Bildkarten A1 Arabisch Kita)": "/katalog?q=Bildkarten+A1+Arabisch+Kita",
    "erkannte Filter + Wort (Spiele Kita Tiere)": "/katalog?q=Spiele+Kita+Tiere",
    "nichts gefunden (Bildkarten Krippe Zebra)": "/katalog?q=Bildkarten+Krippe+Zebra",
    "Tippfehler (Gramatik)": "/katalog?q=Gramatik",
    "Facetten (Deutsch+Spiel+A1+Kita)": "/katalog?q=Deutsch&medienart=game&niveau=a1&alter=kita",
    "Stöbern (leer+Medienart)": "/katalog?medienart=picture_cards&verfuegbar=1",
    "Stöbern (alles)": "/katalog",
}
# Searches right after a write, the statement run (untimed) before every request: a copy
# lent or returned (facets change: the search applies one title from the change log), and a
# title edited (words may change: every remembered word match is dropped, so this is the
# cold path of a common word).
AFTER_WRITE = {
    "nach Ausleihe (Deutsch)": (
        "/katalog?q=Deutsch",
        "UPDATE copy SET status = CASE WHEN status = 'available' THEN 'on_loan' "
        "ELSE 'available' END WHERE id = {}",
    ),
    "nach Titeländerung, kalt (Deutsch)": (
        "/katalog?q=Deutsch",
        "UPDATE title SET subtitle = subtitle || '' WHERE id = {}",
    ),
}


def made_up_word(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(3, 4))).capitalize()


def generate(n_titles: int, seed: int = 7):
    """Rows for title, title_language, title_topic, copy (ids from 1)."""
    rng = random.Random(seed)
    media = list(MediaType)
    levels, ages = [m.value for m in Level], [m.value for m in AgeGroup]
    langs = list(LANGUAGES)
    start = datetime(2015, 1, 1, tzinfo=UTC)
    titles, title_langs, title_topics, copies = [], [], [], []
    for i in range(1, n_titles + 1):
        noun = rng.choice(NOUNS)
        theme = rng.choice(NOUNS)
        name = f"{rng.choice(ADJECTIVES)} {noun}: {theme}"
        if rng.random() < 0.25:
            name += " auf Deutsch"
        own = made_up_word(rng)  # a long tail of rare words, as real titles have
        lo = rng.randrange(len(levels))
        hi = min(len(levels) - 1, lo + rng.randrange(3))
        alo = rng.randrange(len(ages))
        ahi = min(len(ages) - 1, alo + rng.randrange(2))
        description = " ".join(rng.choice(FILLER) for _ in range(rng.randint(8, 20)))
        titles.append(
            (
                i,
                name,
                f"{own} und {rng.choice(NOUNS)}",
                f"{rng.choice(SURNAMES)}, {rng.choice(FIRST)}",
                None,
                rng.choice(media).value,
                levels[lo] if rng.random() < 0.8 else None,
                levels[hi] if rng.random() < 0.8 else None,
                ages[alo],
                ages[ahi],
                description,
                rng.choice(PUBLISHERS),
                rng.randint(1995, 2026),
                rng.choice(SERIES),
                "",
                "",
                "",
                None,
                start + timedelta(minutes=i),
                start + timedelta(minutes=i),
                None,
            )
        )
        for code in {"deu", rng.choice(langs)} if rng.random() < 0.6 else {rng.choice(langs)}:
            title_langs.append((len(title_langs) + 1, i, code))
        for topic in rng.sample(TOPICS, rng.randint(1, 3)):
            title_topics.append((len(title_topics) + 1, i, topic))
        for _ in range(2):
            n = len(copies) + 1
            status = "available" if rng.random() < 0.7 else "on_loan"
            copies.append(
                (n, i, make_code("M", n), f"R{i % 500}", status, "", "", None, start, start, None)
            )
    rare = titles[n_titles // 2][2].split()[0]
    return titles, title_langs, title_topics, copies, rare


TITLE_COLUMNS = (
    "id, title, subtitle, authors, isbn, media_type, level_min, level_max, age_min, age_max, "
    "description, publisher, year, series, volume, cover_file, notes, import_key, created_at, "
    "updated_at, withdrawn_at"
)
COPY_COLUMNS = (
    "id, title, barcode, shelf_mark, status, status_note, notes, acquired_on, created_at, "
    "updated_at, withdrawn_at"
)


PARTS = "t05_07_00_000000"  # the compound-part index


def search_migration(stamp: str = "t16_50_00_000000"):
    path = next((ROOT / "migrations").glob(f"*{stamp}.py"))
    spec = importlib.util.spec_from_file_location("search_migration", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


async def build_sqlite(n: int) -> tuple[str, str]:
    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"search-{n}.sqlite3"
    rare_file = path.with_suffix(".rare")
    if path.exists() and rare_file.exists():
        return f"sqlite:///{path}", rare_file.read_text()
    path.unlink(missing_ok=True)
    await migrate(make_engine(f"sqlite:///{path}"))
    titles, langs, topics, copies, rare = generate(n)
    t0 = time.perf_counter()
    conn = sqlite3.connect(path)
    with conn:
        conn.executemany("INSERT INTO title_language VALUES (?, ?, ?)", langs)
        conn.executemany("INSERT INTO title_topic VALUES (?, ?, ?)", topics)
        # Bulk load without the per-row index triggers, then index everything at once.
        triggers = conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
            "AND (name LIKE 'title_fts%' OR name LIKE 'title_parts%' "
            "OR name LIKE 'search_change%')"
        ).fetchall()
        for name, _ in triggers:
            conn.execute(f"DROP TRIGGER {name}")
        marks = ", ".join("?" for _ in TITLE_COLUMNS.split(","))
        conn.executemany(f"INSERT INTO title ({TITLE_COLUMNS}) VALUES ({marks})", titles)
        marks = ", ".join("?" for _ in COPY_COLUMNS.split(","))
        conn.executemany(f"INSERT INTO copy ({COPY_COLUMNS}) VALUES ({marks})", copies)
        for statement in search_migration().SQLITE_REBUILD:
            conn.execute(statement)
        for statement in search_migration(PARTS).SQLITE_REBUILD:
            conn.execute(statement)
        for _, sql in triggers:
            conn.execute(sql)
    conn.execute("INSERT INTO title_fts (title_fts) VALUES ('optimize')")
    conn.execute("ANALYZE")
    conn.commit()
    conn.close()
    print(f"  SQLite: {n:,} Titel in {time.perf_counter() - t0:.1f} s geladen")
    rare_file.write_text(rare)
    return f"sqlite:///{path}", rare


async def build_postgres(n: int, rebuild: bool, name: str = "") -> tuple[str, str]:
    name = name or f"{PG_PREFIX}_{n}"
    url = f"{PG_SERVER}/{name}"
    admin = await asyncpg.connect(**postgres_config(PG_SERVER + "/postgres"))
    try:
        exists = await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if exists and rebuild:
            await admin.execute(f'DROP DATABASE "{name}"')
            exists = False
        if not exists:
            await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    conn = await asyncpg.connect(**postgres_config(url))
    try:
        ready = await conn.fetchval("SELECT to_regclass('public.title_search') IS NOT NULL")
        if ready and await conn.fetchval("SELECT count(*) FROM title") == n:
            titles = None
            rare = await conn.fetchval(
                "SELECT split_part(subtitle, ' ', 1) FROM title WHERE id = $1", n // 2 + 1
            )
            return url, rare
        await migrate(make_engine(url))
        titles, langs, topics, copies, rare = generate(n)
        t0 = time.perf_counter()
        async with conn.transaction():
            # Bulk load without per-row triggers, then index everything in one statement.
            await conn.execute("SET session_replication_role = replica")
            await conn.copy_records_to_table(
                "title", records=titles, columns=[c.strip() for c in TITLE_COLUMNS.split(",")]
            )
            await conn.copy_records_to_table(
                "title_language", records=langs, columns=["id", "title", "language"]
            )
            await conn.copy_records_to_table(
                "title_topic", records=topics, columns=["id", "title", "topic"]
            )
            await conn.copy_records_to_table(
                "copy", records=copies, columns=[c.strip() for c in COPY_COLUMNS.split(",")]
            )
            await conn.execute("SET session_replication_role = DEFAULT")
            for statement in search_migration().PG_REBUILD:
                await conn.execute(statement)
            for statement in search_migration("t08_00_00_000000").PG_REBUILD_HEADING:
                await conn.execute(statement)
            for statement in search_migration(PARTS).PG_REBUILD:
                await conn.execute(statement)
            for table in ("title", "title_language", "title_topic", "copy"):
                await conn.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"
                )
        await conn.execute("VACUUM ANALYZE")
        print(f"  PostgreSQL: {n:,} Titel in {time.perf_counter() - t0:.1f} s geladen")
        return url, rare
    finally:
        await conn.close()


def load_average() -> str:
    """The machine's load average (1, 5, 15 minutes): how much the figures waited."""
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def resident_mb() -> float:
    """The process's resident memory now (Linux)."""
    status = Path("/proc/self/status").read_text()
    return (
        int(next(line for line in status.splitlines() if line.startswith("VmRSS")).split()[1])
        / 1024
    )


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def _timed(c: httpx.AsyncClient, path: str, rounds: int, before: str | None = None):
    """p50 and p95 of wall time, p50 of this process's CPU time, and hits on the page of
    ``rounds`` requests after 3 warm-ups; ``before`` is run (untimed) before each request,
    with a different row each time.

    The CPU time counts only this process's own work (not the database server's, nor the
    time waiting for a core): on a shared machine it is the figure that compares two runs.
    """
    from mediathek.catalogue.tables import Title

    times, cpu = [], []
    for i in range(3 + rounds):
        if before:
            await Title.raw(before.format(1000 + i))
        c0, t0 = time.process_time(), time.perf_counter()
        response = await c.get(path)
        elapsed = (time.perf_counter() - t0) * 1000
        spent = (time.process_time() - c0) * 1000
        assert response.status_code == 200, (path, response.status_code)
        if i >= 3:
            times.append(elapsed)
            cpu.append(spent)
    hits = response.text.count('class="search-hit"')
    return statistics.median(times), percentile(times, 95), statistics.median(cpu), hits


async def measure(
    url: str, rare: str, rounds: int, language: str = "de"
) -> dict[str, tuple[float, float, float, int]]:
    settings = Settings(
        database_url=url,
        secret_key="benchmark-secret-key-0123456789-abcdefghij",
        data_dir=CACHE / "data",
        scheduler_enabled=False,
        base_url="http://bench.local",
    )
    engine = make_engine(url)
    app = create_app(settings, engine=engine, own_pool=False)
    # The budget is for a page made for its request (a logged-in teacher's, or the first
    # visitor's after a write): pages kept for visitors (web/page_cache.py) are not kept here,
    # or every round after the first would measure the store.
    app.state.visitor_pages = PageStore(max_bytes=0)
    figures = {}
    # Connections kept open as a server keeps them (SQLite too: without, every search
    # opened one, about 3 ms on a busy machine).
    async with connection_pool(engine):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport,
            base_url="http://bench.local",
            headers={"Accept-Language": language},
        ) as c:
            t0 = time.perf_counter()
            response = await c.get("/katalog")
            first = (time.perf_counter() - t0) * 1000
            assert response.status_code == 200
            figures["erste Suche nach dem Start (lädt Facetten)"] = (first, first, first, 20)
            for kind, path in QUERIES.items():
                figures[kind] = await _timed(c, path.format(rare=rare), rounds)
            for kind, (path, statement) in AFTER_WRITE.items():
                figures[kind] = await _timed(c, path, rounds, statement)
    return figures


async def relevance(engine_name: str) -> tuple[float, float, list]:
    """Recall@10 and MRR of the judged queries over the demo catalogue (a fresh database)."""
    from mediathek.db import use_engine
    from mediathek.demo import load_demo
    from mediathek.search.models import SearchParams
    from mediathek.search.services import forget_vocabulary, search
    from tests.search.judged import figures, judge

    if engine_name == "sqlite":
        path = CACHE / "demo-relevance.sqlite3"
        path.unlink(missing_ok=True)
        url = f"sqlite:///{path}"
    else:
        admin = await asyncpg.connect(**postgres_config(PG_SERVER + "/postgres"))
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{PG_PREFIX}_demo"')
            await admin.execute(f'CREATE DATABASE "{PG_PREFIX}_demo"')
        finally:
            await admin.close()
        url = f"{PG_SERVER}/{PG_PREFIX}_demo"
    engine = make_engine(url)
    await migrate(engine)
    use_engine(engine)
    await load_demo(Settings(database_url=url, data_dir=CACHE / "data"))

    async def first_titles(q: str) -> list[str]:
        forget_vocabulary()
        result = await search(SearchParams.parse(q=q))
        return [hit.title for hit in result.hits[:10]]

    judgements = await judge(first_titles)
    index._INDEXES.clear()
    recall, mrr = figures(judgements)
    return recall, mrr, [j for j in judgements if j.reciprocal_rank < 1]


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--titles", type=int, default=100_000)
    parser.add_argument("--engines", default="sqlite,postgres")
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--name", default="search", help="Name der Benchmark-Datenbanken")
    parser.add_argument(
        "--relevance-only", action="store_true", help="nur Trefferqualität, keine Zeiten"
    )
    parser.add_argument(
        "--language", choices=["de", "en", "uk", "ar"], default="de", help="Sprache der Seite"
    )
    args = parser.parse_args()
    # One log line per request would be measured too.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    global CACHE, PG_PREFIX
    CACHE, PG_PREFIX = Path(f"/tmp/mediathek-bench-{args.name}"), f"bench_{args.name}"
    print(
        f"Katalog: {args.titles:,} Titel, {2 * args.titles:,} Exemplare; "
        f"{args.rounds} Messungen je Anfrage"
    )
    for engine in args.engines.split(","):
        recall, mrr, weaker = await relevance(engine)
        print(
            f"\n{engine}: bewertete Suchanfragen (Demo-Katalog): "
            f"Recall@10 {recall:.3f}, MRR {mrr:.3f}"
        )
        for j in weaker:
            print(
                f"  {j.q!r}: erster erwarteter Titel auf Platz "
                f"{round(1 / j.reciprocal_rank) if j.reciprocal_rank else '–'}"
            )
        report("search: judged queries recall@10", "1.0", f"{recall:.3f}", engine)
        report("search: judged queries MRR", "≥ 0.8", f"{mrr:.3f}", engine)
        if args.relevance_only:
            continue
        if engine == "sqlite":
            if args.rebuild:
                (CACHE / f"search-{args.titles}.sqlite3").unlink(missing_ok=True)
            url, rare = await build_sqlite(args.titles)
        else:
            url, rare = await build_postgres(args.titles, args.rebuild)
        figures = await measure(url, rare, args.rounds, args.language)
        rss = resident_mb()
        # The next engine's table must not count towards this one's memory.
        index._INDEXES.clear()
        gc.collect()
        print(
            f"\n{engine}  (volle HTML-Seite /katalog auf {args.language}, ms; "
            f"Last: {load_average()})"
        )
        print(f"  {'Anfrage':38} {'p50':>7} {'p95':>7} {'CPU p50':>8}  Treffer/Seite")
        for kind, (p50, p95, cpu, hits) in figures.items():
            label = kind.replace("selten", f"selten ({rare})")
            print(f"  {label:38} {p50:7.1f} {p95:7.1f} {cpu:8.1f}  {hits}")
            target = "einmalig" if kind.startswith("erste") else "p95 ≤ 25 ms"
            measured = f"p50 {p50:.1f}, p95 {p95:.1f} ms (CPU {cpu:.1f})"
            lang = "" if args.language == "de" else f" [{args.language}]"
            report(f"search page{lang}: {label}", target, measured, engine)
        print(f"  Speicher des Prozesses (App im Prozess, nach allen Anfragen): {rss:.0f} MB")
        report("search: process memory after the run (RSS)", "≤ 200 MB", f"{rss:.0f} MB", engine)


if __name__ == "__main__":
    asyncio.run(main())
