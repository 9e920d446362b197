"""Importing the piccolo configuration or the database module creates no database file: the
SQLite engine (which creates its file) is made when piccolo first asks for it."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

IMPORT_ALL = """
import sys
import mediathek.db
assert "mediathek.piccolo_conf" not in sys.modules, "mediathek.db imports piccolo_conf"
import piccolo_conf
import mediathek.piccolo_conf
import mediathek.app
import mediathek.cli
"""

FIRST_USE = """
import os
import piccolo_conf
from piccolo.engine import engine_finder

assert os.listdir(".") == []
print(type(engine_finder()).__name__)
"""


def _run(code: str, cwd: Path) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEDIATHEK_")}
    env["PYTHONPATH"] = str(ROOT)
    env.pop("PICCOLO_CONF", None)
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_importing_the_piccolo_configuration_and_the_app_creates_no_file(tmp_path):
    _run(IMPORT_ALL, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_the_piccolo_command_line_still_finds_the_default_engine_on_first_use(tmp_path):
    assert _run(FIRST_USE, tmp_path).strip() == "ReusingSQLiteEngine"
    assert (tmp_path / "mediathek.sqlite3").exists()
