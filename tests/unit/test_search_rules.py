"""Pure text rules of the search."""

from mediathek.search import text


def test_control_characters_become_spaces_and_length_is_capped():
    assert text.clean_query("Spiel\x00e\x07  für\tKinder ") == "Spiel e für Kinder"
    assert len(text.clean_query("x" * 5000)) == text.MAX_QUERY_LENGTH
    assert text.clean_query(None) == ""


def test_folding_removes_diacritics_and_case():
    assert text.fold("Übung Café ÇOK") == "ubung cafe cok"
    assert text.terms("Übungen, übungen! Spiele") == ["ubungen", "spiele"]


def test_german_endings_are_cut_but_short_words_stay():
    assert text.german_stem("schritte") == "schritt"
    assert text.german_stem("spielen") == "spiel"
    assert text.german_stem("kinder") == "kind"
    assert text.german_stem("ubungen") == "ubung"
    assert text.german_stem("lehrerinnen") == "lehrer"
    assert text.german_stem("haus") == "haus"
    assert text.german_stem("a1") == "a1"


def test_isbn_forms_normalise_to_isbn13_digits():
    assert text.isbn13("978-3-16-148410-0") == "9783161484100"
    assert text.isbn13("3-16-148410-X") == "9783161484100"
    assert text.isbn13("316148410x") == "9783161484100"
    assert text.isbn13("978-3-16-148410-1") is None  # wrong check digit
    assert text.isbn13("Schritte 1") is None


def test_query_strings_quote_every_word_so_syntax_is_never_parsed():
    assert text.fts5_query(["near", "spiele"]) == '"near"* AND "spiel"*'
    assert text.fts5_query(["gramatik"], {"gramatik": ["grammatik"]}) == (
        '("gramatik"* OR "grammatik")'
    )
    assert text.tsquery(["spiele", "a1"]) == "'spiele':* & 'a1':*"


def test_edit_distance_counts_swaps_as_one_edit():
    assert text.edit_distance("schrite", "schritte") == 1
    assert text.edit_distance("gramamtik", "grammatik") == 1
    assert text.edit_distance("haus", "maus") == 1
    assert text.edit_distance("abc", "xyzabc") == 3


def test_vocabulary_suggests_close_words_most_frequent_first():
    vocabulary = text.Vocabulary(
        {"grammatik": 50, "schritte": 9, "spiel": 99, "haus": 50, "maus": 5, "laus": 70}
    )
    assert vocabulary.candidates("gramatik") == ["grammatik"]
    assert vocabulary.candidates("baus") == ["laus", "haus", "maus"]
    assert vocabulary.candidates("schirtte") == ["schritte"]
    assert vocabulary.candidates("xyz") == []
    assert vocabulary.has_prefix("spi") and not vocabulary.has_prefix("spu")
