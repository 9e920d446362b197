"""Search: a log of changed titles, and (PostgreSQL) a heading index for ranking.

The search keeps its facet data (media type, levels, ages, languages, topics, "on the shelf")
and recently used word matches in memory; ``search_change`` tells every app process which
titles to reload. The database writes the log itself, by triggers, so a change made by any
process, the CLI or plain SQL is seen. ``text = 1`` marks changes that may change which words
a title matches (title rows, topics); copies and languages only change facets. A row with
``title_id IS NULL`` means "reload everything" (PostgreSQL writes one after TRUNCATE).

PostgreSQL: rows carry the writing transaction's id, so a reader can also pick up rows of
transactions that committed after a later row was already read (see ``mediathek.search.index``).

Ranking puts titles whose heading (title, subtitle, series) holds the words first: SQLite asks
FTS5 with a column filter; PostgreSQL gets a second, small tsvector ``heading`` for it.
"""

import importlib.util
from pathlib import Path

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-24T08:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "search change log"

# (table, column holding the title id, whether a change may change the title's words)
LOGGED = [
    ("title", "id", 1),
    ("title_topic", "title", 1),
    ("title_language", "title", 0),
    ("copy", "title", 0),
]


def _sqlite_triggers() -> list[str]:
    out = []
    for table, column, text in LOGGED:
        for event, ref in (("INSERT", "new"), ("DELETE", "old")):
            out.append(
                f"CREATE TRIGGER search_change_{table}_{event.lower()} AFTER {event} ON "
                f'"{table}" BEGIN INSERT INTO search_change (title_id, text) '
                f"VALUES ({ref}.{column}, {text}); END"
            )
        # A copy's barcode or shelf mark is no facet: only status, withdrawal and title count.
        when = (
            " WHEN old.status IS NOT new.status OR old.withdrawn_at IS NOT new.withdrawn_at "
            "OR old.title IS NOT new.title"
            if table == "copy"
            else ""
        )
        out.append(
            f"CREATE TRIGGER search_change_{table}_update AFTER UPDATE ON "
            f'"{table}"{when} BEGIN INSERT INTO search_change (title_id, text) '
            f"SELECT old.{column}, {text} WHERE old.{column} IS NOT new.{column}; "
            f"INSERT INTO search_change (title_id, text) VALUES (new.{column}, {text}); END"
        )
    return out


SQLITE_UP = [
    "CREATE TABLE search_change (id INTEGER PRIMARY KEY AUTOINCREMENT, title_id INTEGER, "
    "text INTEGER NOT NULL DEFAULT 0, at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)",
    "CREATE INDEX search_change_at ON search_change (at)",
    *_sqlite_triggers(),
]

SQLITE_DOWN = [
    *[
        f"DROP TRIGGER IF EXISTS search_change_{table}_{event}"
        for table, _, _ in LOGGED
        for event in ("insert", "update", "delete")
    ],
    "DROP TABLE IF EXISTS search_change",
]

# Plain row triggers: an ``UPDATE OF cols`` or a WHEN on columns would tie the trigger to
# those columns and block later column changes; the comparison lives in the function.
PG_LOG_FUNCTION = """
CREATE FUNCTION search_change_log() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  text_change integer := TG_ARGV[0]::integer;
  old_id integer;
  new_id integer;
BEGIN
  IF TG_LEVEL = 'STATEMENT' THEN
    INSERT INTO search_change (title_id, text) VALUES (NULL, 1);
    RETURN NULL;
  END IF;
  IF TG_TABLE_NAME = 'title' THEN
    IF TG_OP <> 'INSERT' THEN old_id := OLD.id; END IF;
    IF TG_OP <> 'DELETE' THEN new_id := NEW.id; END IF;
  ELSE
    IF TG_OP <> 'INSERT' THEN old_id := OLD.title; END IF;
    IF TG_OP <> 'DELETE' THEN new_id := NEW.title; END IF;
  END IF;
  -- Nested: OLD.status exists only for copies, and plpgsql plans a condition as a whole.
  IF TG_TABLE_NAME = 'copy' AND TG_OP = 'UPDATE' THEN
    IF OLD.status IS NOT DISTINCT FROM NEW.status AND old_id = new_id
       AND OLD.withdrawn_at IS NOT DISTINCT FROM NEW.withdrawn_at THEN
      RETURN NULL;
    END IF;
  END IF;
  IF old_id IS NOT NULL AND old_id IS DISTINCT FROM new_id THEN
    INSERT INTO search_change (title_id, text) VALUES (old_id, text_change);
  END IF;
  IF new_id IS NOT NULL THEN
    INSERT INTO search_change (title_id, text) VALUES (new_id, text_change);
  END IF;
  RETURN NULL;
END
$$
"""

