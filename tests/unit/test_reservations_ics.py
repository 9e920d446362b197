from datetime import UTC, date, datetime, timedelta

from icalendar import Calendar

from mediathek.reservations.ics import booking_ics


def booking(**changes) -> str:
    return booking_ics(
        **{
            "booking_id": 7,
            "title": "Bildkarten; Obst, Gemüse",
            "start_on": date(2026, 3, 27),
            "end_on": date(2026, 3, 30),
            "host": "mediathek.example",
            "location": "Mediathek des KI, Musterstraße 1, 40210 Düsseldorf",
            "stamp": datetime(2026, 3, 10, 9, 0, tzinfo=UTC),
            **changes,
        }
    )


def test_pickup_and_return_are_all_day_events_with_a_reminder_the_evening_before():
    text = booking()
    assert text.startswith("BEGIN:VCALENDAR\r\n") and text.endswith("END:VCALENDAR\r\n")
    events = Calendar.from_ical(text).walk("VEVENT")
    assert [str(e["summary"]) for e in events] == [
        "Abholen: Bildkarten; Obst, Gemüse",
        "Zurückbringen: Bildkarten; Obst, Gemüse",
    ]
    pickup, back = events
    assert pickup.decoded("dtstart") == date(2026, 3, 27)
    assert pickup.decoded("dtend") == date(2026, 3, 28)  # exclusive end, no clock
    assert back.decoded("dtstart") == date(2026, 3, 30)
    assert str(pickup["uid"]) == "booking-7-pickup@mediathek.example"
    assert str(back["location"]) == "Mediathek des KI, Musterstraße 1, 40210 Düsseldorf"
    [alarm] = pickup.walk("VALARM")
    assert str(alarm["action"]) == "DISPLAY"
    assert alarm.decoded("trigger") == -timedelta(hours=6)


def test_text_is_escaped_and_long_lines_folded():
    text = booking(description="ä" * 80 + "; mit Komma, Punkt")
    assert "SUMMARY:Abholen: Bildkarten\\; Obst\\, Gemüse" in text
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
