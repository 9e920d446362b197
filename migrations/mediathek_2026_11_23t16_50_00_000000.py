"""Search index, kept up to date by the database itself (no Python on writes).

SQLite: an FTS5 table ``title_fts`` (rowid = title id, diacritics folded, prefix indexes),
filled by triggers on ``title`` and ``title_topic``. Withdrawn titles are not in it.

PostgreSQL: ``title_search(title_id, document)`` with a trigger-maintained tsvector ('german'
config over unaccented text) and a GIN index, in its own table so piccolo's ``title`` stays
exactly as declared; ``search_word`` holds the indexed words with a trigram index for typo
suggestions. A GENERATED column or an ``UPDATE OF cols`` trigger would block later column
type changes of ``title``, hence plain triggers.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-23T16:50:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "search index"

SQLITE_FTS_COLUMNS = "title, subtitle, authors, publisher, series, topics, description"


def _sqlite_row(ref: str) -> str:
    return (
        f"{ref}.title, {ref}.subtitle, {ref}.authors, {ref}.publisher, {ref}.series, "
        f"(SELECT group_concat(topic, ' ') FROM title_topic WHERE title = {ref}.id), "
        f"{ref}.description"
    )


SQLITE_REBUILD = [
    "DELETE FROM title_fts",
    f"INSERT INTO title_fts (rowid, {SQLITE_FTS_COLUMNS}) "
    f"SELECT t.id, {_sqlite_row('t')} FROM title t WHERE t.withdrawn_at IS NULL",
]

# Both engines: narrow indexes so that counting facets over many matches reads small index
# pages instead of whole title rows (descriptions make those wide), and "available now" is
# answered from a partial index.
COMMON_UP = [
    "CREATE INDEX title_search_facets ON title (id, withdrawn_at, media_type, level_min, "
    "level_max, age_min, age_max, created_at)",
    "CREATE INDEX title_search_newest ON title (created_at, id)",
    "CREATE INDEX copy_search_available ON copy (title) "
    "WHERE status = 'available' AND withdrawn_at IS NULL",
]
COMMON_DOWN = [
    "DROP INDEX IF EXISTS title_search_facets",
    "DROP INDEX IF EXISTS title_search_newest",
    "DROP INDEX IF EXISTS copy_search_available",
]

SQLITE_UP = [
    "CREATE VIRTUAL TABLE title_fts USING fts5("
    f"{SQLITE_FTS_COLUMNS}, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3 4')",
    # The vocabulary (term, documents, occurrences) for typo suggestions.
    "CREATE VIRTUAL TABLE title_fts_vocab USING fts5vocab(title_fts, 'row')",
    "CREATE TRIGGER title_fts_insert AFTER INSERT ON title WHEN new.withdrawn_at IS NULL BEGIN "
    f"INSERT INTO title_fts (rowid, {SQLITE_FTS_COLUMNS}) VALUES (new.id, {_sqlite_row('new')});"
    " END",
    "CREATE TRIGGER title_fts_update AFTER UPDATE ON title BEGIN "
    "DELETE FROM title_fts WHERE rowid = old.id; "
    f"INSERT INTO title_fts (rowid, {SQLITE_FTS_COLUMNS}) "
    f"SELECT new.id, {_sqlite_row('new')} WHERE new.withdrawn_at IS NULL; END",
    "CREATE TRIGGER title_fts_delete AFTER DELETE ON title BEGIN "
    "DELETE FROM title_fts WHERE rowid = old.id; END",
    *[
        f"CREATE TRIGGER title_fts_topic_{event.lower()} AFTER {event} ON title_topic BEGIN "
        "UPDATE title_fts SET topics = (SELECT group_concat(topic, ' ') FROM title_topic "
        f"WHERE title = {ref}.title) WHERE rowid = {ref}.title; END"
        for event, ref in [("INSERT", "new"), ("DELETE", "old"), ("UPDATE", "new")]
    ],
    *SQLITE_REBUILD[1:],
]

SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS title_fts_insert",
    "DROP TRIGGER IF EXISTS title_fts_update",
    "DROP TRIGGER IF EXISTS title_fts_delete",
    "DROP TRIGGER IF EXISTS title_fts_topic_insert",
    "DROP TRIGGER IF EXISTS title_fts_topic_delete",
    "DROP TRIGGER IF EXISTS title_fts_topic_update",
    "DROP TABLE IF EXISTS title_fts_vocab",
    "DROP TABLE IF EXISTS title_fts",
]

# Title words weigh most (A), then subtitle and series (B), people, publisher and topics (C),
# the description least (D).
PG_DOCUMENT_FUNCTION = """
CREATE FUNCTION title_search_document(t title, topics text) RETURNS tsvector
LANGUAGE sql STABLE AS $$
  SELECT setweight(to_tsvector('german', search_fold(t.title)), 'A')
      || setweight(to_tsvector('german', search_fold(t.subtitle || ' ' || t.series)), 'B')
      || setweight(to_tsvector('german',
           search_fold(t.authors || ' ' || t.publisher || ' ' || coalesce(topics, ''))), 'C')
      || setweight(to_tsvector('german', search_fold(t.description)), 'D')
