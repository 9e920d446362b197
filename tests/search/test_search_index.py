"""The search's in-memory facet table follows every committed change of the catalogue.

Changes are made the way other processes make them (plain SQL, a second connection), so the
tests prove that the database's change log, not this process's own calls, keeps it current.
"""

import random
from datetime import UTC, datetime

import asyncpg
import numpy as np
import pytest

from mediathek.catalogue.tables import Copy, CopyStatus, Title, TitleLanguage
from mediathek.db import postgres_config
from mediathek.search import index
from mediathek.search.facets import AGE_CODES, LEVEL_CODES, FacetTable, filter_and_count, page_of
from mediathek.search.models import SearchParams
from mediathek.search.services import search
from tests.factories import PG_URL, add_title


def counts(result, facet: str) -> dict[str, int]:
    return {v.value: v.count for v in result.facets[facet]}


async def test_a_copy_lent_or_returned_changes_available_now_at_once(db):
    title_id = await add_title("Bildkarten Obst", copies=(CopyStatus.available,))
    assert counts(await search(SearchParams.parse(q="Obst")), "available") == {"ja": 1}
    await Copy.raw("UPDATE copy SET status = {} WHERE title = {}", "on_loan", title_id)
    assert counts(await search(SearchParams.parse(q="Obst")), "available") == {"ja": 0}
    shelf = await search(SearchParams.parse(q="Obst", verfuegbar="1"))
    assert shelf.total == 0
    await Copy.raw("UPDATE copy SET status = {} WHERE title = {}", "available", title_id)
    assert (await search(SearchParams.parse(q="Obst", verfuegbar="1"))).total == 1


async def test_new_edited_and_withdrawn_titles_are_seen_by_the_next_search(db):
    first = await add_title("Memo Tiere", media_type="game")
    assert (await search(SearchParams.parse())).total == 1
    second = await add_title("Memo Farben", media_type="game", languages=("tur",))
    result = await search(SearchParams.parse(q="Memo"))
    assert result.total == 2
    assert counts(result, "language") == {"deu": 1, "tur": 1}

    await Title.raw("UPDATE title SET media_type = 'picture_cards' WHERE id = {}", second)
    await TitleLanguage.raw("DELETE FROM title_language WHERE title = {}", second)
    result = await search(SearchParams.parse(q="Memo"))
    assert counts(result, "media_type") == {"game": 1, "picture_cards": 1}
    assert counts(result, "language") == {"deu": 1}

    await Title.update({Title.withdrawn_at: datetime(2026, 3, 1, tzinfo=UTC)}).where(
        Title.id == first
    )
    result = await search(SearchParams.parse(q="Memo"))
    assert [h.title for h in result.hits] == ["Memo Farben"]
    assert counts(result, "media_type") == {"picture_cards": 1}


async def test_a_deleted_title_leaves_no_trace(db):
    title_id = await add_title("Wimmelbuch Stadt", copies=())
    assert (await search(SearchParams.parse(q="Wimmelbuch"))).total == 1
    await TitleLanguage.delete().where(TitleLanguage.title == title_id)
    await Title.delete().where(Title.id == title_id)
    result = await search(SearchParams.parse())
    assert result.total == 0 and counts(result, "language") == {}


async def test_many_changes_at_once_reload_everything_correctly(db):
    title_id = await add_title("Lesekiste", copies=())
    await search(SearchParams.parse())
    await Copy.insert(
        *[
            Copy(title=title_id, barcode=f"X{i:05d}", status=CopyStatus.on_loan)
            for i in range(index.MAX_SINGLE_RELOADS + 20)
        ]
    )
    assert counts(await search(SearchParams.parse()), "available") == {"ja": 0}
    await Copy.raw("UPDATE copy SET status = 'available' WHERE barcode = 'X00007'")
    assert counts(await search(SearchParams.parse()), "available") == {"ja": 1}


async def test_word_matches_are_kept_until_words_change(db):
    title_id = await add_title("Rätselheft Zahlen")
    assert (await search(SearchParams.parse(q="Zahlen"))).total == 1
    table = await index.facet_table()
    assert any("zahl" in key for key in table.terms)
    # A copy changes facets, not words: the remembered matches stay.
    await Copy.raw("UPDATE copy SET status = 'on_loan' WHERE title = {}", title_id)
    await search(SearchParams.parse(q="Zahlen"))
    assert any("zahl" in key for key in (await index.facet_table()).terms)
    # A new title may hold the word: the matches are asked again.
    await add_title("Zahlen legen")
    assert (await search(SearchParams.parse(q="Zahlen"))).total == 2


async def test_a_title_edit_corrects_remembered_matches_for_that_title_alone(db, monkeypatch):
    puzzle = await add_title("Rätselheft Zahlen")
    cards = await add_title("Bunte Kartenzahlen")
    box = await add_title("Lesekiste")
    # "Zahlen" as a word, and inside the compound "Kartenzahlen".
    assert (await search(SearchParams.parse(q="Zahlen"))).total == 2
    sql = index.engine_sql()
    asked: list = []
    for name in ("matching_ids", "matching_part_ids"):
        real = getattr(sql, name)

        async def recording(*args, _real=real, **kwargs):
            asked.append(kwargs.get("within_ids"))
            return await _real(*args, **kwargs)

        monkeypatch.setattr(sql, name, recording)
    await Title.raw("UPDATE title SET title = {} WHERE id = {}", "Lesekiste Zahlen", box)
    await Title.raw("UPDATE title SET title = {} WHERE id = {}", "Rätselheft", puzzle)
    titles = [hit.title for hit in (await search(SearchParams.parse(q="Zahlen"))).hits]
    assert sorted(titles) == ["Bunte Kartenzahlen", "Lesekiste Zahlen"]
    # Only the two edited titles were asked again, not the whole index.
    assert asked and all(sorted(ids) == sorted([puzzle, box]) for ids in asked)
    assert cards not in asked[0]


