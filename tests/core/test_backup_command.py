"""``mediathek backup`` and ``mediathek restore`` as an administrator runs them (SQLite)."""

import sqlite3
from contextlib import closing

from tests.core.test_cli import run_cli


def count(path, table):
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def test_backup_then_restore_into_a_fresh_instance(tmp_path):
    assert run_cli(tmp_path, "demo").returncode == 0
    made = run_cli(tmp_path, "backup", "--to", str(tmp_path / "sicherung.sqlite3"))
    assert made.returncode == 0, made.stderr
    assert "Sicherung geschrieben" in made.stdout

    refused = run_cli(tmp_path, "restore", str(tmp_path / "sicherung.sqlite3"))
    assert refused.returncode == 1
    assert "nicht leer" in refused.stderr and "--force" in refused.stderr
    assert "angehalten" in refused.stdout

    fresh = tmp_path / "neu"
    fresh.mkdir()
    env = {"MEDIATHEK_DATABASE_URL": f"sqlite:///{fresh / 'mediathek.sqlite3'}"}
    done = run_cli(fresh, "restore", str(tmp_path / "sicherung.sqlite3"), env_extra=env)
    assert done.returncode == 0, done.stderr
    for table in ("title", "copy", "patron", "loan", "account"):
        assert count(fresh / "mediathek.sqlite3", table) == count(tmp_path / "cli.sqlite3", table)

    default = run_cli(tmp_path, "backup")
    assert default.returncode == 0 and str(tmp_path / "data" / "backups") in default.stdout


def test_a_missing_backup_file_is_a_clear_message(tmp_path):
    assert run_cli(tmp_path, "migrate").returncode == 0
    missing = run_cli(tmp_path, "restore", str(tmp_path / "gibt-es-nicht.sqlite3"))
    assert missing.returncode == 1 and "gibt es nicht" in missing.stderr
