import csv
import io

from mediathek.csv_files import neutralise, to_csv, unprotect


def test_text_that_a_spreadsheet_would_run_is_quoted():
    for cell in ("=1+1", "+49 211", "-5 Grad", "@SUMME(A1)", "\t=1+1", "\r=1+1"):
        assert neutralise(cell) == "'" + cell


def test_plain_text_empty_cells_and_numbers_stay_as_they_are():
    for cell in ("Memo Obst", "", "5 Grad", "a=b", 12, -3, 2.5, None):
        assert neutralise(cell) == cell


def test_the_import_takes_off_only_the_apostrophe_the_export_added():
    for cell in ("=1+1", "+49 211", "-5 Grad", "@SUMME(A1)", "\t=1+1", "Memo", "'s Hertogenbosch"):
        assert unprotect(str(neutralise(cell))) == cell
    assert unprotect("'s Hertogenbosch") == "'s Hertogenbosch"


def test_every_csv_starts_with_a_bom_and_separates_with_semicolons():
    text = to_csv(["Titel", "Anzahl"], [["=HYPERLINK(1)", -2], ["Memo; Obst", 3]])
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:]), delimiter=";"))
    assert rows == [["Titel", "Anzahl"], ["'=HYPERLINK(1)", "-2"], ["Memo; Obst", "3"]]
