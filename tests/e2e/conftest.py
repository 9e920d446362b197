"""Real-browser tests: Debian's chromium driven by Playwright against a live server.

The server runs ``mediathek serve --demo`` on a fresh SQLite file in a subprocess, so the
browser meets exactly what a person meets after the README's first command.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from tests.e2e.live import CHROMIUM, CHROMIUM_ARGS, LiveServer, drop_pg_database, start_server


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)
    if not Path(CHROMIUM).exists() and not os.environ.get("MEDIATHEK_REQUIRE_BROWSER"):
        skip = pytest.mark.skip(
            reason="Debian's chromium is not installed (apt-get install chromium)"
        )
        for item in items:
            if "/e2e/" in str(item.fspath):
                item.add_marker(skip)


@pytest.fixture(scope="module")
def live_server(tmp_path_factory) -> Iterator[LiveServer]:
    tmp = tmp_path_factory.mktemp("live")
    proc, server = start_server(tmp)
    yield server
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
    if not server.database_url.startswith("sqlite"):
        drop_pg_database(server.database_url)
    shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture
async def browser():
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        b = await p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        await b.close()


@pytest.fixture
async def page(browser, live_server) -> AsyncIterator:
    context = await browser.new_context(base_url=live_server.url, locale="de-DE")
    pg = await context.new_page()
    yield pg
    await context.close()
