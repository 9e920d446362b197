"""``mediathek.db.ReusingSQLiteEngine`` overrides private methods of piccolo's SQLite engine.

piccolo may change private methods in any release. pyproject.toml pins piccolo to the minor
version these were read from; this test tells whoever moves the pin what to read again.
"""

import hashlib
import inspect

import piccolo
from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction

from mediathek.db import ReusingSQLiteEngine

# The methods ReusingSQLiteEngine replaces, and piccolo's code that reaches them: queries and
# DDL outside a transaction go through _run_in_new_connection, inside one through
# _run_in_existing_connection; a transaction takes its connection from get_connection.
# name -> (signature, sha256 of the source) as read in piccolo 1.38.0.
RECORDED = {
    "SQLiteEngine._run_in_new_connection": (
        "(self, query: 'str', args: 'Optional[list[Any]]' = None, "
        "query_type: 'str' = 'generic', table: 'Optional[type[Table]]' = None)",
        "b1d06d9de80697ec927ce63bd5503c37eb5dd3b34da17fcf79fa3f4e96f25d8d",
    ),
    "SQLiteEngine._run_in_existing_connection": (
        "(self, connection, query: 'str', args: 'Optional[list[Any]]' = None, "
        "query_type: 'str' = 'generic', table: 'Optional[type[Table]]' = None)",
        "0cd1e6dc5537338873291a245df9f9e89cfe6131c27f82639dc17b1e45298f0d",
    ),
    "SQLiteEngine.get_connection": (
        "(self) -> 'Connection'",
        "ffdb78ae7c58b2c29e2038af6bc74e12c9f50f28adb96f29bfd8b4fba210659b",
    ),
    "SQLiteEngine.run_querystring": (
        "(self, querystring: 'QueryString', in_pool: 'bool' = False)",
        "daa84d07b7abc88b4a88794c20666e2e34c5586174e7f3caaca979b169d2b838",
    ),
    "SQLiteEngine.run_ddl": (
        "(self, ddl: 'str', in_pool: 'bool' = False)",
        "dfda8cdf8740d80f9e2b456b85bca4a7574aec70c00de9101acf698f9f455b32",
    ),
    "SQLiteTransaction.__aenter__": (
        "(self) -> 'SQLiteTransaction'",
        "579894a54e56b9a89ff3f9bdfcc770a48b6aff4c3448935a5ae1a0bc562e3f21",
    ),
    "SQLiteTransaction.get_connection": (
        "(self)",
        "590a4900ca03dd211c264105f967d5630bee3d407de8406ad4f668b70d1e1bf2",
    ),
}

OWNERS = {"SQLiteEngine": SQLiteEngine, "SQLiteTransaction": SQLiteTransaction}


def _read(name: str) -> tuple[str, str]:
    owner, method = name.split(".")
    function = getattr(OWNERS[owner], method)
    source = inspect.getsource(function)
    return str(inspect.signature(function)), hashlib.sha256(source.encode()).hexdigest()


def test_the_piccolo_methods_the_sqlite_engine_overrides_are_as_recorded():
    changed = {name: _read(name) for name in RECORDED if _read(name) != RECORDED[name]}
    assert not changed, (
        f"piccolo {piccolo.__VERSION__} changed {', '.join(changed)}. mediathek/db.py "
        "(ReusingSQLiteEngine, _ReusableConnection) overrides or relies on them: compare the "
        "new piccolo code with the overrides (arguments, the PRAGMA and row factory set per "
        "connection, RETURNING on SQLite < 3.35, commit outside a transaction), run the "
        "suite on SQLite, then record the new values here: " + repr(changed)
    )


def test_every_override_still_replaces_a_piccolo_method():
    for name in ("_run_in_new_connection", "_run_in_existing_connection", "get_connection"):
        assert name in vars(ReusingSQLiteEngine), name
        assert hasattr(SQLiteEngine, name), f"piccolo's SQLiteEngine has no {name} any more"
