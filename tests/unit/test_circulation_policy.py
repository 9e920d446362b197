from datetime import date

import pytest

from mediathek.circulation.policy import (
    CopyAlreadyLent,
    CopyFacts,
    CopyNotAvailable,
    CopySetAside,
    DueDate,
    LoanFacts,
    PatronBlocked,
    PatronExpired,
    PatronFacts,
    RenewalNeedsReason,
    RenewalRefused,
    checkout_refusals,
    due_date,
    due_reason_text,
    level_days_matter,
    overdue_level,
    renewal_due_date,
)
from mediathek.opening_calendar import Calendar, Closed
from tests.factories import FROZEN_TODAY

LEVELS = [7, 14, 28]
ANNA = PatronFacts("Anna Berger")


def refusals(today, patron=ANNA, copy=CopyFacts("available"), loans=(), max_loans=20):
    d = checkout_refusals(
        patron, copy, list(loans), max_loans=max_loans, today=today, level_days=LEVELS
    )
    return d


def test_a_normal_checkout_has_no_refusal(today):
    assert refusals(today).refusals == []


def test_overdue_level_follows_days_overdue_unless_a_higher_level_was_sent(today):
    assert overdue_level(date(2026, 3, 3), today, LEVELS) == 1
    assert overdue_level(date(2026, 2, 24), today, LEVELS) == 2
    assert overdue_level(date(2026, 3, 9), today, LEVELS, sent_level=3) == 3
    assert overdue_level(date(2026, 3, 20), today, LEVELS) == 0


def test_second_reminder_level_refuses_but_first_does_not(today):
    assert refusals(today, loans=[LoanFacts(date(2026, 3, 3))]).refusals == []
    [r] = refusals(today, loans=[LoanFacts(date(2026, 2, 24))]).refusals
    assert "2. Mahnung" in r.message


def test_level_days_matter_only_once_a_loan_is_past_its_due_date(today):
    due_today, sent_two = LoanFacts(today), LoanFacts(date(2026, 3, 20), reminder_level=2)
    assert not level_days_matter([due_today, sent_two], today)
    assert level_days_matter([due_today, LoanFacts(date(2026, 3, 9))], today)

    def messages(loans, level_days):
        d = checkout_refusals(
            ANNA, CopyFacts("available"), loans, max_loans=20, today=today, level_days=level_days
        )
        return [r.message for r in d.refusals]

    # With nothing overdue the level days change nothing, even the shortest allowed (1 day):
    # only a level already sent counts.
    for loans in ([due_today], [due_today, sent_two]):
        assert messages(loans, []) == messages(loans, [1, 14, 28])
    assert messages([sent_two], []) != []


def test_every_reason_is_listed_and_override_depends_on_all(today):
    d = refusals(
        today,
        patron=PatronFacts("Dora", blocked_reason="Schaden", expires_on=date(2026, 1, 1)),
        copy=CopyFacts("needs_check"),
    )
    assert [type(r) for r in d.refusals] == [CopyNotAvailable, PatronBlocked, PatronExpired]
    assert d.overridable
    assert "01.01.2026" in d.refusals[2].message


@pytest.mark.parametrize("status", ["on_loan", "withdrawn"])
def test_a_lent_or_withdrawn_copy_can_never_be_overridden(today, status):
    d = refusals(today, copy=CopyFacts(status))
    assert isinstance(d.refusals[0], CopyAlreadyLent) and not d.overridable


def test_a_copy_set_aside_for_someone_else_cannot_be_overridden(today):
    d = refusals(today, copy=CopyFacts("on_hold_shelf", set_aside_for_other="für Ben"))
    assert isinstance(d.refusals[0], CopySetAside) and not d.overridable


def test_due_date_stops_before_a_booking_and_a_booking_loan_runs_to_its_end(today):
    cal = Calendar()
    assert due_date(cal, today, 28, None, None) == DueDate(date(2026, 4, 7))
    # Booking from 30.3.: last day 28.3. (Saturday) → the Friday before.
    shortened = due_date(cal, today, 28, date(2026, 3, 28), None)
    assert shortened.on == date(2026, 3, 27)
    assert shortened.reason == "booking:2026-03-27"
    assert due_reason_text(shortened.reason) == (
        "Kürzere Leihfrist: Dieses Exemplar ist danach für einen Zeitraum reserviert "
        "und muss bis 27.03.2026 zurück."
    )
    assert due_date(cal, today, 28, None, date(2026, 3, 20)).on == date(2026, 3, 20)
    with pytest.raises(CopySetAside):
        due_date(cal, today, 28, date(2026, 3, 9), None)


