"""The summary line on top of Mein Konto, as a pure function of loans and ready items."""

from datetime import date

import pytest

from mediathek.circulation.own_loans import account_summary
from mediathek.info.policy import RuleRow, rule_rows


@pytest.fixture
def today() -> date:
    # December, so that a due date in January shows its year.
    return date(2026, 12, 1)


def loans(*due: date) -> list[dict]:
    return [{"due_on": d} for d in due]


def test_counts_loans_next_return_and_ready_holds(today):
    line = account_summary(
        loans(date(2026, 12, 7), date(2026, 12, 20), date(2027, 1, 4)), 1, 0, today
    )
    assert line == "3 ausgeliehen, nächste Rückgabe 07.12., 1 Vormerkung abholbereit"


def test_says_today_overdue_and_plural_and_the_year_when_it_differs(today):
    assert account_summary(loans(today, date(2026, 11, 20)), 2, 1, today) == (
        "2 ausgeliehen, 1 überfällig, nächste Rückgabe heute, 2 Vormerkungen abholbereit, "
        "1 Reservierung abholbereit"
    )
    assert account_summary(loans(date(2027, 1, 4)), 0, 0, today) == (
        "1 ausgeliehen, nächste Rückgabe 04.01.2027"
    )


def test_nothing_borrowed(today):
    assert account_summary([], 0, 0, today) == "nichts ausgeliehen"


def test_rule_table_folds_media_types_with_equal_rules():
    table = {(g, m): (28, 2) for g in ("a", "b") for m in ("book", "game", "kit")}
    table[("b", "kit")] = (14, 0)
    assert rule_rows(table, ["a", "b"], ["book", "game", "kit"]) == [
        RuleRow(("book", "game"), ((28, 2), (28, 2)), True),
        RuleRow(("kit",), ((28, 2), (14, 0)), False),
    ]
