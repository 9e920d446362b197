"""Pure reminder and delivery rules."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from mediathek.notifications.policy import (
    OpenLoan,
    ReminderSettingsInvalid,
    check_reminder_settings,
    digest_kind,
    gives_up,
    is_permanent_smtp_failure,
    item_stage,
    retry_delay,
)
from mediathek.notifications.tables import NotificationKind

TODAY = date(2026, 3, 10)
LEVELS = [7, 14, 28]


def loan(days_late: int, level: int = 0, told: set[int] | None = None) -> OpenLoan:
    return OpenLoan(1, 1, TODAY - timedelta(days=days_late), level, frozenset(told or ()))


def test_levels_start_on_their_day_and_never_repeat():
    assert item_stage(loan(6), TODAY, 3, LEVELS) is None
    assert item_stage(loan(7), TODAY, 3, LEVELS) == 1
    assert item_stage(loan(8, level=1), TODAY, 3, LEVELS) is None
    assert item_stage(loan(14, level=1), TODAY, 3, LEVELS) == 2


def test_a_missed_run_jumps_to_the_highest_level_reached():
    assert item_stage(loan(30), TODAY, 3, LEVELS) == 3


def test_due_soon_inside_the_window_once():
    assert item_stage(loan(-4), TODAY, 3, LEVELS) is None
    assert item_stage(loan(-3), TODAY, 3, LEVELS) == 0
    assert item_stage(loan(-1, told={0}), TODAY, 3, LEVELS) is None
    assert item_stage(loan(2), TODAY, 3, LEVELS) is None  # late, not yet level 1


def test_what_was_told_for_this_due_date_is_not_told_again():
    # Told by any digest (e.g. a due-soon item inside an overdue reminder) counts as told.
    assert item_stage(loan(-2, told={0}), TODAY, 3, LEVELS) is None
    assert item_stage(loan(8, told={1}), TODAY, 3, LEVELS) is None
    assert item_stage(loan(14, told={0, 1}), TODAY, 3, LEVELS) == 2


def test_a_digest_takes_its_highest_level():
    assert digest_kind([0, 2, 1]) == (NotificationKind.overdue, 2)
    assert digest_kind([0, 0]) == (NotificationKind.due_soon, 0)


def test_retries_back_off_exponentially_up_to_twelve_hours():
    assert [retry_delay(n).total_seconds() / 60 for n in (1, 2, 3)] == [5, 10, 20]
    assert retry_delay(30) == timedelta(hours=12)
    assert not gives_up(7) and gives_up(8)


def test_only_5xx_answers_are_permanent():
    assert is_permanent_smtp_failure(550)
    assert not is_permanent_smtp_failure(451)
    assert not is_permanent_smtp_failure(None)


def test_reminder_settings_must_rise_level_by_level():
    assert check_reminder_settings("3", ["7", "14", "28"]) == (3, [7, 14, 28])
    with pytest.raises(ReminderSettingsInvalid) as exc:
        check_reminder_settings("x", ["7", "7", "28"])
    assert set(exc.value.errors) == {"due_soon_days", "overdue_level_days"}
