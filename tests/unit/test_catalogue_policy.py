import pytest

from mediathek.catalogue import policy
from mediathek.catalogue.inputs import ComponentInput, TitleInput


@pytest.mark.parametrize(
    "raw", ["978-3-19-101080-5", "9783191010805", "3-19-101080-7", "3191010807", " 978 3191010805 "]
)
def test_isbn_10_and_13_with_any_hyphens_become_isbn13_digits(raw):
    assert policy.normalise_isbn(raw) == "9783191010805"


def test_wrong_isbn_check_digit_and_length_are_explained():
    assert "Prüfziffer" in policy.isbn_error("978-3-19-101080-1")
    assert "10 oder 13" in policy.isbn_error("12345")


def test_minimal_title_is_valid():
    data, errors = policy.validate_title(TitleInput("Memo", "game"), 2026)
    assert errors == {} and data.title == "Memo" and data.isbn is None


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("title", "", "Titel"),
        ("media_type", "comic", "Medienart"),
        ("languages", ["deu", "xxx"], "Sprachcode"),
        ("year", "1200", "Erscheinungsjahr"),
        ("year", "2028", "Erscheinungsjahr"),
        ("age_max", "u3", "Altersgruppe"),
        ("components", [ComponentInput("", "2")], "Namen"),
        ("components", [ComponentInput("Würfel", "null")], "Anzahl"),
    ],
)
def test_invalid_fields_get_a_german_message(field, value, expected):
    form = {"title": "Memo", "media_type": "game", "age_min": "adult", field: value}
    if field != "age_max":
        form.pop("age_min")
    data, errors = policy.validate_title(TitleInput(**form), 2026)
    assert data is None
    assert expected in " ".join(errors.values())


def test_import_key_ignores_case_spacing_and_punctuation():
    assert policy.import_key("Memo:  Obst", "Ravensburger", 2020) == policy.import_key(
        "memo obst", "RAVENSBURGER", 2020
    )
    assert policy.import_key("Memo", "", None) != policy.import_key("Memo", "", 2020)


def test_only_circulation_may_set_or_leave_loan_and_hold_shelf():
    assert policy.copy_status_change_error("available", "on_loan")
    assert policy.copy_status_change_error("on_loan", "available")
    assert policy.copy_status_change_error("on_hold_shelf", "lost")
    assert policy.copy_status_change_error("needs_check", "available") is None


def test_a_year_in_superscript_or_other_digits_is_a_message_not_a_crash():
    # "³".isdigit() is True, but int("³") raises: only ASCII digits count as a year.
    for year in ("³", "²⁰²⁶", "٢٠٢٦"):
        data, errors = policy.validate_title(TitleInput("Memo", "game", year=year), 2026)
        assert data is None and "Erscheinungsjahr" in errors["year"]