PG_HEADING_FUNCTION = """
CREATE FUNCTION title_search_heading(t title) RETURNS tsvector
LANGUAGE sql STABLE AS $$
  SELECT to_tsvector('german', search_fold(t.title || ' ' || t.subtitle || ' ' || t.series))
$$
"""

def _previous_refresh_function() -> str:
    """The refresh function as the search index migration wrote it (without the heading)."""
    path = Path(__file__).with_name("mediathek_2026_11_23t16_50_00_000000.py")
    spec = importlib.util.spec_from_file_location("search_index_migration", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.PG_REFRESH_FUNCTION.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1)


# The refresh function as before, filling the heading next to the document.
PG_REFRESH_FUNCTION = _previous_refresh_function().replace(
    "INSERT INTO title_search (title_id, document) VALUES (tid, title_search_document(r, tops));",
    "INSERT INTO title_search (title_id, document, heading)\n"
    "  VALUES (tid, title_search_document(r, tops), title_search_heading(r));",
)
assert "title_search_heading(r)" in PG_REFRESH_FUNCTION


PG_REBUILD_HEADING = [
    "UPDATE title_search s SET heading = title_search_heading(t) FROM title t "
    "WHERE t.id = s.title_id",
]

PG_UP = [
    # A sequence of its own: TRUNCATE … RESTART IDENTITY of other tables never rewinds it.
    "CREATE SEQUENCE search_change_seq",
    "CREATE TABLE search_change (id bigint PRIMARY KEY DEFAULT nextval('search_change_seq'), "
    "title_id integer, text integer NOT NULL DEFAULT 0, "
    "xid xid8 NOT NULL DEFAULT pg_current_xact_id(), "
    "at timestamptz NOT NULL DEFAULT now())",
    "CREATE INDEX search_change_xid ON search_change (xid)",
    "CREATE INDEX search_change_at ON search_change (at)",
    PG_LOG_FUNCTION,
    *[
        f'CREATE TRIGGER search_change_{table} AFTER INSERT OR UPDATE OR DELETE ON "{table}" '
        f"FOR EACH ROW EXECUTE FUNCTION search_change_log({text})"
        for table, _, text in LOGGED
    ],
    *[
        f'CREATE TRIGGER search_change_{table}_truncate AFTER TRUNCATE ON "{table}" '
        "FOR EACH STATEMENT EXECUTE FUNCTION search_change_log(1)"
        for table, _, _ in LOGGED
    ],
    # The default lets a bulk load fill documents first and headings after (benchmarks).
    "ALTER TABLE title_search ADD COLUMN heading tsvector NOT NULL DEFAULT ''",
    PG_HEADING_FUNCTION,
    PG_REFRESH_FUNCTION,
    *PG_REBUILD_HEADING,
    "CREATE INDEX title_search_heading_idx ON title_search USING gin (heading)",
]

PG_DOWN = [
    *[f'DROP TRIGGER IF EXISTS search_change_{t} ON "{t}"' for t, _, _ in LOGGED],
    *[f'DROP TRIGGER IF EXISTS search_change_{t}_truncate ON "{t}"' for t, _, _ in LOGGED],
    "DROP FUNCTION IF EXISTS search_change_log()",
    "DROP TABLE IF EXISTS search_change",
    "DROP SEQUENCE IF EXISTS search_change_seq",
    "DROP INDEX IF EXISTS title_search_heading_idx",
    _previous_refresh_function(),
    "ALTER TABLE title_search DROP COLUMN IF EXISTS heading",
    "DROP FUNCTION IF EXISTS title_search_heading(title)",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="mediathek", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in SQLITE_UP if engine.engine_type == "sqlite" else PG_UP:
            await engine.run_ddl(statement)

    async def run_backwards():
        engine = engine_finder()
        for statement in SQLITE_DOWN if engine.engine_type == "sqlite" else PG_DOWN:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    manager.add_raw_backwards(run_backwards)
    return manager
