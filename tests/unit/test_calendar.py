from datetime import date

from mediathek.opening_calendar import Calendar, Closed


def test_due_date_moves_from_a_saturday_to_monday():
    cal = Calendar()
    assert cal.due_date(date(2026, 2, 7), 28) == date(2026, 3, 9)  # Sat 7.3. → Mon 9.3.


def test_easter_holidays_in_nrw_are_closed_days():
    cal = Calendar()
    # 2026: Good Friday 3 April, Easter Monday 6 April.
    assert cal.closed_reason(date(2026, 4, 3)) == "Karfreitag"
    assert cal.next_opening_day(date(2026, 4, 3)) == date(2026, 4, 7)


def test_corpus_christi_is_a_holiday_in_nrw():
    assert Calendar().holiday_name(date(2026, 6, 4)) == "Fronleichnam"


def test_staff_closures_push_the_due_date_past_them():
    cal = Calendar(closures=(Closed(date(2026, 7, 20), date(2026, 7, 31), "Sommerpause"),))
    assert cal.due_date(date(2026, 6, 22), 28) == date(2026, 8, 3)
    assert cal.closed_reason(date(2026, 7, 22)) == "Sommerpause"


def test_opening_days_are_counted_for_pickup_deadlines():
    cal = Calendar(open_weekdays=frozenset({1, 3}))  # Tuesday and Thursday
    assert cal.add_opening_days(date(2026, 3, 10), 2) == date(2026, 3, 17)
