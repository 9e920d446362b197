"""``mediathek serve --workers 2``: the workers are forked from one process that loaded the app
and the search's data; each of them follows later changes of the catalogue, a worker that
ends is replaced, and SIGTERM ends them all."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.fakes import free_port


def _children(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read().decode()


def _wait(url: str, proc: subprocess.Popen, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
        try:
            _get(url)
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer")


def _wait_for(condition, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline
        time.sleep(0.2)


def test_two_forked_workers_serve_the_search_and_follow_changes(tmp_path: Path):
    database = tmp_path / "serve.sqlite3"
    port = free_port()
    env = {
        **os.environ,
        "MEDIATHEK_DATABASE_URL": f"sqlite:///{database}",
        "MEDIATHEK_DATA_DIR": str(tmp_path / "data"),
        "MEDIATHEK_SCHEDULER": "0",
    }
    env.pop("MEDIATHEK_TEST_DATABASE_URL", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "mediathek.cli", "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait(base + "/healthz", proc)
        workers = _children(proc.pid)
        assert len(workers) == 2
        assert "Kamishibai Herbst" not in _get(base + "/katalog?q=Kamishibai")

        with sqlite3.connect(database) as conn:
            conn.execute(
                "INSERT INTO title (title, subtitle, authors, media_type, description, "
                "publisher, series, volume, cover_file, notes, created_at, updated_at) VALUES "
                "('Kamishibai Herbst', '', '', 'game', '', '', '', '', '', '', "
                "'2026-01-05 10:00:00+00:00', '2026-01-05 10:00:00+00:00')"
            )
        # Every request may reach either worker: each finds the new title.
        for _ in range(12):
            assert "Kamishibai Herbst" in _get(base + "/katalog?q=Kamishibai")

        os.kill(workers[0], signal.SIGKILL)
        _wait_for(lambda: len(_children(proc.pid)) == 2 and workers[0] not in _children(proc.pid))
        for _ in range(6):
            assert "Kamishibai Herbst" in _get(base + "/katalog?q=Kamishibai")
        workers = _children(proc.pid)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
    assert proc.returncode == 0
    for pid in workers:
        assert (
            not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text()
        )
