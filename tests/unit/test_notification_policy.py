"""Pure reminder and delivery rules."""

from __future__ import annotations

from datetime import timedelta

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

LEVELS = [7, 14, 28]


def loan(today, days_late: int, level: int = 0, told: set[int] | None = None) -> OpenLoan:
    return OpenLoan(1, 1, today - timedelta(days=days_late), level, frozenset(told or ()))


def test_levels_start_on_their_day_and_never_repeat(today):
    assert item_stage(loan(today, 6), today, 3, LEVELS) is None
    assert item_stage(loan(today, 7), today, 3, LEVELS) == 1
    assert item_stage(loan(today, 8, level=1), today, 3, LEVELS) is None
    assert item_stage(loan(today, 14, level=1), today, 3, LEVELS) == 2


def test_a_missed_run_jumps_to_the_highest_level_reached(today):
    assert item_stage(loan(today, 30), today, 3, LEVELS) == 3


def test_due_soon_inside_the_window_once(today):
    assert item_stage(loan(today, -4), today, 3, LEVELS) is None
    assert item_stage(loan(today, -3), today, 3, LEVELS) == 0
    assert item_stage(loan(today, -1, told={0}), today, 3, LEVELS) is None
    assert item_stage(loan(today, 2), today, 3, LEVELS) is None  # late, not yet level 1


def test_what_was_told_for_this_due_date_is_not_told_again(today):
    # Told by any digest (e.g. a due-soon item inside an overdue reminder) counts as told.
    assert item_stage(loan(today, -2, told={0}), today, 3, LEVELS) is None
    assert item_stage(loan(today, 8, told={1}), today, 3, LEVELS) is None
    assert item_stage(loan(today, 14, told={0, 1}), today, 3, LEVELS) == 2


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