async def test_the_daily_job_forgets_old_log_rows_only(db):
    await add_title("Kamishibai Herbst")
    await Title.raw(
        "UPDATE search_change SET at = {} WHERE id = (SELECT min(id) FROM search_change)",
        "2020-01-01 00:00:00" if not PG_URL else datetime(2020, 1, 1, tzinfo=UTC),
    )
    before = (await Title.raw("SELECT count(*) AS n FROM search_change"))[0]["n"]
    await index.run_daily(None)
    after = (await Title.raw("SELECT count(*) AS n FROM search_change"))[0]["n"]
    assert after == before - 1


@pytest.mark.skipif(not PG_URL, reason="PostgreSQL commits writers out of id order")
async def test_a_change_committed_after_a_later_one_was_read_is_not_missed(db):
    slow_title = await add_title("Hörspiel Meer", copies=(CopyStatus.available,))
    fast_title = await add_title("Hörspiel Wald", copies=(CopyStatus.available,))
    assert counts(await search(SearchParams.parse(q="Hörspiel")), "available") == {"ja": 2}
    conn = await asyncpg.connect(**postgres_config(db_url(db)))
    try:
        slow = conn.transaction()
        await slow.start()
        # This transaction writes its log row first (smaller id) but commits last.
        await conn.execute("UPDATE copy SET status = 'on_loan' WHERE title = $1", slow_title)
        await Copy.raw("UPDATE copy SET status = 'on_loan' WHERE title = {}", fast_title)
        result = await search(SearchParams.parse(q="Hörspiel"))
        assert counts(result, "available") == {"ja": 1}
        await slow.commit()
    finally:
        await conn.close()
    assert counts(await search(SearchParams.parse(q="Hörspiel")), "available") == {"ja": 0}


@pytest.mark.skipif(not PG_URL, reason="TRUNCATE is PostgreSQL's")
async def test_truncating_the_catalogue_empties_the_search(db):
    await add_title("Fingerspiele")
    assert (await search(SearchParams.parse())).total == 1
    await Title.raw("TRUNCATE title_language, title_topic, copy, title CASCADE")
    result = await search(SearchParams.parse())
    assert result.total == 0 and result.hits == []


def db_url(engine) -> str:
    config = engine.config
    return f"postgresql://{config['user']}@{config['host']}:{config['port']}/{config['database']}"


async def test_the_table_read_value_by_value_equals_the_table_of_every_title_read_as_a_row(db):
    """The whole table is read as lists of ids per facet value; a table made from each
    title's own row (as single changes are applied) answers every question alike."""
    rng = random.Random(5)
    names = ["Öl", "apfel", "Zoo", "Ärger", "bingo", "Memo"]
    for n in range(60):
        lo = rng.choice([None, *LEVEL_CODES])
        withdrawn = {"withdrawn_at": datetime(2026, 3, 1, tzinfo=UTC)} if n % 13 == 0 else {}
        await add_title(
            f"{rng.choice(names)} {n % 7}",
            rng.choice(["book", "game", "picture_cards"]),
            languages=tuple(rng.sample(["deu", "ara", "tur", "ukr"], rng.randint(0, 2))),
            topics=tuple(rng.sample(["Tiere", "Farben", "Familie"], rng.randint(0, 2))),
            copies=tuple(rng.choice(["available", "on_loan"]) for _ in range(rng.randint(0, 2))),
            levels=(lo, rng.choice([None, *LEVEL_CODES])),
            ages=(rng.choice([None, "kita", "x9", *AGE_CODES]), rng.choice([None, *AGE_CODES])),
            created_at=datetime(2026, 1, 1 + n % 5, 8, n, n, 1000 * n, tzinfo=UTC),
            **withdrawn,
        )
    sql = index.engine_sql()
    loaded = await index.load_table(sql)
    loaded.with_titles(await index.sort_titles(sql, loaded))
    rows = await index.SearchIndex(sql)._titles("t.id > 0 ORDER BY t.id")
    assert rows is not None
    built = FacetTable(rows)
    assert loaded.ids.tolist() == built.ids.tolist()
    assert loaded.created.tolist() == built.created.tolist()
    for params in [
        SearchParams.parse(),
        SearchParams.parse(medienart=["game"], sprache=["ara"], sortierung="titel"),
        SearchParams.parse(niveau=["a1", "c2"], alter=["kita"], verfuegbar="1"),
        SearchParams.parse(thema=["Tiere"], sortierung="neu", seite="2"),
    ]:
        found, counts = filter_and_count(loaded, None, params)
        expected, expected_counts = filter_and_count(built, None, params)
        assert np.array_equal(found, expected) and counts == expected_counts
        assert page_of(loaded, found, params, None) == page_of(built, expected, params, None)