$$
"""

PG_WORDS_FUNCTION = """
CREATE FUNCTION search_words(t title, topics text) RETURNS SETOF text
LANGUAGE sql STABLE AS $$
  SELECT DISTINCT w FROM regexp_split_to_table(search_fold(
      t.title || ' ' || t.subtitle || ' ' || t.series || ' ' || t.authors || ' '
      || t.publisher || ' ' || coalesce(topics, '') || ' ' || t.description),
    '[^[:alnum:]]+') AS w
  WHERE length(w) >= 4 AND length(w) <= 40
$$
"""

PG_REFRESH_FUNCTION = """
CREATE FUNCTION title_search_refresh(tid integer) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  r title%ROWTYPE;
  tops text;
BEGIN
  DELETE FROM title_search WHERE title_id = tid;
  SELECT * INTO r FROM title WHERE id = tid AND withdrawn_at IS NULL;
  IF NOT FOUND THEN
    RETURN;
  END IF;
  SELECT string_agg(topic, ' ') INTO tops FROM title_topic WHERE title = tid;
  INSERT INTO title_search (title_id, document) VALUES (tid, title_search_document(r, tops));
  INSERT INTO search_word (word) SELECT search_words(r, tops) ON CONFLICT DO NOTHING;
END
$$
"""

PG_TITLE_TRIGGER_FUNCTION = """
CREATE FUNCTION title_search_on_title() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM title_search_refresh(NEW.id);
  RETURN NULL;
END
$$
"""

PG_TOPIC_TRIGGER_FUNCTION = """
CREATE FUNCTION title_search_on_topic() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('DELETE', 'UPDATE') THEN
    PERFORM title_search_refresh(OLD.title);
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    PERFORM title_search_refresh(NEW.title);
  END IF;
  RETURN NULL;
END
$$
"""

PG_REBUILD = [
    "DELETE FROM title_search",
    "INSERT INTO title_search (title_id, document) "
    "SELECT t.id, title_search_document(t, tt.topics) FROM title t "
    "LEFT JOIN (SELECT title, string_agg(topic, ' ') AS topics FROM title_topic "
    "GROUP BY title) tt ON tt.title = t.id WHERE t.withdrawn_at IS NULL",
    "INSERT INTO search_word (word) SELECT DISTINCT search_words(t, tt.topics) FROM title t "
    "LEFT JOIN (SELECT title, string_agg(topic, ' ') AS topics FROM title_topic "
    "GROUP BY title) tt ON tt.title = t.id WHERE t.withdrawn_at IS NULL "
    "ON CONFLICT DO NOTHING",
]

PG_UP = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE FUNCTION search_fold(t text) RETURNS text LANGUAGE sql STABLE AS "
    "$$ SELECT lower(unaccent(coalesce(t, ''))) $$",
    "CREATE TABLE title_search (title_id integer PRIMARY KEY REFERENCES title (id) "
    "ON DELETE CASCADE, document tsvector NOT NULL)",
    "CREATE INDEX title_search_document_idx ON title_search USING gin (document)",
    "CREATE TABLE search_word (word text PRIMARY KEY)",
    "CREATE INDEX search_word_trgm_idx ON search_word USING gin (word gin_trgm_ops)",
    PG_DOCUMENT_FUNCTION,
    PG_WORDS_FUNCTION,
    PG_REFRESH_FUNCTION,
    PG_TITLE_TRIGGER_FUNCTION,
    PG_TOPIC_TRIGGER_FUNCTION,
    "CREATE TRIGGER title_search_title AFTER INSERT OR UPDATE ON title "
    "FOR EACH ROW EXECUTE FUNCTION title_search_on_title()",
    "CREATE TRIGGER title_search_topic AFTER INSERT OR UPDATE OR DELETE ON title_topic "
    "FOR EACH ROW EXECUTE FUNCTION title_search_on_topic()",
    *PG_REBUILD[1:],
]

PG_DOWN = [
    "DROP TRIGGER IF EXISTS title_search_title ON title",
    "DROP TRIGGER IF EXISTS title_search_topic ON title_topic",
    "DROP FUNCTION IF EXISTS title_search_on_title()",
    "DROP FUNCTION IF EXISTS title_search_on_topic()",
    "DROP FUNCTION IF EXISTS title_search_refresh(integer)",
    "DROP FUNCTION IF EXISTS search_words(title, text)",
    "DROP FUNCTION IF EXISTS title_search_document(title, text)",
    "DROP TABLE IF EXISTS search_word",
    "DROP TABLE IF EXISTS title_search",
    "DROP FUNCTION IF EXISTS search_fold(text)",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="mediathek", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in COMMON_UP + (SQLITE_UP if engine.engine_type == "sqlite" else PG_UP):
            await engine.run_ddl(statement)

    async def run_backwards():
        engine = engine_finder()
        for statement in COMMON_DOWN + (SQLITE_DOWN if engine.engine_type == "sqlite" else PG_DOWN):
            await engine.run_ddl(statement)

    manager.add_raw(run)
    manager.add_raw_backwards(run_backwards)
    return manager
