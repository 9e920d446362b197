"""Many users at once: requests/s, p50 and p99 of the busy pages, each run right after a bare
Litestar hello-world served the same way (uvicorn, one worker) with the same load, and the
ratio between them; then checkout + return through the JSON API at 16 connections.

The catalogue is the one of benchmarks/search.py (N titles, 2 copies each), copied for this
run on SQLite, its own database on PostgreSQL; 16 borrowers and a staff API token are added.
Load comes from ``wrk`` (Debian package) in its own process; `uptime` is printed with each pair
because the machine is shared. A page named ``title@login`` is requested as a logged-in
teacher (a session cookie): her pages are made for each request, while a visitor without a
login may get a kept page (mediathek/web/page_cache.py), so both figures are printed.

    uv run python benchmarks/throughput.py [--engine sqlite|postgres] [--titles 100000]
        [--connections 16,64] [--seconds 10] [--code DIR] [--profile DIR]

``--code`` serves the Mediathek from another checkout of the code (a before/after comparison
in the same minutes, on the same data). ``--profile DIR`` records the server with py-spy
while each page is loaded at 16 connections (and during checkout + return), keeps the raw
stacks in DIR and prints each profile's top functions (share of the samples they are on).
"""

# A one-off script: blocking calls while nothing else runs are fine here.
# ruff: noqa: ASYNC210, ASYNC221, ASYNC240
from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.request
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import asyncpg
import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
import search as catalogue  # noqa: E402
from _report import report  # noqa: E402
from robustness import Database, make_token  # noqa: E402

from mediathek.db import postgres_config  # noqa: E402
from mediathek.passwords import new_token, token_digest  # noqa: E402

PG_SERVER = "postgresql://postgres@127.0.0.1:5432"
CACHE = Path("/tmp/mediathek-bench-throughput")
BORROWERS = 16

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


def wait_up(url: str, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=5)
            return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not come up")


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children (uvicorn may fork), in MB."""
    total = 0
    pids = [pid]
    children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
    pids += [int(p) for p in children.stdout.split()]
    for p in pids:
        try:
            status = Path(f"/proc/{p}/status").read_text()
        except OSError:
            continue
        match = re.search(r"VmRSS:\s+(\d+) kB", status)
        total += int(match.group(1)) if match else 0
    return total / 1024


class Profile:
    """py-spy on the server for the duration of a figure (``None`` dir: nothing)."""

    def __init__(self, directory: Path | None, pid: int, name: str, seconds: int) -> None:
        self.path = directory / f"{name}.txt" if directory else None
        self.pid, self.seconds, self.proc = pid, seconds, None

    def __enter__(self) -> Profile:
        if self.path:
            cmd = [sys.executable, "-m", "py_spy"] if not shutil.which("py-spy") else ["py-spy"]
            self.proc = subprocess.Popen(
                [
                    *cmd,
                    "record",
                    "--pid",
                    str(self.pid),
                    "--rate",
                    "250",
                    "--format",
                    "raw",
                    "--duration",
                    str(self.seconds),
                    "--output",
                    str(self.path),
                    "--nonblocking",
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            time.sleep(0.5)
        return self

    def __exit__(self, *exc) -> None:
        if self.proc:
            self.proc.wait(timeout=60)
            for line in top_functions(self.path):
                print(f"    {line}")


# Frames every request passes through (server, event loop, middleware): not news in a profile.
WRAPPERS = re.compile(
    r"__call__|_run_code|asyncio_run|Server\.run|cmd_serve|Runner\.run|run_until|run_forever|"
    r"_run_once|^run \(|_run \(|<module>|^main \(|HTTPRoute\.handle|run_asgi|"
    r"_call_handler_function|_get_response_for_request|Thread\.|^_bootstrap"
)


def top_functions(path: Path, count: int = 14) -> list[str]:
    """The functions most samples are in (inclusive), of the server's busiest thread."""
    if not path.exists():
        return ["(no profile)"]
    total, inclusive, own = 0, {}, {}
    for line in path.read_text().splitlines():
        stack, _, n = line.rpartition(" ")
        frames = stack.split(";")
        total += int(n)
        for frame in set(frames[1:]):
            name = re.sub(r":\d+\)$", ")", frame)
            inclusive[name] = inclusive.get(name, 0) + int(n)
        leaf = frames[-1]
        own[leaf] = own.get(leaf, 0) + int(n)
    ranked = sorted(inclusive.items(), key=lambda kv: -kv[1])
    rows = [f"{n / total:5.1%}  {name}" for name, n in ranked if not WRAPPERS.search(name)]
    return rows[:count]


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


def wrk(url: str, seconds: int, connections: int, cookie: str = "") -> dict:
    """req/s, p50 and p99 (ms) of ``url`` under ``connections`` open connections."""
    header = ["-H", f"Cookie: {cookie}"] if cookie else []
    out = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{seconds}s",
            "--timeout",
            "30s",
            "--latency",
            *header,
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    if re.search(r"Non-2xx or 3xx responses: (\d+)", out):
        raise RuntimeError(f"{url} answered with errors:\n{out}")
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": _ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1)),
        "p99": _ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1)),
    }


