"""Memory, warm-up and edits of a served Mediathek: what `mediathek serve` holds per worker,
how long after its start the first search is answered, and how long a common-word search
takes right after a title edit.

The catalogue is the one of benchmarks/search.py (N titles, 2 copies each, built once and
kept: ``bench_<name>_<N>`` on PostgreSQL, /tmp/mediathek-bench-<name>/ on SQLite). For each
number of workers the server is started with ``mediathek serve --workers W`` and measured:

- start → first search: seconds from starting the command until ``/katalog?q=deutsch`` is
  answered (asked for as soon as the port answers), and that first request's own wait;
- memory after a round of searches of every kind (each worker serves some): resident memory
  (RSS) and proportional memory (PSS: a page shared by two processes counts half in each) of
  the server and each worker, and their sums. Summed RSS counts shared pages once per
  process; summed PSS is what the processes hold together;
- (one worker only) a common word searched right after a title edit: ``--edits`` rounds of
  an edit (plain SQL on a second connection, as another process edits) and the search, p50
  and p95 of the search.

    uv run python benchmarks/memory.py --engine postgres --titles 1000000 --workers 1
    uv run python benchmarks/memory.py --engine sqlite --titles 100000 --workers 1,2
        [--code DIR] [--edits 40] [--name memory]

``--code`` serves another checkout of the code on the same data (before/after).
"""

# A one-off script: blocking calls while nothing else runs are fine here.
# ruff: noqa: ASYNC210, ASYNC221, ASYNC240
from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
import search as catalogue  # noqa: E402
from _report import report  # noqa: E402
from robustness import Database  # noqa: E402
from throughput import free_port, uptime  # noqa: E402

# Searches made before memory is read: every kind of benchmarks/search.py, twice.
WARM = [path for path in catalogue.QUERIES.values() if path.startswith("/katalog")]


def tree(pid: int) -> list[int]:
    """The process and its descendants."""
    out = [pid]
    children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
    for child in children.stdout.split():
        out += tree(int(child))
    return out


def memory_kb(pid: int) -> tuple[int, int]:
    """(RSS, PSS) of one process in kB."""
    try:
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0, 0
    rss = re.search(r"^Rss:\s+(\d+) kB", rollup, re.M)
    pss = re.search(r"^Pss:\s+(\d+) kB", rollup, re.M)
    return int(rss.group(1)) if rss else 0, int(pss.group(1)) if pss else 0


def get(url: str, timeout: float = 600) -> float:
    """Seconds one GET took (it must answer 200)."""
    t0 = time.perf_counter()
    with urllib.request.urlopen(url, timeout=timeout) as response:
        response.read()
        assert response.status == 200, (url, response.status)
    return time.perf_counter() - t0


def wait_port(url: str, proc: subprocess.Popen, timeout: float = 900) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server ended with {proc.returncode}")
        try:
            urllib.request.urlopen(url, timeout=600).read()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{url} did not come up")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def serve(args, url: str, workers: int, tmp: Path) -> dict:
    env = {
        **os.environ,
        "MEDIATHEK_DATABASE_URL": url,
        "MEDIATHEK_DATA_DIR": str(tmp / "data"),
        "MEDIATHEK_SCHEDULER": "0",
        "PYTHONPATH": str(args.code.resolve()),
    }
    env.pop("MEDIATHEK_TEST_DATABASE_URL", None)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    cmd = [sys.executable, "-m", "mediathek.cli", "serve", "--port", str(port)]
    load = uptime()
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [*cmd, "--workers", str(workers)],
        cwd=args.code,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    figures: dict = {"workers": workers, "load": load}
    try:
        wait_port(base + "/healthz", proc)
        figures["port"] = time.perf_counter() - t0
        figures["first"] = get(base + "/katalog?q=deutsch")
        figures["start_to_first"] = time.perf_counter() - t0
        for _ in range(2 * workers):
            for path in WARM:
                get(base + path.format(rare=args.rare))
        per_process = [(pid, *memory_kb(pid)) for pid in tree(proc.pid)]
        # The serve command itself is ``uv``-less python here: its tree is the server.
        figures["processes"] = per_process
        figures["rss"] = sum(r for _, r, _ in per_process) / 1024
        figures["pss"] = sum(p for _, _, p in per_process) / 1024
        if workers == 1 and args.edits:
            pids = [pid for pid, _, _ in per_process]
            figures["edit"] = asyncio.run(after_edits(base, url, args.edits, pids))
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
    return figures


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time the processes have used so far."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
    return total / ticks


