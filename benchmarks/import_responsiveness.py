"""Search page latency while a 10,000-row catalogue import runs, on a small catalogue.

One app, one event loop (like one uvicorn worker); requests go through the ASGI app in
process. The search page /katalog is requested five times a second (--pace) and timed:

  idle     no import running
  child    while a staff member's import (upload → check → write) runs as the app does it:
           the file is read in a child process
  loop     the same import, but read on the event loop as earlier versions did (the whole
           file at once, then rows checked with a pause every 500 rows)

All three in one run, so that the load other processes put on the machine hits them alike.
Also prints the app process's peak memory after each import (a peak only grows: the "loop"
figure runs last). The child's memory is its own and ends with it.

    uv run python benchmarks/import_responsiveness.py
    uv run python benchmarks/import_responsiveness.py --postgres postgresql://postgres@127.0.0.1:5432
    uv run python benchmarks/import_responsiveness.py --rows 2000 --catalogue 500
"""

# A one-off script: blocking file calls while nothing else runs are fine here.
# ruff: noqa: ASYNC240
from __future__ import annotations

import argparse
import asyncio
import os
import resource
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mediathek.app import create_app  # noqa: E402
from mediathek.catalogue import import_files, import_jobs, imports  # noqa: E402
from mediathek.db import connection_pool, make_engine, migrate  # noqa: E402
from mediathek.patrons.sessions import start_session  # noqa: E402
from mediathek.patrons.tables import Account  # noqa: E402
from mediathek.settings import Settings  # noqa: E402
from mediathek.vocab import Role  # noqa: E402
from mediathek.web.auth import SESSION_COOKIE  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import percentiles, report  # noqa: E402
from catalogue_import import make_csv, pg_url  # noqa: E402

QUERIES = ["Spiel", "Wortschatz", "Karten A1", "Bildkarten", "Lernmaterial"]
PACE = 0.2  # seconds between searches (--pace)


async def check_on_the_loop(filename, path, current_year, progress=None):
    """How imports were checked before they moved to a child process."""
    table = list(import_files.read_rows(path, filename))  # the whole file at once
    rows = [r for r in table if any(r)]
    columns = imports.map_headers(rows[0])
    result = imports.CheckResult(total=len(rows) - 1)
    for i, row in enumerate(rows[1:]):
        cells = {columns[j]: v for j, v in enumerate(row) if j in columns}
        parsed, message = imports.parse_row(cells, i + 2, current_year)
        if parsed is None:
            result.errors.append({"row": i + 2, "message": message})
        else:
            result.rows.append(parsed)
        if progress and (i + 1) % imports.BATCH == 0:
            await progress(i + 1, result.total)
    return result


async def search_latencies(
    client: httpx.AsyncClient, until, minimum: int, phase=lambda: "idle"
) -> list[tuple[str, float]]:
    """One search due every PACE seconds (a busy afternoon), labelled with the import's phase.

    Each latency counts from the moment the search was due, not from when it could be sent:
    while the event loop is blocked, searches that should have started wait too, and that
    wait is what a visitor sees."""
    samples: list[tuple[str, float]] = []
    i = 0
    first = time.perf_counter()
    while len(samples) < minimum or not until():
        due = first + i * PACE
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        label = phase()
        r = await client.get("/katalog", params={"q": QUERIES[i % len(QUERIES)]})
        samples.append((label, (time.perf_counter() - due) * 1000))
        assert r.status_code == 200, r.status_code
        i += 1
    return samples


