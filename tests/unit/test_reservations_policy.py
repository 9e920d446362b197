from datetime import date, timedelta

from mediathek.reservations.policy import (
    CopyPlan,
    Span,
    availability,
    blocked_spans,
    booking_range_errors,
    copy_is_free,
    hold_refusal,
    latest_due_date,
    next_free_range,
    patron_refusal,
    pick_copy,
    queue_position,
)

D = date


def test_queue_position_is_first_come_first_served():
    assert queue_position([7, 3, 9], 3) == 2


def test_a_blocked_expired_or_pending_patron_may_not_reserve(today):
    assert "gesperrt" in patron_refusal(
        status="active", blocked_reason="x", expires_on=None, today=today
    )
    assert "abgelaufen" in patron_refusal(
        status="active", blocked_reason="", expires_on=D(2026, 3, 9), today=today
    )
    assert "freigeschaltet" in patron_refusal(
        status="pending", blocked_reason="", expires_on=None, today=today
    )
    assert patron_refusal(status="active", blocked_reason="", expires_on=today, today=today) is None


def test_a_title_cannot_be_held_twice_and_the_limit_counts():
    assert "schon vorgemerkt" in hold_refusal(active_holds=1, max_holds=5, holds_this_title=True)
    assert "5" in hold_refusal(active_holds=5, max_holds=5, holds_this_title=False)
    assert hold_refusal(active_holds=4, max_holds=5, holds_this_title=False) is None
    assert "ausgeliehen" in hold_refusal(
        active_holds=0, max_holds=5, holds_this_title=False, has_it_on_loan=True
    )


def test_a_booking_must_start_in_the_future_and_not_be_longer_than_the_loan_days(today):
    assert "start_on" in booking_range_errors(today, today, today, 28)
    assert "end_on" in booking_range_errors(D(2026, 3, 20), D(2026, 3, 19), today, 28)
    assert "28" in booking_range_errors(D(2026, 3, 11), D(2026, 4, 8), today, 28)["end_on"]
    assert booking_range_errors(D(2026, 3, 11), D(2026, 4, 7), today, 28) == {}


def test_bookings_are_widened_by_the_buffer_and_a_loan_blocks_until_due_plus_buffer(today):
    plan = CopyPlan(1, (Span(D(2026, 3, 20), D(2026, 3, 22)),), loan_due_on=D(2026, 3, 12))
    assert blocked_spans(plan, 1, today) == [
        Span(D(2026, 3, 19), D(2026, 3, 23)),
        Span(today, D(2026, 3, 13)),
    ]


def test_an_overdue_copy_is_not_offered_for_tomorrow(today):
    overdue = CopyPlan(1, loan_due_on=D(2026, 3, 2))
    assert not copy_is_free(overdue, Span(D(2026, 3, 11), D(2026, 3, 12)), 1, today)
    assert copy_is_free(overdue, Span(D(2026, 3, 12), D(2026, 3, 13)), 1, today)


def test_a_booking_starting_on_the_day_the_copy_is_due_back_needs_another_copy(today):
    lent = CopyPlan(1, loan_due_on=D(2026, 3, 16))
    assert not copy_is_free(lent, Span(D(2026, 3, 16), D(2026, 3, 20)), 1, today)
    assert not copy_is_free(lent, Span(D(2026, 3, 17), D(2026, 3, 20)), 1, today)
    assert copy_is_free(lent, Span(D(2026, 3, 18), D(2026, 3, 20)), 1, today)
    assert pick_copy([lent, CopyPlan(2)], Span(D(2026, 3, 16), D(2026, 3, 20)), 1, today) == 2


def test_back_to_back_bookings_keep_one_buffer_day_between_them(today):
    plan = CopyPlan(1, (Span(D(2026, 3, 16), D(2026, 3, 20)),))
    assert not copy_is_free(plan, Span(D(2026, 3, 21), D(2026, 3, 25)), 1, today)
    assert copy_is_free(plan, Span(D(2026, 3, 22), D(2026, 3, 25)), 1, today)
    assert copy_is_free(plan, Span(D(2026, 3, 21), D(2026, 3, 25)), 0, today)


def test_the_copy_that_fits_most_tightly_is_picked(today):
    loose = CopyPlan(1)
    tight = CopyPlan(2, (Span(D(2026, 3, 12), D(2026, 3, 14)),))
    assert pick_copy([loose, tight], Span(D(2026, 3, 16), D(2026, 3, 18)), 1, today) == 2


