from datetime import UTC, date, datetime

from mediathek.reservations.ics import booking_ics, escape_text, fold


def test_the_calendar_file_is_an_all_day_event_with_an_exclusive_end():
    text = booking_ics(
        booking_id=7,
        title="Bildkarten; Obst, Gemüse",
        start_on=date(2026, 3, 27),
        end_on=date(2026, 3, 30),
        host="mediathek.example",
        stamp=datetime(2026, 3, 10, 9, 0, tzinfo=UTC),
    )
    lines = text.split("\r\n")
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == ""
    assert "\n" not in text.replace("\r\n", "")
    assert "DTSTART;VALUE=DATE:20260327" in lines
    assert "DTEND;VALUE=DATE:20260331" in lines  # over the change to summer time, no clock
    assert "UID:booking-7@mediathek.example" in lines
    assert "DTSTAMP:20260310T090000Z" in lines
    assert "SUMMARY:Reserviert: Bildkarten\\; Obst\\, Gemüse" in lines


def test_text_is_escaped():
    assert escape_text("a\\b;c,d\ne") == "a\\\\b\\;c\\,d\\ne"


def test_long_lines_are_folded_at_75_octets_without_splitting_characters():
    line = "DESCRIPTION:" + "ä" * 80
    folded = fold(line)
    parts = folded.split("\r\n")
    assert all(len(p.encode()) <= 75 for p in parts)
    assert all(p.startswith(" ") for p in parts[1:])
    assert "".join(p.removeprefix(" ") if i else p for i, p in enumerate(parts)) == line
