"""Pages kept for visitors without a login (``web.page_cache``): as current as a page made for
the request, each visitor with her own CSRF token, never a logged-in person's page, on both
engines. Writes come from a connection of their own, as from another process."""

from __future__ import annotations

import asyncio
import re
import sqlite3

import asyncpg
import pytest

from mediathek.catalogue.tables import CopyStatus
from mediathek.db import data_version, is_sqlite, postgres_config, sqlite_path
from mediathek.web.page_cache import Kept, PageStore
from tests.factories import add_title, http_client

TOKEN = re.compile(r'hx-headers=\'\{"x-csrftoken": "([^"]+)"\}\'')


async def write_elsewhere(db, database_url: str, sql: str) -> None:
    """A committed write by a connection the app knows nothing of."""
    if is_sqlite(db):
        with sqlite3.connect(sqlite_path(database_url)) as conn:
            conn.execute(sql)
        return
    conn = await asyncpg.connect(**postgres_config(database_url))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def test_a_kept_title_page_shows_a_write_of_another_connection_at_once(
    app, client, db, database_url
):
    title_id = await add_title("Bildkarten Obst", copies=(CopyStatus.available,))
    store: PageStore = app.state.visitor_pages
    hits = store.hits
    first = (await client.get(f"/titel/{title_id}")).text
    again = (await client.get(f"/titel/{title_id}")).text
    assert store.hits == hits + 1 and again == first
    assert "DAZ 9" not in first and "im Regal" in first

    # Neither the shelf mark nor a due date is in the search's change log: any write counts.
    await write_elsewhere(db, database_url, "UPDATE copy SET shelf_mark = 'DAZ 9'")
    changed = (await client.get(f"/titel/{title_id}")).text
    assert "DAZ 9" in changed
    await write_elsewhere(db, database_url, "UPDATE copy SET status = 'on_loan'")
    assert "ausgeliehen" in (await client.get(f"/titel/{title_id}")).text


async def test_each_visitor_gets_her_own_csrf_token_in_a_kept_page_and_can_use_it(app, db):
    hits = app.state.visitor_pages.hits
    async with http_client(app) as anna, http_client(app) as ben:
        page_a = (await anna.get("/")).text
        page_b = (await ben.get("/")).text
        token_a, token_b = TOKEN.search(page_a)[1], TOKEN.search(page_b)[1]
        assert app.state.visitor_pages.hits == hits + 1
        assert token_a != token_b
        assert token_a == anna.cookies["mediathek_csrf"]
        assert token_b == ben.cookies["mediathek_csrf"]
        assert app.state.visitor_pages.marker not in page_a + page_b
        # The token from the kept page passes the CSRF check of a form.
        answer = await ben.post(
            "/anmelden",
            data={"email": "niemand@example.org", "password": "falsch", "_csrf_token": token_b},
        )
        assert answer.status_code != 403
        # A token from another visitor's page does not.
        answer = await ben.post(
            "/anmelden",
            data={"email": "niemand@example.org", "password": "falsch", "_csrf_token": token_a},
        )
        assert answer.status_code == 403


async def test_visitors_asking_at_once_after_a_write_wait_for_one_page(app, client, db):
    title_id = await add_title("Bildkarten Obst")
    store: PageStore = app.state.visitor_pages
    made = store.made
    pages = await asyncio.gather(*(client.get(f"/titel/{title_id}") for _ in range(12)))
    assert store.made == made + 1
    assert all(p.status_code == 200 and "Bildkarten Obst" in p.text for p in pages)


async def test_a_logged_in_teacher_never_gets_a_visitors_page_nor_they_hers(
    app, client, db, client_for, teacher_anna
):
    await add_title("Bildkarten Obst")
    visitor = (await client.get("/katalog?q=Obst")).text
    assert "Abmelden" not in visitor
    async with client_for(teacher_anna) as anna:
        hers = (await anna.get("/katalog?q=Obst")).text
    assert "Anna Berger" in hers and "Abmelden" in hers
    again = (await client.get("/katalog?q=Obst")).text
    assert "Anna Berger" not in again and "Abmelden" not in again


