"""The booking box's closed days speak the reader's language: the refusal of a closed pickup or
return day and the availability calendar's spoken day labels, holidays by their name."""

from __future__ import annotations

from datetime import date as D

import pytest

from mediathek import i18n
from mediathek.opening_calendar import Calendar
from mediathek.reservations.policy import calendar_days, closed_day_errors

TODAY = D(2026, 3, 10)
GERMAN = ("geschlossen", "Öffnungstag", "Weihnachtstag", "frei", "belegt", "vorbei")


@pytest.mark.parametrize(
    ("lang", "christmas", "closed"),
    [
        ("en", "Christmas Day", "closed"),
        ("uk", "Перший день Різдва", "зачинена"),
        ("ar", "أول أيام عيد الميلاد", "مغلقة"),  # the holiday table has no Arabic: the catalogue
    ],
)
def test_a_closed_pickup_day_is_refused_in_her_language(lang, christmas, closed):
    with i18n.using(lang):
        errors = closed_day_errors(Calendar(), D(2026, 12, 25), D(2026, 12, 27), TODAY)
    assert christmas in errors["start_on"] and closed in errors["start_on"]
    words = GERMAN
    for message in errors.values():
        assert not [w for w in words if w in message], message


def test_the_calendar_days_are_spoken_in_her_language():
    counts = [(D(2026, 3, d), free) for d, free in ((10, 1), (11, 2), (12, 1), (13, 0), (14, 2))]
    with i18n.using("en"):
        labels = [d.label for d in calendar_days(counts, 2, Calendar(), TODAY)]
    assert labels[1:3] == ["Wed 11 Mar: all 2 available", "Thu 12 Mar: 1 of 2 available"]
    assert labels[3] == "Fri 13 Mar: fully booked"
    assert labels[4].endswith(": closed (not an opening day)")
    assert not [label for label in labels if any(w in label for w in GERMAN)]
    # The day picker speaks the part before the colon: the day's short name.
    assert [label.split(":")[0] for label in labels][1] == "Wed 11 Mar"
