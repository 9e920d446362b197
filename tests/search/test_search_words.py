"""The words a teacher types: filters named by words, parts of compounds, umlaut spellings,
labelled ISBNs, relevance, and never a dead end."""

import isbnlib

from mediathek.search.models import SearchParams
from mediathek.search.services import forget_vocabulary, search
from tests.factories import add_title


async def found(q: str, **params) -> list[str]:
    forget_vocabulary()
    result = await search(SearchParams.parse(q=q, **params))
    return [hit.title for hit in result.hits]


async def arabic_kita_cards() -> None:
    await add_title(
        "Bildkarten Obst und Gemüse",
        media_type="picture_cards",
        languages=("deu", "ara"),
        level_min="pre_a1",
        level_max="a2",
        age_min="kita",
        age_max="primary",
    )
    await add_title(
        "Bildkarten Berufe",
        media_type="picture_cards",
        languages=("deu", "tur"),
        level_min="a1",
        level_max="a2",
        age_min="kita",
        age_max="kita",
    )
    await add_title(
        "Wimmelbuch Kita",
        media_type="picture_book",
        languages=("deu", "ara"),
        level_min="a1",
        level_max="a1",
        age_min="kita",
        age_max="kita",
    )


async def test_the_home_page_example_finds_cards_for_arabic_speaking_kita_children(db):
    await arabic_kita_cards()
    result = await search(SearchParams.parse(q="Bildkarten A1 Arabisch Kita"))
    assert [h.title for h in result.hits] == ["Bildkarten Obst und Gemüse"]
    assert [(r.label, r.words) for r in result.recognised] == [
        ("Bildkarten", "Bildkarten"),
        ("A1", "A1"),
        ("Arabisch", "Arabisch"),
        ("Kita", "Kita"),
    ]
    assert result.text == ""
    # The facets show the recognised values as chosen.
    chosen = {f: [v.value for v in vs if v.selected] for f, vs in result.facets.items()}
    assert chosen["language"] == ["ara"] and chosen["media_type"] == ["picture_cards"]


async def test_single_words_naming_a_language_age_or_media_type_find_titles(db):
    await arabic_kita_cards()
    assert sorted(await found("Arabisch")) == ["Bildkarten Obst und Gemüse", "Wimmelbuch Kita"]
    assert await found("Türkisch") == ["Bildkarten Berufe"]
    assert sorted(await found("Grundschule")) == ["Bildkarten Obst und Gemüse"]
    assert await found("Bilderbuch") == ["Wimmelbuch Kita"]
    # Words left over are searched as text next to the filters.
    assert await found("Bildkarten Obst Arabisch") == ["Bildkarten Obst und Gemüse"]


async def test_a_word_is_found_inside_a_compound(db):
    await add_title("Bildkarten Obst", media_type="picture_cards")
    await add_title("Mein erstes Bildwörterbuch", media_type="picture_dictionary")
    await add_title("Die Erzählkiste für die Kita", media_type="kit")
    await add_title("Kartenspiele ohne Worte", media_type="book", description="Zum Spielen.")
    assert sorted(await found("Karten")) == ["Bildkarten Obst", "Kartenspiele ohne Worte"]
    assert await found("Wörterbuch") == ["Mein erstes Bildwörterbuch"]
    assert await found("woerterbuch") == ["Mein erstes Bildwörterbuch"]
    assert await found("kiste") == ["Die Erzählkiste für die Kita"]


async def test_umlauts_typed_as_ue_oe_ae_and_ss_find_the_word(db):
    await add_title("Übungsheft Deutsch", description="Für die große Pause.")
    await add_title("Große Gefühle")
    await add_title("Hören und Sprechen", series="Schlüsselwörter")
    assert await found("uebungsheft") == ["Übungsheft Deutsch"]
    assert sorted(await found("grosse")) == ["Große Gefühle", "Übungsheft Deutsch"]
    assert await found("Hoeren") == ["Hören und Sprechen"]
    assert await found("schluesselwoerter") == ["Hören und Sprechen"]


async def test_a_pasted_isbn_with_its_label_finds_its_title(db):
    isbn = "9783196010817"
    await add_title("Schritte plus Neu 1", isbn=isbn)
    await add_title("Anderes Buch")
    assert await found("ISBN 978-3-19-601081-7") == ["Schritte plus Neu 1"]
    assert await found(f"ISBN: {isbnlib.mask(isbnlib.to_isbn10(isbn))}") == ["Schritte plus Neu 1"]


async def test_an_empty_result_keeps_the_facets_of_the_words_and_offers_a_way_out(db):
    await arabic_kita_cards()
    await add_title("Bildkarten Tiere", media_type="picture_cards", age_min="adult")
    result = await search(SearchParams.parse(q="Bildkarten Krippe", sprache=["ara"]))
    assert result.total == 0
    # "Bildkarten" and "Krippe" name filters: the facets count what the text alone (nothing
    # left) finds, that is every title, with the chosen values marked.
    counts = {v.value: (v.count, v.selected) for v in result.facets["media_type"]}
    assert counts == {"picture_cards": (3, True), "picture_book": (1, False)}
    languages = {v.value: (v.count, v.selected) for v in result.facets["language"]}
    assert languages["ara"] == (2, True) and languages["tur"] == (1, False)
    ways = {r.label: (r.count, r.q, r.facet) for r in result.relaxations}
    assert ways["Krippe"] == (1, "Bildkarten", None)
    assert "Arabisch" not in ways  # without it still nothing: not offered
    # A word that matches nothing is offered for dropping too.
    result = await search(SearchParams.parse(q="Obst Zebra"))
    assert [(r.label, r.count, r.q) for r in result.relaxations] == [("Zebra", 1, "Obst")]


async def test_title_hits_come_before_description_hits_and_phrases_first(db):
    await add_title("Arbeitsblätter", description="Rund um Tiere im Zoo und auf dem Bauernhof.")
    await add_title("Tiere auf dem Bauernhof")
    await add_title("Bauernhof: Tiere und Maschinen")
    await add_title("Tiere", series="Bauernhof-Reihe")
    hits = await found("Tiere Bauernhof")
    assert hits[0] == "Tiere auf dem Bauernhof" or hits[0] == "Tiere"
    assert hits[-1] == "Arbeitsblätter"
    assert await found("Bauernhof Tiere") == [
        "Bauernhof: Tiere und Maschinen",
        *[h for h in hits if h != "Bauernhof: Tiere und Maschinen"],
    ]


async def test_a_recognised_word_still_lifts_titles_that_carry_it(db):
    await add_title("Medienkoffer Familie", media_type="kit")
    await add_title("Geschichtenkoffer Märchen", media_type="kit")
    await add_title("Themenkiste Wetter", media_type="kit")
    hits = await found("Medienkoffer")
    assert hits[0] == "Medienkoffer Familie" and len(hits) == 3
