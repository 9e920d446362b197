"""Ten scans at scanner speed: how long the desk page needs from the first key to the tenth
result, with 0 and 100 ms of network latency (Chromium's network emulation), on a live
``mediathek serve --demo`` (SQLite, or PostgreSQL with MEDIATHEK_E2E_DATABASE_URL).

    uv run python benchmarks/desk_burst.py
    MEDIATHEK_E2E_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test \\
        uv run python benchmarks/desk_burst.py

The codes are typed as a USB scanner types them: 2 ms per key, Enter, the next code at once.
"Typing" is how long the keys took to type; the rest is the queue waiting for answers.
Needs Debian's chromium (/usr/bin/chromium).
"""

from __future__ import annotations

import asyncio
import shutil
import sys
import tempfile
import time
from pathlib import Path

from playwright.async_api import async_playwright, expect

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import report  # noqa: E402

from tests.e2e.live import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    drop_pg_database,
    login,
    start_server,
)
from tests.e2e.test_desk_scanner import burst_fixture, emulate_latency  # noqa: E402

LATENCIES = [0, 100]
ROUNDS = 3


async def burst(page, codes: list[str]) -> tuple[float, float]:
    """Seconds from the first key to the last result, and of that the typing."""
    done = page.locator("#desk-log-list .log-done")
    before = await done.count()
    started = time.perf_counter()
    for code in codes:
        await page.keyboard.type(code, delay=2)
        await page.keyboard.press("Enter")
    typed = time.perf_counter() - started
    await expect(done).to_have_count(before + len(codes), timeout=120_000)
    return time.perf_counter() - started, typed


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="desk-burst-"))
    # Started outside the event loop: for PostgreSQL it creates its database with asyncio.run.
    proc, server = start_server(tmp)
    try:
        asyncio.run(measure(server))
    finally:
        proc.terminate()
        proc.wait()
        if not server.database_url.startswith("sqlite"):
            drop_pg_database(server.database_url)
        shutil.rmtree(tmp, ignore_errors=True)


async def measure(server) -> None:
    engine = "sqlite" if server.database_url.startswith("sqlite") else "postgres"
    async with async_playwright() as p:
        browser = await p.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        for latency in LATENCIES:
            card, codes = await burst_fixture(server.database_url, latency)
            context = await browser.new_context(base_url=server.url, locale="de-DE")
            page = await context.new_page()
            await login(page, "theke@mediathek.example")
            await page.goto("/theke")
            await emulate_latency(page, latency)
            lend, back = [], []
            for _ in range(ROUNDS):
                await burst(page, [card])
                lend.append(await burst(page, codes))
                await page.get_by_role("button", name="Fertig – Ausweis schließen").click()
                await page.locator(".desk-return").wait_for()
                await page.locator("#scan-code").focus()
                back.append(await burst(page, codes))
            await context.close()
            for what, runs in (("ten checkouts", lend), ("ten returns", back)):
                best = min(runs)
                print(
                    f"{engine}, {latency} ms latency: {what} from the first key to the tenth "
                    f"result: best {best[0]:.2f} s (typing {best[1]:.2f} s), "
                    f"all {', '.join(f'{t:.2f}' for t, _ in runs)} s"
                )
                report(
                    f"desk: {what} at scanner speed, {latency} ms latency",
                    "none lost",
                    f"{best[0]:.2f} s first key to tenth result (typing {best[1]:.2f} s)",
                    engine,
                )
        await browser.close()


if __name__ == "__main__":
    main()
