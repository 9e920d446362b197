"""Words a teacher types that name a filter: the pure rules and the synonym files."""

import importlib.util
import sqlite3
from pathlib import Path

from mediathek.search import text
from mediathek.search.understand import load_synonyms, understand

SYNONYMS = load_synonyms()


def filters(query: str) -> dict[str, tuple[str, ...]]:
    return {r.facet: r.values for r in understand(query, SYNONYMS).recognised}


def test_the_home_page_example_becomes_four_filters_and_no_text():
    found = understand("Bildkarten A1 Arabisch Kita", SYNONYMS)
    assert [(r.facet, r.values, r.words) for r in found.recognised] == [
        ("media_type", ("picture_cards",), "Bildkarten"),
        ("level", ("a1",), "A1"),
        ("language", ("ara",), "Arabisch"),
        ("age", ("kita",), "Kita"),
    ]
    assert found.rest == ""
    # Removing one chip searches the query without its words.
    assert found.without["Kita"] == "Bildkarten A1 Arabisch"


def test_words_that_name_nothing_stay_text_in_their_order():
    found = understand("Memo Tiere Grundschule Bauernhof", SYNONYMS)
    assert filters("Memo Tiere Grundschule Bauernhof") == {"age": ("primary",)}
    assert found.rest == "Memo Tiere Bauernhof"
    assert understand("Schritte plus", SYNONYMS).recognised == ()
    assert understand("Schritte plus", SYNONYMS).rest == "Schritte plus"


def test_a_language_is_named_in_german_in_its_own_name_and_in_english():
    for query in ("Arabisch", "arabic", "العربية", "ARABISCH"):
        assert filters(query) == {"language": ("ara",)}, query
    assert filters("Українська") == {"language": ("ukr",)}
    assert (
        filters("Türkçe") == filters("Tuerkisch") == filters("turkisch") == {"language": ("tur",)}
    )
    assert filters("Farsi") == filters("Persisch") == {"language": ("pes",)}
    assert filters("Kurdisch") == {"language": ("kmr", "ckb")}


def test_levels_and_age_groups_have_their_everyday_names():
    assert filters("Alphabetisierung") == filters("Alpha") == {"level": ("alpha",)}
    assert filters("Anfänger") == filters("Anfaenger") == {"level": ("a1",)}
    assert filters("Krippe") == {"age": ("u3",)}
    assert filters("Sek I") == filters("Sekundarstufe 1") == {"age": ("secondary_1",)}
    assert filters("Jugendliche") == {"age": ("secondary_1", "secondary_2")}
    assert filters("Erwachsene") == {"age": ("adult",)}
    assert filters("Tiptoi") == filters("Hörstift") == {"media_type": ("audio_pen_set",)}
    assert filters("Koffer") == filters("Medienkoffer") == {"media_type": ("kit",)}


def test_staff_add_words_in_the_data_directory_and_a_slip_breaks_nothing(tmp_path):
    staff = tmp_path / "synonyme.toml"
    staff.write_text(
        '[alter]\nkita = ["Kiga", "Kinderhort"]\nnicht_da = ["x"]\n[unbekannt]\na = ["b"]\n',
        encoding="utf-8",
    )
    merged = load_synonyms(tmp_path)
    assert [r.values for r in understand("Kiga Tiere", merged).recognised] == [("kita",)]
    assert [r.values for r in understand("Kita", merged).recognised] == [("kita",)]
    staff.write_text("[alter\nkaputt", encoding="utf-8")
    broken = load_synonyms(tmp_path)
    assert [r.values for r in understand("Kita", broken).recognised] == [("kita",)]
    assert understand("Kiga", broken).recognised == ()


def test_an_isbn_with_its_label_is_still_an_isbn():
    assert text.isbn13("ISBN 978-3-19-601081-7") == "9783196010817"
    assert text.isbn13("ISBN: 3-19-601081-3") == "9783196010817"
    assert text.isbn13("isbn-13: 978 3 19 601081 7") == "9783196010817"
    assert text.isbn13("ISBN Schritte") is None


def test_umlauts_typed_as_two_letters_give_the_spelling_of_the_word_index():
    assert text.umlaut_variant("uebungsheft") == "ubungsheft"
    assert text.umlaut_variant("grosse") == "große"
    assert text.umlaut_variant("karten") is None
    assert text.fold_compound("Übungsheft") == text.fold_compound("Uebungsheft") == "uebungsheft"


def test_the_compound_index_folds_text_as_the_query_side_does():
    path = next(Path("migrations").glob("*2026_11_28t05_07*.py"))
    spec = importlib.util.spec_from_file_location("parts_migration", path)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    samples = ["Große Übungen für Ärzte", "ÖFFENTLICHE WEGE", "Yılmaz: Straße", "Schritte plus"]
    with sqlite3.connect(":memory:") as conn:
        for sample in samples:
            (stored,) = conn.execute(f"SELECT {migration.sqlite_fold('?')}", (sample,)).fetchone()
            assert stored == text.fold_compound(sample), sample
