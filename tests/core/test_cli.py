"""The command line: createadmin and migrate on a fresh SQLite file."""

import subprocess
import sys


def run_cli(tmp_path, *args, env_extra=None):
    import os

    env = {
        **os.environ,
        "MEDIATHEK_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}",
        "MEDIATHEK_DATA_DIR": str(tmp_path / "data"),
        **(env_extra or {}),
    }
    return subprocess.run(
        [sys.executable, "-m", "mediathek.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_migrate_then_createadmin_creates_a_login(tmp_path):
    assert run_cli(tmp_path, "migrate").returncode == 0
    done = run_cli(
        tmp_path,
        "createadmin",
        "--email",
        "Chefin@Example.org",
        env_extra={"MEDIATHEK_ADMIN_PASSWORD": "sehr-geheim-123"},
    )
    assert done.returncode == 0, done.stderr
    assert "chefin@example.org angelegt" in done.stdout
    again = run_cli(
        tmp_path,
        "createadmin",
        "--email",
        "chefin@example.org",
        env_extra={"MEDIATHEK_ADMIN_PASSWORD": "sehr-geheim-123"},
    )
    assert again.returncode != 0 and "bereits" in again.stderr


def test_createadmin_refuses_a_short_password_in_german(tmp_path):
    done = run_cli(
        tmp_path,
        "createadmin",
        "--email",
        "a@example.org",
        env_extra={"MEDIATHEK_ADMIN_PASSWORD": "kurz"},
    )
    assert done.returncode != 0 and "mindestens 10 Zeichen" in done.stderr


def test_production_without_secret_fails_with_a_clear_message(tmp_path):
    done = run_cli(
        tmp_path, "migrate", env_extra={"MEDIATHEK_PRODUCTION": "1", "MEDIATHEK_SECRET_KEY": ""}
    )
    assert done.returncode == 2 and "MEDIATHEK_SECRET_KEY" in done.stderr


def test_anonymise_runs_the_job_once(tmp_path):
    done = run_cli(tmp_path, "anonymise")
    assert done.returncode == 0, done.stderr
    assert "0 zurückgegebene Ausleihen anonymisiert." in done.stdout
