"""Search: parts of words, so that "Koffer" finds "Medienkoffer" and "Karten" "Bildkarten".

German joins words into compounds; a word index only finds a compound by its first part.
This index holds the heading (title, subtitle, series) and the other short fields (authors,
publisher, topics) as folded text — lower case, umlauts spelt out (ü → ue, ß → ss) — and
answers "which titles contain this string" from trigrams:

SQLite: an FTS5 table ``title_parts`` with the trigram tokenizer (SQLite 3.40 has no
``remove_diacritics`` for it, so the triggers fold the text with ``replace``).
PostgreSQL: two columns of ``title_search`` with ``pg_trgm`` GIN indexes (``LIKE '%…%'``),
filled by a BEFORE INSERT trigger, so the existing refresh function stays as it is.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-28T05:07:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "search word parts"

# Letters folded as Python's ``text.fold_compound`` folds them. Only these: SQLite's parser
# allows few nested replace() calls in one expression, and other accents stay as typed
# (the trigram tokenizer ignores their case; PostgreSQL's unaccent drops them).
FOLDS = [
    ("ä", "ae"),
    ("ö", "oe"),
    ("ü", "ue"),
    ("Ä", "ae"),
    ("Ö", "oe"),
    ("Ü", "ue"),
    ("ß", "ss"),
    ("ẞ", "ss"),
    ("ı", "i"),
]


def sqlite_fold(expression: str) -> str:
    out = expression
    for letter, replacement in FOLDS:
        out = f"replace({out}, '{letter}', '{replacement}')"
    return f"lower({out})"


def _heading(ref: str) -> str:
    return sqlite_fold(f"{ref}.title || ' ' || {ref}.subtitle || ' ' || {ref}.series")


def _other(ref: str, topics: str) -> str:
    return sqlite_fold(
        f"{ref}.authors || ' ' || {ref}.publisher || ' ' || coalesce(({topics}), '')"
    )


def _topics_of(title_id: str) -> str:
    return f"SELECT group_concat(topic, ' ') FROM title_topic WHERE title = {title_id}"


SQLITE_REBUILD = [
    "DELETE FROM title_parts",
    "INSERT INTO title_parts (rowid, heading, other) "
    f"SELECT t.id, {_heading('t')}, {_other('t', _topics_of('t.id'))} FROM title t "
    "WHERE t.withdrawn_at IS NULL",
]

SQLITE_UP = [
    "CREATE VIRTUAL TABLE title_parts USING fts5(heading, other, tokenize = 'trigram')",
    "CREATE TRIGGER title_parts_insert AFTER INSERT ON title WHEN new.withdrawn_at IS NULL "
    "BEGIN INSERT INTO title_parts (rowid, heading, other) "
    f"VALUES (new.id, {_heading('new')}, {_other('new', _topics_of('new.id'))}); END",
    "CREATE TRIGGER title_parts_update AFTER UPDATE ON title BEGIN "
    "DELETE FROM title_parts WHERE rowid = old.id; "
    "INSERT INTO title_parts (rowid, heading, other) "
    f"SELECT new.id, {_heading('new')}, {_other('new', _topics_of('new.id'))} "
    "WHERE new.withdrawn_at IS NULL; END",
    "CREATE TRIGGER title_parts_delete AFTER DELETE ON title BEGIN "
    "DELETE FROM title_parts WHERE rowid = old.id; END",
    *[
        f"CREATE TRIGGER title_parts_topic_{event.lower()} AFTER {event} ON title_topic BEGIN "
        f"UPDATE title_parts SET other = (SELECT {_other('t', _topics_of('t.id'))} "
        f"FROM title t WHERE t.id = {ref}.title) WHERE rowid = {ref}.title; END"
        for event, ref in [("INSERT", "new"), ("DELETE", "old"), ("UPDATE", "new")]
    ],
    *SQLITE_REBUILD[1:],
]

SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS title_parts_insert",
    "DROP TRIGGER IF EXISTS title_parts_update",
    "DROP TRIGGER IF EXISTS title_parts_delete",
    "DROP TRIGGER IF EXISTS title_parts_topic_insert",
    "DROP TRIGGER IF EXISTS title_parts_topic_delete",
    "DROP TRIGGER IF EXISTS title_parts_topic_update",
    "DROP TABLE IF EXISTS title_parts",
]


def _pg_fold() -> str:
    out = "coalesce(t, '')"
    for letter, replacement in FOLDS:
        out = f"replace({out}, '{letter}', '{replacement}')"
    return f"lower(unaccent({out}))"


PG_FOLD_FUNCTION = (
    "CREATE FUNCTION search_fold_parts(t text) RETURNS text LANGUAGE sql STABLE AS "
    f"$$ SELECT {_pg_fold()} $$"
)

PG_PARTS_FUNCTION = """
CREATE FUNCTION title_search_parts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  SELECT search_fold_parts(t.title || ' ' || t.subtitle || ' ' || t.series),
         search_fold_parts(t.authors || ' ' || t.publisher || ' ' || coalesce(
           (SELECT string_agg(topic, ' ') FROM title_topic WHERE title = t.id), ''))
    INTO NEW.parts_heading, NEW.parts_other
    FROM title t WHERE t.id = NEW.title_id;
  RETURN NEW;
END
$$
"""

PG_REBUILD = [
    "UPDATE title_search s SET "
    "parts_heading = search_fold_parts(t.title || ' ' || t.subtitle || ' ' || t.series), "
    "parts_other = search_fold_parts(t.authors || ' ' || t.publisher || ' ' || "
    "coalesce(tt.topics, '')) FROM title t LEFT JOIN (SELECT title, string_agg(topic, ' ') "
    "AS topics FROM title_topic GROUP BY title) tt ON tt.title = t.id WHERE t.id = s.title_id",
]

PG_UP = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    PG_FOLD_FUNCTION,
    "ALTER TABLE title_search ADD COLUMN parts_heading text NOT NULL DEFAULT ''",
    "ALTER TABLE title_search ADD COLUMN parts_other text NOT NULL DEFAULT ''",
    PG_PARTS_FUNCTION,
    "CREATE TRIGGER title_search_parts BEFORE INSERT ON title_search "
    "FOR EACH ROW EXECUTE FUNCTION title_search_parts()",
    *PG_REBUILD,
    "CREATE INDEX title_search_parts_heading_idx ON title_search "
    "USING gin (parts_heading gin_trgm_ops)",
    "CREATE INDEX title_search_parts_other_idx ON title_search "
    "USING gin (parts_other gin_trgm_ops)",
]

PG_DOWN = [
    "DROP TRIGGER IF EXISTS title_search_parts ON title_search",
    "DROP FUNCTION IF EXISTS title_search_parts()",
    "DROP INDEX IF EXISTS title_search_parts_heading_idx",
    "DROP INDEX IF EXISTS title_search_parts_other_idx",
    "ALTER TABLE title_search DROP COLUMN IF EXISTS parts_heading",
    "ALTER TABLE title_search DROP COLUMN IF EXISTS parts_other",
    "DROP FUNCTION IF EXISTS search_fold_parts(text)",
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
