"""Facets, filters, sorting and paging of the catalogue search."""

from datetime import UTC, datetime

from mediathek.catalogue.tables import CopyStatus, Title
from mediathek.search.models import PAGE_SIZE, SearchParams
from mediathek.search.services import search
from tests.factories import add_title


def counts(result, facet: str) -> dict[str, int]:
    return {v.value: v.count for v in result.facets[facet]}


async def catalogue():
    await add_title(
        "Bildkarten Tiere",
        media_type="picture_cards",
        languages=("deu", "ara"),
        topics=("Tiere", "Wortschatz"),
        level_min="alpha",
        level_max="a1",
        age_min="kita",
        age_max="primary",
    )
    await add_title(
        "Tier-Memo",
        media_type="game",
        languages=("deu",),
        topics=("Tiere",),
        level_min="a1",
        level_max="b1",
        age_min="kita",
        age_max="kita",
        copies=(CopyStatus.on_loan,),
    )
    await add_title(
        "Tiere im Wald",
        media_type="picture_book",
        languages=("tur",),
        level_min="b2",
        level_max=None,
        age_min=None,
        age_max=None,
        copies=(),
    )


async def test_facets_count_the_matching_titles_per_value(db):
    await catalogue()
    result = await search(SearchParams.parse(q="Tiere"))
    assert result.total == 3
    assert counts(result, "media_type") == {"picture_book": 1, "game": 1, "picture_cards": 1}
    assert counts(result, "language") == {"deu": 2, "ara": 1, "tur": 1}
    assert counts(result, "topic") == {"Tiere": 2, "Wortschatz": 1}
    assert counts(result, "available") == {"ja": 1}


async def test_level_and_age_ranges_count_for_every_step_they_cover(db):
    await catalogue()
    result = await search(SearchParams.parse(q=""))
    # alpha–a1, a1–b1, b2–(open end up to c2)
    assert counts(result, "level") == {
        "alpha": 1,
        "pre_a1": 1,
        "a1": 2,
        "a2": 1,
        "b1": 1,
        "b2": 1,
        "c1": 1,
        "c2": 1,
    }
    assert counts(result, "age") == {"kita": 2, "primary": 1}


async def test_a_level_filter_finds_titles_whose_range_covers_it(db):
    await catalogue()
    a2 = await search(SearchParams.parse(niveau=["a2"]))
    assert [h.title for h in a2.hits] == ["Tier-Memo"]
    c1 = await search(SearchParams.parse(niveau=["c1"]))
    assert [h.title for h in c1.hits] == ["Tiere im Wald"]
    either = await search(SearchParams.parse(niveau=["alpha", "c1"], sortierung="titel"))
    assert [h.title for h in either.hits] == ["Bildkarten Tiere", "Tiere im Wald"]
    primary = await search(SearchParams.parse(alter=["primary"]))
    assert [h.title for h in primary.hits] == ["Bildkarten Tiere"]


async def test_values_of_one_facet_combine_with_or_and_facets_combine_with_and(db):
    await catalogue()
    two_types = await search(
        SearchParams.parse(medienart=["game", "picture_cards"], sortierung="titel")
    )
    assert [h.title for h in two_types.hits] == ["Bildkarten Tiere", "Tier-Memo"]
    with_language = await search(
        SearchParams.parse(medienart=["game", "picture_cards"], sprache=["ara"])
    )
    assert [h.title for h in with_language.hits] == ["Bildkarten Tiere"]


async def test_a_facets_counts_ignore_its_own_selection_so_alternatives_stay_visible(db):
    await catalogue()
    result = await search(SearchParams.parse(medienart=["game"]))
    assert result.total == 1
    assert counts(result, "media_type") == {"picture_book": 1, "game": 1, "picture_cards": 1}
    assert counts(result, "language") == {"deu": 1}
    assert [v.value for v in result.facets["media_type"] if v.selected] == ["game"]


async def test_available_now_shows_only_titles_with_a_copy_on_the_shelf(db):
    await catalogue()
    result = await search(SearchParams.parse(q="Tier", verfuegbar="1"))
    assert [h.title for h in result.hits] == ["Bildkarten Tiere"]
    assert result.hits[0].available == 1 and result.hits[0].copies == 1


async def test_topic_filter(db):
    await catalogue()
    result = await search(SearchParams.parse(thema=["Wortschatz"]))
    assert [h.title for h in result.hits] == ["Bildkarten Tiere"]


async def test_empty_query_browses_the_whole_catalogue_newest_first(db):
    await catalogue()
    result = await search(SearchParams.parse())
    assert [h.title for h in result.hits] == ["Tiere im Wald", "Tier-Memo", "Bildkarten Tiere"]


async def test_unknown_parameter_values_are_ignored(db):
    params = SearchParams.parse(
        medienart=["game", "spaceship"], sprache=["xxx"], sortierung="zufall", seite="abc"
    )
    assert params.media_types == ("game",)
    assert params.languages == ()
    assert params.sort == "relevanz" and params.page == 1
    assert SearchParams.parse(seite="-3").page == 1


async def test_pages_hold_twenty_titles_and_the_last_holds_the_rest(db):
    for i in range(PAGE_SIZE + 5):
        await add_title(f"Lesebuch {i:02d}", copies=())
    first = await search(SearchParams.parse(q="Lesebuch", sortierung="titel"))
    second = await search(SearchParams.parse(q="Lesebuch", sortierung="titel", seite="2"))
    assert first.total == second.total == 25 and first.pages == 2
    assert len(first.hits) == 20 and len(second.hits) == 5
    assert second.hits[0].title == "Lesebuch 20"
    beyond = await search(SearchParams.parse(q="Lesebuch", seite="9"))
    assert beyond.hits == [] and beyond.total == 25


async def test_sort_by_title_newest_and_relevance(db):
    await add_title("Zoo der Wörter", description="Ein Spiel")
    await add_title("Abenteuer Alltag", description="Spiel mit Karten")
    await add_title("Spiel des Jahres")
    await Title.update({Title.created_at: datetime(2020, 1, 1, tzinfo=UTC)}).where(
        Title.title == "Spiel des Jahres"
    )
    by_title = await search(SearchParams.parse(q="Spiel", sortierung="titel"))
    assert [h.title for h in by_title.hits] == [
        "Abenteuer Alltag",
        "Spiel des Jahres",
        "Zoo der Wörter",
    ]
    newest = await search(SearchParams.parse(q="Spiel", sortierung="neu"))
    assert [h.title for h in newest.hits] == [
        "Abenteuer Alltag",
        "Zoo der Wörter",
        "Spiel des Jahres",
    ]
    relevance = await search(SearchParams.parse(q="Spiel"))
    assert relevance.hits[0].title == "Spiel des Jahres"  # a title word weighs more


async def test_language_and_topic_counts_of_a_text_search_follow_the_other_filters(db):
    await catalogue()
    result = await search(SearchParams.parse(q="Tier", medienart=["game"]))
    assert counts(result, "language") == {"deu": 1}
    assert counts(result, "topic") == {"Tiere": 1}
    assert counts(result, "media_type") == {"picture_book": 1, "game": 1, "picture_cards": 1}
