"""The text side of search: words found however they are typed."""

from datetime import UTC, datetime

from mediathek.catalogue.tables import Title, TitleTopic
from mediathek.search.models import SearchParams
from mediathek.search.services import forget_vocabulary, search
from tests.factories import add_title, barcode_of


async def found(q: str, **params) -> list[str]:
    forget_vocabulary()
    result = await search(SearchParams.parse(q=q, **params))
    return [hit.title for hit in result.hits]


async def test_umlauts_and_diacritics_fold_both_ways(db):
    await add_title("Übungen zur Grammatik")
    await add_title("Café-Gespräche")
    assert await found("Ubungen") == ["Übungen zur Grammatik"]
    assert await found("übung") == ["Übungen zur Grammatik"]
    assert await found("cafe") == ["Café-Gespräche"]
    assert await found("Gesprache") == ["Café-Gespräche"]


async def test_plural_and_singular_find_each_other(db):
    await add_title("Spiele für draußen")
    await add_title("Das große Spiel der Farben")
    assert sorted(await found("Spiel")) == ["Das große Spiel der Farben", "Spiele für draußen"]
    assert sorted(await found("Spiele")) == ["Das große Spiel der Farben", "Spiele für draußen"]
    await add_title("Kinder entdecken Zahlen")
    assert await found("Kind") == ["Kinder entdecken Zahlen"]


async def test_a_word_is_found_while_it_is_still_being_typed(db):
    await add_title("Schritte plus Neu A1")
    assert await found("Sch") == ["Schritte plus Neu A1"]
    assert await found("Schri") == ["Schritte plus Neu A1"]
    assert await found("schritte pl") == ["Schritte plus Neu A1"]


async def test_small_typos_still_find_the_title_and_say_so(db):
    await add_title("Schritte plus Neu")
    await add_title("Grammatik aktiv")
    assert await found("Schrite") == ["Schritte plus Neu"]
    forget_vocabulary()
    result = await search(SearchParams.parse(q="Gramatik"))
    assert [h.title for h in result.hits] == ["Grammatik aktiv"]
    assert result.corrected_words == ["grammatik"]


async def test_every_word_must_match(db):
    await add_title("Bildkarten Tiere", topics=("Tiere",))
    await add_title("Bildkarten Obst")
    assert await found("Bildkarten Tiere") == ["Bildkarten Tiere"]


async def test_authors_publisher_series_topics_and_description_are_searched(db):
    await add_title("A", authors="Niebisch, Daniela")
    await add_title("B", publisher="Hueber Verlag")
    await add_title("C", series="Reihe Fenster")
    await add_title("D", topics=("Elternarbeit",))
    await add_title("E", description="Mit Hörstift und Kärtchen")
    await add_title("F", subtitle="Kursbuch und Arbeitsbuch")
    assert await found("Niebisch") == ["A"]
    assert await found("Hueber") == ["B"]
    assert await found("Fenster") == ["C"]
    assert await found("Elternarbeit") == ["D"]
    assert await found("Kartchen") == ["E"]
    assert await found("Arbeitsbuch") == ["F"]


async def test_isbn_in_any_form_finds_exactly_its_title(db):
    await add_title("Mit ISBN", isbn="9783161484100")
    await add_title("Ohne ISBN", description="9783161484100 steht hier nur im Text")
    for form in (
        "978-3-16-148410-0",
        "9783161484100",
        "3-16-148410-X",
        "316148410X",
        " 978 3 16 148410 0 ",
    ):
        result = await search(SearchParams.parse(q=form))
        assert [h.title for h in result.hits] == ["Mit ISBN"], form
        assert result.exact == "isbn"


async def test_a_copy_barcode_finds_its_title_however_it_is_typed(db):
    title_id = await add_title("Koffer Kita")
    await add_title("Anderer Titel")
    code = await barcode_of(title_id)
    for form in (code, code.lower(), f"  {code} "):
        result = await search(SearchParams.parse(q=form))
        assert [h.title for h in result.hits] == ["Koffer Kita"], form
        assert result.exact == "barcode"


async def test_withdrawn_titles_never_appear(db):
    await add_title("Alte Spielesammlung", withdrawn_at=datetime(2025, 1, 1, tzinfo=UTC))
    visible = await add_title("Neue Spielesammlung")
    assert await found("Spielesammlung") == ["Neue Spielesammlung"]
    assert await found("") == ["Neue Spielesammlung"]
    await Title.update({Title.withdrawn_at: datetime(2026, 3, 1, tzinfo=UTC)}).where(
        Title.id == visible
    )
    assert await found("Spielesammlung") == []
    assert await found("") == []


async def test_edits_and_new_topics_are_searchable_at_once(db):
    title_id = await add_title("Wortschatz Koffer")
    await Title.update({Title.title: "Bildwörterbuch Küche"}).where(Title.id == title_id)
    assert await found("Kuche") == ["Bildwörterbuch Küche"]
    assert await found("Koffer") == []
    await TitleTopic.insert(TitleTopic(title=title_id, topic="Wohnen"))
    assert await found("Wohnen") == ["Bildwörterbuch Küche"]
    await TitleTopic.delete().where(TitleTopic.title == title_id)
    assert await found("Wohnen") == []


async def test_control_characters_and_search_syntax_do_not_break_the_search(db):
    await add_title("Spiel und Spaß")
    assert await found("Sp\x00iel\x07") == []  # the NUL splits nothing into a crash
    assert await found("\x00Spiel\x1f") == ["Spiel und Spaß"]
    for nasty in (
        '"',
        'Spiel"',
        "NEAR(Spiel",
        "Spiel OR",
        "-Spiel",
        "*",
        "Spiel:*",
        "a & b | !c",
        "'",
        "\\",
        "(((",
        "title:Spiel",
        "^Spiel",
    ):
        result = await search(SearchParams.parse(q=nasty))
        assert result.total >= 0


async def test_nonsense_finds_nothing_and_offers_no_false_hits(db):
    await add_title("Schritte plus Neu")
    result = await search(SearchParams.parse(q="xqzvwj"))
    assert result.total == 0 and result.hits == []


async def test_a_word_close_to_a_known_one_is_suggested_when_nothing_else_matches(db):
    await add_title("Schritte plus Neu", media_type="textbook")
    forget_vocabulary()
    result = await search(SearchParams.parse(q="Schritxe", medienart=["game"]))
    assert result.total == 0
    assert result.suggestions == ["schritte"]