def test_renewal_rules(today):
    cal = Calendar()
    kw = dict(today=today, current_due=date(2026, 3, 20), loan_days=28, latest=None)
    # From the current due date (20.3. + 28 days = 17.4.), not from today.
    assert renewal_due_date(cal, renewals=0, max_renewals=2, others_waiting=False, **kw) == DueDate(
        date(2026, 4, 17)
    )
    with pytest.raises(RenewalRefused, match="2-mal"):
        renewal_due_date(cal, renewals=2, max_renewals=2, others_waiting=False, **kw)
    with pytest.raises(RenewalRefused, match="warten"):
        renewal_due_date(cal, renewals=0, max_renewals=2, others_waiting=True, **kw)


def renew(cal=None, **changes):
    kw = dict(
        today=FROZEN_TODAY,
        current_due=date(2026, 3, 20),
        renewals=0,
        max_renewals=2,
        loan_days=28,
        others_waiting=False,
        latest=None,
    )
    return renewal_due_date(cal or Calendar(), **{**kw, **changes})


def test_renewing_early_gains_nothing_and_loses_nothing():
    assert renew(today=date(2026, 3, 1)) == renew(today=date(2026, 3, 19))


def test_a_renewal_rolls_over_a_closure_to_the_next_opening_day():
    easter = Calendar(closures=(Closed(date(2026, 4, 17), date(2026, 4, 21), "Fortbildung"),))
    assert renew(easter).on == date(2026, 4, 22)


def test_a_renewal_that_would_not_move_the_due_date_is_refused_with_the_reason():
    # The copy is booked from 23.3.: the loan already ends on the last day before the buffer.
    with pytest.raises(RenewalRefused, match="nicht verschieben.*reserviert"):
        renew(latest=date(2026, 3, 21))


def test_a_renewal_stops_before_a_booking_and_says_so():
    due = renew(latest=date(2026, 4, 1))
    assert due.on == date(2026, 4, 1) and due.reason == "booking:2026-04-01"


def test_a_renewal_stops_at_the_card_expiry_and_says_so():
    due = renew(card_expires=date(2026, 4, 5))  # Sunday → Friday 3.4. (Good Friday) → 2.4.
    assert due.on == date(2026, 4, 2)
    assert due.reason == "card:2026-04-05"
    assert "Ausweis läuft am 05.04.2026 ab" in due_reason_text(due.reason)


def test_at_the_second_reminder_a_teacher_cannot_renew_online():
    with pytest.raises(RenewalRefused, match="Online verlängern geht nicht mehr") as refused:
        renew(current_due=date(2026, 2, 20), level=2, online=True)
    assert not isinstance(refused.value, RenewalNeedsReason)


def test_at_the_second_reminder_staff_renew_only_with_a_reason():
    with pytest.raises(RenewalNeedsReason, match="Begründung"):
        renew(current_due=date(2026, 2, 24), level=2)
    assert renew(current_due=date(2026, 2, 24), level=2, override=True).on == date(2026, 3, 24)


def test_a_first_reminder_does_not_stop_online_renewal():
    assert renew(current_due=date(2026, 3, 2), level=1, online=True).on == date(2026, 3, 30)


def test_a_renewal_that_leaves_the_loan_overdue_is_refused():
    with pytest.raises(RenewalRefused, match="überfällig"):
        renew(current_due=date(2026, 1, 5), level=3, override=True)


def test_the_card_expiry_caps_the_due_date_at_the_last_opening_day_before_it(today):
    due = due_date(Calendar(), today, 28, None, None, card_expires=date(2026, 3, 29))
    assert due.on == date(2026, 3, 27)  # Sunday 29.3. → Friday 27.3.
    assert due.reason == "card:2026-03-29"
    # A booking that ends earlier is the tighter limit and names itself.
    both = due_date(Calendar(), today, 28, date(2026, 3, 24), None, card_expires=date(2026, 3, 29))
    assert both.on == date(2026, 3, 24) and both.reason == "booking:2026-03-24"


def test_a_loan_lent_by_override_on_an_expired_card_is_not_cut_to_nothing(today):
    due = due_date(Calendar(), today, 28, None, None, card_expires=date(2026, 3, 1))
    assert due == DueDate(date(2026, 4, 7))