def test_the_next_free_range_has_the_same_length(today):
    plans = [CopyPlan(1, (Span(D(2026, 3, 16), D(2026, 3, 20)),))]
    wanted = Span(D(2026, 3, 18), D(2026, 3, 19))
    assert next_free_range(plans, wanted, 1, today) == Span(D(2026, 3, 22), D(2026, 3, 23))


def test_no_free_range_without_copies(today):
    assert next_free_range([], Span(D(2026, 3, 18), D(2026, 3, 19)), 1, today) is None


def test_availability_counts_free_copies_per_day(today):
    plans = [
        CopyPlan(1, (Span(D(2026, 3, 13), D(2026, 3, 13)),)),
        CopyPlan(2, loan_due_on=D(2026, 3, 11)),
        CopyPlan(3),
    ]
    days = dict(availability(plans, D(2026, 3, 11), 5, 1, today))
    assert days == {
        D(2026, 3, 11): 2,  # copy 2 on loan
        D(2026, 3, 12): 1,  # copy 2 buffer, copy 1 buffer before its booking
        D(2026, 3, 13): 2,
        D(2026, 3, 14): 2,  # copy 1 buffer after its booking
        D(2026, 3, 15): 3,
    }


def test_ranges_over_the_daylight_saving_changes_count_calendar_days(today):
    # 29.03.2026 (clocks forward) and 25.10.2026 (clocks back) are ordinary days here.
    spring = Span(D(2026, 3, 28), D(2026, 3, 30))
    autumn = Span(D(2026, 10, 24), D(2026, 10, 26))
    assert spring.days == autumn.days == 3
    plan = CopyPlan(1, (spring, autumn))
    assert not copy_is_free(plan, Span(D(2026, 3, 31), D(2026, 3, 31)), 1, today)
    assert copy_is_free(plan, Span(D(2026, 4, 1), D(2026, 4, 1)), 1, today)
    days = dict(availability([plan], D(2026, 10, 22), 7, 1, today))
    assert [days[D(2026, 10, 22) + timedelta(days=i)] for i in range(7)] == [1, 0, 0, 0, 0, 0, 1]


def test_a_loan_may_run_until_the_day_before_the_buffer_of_the_next_booking(today):
    bookings = [Span(D(2026, 4, 10), D(2026, 4, 14)), Span(D(2026, 3, 20), D(2026, 3, 22))]
    assert latest_due_date(bookings, today, 1) == D(2026, 3, 18)
    assert latest_due_date(bookings, D(2026, 3, 23), 1) == D(2026, 4, 8)
    assert latest_due_date([], today, 1) is None


def test_closed_pickup_and_return_days_name_the_nearest_opening_days(today):
    from mediathek.opening_calendar import Calendar
    from mediathek.reservations.policy import closed_day_errors, pickup_return_text

    cal = Calendar()
    assert closed_day_errors(cal, D(2026, 3, 16), D(2026, 3, 20), today) == {}
    errors = closed_day_errors(cal, D(2026, 12, 25), D(2026, 12, 27), today)
    assert "(Erster Weihnachtstag)" in errors["start_on"]
    assert "Do 24.12. oder Mo 28.12." in errors["start_on"]
    assert "Mo 28.12." in errors["end_on"]
    # Tomorrow closed: the day before is today, too early to start; only the next one.
    assert (
        "Mo 16.03."
        in closed_day_errors(cal, D(2026, 3, 14), D(2026, 3, 16), D(2026, 3, 13))["start_on"]
    )
    assert pickup_return_text(D(2026, 12, 7), D(2026, 12, 11)) == (
        "Abholen ab Mo 07.12., zurückbringen bis Fr 11.12."
    )


def test_the_next_free_range_starts_and_ends_on_opening_days(today):
    from mediathek.opening_calendar import Calendar

    plans = [CopyPlan(1, (Span(D(2026, 3, 16), D(2026, 3, 20)),))]
    wanted = Span(D(2026, 3, 18), D(2026, 3, 19))
    assert next_free_range(plans, wanted, 1, today, is_open=Calendar().is_open) == Span(
        D(2026, 3, 23), D(2026, 3, 24)
    )
    # A five-day range must not end on Saturday either: Monday to Friday of the next week.
    five = Span(D(2026, 3, 16), D(2026, 3, 20))
    assert next_free_range(plans, five, 1, today, is_open=Calendar().is_open) == Span(
        D(2026, 3, 23), D(2026, 3, 27)
    )