async def test_language_and_htmx_fragments_are_kept_apart(client, db):
    await add_title("Bildkarten Obst")
    english = await client.get("/katalog?q=Obst", headers={"Accept-Language": "en"})
    german = await client.get("/katalog?q=Obst", headers={"Accept-Language": "de"})
    assert '<html lang="en"' in english.text and '<html lang="de"' in german.text
    fragment = await client.get("/katalog?q=Obst", headers={"HX-Request": "true"})
    assert "<html" not in fragment.text and "Bildkarten Obst" in fragment.text
    whole = await client.get("/katalog?q=Obst")
    assert "<html" in whole.text


async def test_a_changed_synonyms_file_changes_the_kept_search_answer(client, db, settings):
    await add_title("Bildkarten Obst", media_type="picture_cards", age_min="kita", age_max="kita")
    await add_title("Bildkarten Berufe", media_type="picture_cards")
    before = (await client.get("/katalog", params={"q": "Kiga Bildkarten"})).text
    assert "Bildkarten Obst" not in before
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    (settings.data_dir / "synonyme.toml").write_text('[alter]\nkita = ["Kiga"]\n', "utf-8")
    after = (await client.get("/katalog", params={"q": "Kiga Bildkarten"})).text
    assert "Bildkarten Obst" in after and "Bildkarten Berufe" not in after


async def test_a_missing_title_is_not_kept_and_shows_once_it_exists(app, client, db):
    missing = await client.get("/titel/1")
    assert missing.status_code == 404
    # The error page is made outside the kept pages' middleware: her token, not the marker.
    assert app.state.visitor_pages.marker not in missing.text
    assert TOKEN.search(missing.text)[1] == client.cookies["mediathek_csrf"]
    await add_title("Bildkarten Obst")
    assert (await client.get("/titel/1")).status_code == 200


async def test_the_json_search_is_kept_for_visitors_and_current(app, client, db, database_url):
    await add_title("Bildkarten Obst")
    hits = app.state.visitor_pages.hits
    first = (await client.get("/api/v1/search?q=Obst")).json()
    assert first["total"] == 1
    await client.get("/api/v1/search?q=Obst")
    assert app.state.visitor_pages.hits == hits + 1
    await add_title("Obst im Winter")
    assert (await client.get("/api/v1/search?q=Obst")).json()["total"] == 2


async def test_the_data_version_changes_with_every_committed_write_even_when_asked_at_once(
    db, database_url
):
    """Many callers at once share reads on PostgreSQL; a caller who asks after a commit must
    still get a read that began after it."""
    await add_title("Bildkarten Obst")
    stop = False

    async def others() -> None:
        while not stop:
            await data_version(db)

    background = [asyncio.create_task(others()) for _ in range(8)]
    try:
        for n in range(20):
            before = await data_version(db)
            await write_elsewhere(db, database_url, f"UPDATE copy SET shelf_mark = 'R{n}'")
            assert await data_version(db) != before
        quiet = await data_version(db)
        assert await data_version(db) == quiet
    finally:
        stop = True
        await asyncio.gather(*background)


@pytest.mark.parametrize("size", [10, 20])
def test_the_store_keeps_the_pages_used_last_within_its_size(size):
    store = PageStore(max_bytes=100)
    store.current("engine", 1)
    for n in range(6):
        store.put(n, Kept(1, 200, [], b"x" * size))
    assert store.size <= 100
    kept = [n for n in range(6) if store.get(n) is not None]
    assert kept == list(range(6))[-(100 // size) :]
    store.put("old", Kept(0, 200, [], b"x"))  # made before the last write: not kept
    assert store.get("old") is None
    store.current("engine", 2)
    assert store.size == 0 and store.get(5) is None
