from datetime import date

import pytest

from mediathek.errors import InvalidInput
from mediathek.reports.privacy import anonymise_returned_loans
from mediathek.reports.statistics import Period, compute, parse_period
from tests.factories import LONG_AGO, add_copy, add_loan, add_title

YEAR_2025 = Period(date(2025, 1, 1), date(2025, 12, 31))


@pytest.fixture
async def lending_year(teacher_anna, volunteer_ben, kita_sonnenschein):
    """2025: Anna borrows three times, Ben once, the Kita once; one title is never borrowed."""
    cards = await add_title(
        "Bildkarten Obst",
        "picture_cards",
        levels=("a1", "a2"),
        ages=("kita", "primary"),
        languages=("deu", "ara"),
        copies=(),
        created_at=LONG_AGO,
    )
    game = await add_title(
        "Memo-Spiel", "game", ages=("kita", "kita"), languages=(), copies=(), created_at=LONG_AGO
    )
    await add_title("Grammatik B2", "textbook", levels=("b2", "b2"), copies=(), created_at=LONG_AGO)
    c1, _ = await add_copy(cards)
    c2, _ = await add_copy(game)
    anna, ben, kita = teacher_anna.patron_id, volunteer_ben.patron_id, kita_sonnenschein.patron_id
    await add_loan(c1, anna, date(2025, 1, 10), date(2025, 1, 20))
    await add_loan(c1, anna, date(2025, 3, 5), date(2025, 3, 20))
    await add_loan(c2, anna, date(2025, 3, 6), date(2025, 3, 21))
    await add_loan(c2, ben, date(2025, 5, 2), date(2025, 5, 9))
    await add_loan(c1, kita, date(2025, 12, 1), None)
    await add_loan(c1, ben, date(2024, 12, 30), date(2025, 1, 5))  # other year
    return {"cards": cards, "game": game}


def rows(stats, key):
    return {r[0]: r[1:] if len(r) > 2 else r[1] for r in stats.table(key).rows}


async def test_loans_are_counted_per_month_type_and_category(lending_year):
    stats = await compute(YEAR_2025)
    assert stats.total_loans == 5
    months = rows(stats, "monate")
    assert months["Januar 2025"] == 1 and months["März 2025"] == 2 and months["April 2025"] == 0
    assert len(months) == 12
    assert rows(stats, "medienarten") == {"Bildkarten": 3, "Spiel": 2}
    assert rows(stats, "nutzergruppen") == {
        "Hauptamtliche Lehrkraft": 3,
        "Ehrenamtliche Lehrkraft": 1,
        "Einrichtung (Kita, Schule, Verein)": 1,
    }


async def test_a_title_counts_at_every_level_language_and_age_group_it_covers(lending_year):
    stats = await compute(YEAR_2025)
    assert rows(stats, "sprachniveaus") == {"A1": 3, "A2": 3, "ohne Angabe": 2}
    assert rows(stats, "sprachen") == {"Deutsch": 3, "Arabisch": 3, "ohne Angabe": 2}
    assert rows(stats, "altersgruppen") == {"Kita": 5, "Grundschule": 3}


async def test_most_borrowed_and_never_borrowed_titles(lending_year):
    stats = await compute(YEAR_2025)
    assert [r[0] for r in stats.table("beliebteste-titel").rows] == [
        "Bildkarten Obst",
        "Memo-Spiel",
    ]
    assert [r[0] for r in stats.table("nie-ausgeliehen").rows] == ["Grammatik B2"]


async def test_active_borrowers_are_distinct_patrons_in_the_range(lending_year):
    assert (await compute(YEAR_2025)).active_borrowers == 3
    march = Period(date(2025, 3, 1), date(2025, 3, 31))
    assert (await compute(march)).active_borrowers == 1


async def test_figures_are_the_same_after_loans_are_anonymised(lending_year):
    before = (await compute(YEAR_2025)).as_dict()
    march_before = (await compute(Period(date(2025, 3, 1), date(2025, 5, 31)))).as_dict()
    assert await anonymise_returned_loans(date(2026, 3, 10)) == 5
    assert (await compute(YEAR_2025)).as_dict() == before
    assert (await compute(Period(date(2025, 3, 1), date(2025, 5, 31)))).as_dict() == march_before


async def test_a_borrower_counted_before_anonymisation_is_not_counted_twice(
    teacher_anna, lending_year
):
    # Anna's 2025 loans are anonymised; she borrows again in December: still one person.
    await anonymise_returned_loans(date(2026, 3, 10))
    copy_id, _ = await add_copy(lending_year["game"])
    await add_loan(copy_id, teacher_anna.patron_id, date(2025, 12, 2), None)
    assert (await compute(YEAR_2025)).active_borrowers == 3


def test_a_year_or_a_range_is_parsed_and_bad_input_is_explained():
    today = date(2026, 3, 10)
    assert parse_period(None, None, None, today) == Period(date(2026, 1, 1), date(2026, 12, 31))
    assert parse_period("2025", None, None, today).start == date(2025, 1, 1)
    assert parse_period(None, "01.02.2026", "2026-02-28", today).end == date(2026, 2, 28)
    with pytest.raises(InvalidInput) as exc:
        parse_period(None, "2026-03-01", "2026-02-01", today)
    assert "bis" in exc.value.errors
    with pytest.raises(InvalidInput):
        parse_period("zwanzig", None, None, today)
    with pytest.raises(InvalidInput):
        parse_period(None, "31.02.2026", "2026-03-01", today)
