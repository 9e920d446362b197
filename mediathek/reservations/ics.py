"""An iCalendar file (RFC 5545) for one booking, written with the ``icalendar`` library: the
pickup day and the return day as all-day events, each with a reminder the evening before,
at the Mediathek's address."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from icalendar import Alarm, Calendar, Event

# The reminder rings at 18:00 the evening before the (all-day) event.
REMIND_BEFORE = timedelta(hours=6)


def _event(
    uid: str, summary: str, day: date, stamp: datetime, location: str, description: str
) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("dtstart", day)
    # DTEND of an all-day event is exclusive: the day after.
    event.add("dtend", day + timedelta(days=1))
    event.add("summary", summary)
    event.add("transp", "TRANSPARENT")
    if location:
        event.add("location", location)
    if description:
        event.add("description", description)
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", summary)
    alarm.add("trigger", -REMIND_BEFORE)
    event.add_component(alarm)
    return event


def booking_ics(
    *,
    booking_id: int,
    title: str,
    start_on: date,
    end_on: date,
    host: str,
    location: str = "",
    description: str = "",
    stamp: datetime | None = None,
) -> str:
    stamp = (stamp or datetime.now(UTC)).astimezone(UTC)
    calendar = Calendar()
    calendar.add("prodid", "-//Mediathek//Reservierung//DE")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add_component(
        _event(
            f"booking-{booking_id}-pickup@{host}",
            f"Abholen: {title}",
            start_on,
            stamp,
            location,
            description,
        )
    )
    calendar.add_component(
        _event(
            f"booking-{booking_id}-return@{host}",
            f"Zurückbringen: {title}",
            end_on,
            stamp,
            location,
            description,
        )
    )
    return calendar.to_ical().decode()