async def prepare(engine: str, titles: int) -> str:
    """A database with the benchmark catalogue, 16 borrowers and nothing else of a past run."""
    catalogue.CACHE = CACHE
    if engine == "sqlite":
        built, _ = await catalogue.build_sqlite(titles)
        path = CACHE / f"run-{titles}.sqlite3"
        for suffix in ("-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(built.removeprefix("sqlite:///"), path)
        url = f"sqlite:///{path}"
    else:
        name = f"load_throughput_{titles}"
        await catalogue.build_postgres(titles, rebuild=False, name=f"{name}_built")
        admin = await asyncpg.connect(**postgres_config(PG_SERVER + "/postgres"))
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{name}_built"')
        finally:
            await admin.close()
        url = f"{PG_SERVER}/{name}"
    db = Database(url)
    expires = (date.today() + timedelta(days=365)).isoformat()
    await db.execute(
        "INSERT INTO account (email, password_hash, role, display_name, is_active, "
        "session_epoch) VALUES ('theke@mediathek.example', '', 'staff', 'Theke', $1, 0)",
        True,
    )
    for i in range(BORROWERS):
        await db.execute(
            "INSERT INTO patron (last_name, category, card_barcode, status, expires_on) "
            "VALUES ($1, 'paid_teacher', $2, 'active', $3)",
            f"Last{i}",
            f"BENCH{i:04d}",
            date.fromisoformat(expires) if engine == "postgres" else expires,
        )
    return url


async def teacher_session(db: Database) -> str:
    """A teacher's login (the first borrower's) and her session's cookie value, as logging
    in would give it."""
    (patron_id,) = (await db.fetch("SELECT min(id) FROM patron"))[0]
    await db.execute(
        "INSERT INTO account (email, password_hash, role, display_name, is_active, "
        "session_epoch, patron) VALUES ('lehrerin@mediathek.example', '', 'teacher', "
        "'Lehrerin', $1, 0, $2)",
        True,
        patron_id,
    )
    token = new_token()
    (account_id,) = (
        await db.fetch("SELECT id FROM account WHERE email = 'lehrerin@mediathek.example'")
    )[0]
    now = datetime.now(UTC)
    times = (now, now + timedelta(days=1))
    await db.execute(
        "INSERT INTO web_session (token_hash, account, csrf_token, session_epoch, data, "
        "created_at, expires_at, user_agent) VALUES ($1, $2, $3, 0, $4, $5, $6, 'wrk')",
        token_digest(token),
        account_id,
        new_token(),
        b"",
        *(times if "postgres" in db.url else (t.isoformat() for t in times)),
    )
    return token


def start(cmd: list[str], cwd: Path, env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


async def checkout_and_return(
    base: str, token: str, copies: list[str], seconds: int, connections: int
) -> dict:
    """Each connection lends a copy of its own to its own borrower and takes it back, again
    and again; the latency of every request counts."""
    latencies: list[float] = []
    failures = 0
    stop = time.monotonic() + seconds
    headers = {"Authorization": f"Bearer {token}"}

    async def desk(n: int, client: httpx.AsyncClient) -> None:
        nonlocal failures
        mine = copies[n::connections]
        i = 0
        while time.monotonic() < stop:
            copy = mine[i % len(mine)]
            i += 1
            for path, body in (
                ("/api/v1/checkout", {"copy": copy, "card": f"BENCH{n % BORROWERS:04d}"}),
                ("/api/v1/checkin", {"copy": copy}),
            ):
                t0 = time.perf_counter()
                r = await client.post(base + path, json=body, headers=headers)
                latencies.append((time.perf_counter() - t0) * 1000)
                if r.status_code >= 300:
                    failures += 1
                    if failures == 1:
                        print(f"  first refusal: {path} {r.status_code} {r.text[:300]}")

    limits = httpx.Limits(max_connections=connections)
    async with httpx.AsyncClient(timeout=30, limits=limits) as client:
        t0 = time.monotonic()
        await asyncio.gather(*(desk(n, client) for n in range(connections)))
        elapsed = time.monotonic() - t0
    latencies.sort()
    if not latencies:  # nothing came back in time (a warm-up on a very busy machine)
        return {"rps": 0.0, "p50": 0.0, "p99": 0.0, "failures": failures}
    return {
        "rps": len(latencies) / elapsed,
        "p50": statistics.median(latencies),
        "p99": latencies[int(len(latencies) * 0.99) - 1],
        "failures": failures,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--engine", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--titles", type=int, default=100_000)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", default="16,64")
    parser.add_argument(
        "--pages",
        default="home,title,search,json,home@login,title@login,search@login,writes",
    )
    parser.add_argument("--code", type=Path, default=ROOT, help="checkout of the code to serve")
    parser.add_argument("--profile", type=Path, default=None, help="py-spy each page into DIR")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk fehlt: apt-get install wrk")
    CACHE.mkdir(exist_ok=True)
    if args.profile:
        args.profile.mkdir(parents=True, exist_ok=True)
    url = asyncio.run(prepare(args.engine, args.titles))
    tmp = Path(tempfile.mkdtemp(prefix="mediathek-throughput-"))
    env = {
        **os.environ,
        "MEDIATHEK_DATABASE_URL": url,
        "MEDIATHEK_DATA_DIR": str(tmp / "data"),
        "MEDIATHEK_SCHEDULER": "0",
        "PYTHONPATH": str(args.code.resolve()),
    }
    env.pop("MEDIATHEK_TEST_DATABASE_URL", None)
    (tmp / "hello_app.py").write_text(HELLO)
    port_app, port_hello = free_port(), free_port()
    server = [sys.executable, "-m", "mediathek.cli", "serve", "--port", str(port_app)]
    app = start(server, args.code, env)
    hello_cmd = [sys.executable, "-m", "uvicorn", "hello_app:app", "--port", str(port_hello)]
    hello = start([*hello_cmd, "--log-level", "warning"], tmp, env)
    base, hello_url = f"http://127.0.0.1:{port_app}", f"http://127.0.0.1:{port_hello}/"
    mid = args.titles // 2
    pages = {
        "home": "/",
        "title": f"/titel/{mid}",
        "search": "/katalog?q=deutsch",
        "json": "/api/v1/search?q=deutsch",
    }
    rows = []
    try:
        wait_up(base + "/healthz")
        wait_up(hello_url)
        # The first search waits for the search's facet table, which the server builds at start.
        urllib.request.urlopen(base + "/katalog?q=deutsch", timeout=300)
        token = asyncio.run(make_token(Database(url), "theke@mediathek.example"))
        session = asyncio.run(teacher_session(Database(url)))
        for name in args.pages.split(","):
            # "title@login": the page as a logged-in teacher sees it, made for each request
            # (a visitor without a login may get a kept page, see web/page_cache.py).
            plain, _, login = name.partition("@")
            if plain not in pages:
                continue
            page = base + pages[plain]
            cookie = f"mediathek_session={session}" if login else ""
            request = urllib.request.Request(page, headers={"Cookie": cookie} if login else {})
            with urllib.request.urlopen(request, timeout=30) as answer:  # fails if missing
                if login and b"Lehrerin" not in answer.read():
                    raise RuntimeError(f"{page}: not logged in")
            wrk(page, 2, 16, cookie)  # warm-up
            for connections in (int(c) for c in args.connections.split(",")):
                load = uptime()
                hello_fig = wrk(hello_url, args.seconds, connections)
                profile = args.profile if connections == 16 else None
                with Profile(profile, app.pid, f"{args.engine}-{name}", args.seconds - 1):
                    fig = wrk(page, args.seconds, connections, cookie)
                ratio = fig["rps"] / hello_fig["rps"]
                rows.append((name, connections, fig, hello_fig, ratio, load))
                print(
                    f"{name:12} c={connections:<3} {fig['rps']:8,.0f} req/s "
                    f"p50 {fig['p50']:7.1f} ms p99 {fig['p99']:7.1f} ms | hello-world "
                    f"{hello_fig['rps']:8,.0f} req/s | ratio {ratio:6.1%} | {load}",
                    flush=True,
                )
                report(
                    f"{name} req/s vs hello-world, {connections} conns",
                    "–" if login else "≥ 8 %" if plain != "search" else "≥ 4 %",
                    f"{fig['rps']:,.0f} ({ratio:.1%}), p99 {fig['p99']:.0f} ms",
                    args.engine,
                )
        if "writes" in args.pages:
            available = asyncio.run(
                Database(url).fetch(
                    "SELECT barcode FROM copy WHERE status = 'available' ORDER BY id LIMIT 640"
                )
            )
            copies = [r[0] for r in available]
            # Warm-up, as for the pages: the first checkout loads the holiday tables.
            asyncio.run(checkout_and_return(base, token, copies, 2, 16))
            load = uptime()
            with Profile(args.profile, app.pid, f"{args.engine}-writes", args.seconds - 1):
                fig = asyncio.run(checkout_and_return(base, token, copies, args.seconds, 16))
            print(
                f"checkout+return c=16 {fig['rps']:8,.0f} req/s p50 {fig['p50']:7.1f} ms "
                f"p99 {fig['p99']:7.1f} ms, {fig['failures']} refused | {load}",
                flush=True,
            )
            report(
                "checkout + return p99, 16 conns",
                "≤ 150 ms",
                f"{fig['p99']:.0f} ms ({fig['rps']:,.0f} req/s)",
                args.engine,
            )
        print(f"server RSS after the run: {rss_mb(app.pid):.0f} MB")
    finally:
        for proc in (app, hello):
            proc.terminate()
            proc.wait(timeout=30)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
