from datetime import date

import pytest

from mediathek.circulation.policy import (
    CopyAlreadyLent,
    CopyFacts,
    CopyNotAvailable,
    CopySetAside,
    LoanFacts,
    PatronBlocked,
    PatronExpired,
    PatronFacts,
    RenewalRefused,
    checkout_refusals,
    due_date,
    level_days_matter,
    overdue_level,
    renewal_due_date,
)
from mediathek.opening_calendar import Calendar

TODAY = date(2026, 3, 10)
LEVELS = [7, 14, 28]
ANNA = PatronFacts("Anna Berger")


def refusals(patron=ANNA, copy=CopyFacts("available"), loans=(), max_loans=20):
    d = checkout_refusals(
        patron, copy, list(loans), max_loans=max_loans, today=TODAY, level_days=LEVELS
    )
    return d


def test_a_normal_checkout_has_no_refusal():
    assert refusals().refusals == []


def test_overdue_level_follows_days_overdue_unless_a_higher_level_was_sent():
    assert overdue_level(date(2026, 3, 3), TODAY, LEVELS) == 1
    assert overdue_level(date(2026, 2, 24), TODAY, LEVELS) == 2
    assert overdue_level(date(2026, 3, 9), TODAY, LEVELS, sent_level=3) == 3
    assert overdue_level(date(2026, 3, 20), TODAY, LEVELS) == 0


def test_second_reminder_level_refuses_but_first_does_not():
    assert refusals(loans=[LoanFacts(date(2026, 3, 3))]).refusals == []
    [r] = refusals(loans=[LoanFacts(date(2026, 2, 24))]).refusals
    assert "2. Mahnung" in r.message


def test_level_days_matter_only_once_a_loan_is_past_its_due_date():
    due_today, sent_two = LoanFacts(TODAY), LoanFacts(date(2026, 3, 20), reminder_level=2)
    assert not level_days_matter([due_today, sent_two], TODAY)
    assert level_days_matter([due_today, LoanFacts(date(2026, 3, 9))], TODAY)

    def messages(loans, level_days):
        d = checkout_refusals(
            ANNA, CopyFacts("available"), loans, max_loans=20, today=TODAY, level_days=level_days
        )
        return [r.message for r in d.refusals]

    # With nothing overdue the level days change nothing, even the shortest allowed (1 day):
    # only a level already sent counts.
    for loans in ([due_today], [due_today, sent_two]):
        assert messages(loans, []) == messages(loans, [1, 14, 28])
    assert messages([sent_two], []) != []


def test_every_reason_is_listed_and_override_depends_on_all():
    d = refusals(
        patron=PatronFacts("Dora", blocked_reason="Schaden", expires_on=date(2026, 1, 1)),
        copy=CopyFacts("needs_check"),
    )
    assert [type(r) for r in d.refusals] == [CopyNotAvailable, PatronBlocked, PatronExpired]
    assert d.overridable
    assert "01.01.2026" in d.refusals[2].message


@pytest.mark.parametrize("status", ["on_loan", "withdrawn"])
def test_a_lent_or_withdrawn_copy_can_never_be_overridden(status):
    d = refusals(copy=CopyFacts(status))
    assert isinstance(d.refusals[0], CopyAlreadyLent) and not d.overridable


def test_a_copy_set_aside_for_someone_else_cannot_be_overridden():
    d = refusals(copy=CopyFacts("on_hold_shelf", set_aside_for_other="für Ben"))
    assert isinstance(d.refusals[0], CopySetAside) and not d.overridable


def test_due_date_stops_before_a_booking_and_a_booking_loan_runs_to_its_end():
    cal = Calendar()
    assert due_date(cal, TODAY, 28, None, None) == date(2026, 4, 7)
    # Booking from 30.3.: last day 28.3. (Saturday) → the Friday before.
    assert due_date(cal, TODAY, 28, date(2026, 3, 28), None) == date(2026, 3, 27)
    assert due_date(cal, TODAY, 28, None, date(2026, 3, 20)) == date(2026, 3, 20)
    with pytest.raises(CopySetAside):
        due_date(cal, TODAY, 28, date(2026, 3, 9), None)


def test_renewal_rules():
    cal = Calendar()
    kw = dict(today=TODAY, current_due=date(2026, 3, 20), loan_days=28, latest=None)
    assert renewal_due_date(cal, renewals=0, max_renewals=2, others_waiting=False, **kw) == date(
        2026, 4, 7
    )
    with pytest.raises(RenewalRefused, match="2-mal"):
        renewal_due_date(cal, renewals=2, max_renewals=2, others_waiting=False, **kw)
    with pytest.raises(RenewalRefused, match="warten"):
        renewal_due_date(cal, renewals=0, max_renewals=2, others_waiting=True, **kw)
