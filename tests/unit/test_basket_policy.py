"""The pure rules of the Merkliste: quantities, several copies at once, stand-in titles."""

from datetime import date

from mediathek.reservations.policy import (
    CopyPlan,
    Span,
    TitleFacts,
    alternative_rank,
    far_ahead_errors,
    next_free_range,
    pick_copies,
    quantity_error,
)

D = date
TODAY = D(2026, 3, 10)
WEEK = Span(D(2026, 3, 16), D(2026, 3, 20))


def test_a_quantity_is_between_one_and_the_copies_there_are():
    assert quantity_error("Memo", 2, 2) is None
    assert quantity_error("Memo", 0, 2) == "Bitte eine Anzahl von 1 bis 99 angeben."
    assert quantity_error("Memo", 3, 2) == (
        "Von „Memo“ gibt es nur 2 Exemplare – 3 sind nicht möglich."
    )
    assert quantity_error("Memo", 1, 0) == "Von „Memo“ gibt es kein Exemplar zum Ausleihen."


def test_several_copies_are_picked_each_free_and_different():
    plans = [
        CopyPlan(1),
        CopyPlan(2, bookings=(Span(D(2026, 3, 17), D(2026, 3, 18)),)),
        CopyPlan(3, loan_due_on=D(2026, 3, 12)),
    ]
    assert sorted(pick_copies(plans, WEEK, 3, 1, TODAY)) == [1, 3]
    assert len(pick_copies(plans, WEEK, 1, 1, TODAY)) == 1


def test_the_next_free_range_for_two_copies_waits_for_the_second():
    plans = [
        CopyPlan(1, bookings=(Span(D(2026, 3, 16), D(2026, 3, 20)),)),
        CopyPlan(2, bookings=(Span(D(2026, 3, 16), D(2026, 3, 27)),)),
    ]
    one = next_free_range(plans, WEEK, 1, TODAY)
    two = next_free_range(plans, WEEK, 1, TODAY, copies=2)
    assert one is not None and one.start == D(2026, 3, 22)
    assert two is not None and two.start == D(2026, 3, 29)


def test_a_stand_in_comes_from_the_same_series_first_then_shared_topics():
    wanted = TitleFacts(1, "game", "Tiptoi", frozenset({"Tiere", "Wortschatz"}))
    series = TitleFacts(2, "audio_pen_set", "tiptoi", frozenset())
    topics = TitleFacts(3, "game", "", frozenset({"Tiere", "Wortschatz"}))
    one_topic = TitleFacts(4, "game", "", frozenset({"Tiere"}))
    other_type = TitleFacts(5, "book", "", frozenset({"Tiere", "Wortschatz"}))
    ranks = {t.id: alternative_rank(wanted, t) for t in (series, topics, one_topic, other_type)}
    assert ranks[2] > ranks[3] > ranks[4]
    assert ranks[5] is None
    assert alternative_rank(wanted, wanted) is None


def test_a_day_more_than_a_year_ahead_is_refused():
    assert far_ahead_errors(D(2027, 3, 10), D(2027, 3, 10), TODAY) == {}
    errors = far_ahead_errors(D(2027, 3, 8), D(2027, 3, 12), TODAY)
    assert list(errors) == ["end_on"]
