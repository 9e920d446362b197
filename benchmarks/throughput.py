"""Requests/s of the title page against a bare Litestar hello-world, same machine, same run,
and the server's memory (RSS) under that load.

Both servers run under uvicorn with one worker; load comes from ``wrk`` (Debian package) on
loopback. The Mediathek runs on SQLite with the demo catalogue.

    uv run python benchmarks/throughput.py [--seconds 10] [--connections 16]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import report  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent

HELLO = textwrap.dedent(
    """
    from litestar import Litestar, get

    @get("/")
    async def hello() -> str:
        return "Hello, world!"

    app = Litestar([hello])
    """
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_up(url: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not come up")


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children (uvicorn may fork), in MB."""
    total = 0
    pids = [pid]
    try:
        children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
        pids += [int(p) for p in children.stdout.split()]
    except FileNotFoundError:
        pass
    for p in pids:
        try:
            status = Path(f"/proc/{p}/status").read_text()
        except OSError:
            continue
        match = re.search(r"VmRSS:\s+(\d+) kB", status)
        total += int(match.group(1)) if match else 0
    return total / 1024


def wrk(url: str, seconds: int, connections: int, pid: int | None = None) -> tuple[float, float]:
    peak = [0.0]
    stop = threading.Event()

    def sample() -> None:
        while pid and not stop.is_set():
            peak[0] = max(peak[0], rss_mb(pid))
            time.sleep(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    stop.set()
    sampler.join()
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    if re.search(r"Non-2xx or 3xx responses: (\d+)", out):
        raise RuntimeError(f"{url} answered with errors:\n{out}")
    return rps, peak[0]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--path", default="/titel/1")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk fehlt: apt-get install wrk")

    tmp = Path(tempfile.mkdtemp(prefix="mediathek-throughput-"))
    env = {
        **os.environ,
        "MEDIATHEK_DATABASE_URL": f"sqlite:///{tmp / 'bench.sqlite3'}",
        "MEDIATHEK_DATA_DIR": str(tmp / "data"),
        "MEDIATHEK_SCHEDULER": "0",
    }
    env.pop("MEDIATHEK_TEST_DATABASE_URL", None)
    (tmp / "hello_app.py").write_text(HELLO)

    port_app, port_hello = free_port(), free_port()
    app = subprocess.Popen(
        [sys.executable, "-m", "mediathek.cli", "serve", "--demo", "--port", str(port_app)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    hello = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "hello_app:app",
            "--port",
            str(port_hello),
            "--log-level",
            "warning",
        ],
        cwd=tmp,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_up(f"http://127.0.0.1:{port_app}/healthz")
        wait_up(f"http://127.0.0.1:{port_hello}/")
        page = f"http://127.0.0.1:{port_app}{args.path}"
        urllib.request.urlopen(page, timeout=5)  # fails loudly if the page is missing
        wrk(page, 2, args.connections)  # warm-up
        hello_rps, _ = wrk(f"http://127.0.0.1:{port_hello}/", args.seconds, args.connections)
        app_rps, peak_rss = wrk(page, args.seconds, args.connections, pid=app.pid)
    finally:
        for proc in (app, hello):
            proc.terminate()
            proc.wait(timeout=20)
        shutil.rmtree(tmp, ignore_errors=True)

    print(
        f"hello-world: {hello_rps:,.0f} req/s; title page {args.path}: {app_rps:,.0f} req/s; "
        f"ratio {app_rps / hello_rps:.1%}; peak RSS {peak_rss:.0f} MB"
    )
    report(
        "title page req/s vs. Litestar hello-world",
        "(ratio)",
        f"{app_rps:,.0f} vs {hello_rps:,.0f} req/s = {app_rps / hello_rps:.1%}",
        "sqlite",
    )
    report("server RSS under load", "≤ 200 MB", f"{peak_rss:.0f} MB", "sqlite")


if __name__ == "__main__":
    main()