async def run(rows: int, catalogue: int, postgres: str | None) -> None:
    folder = Path(tempfile.mkdtemp(prefix="bench-import-resp-"))
    if postgres:
        url = await pg_url(postgres)  # the import benchmark's database, made afresh
    else:
        url = f"sqlite:///{folder / 'bench.sqlite3'}"
    engine = make_engine(url)
    await migrate(engine)
    settings = Settings(
        database_url=url,
        secret_key="bench-secret-key-that-is-long-enough-0123456789",
        data_dir=folder / "data",
        scheduler_enabled=False,
    )
    app = create_app(settings, engine=engine, own_pool=False)
    engine_name = "PostgreSQL" if postgres else "SQLite"
    async with connection_pool(engine):
        start_catalogue = folder / "start.csv"
        start_catalogue.write_bytes(make_csv(catalogue, "Bestand Lernmaterial"))
        checked = await imports.check_file("start.csv", start_catalogue, 2026)
        await imports.write_rows(checked.rows, "M", date.today())
        row = await Account.insert(
            Account(email="bench@example.org", password_hash="-", role=Role.staff)
        ).returning(Account.id)
        token = await start_session(row[0]["id"])
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            client.cookies.set(SESSION_COOKIE, token)
            await client.get("/healthz")
            client.headers["x-csrftoken"] = client.cookies.get("mediathek_csrf", "")
            for _ in range(5):  # warm up the search index and the page
                for q in QUERIES:
                    await client.get("/katalog", params={"q": q})

            results: dict[str, list[float]] = {}
            durations: dict[str, float] = {}
            peak: dict[str, float] = {}
            results["idle"] = await search_latencies(client, lambda: True, 60)
            for mode in ("child", "loop"):
                original = imports.check_file
                if mode == "loop":
                    imports.check_file = check_on_the_loop
                try:
                    content = make_csv(rows, f"{mode.capitalize()} Lernmaterial")
                    started = time.perf_counter()
                    r = await client.post(
                        "/verwaltung/import",
                        files={"file": (f"{mode}.csv", content)},
                        data={"mode": "import"},
                    )
                    assert r.status_code == 303, r.text[:500]
                    job_id = int(r.headers["location"].rsplit("/", 1)[1])
                    done: list[bool] = []
                    status = ["checking"]

                    async def watch(job_id=job_id, done=done, status=status) -> dict:
                        while (job := await import_jobs.get_job(job_id))["status"] not in (
                            "done",
                            "failed",
                        ):
                            status[0] = "writing" if job["status"] == "writing" else "checking"
                            await asyncio.sleep(0.2)
                        done.append(True)
                        return job

                    watcher = asyncio.create_task(watch())
                    results[mode] = await search_latencies(
                        client, lambda done=done: done, 20, lambda status=status: status[0]
                    )
                    job = await watcher
                    durations[mode] = time.perf_counter() - started
                    assert job["status"] == "done", job["errors"][:3]
                    assert job["created_titles"] == rows, job
                    peak[mode] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
                finally:
                    imports.check_file = original
    print(f"{engine_name}: search page /katalog on {catalogue:,} titles; import of {rows:,} rows")
    print(f"  load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    labels = {
        "idle": "no import",
        "child": "import read in a child process",
        "loop": "import read on the event loop",
    }
    for mode, labelled in results.items():
        samples = [ms for _, ms in labelled]
        p50, p95 = percentiles(samples)
        extra = (
            f", import {durations[mode]:.1f} s, app peak memory {peak[mode]:.0f} MB"
            if mode in durations
            else ""
        )
        print(
            f"  {labels[mode]:32s} n={len(samples):4d}  p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  "
            f"max {max(samples):7.1f} ms{extra}"
        )
        for phase in ("checking", "writing"):
            part = [ms for label, ms in labelled if label == phase]
            if mode != "idle" and part:
                p50, p95 = percentiles(part)
                print(
                    f"    while {phase:9s} n={len(part):4d}  p50 {p50:6.1f} ms  "
                    f"p95 {p95:6.1f} ms  max {max(part):7.1f} ms"
                )
        report(
            f"search p95 during import ({labels[mode]})",
            "-",
            f"{percentiles(samples)[1]:.0f} ms",
            engine_name,
        )


def main() -> None:
    global PACE
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--catalogue", type=int, default=2_000)
    parser.add_argument("--pace", type=float, default=PACE, help="seconds between searches")
    parser.add_argument("--postgres", help="server URL, e.g. postgresql://postgres@127.0.0.1:5432")
    args = parser.parse_args()
    PACE = args.pace
    asyncio.run(run(args.rows, args.catalogue, args.postgres))


if __name__ == "__main__":
    main()