async def after_edits(base: str, url: str, rounds: int, pids: list[int]) -> dict:
    """p50 and p95 (ms) of a common-word search without and right after a title edit, and
    the server's CPU time per search."""
    db = Database(url)
    out = {}
    for kind, edit in (("warm", False), ("edit", True)):
        times = []
        for i in range(3 + rounds):
            if i == 3:
                cpu = cpu_seconds(pids)
            if edit:
                await db.execute(
                    "UPDATE title SET subtitle = subtitle || '' WHERE id = $1", 1000 + 7 * i
                )
            elapsed = get(base + "/katalog?q=Deutsch") * 1000
            if i >= 3:
                times.append(elapsed)
        spent = (cpu_seconds(pids) - cpu) / rounds * 1000
        out[kind] = (statistics.median(times), percentile(times, 95), spent)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--engine", choices=["sqlite", "postgres"], default="postgres")
    parser.add_argument("--titles", type=int, default=100_000)
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--edits", type=int, default=40)
    parser.add_argument("--name", default="memory", help="Name der Benchmark-Datenbanken")
    parser.add_argument("--code", type=Path, default=ROOT, help="checkout of the code to serve")
    args = parser.parse_args()
    catalogue.CACHE = Path(f"/tmp/mediathek-bench-{args.name}")
    catalogue.CACHE.mkdir(exist_ok=True)
    if args.engine == "sqlite":
        url, args.rare = asyncio.run(catalogue.build_sqlite(args.titles))
    else:
        name = f"bench_{args.name}_{args.titles}"
        url, args.rare = asyncio.run(catalogue.build_postgres(args.titles, False, name))
    tmp = Path(tempfile.mkdtemp(prefix="mediathek-memory-"))
    print(f"{args.engine}, {args.titles:,} Titel, Code: {args.code}")
    try:
        for workers in (int(w) for w in args.workers.split(",")):
            f = serve(args, url, workers, tmp)
            print(f"\n{workers} Worker  ({f['load']})")
            print(
                f"  Start → Port antwortet {f['port']:.1f} s; Start → erste Suche beantwortet "
                f"{f['start_to_first']:.1f} s (die Anfrage selbst {f['first']:.2f} s)"
            )
            for pid, rss, pss in f["processes"]:
                print(f"  Prozess {pid}: RSS {rss / 1024:6.0f} MB, PSS {pss / 1024:6.0f} MB")
            print(f"  zusammen: RSS {f['rss']:.0f} MB, PSS {f['pss']:.0f} MB")
            label = f"{workers} worker(s), {args.titles:,} titles"
            report(
                f"memory: {label} (PSS / RSS summed)",
                "≤ 250 MB (2 w, 100k), ≤ 300 MB (1 w, 1M)",
                f"{f['pss']:.0f} / {f['rss']:.0f} MB",
                args.engine,
            )
            report(
                f"start → first search answered, {label}",
                "≤ 3 s (1M, PostgreSQL)",
                f"{f['start_to_first']:.1f} s (request {f['first']:.2f} s)",
                args.engine,
            )
            if "edit" in f:
                for kind, label in (
                    ("warm", "ohne Änderung"),
                    ("edit", "direkt nach Titeländerung"),
                ):
                    p50, p95, cpu = f["edit"][kind]
                    print(
                        f"  häufiges Wort (Deutsch) {label}: p50 {p50:.1f} ms, p95 {p95:.1f} ms, "
                        f"CPU des Servers je Suche {cpu:.1f} ms"
                    )
                p50, p95, cpu = f["edit"]["edit"]
                report(
                    f"common word right after a title edit, {args.titles:,} titles",
                    "p95 ≤ 50 ms (1M, PostgreSQL)",
                    f"p50 {p50:.1f}, p95 {p95:.1f} ms (server CPU {cpu:.1f} ms)",
                    args.engine,
                )
        print(f"\n{uptime()}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
