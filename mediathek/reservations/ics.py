"""iCalendar files (RFC 5545) for bookings, written with the ``icalendar`` library: the pickup
day and the return day as all-day events, each with a reminder the evening before, at the
Mediathek's address. Summaries and descriptions are in the language of the moment
(``mediathek.i18n``): the reader's page, or the borrower's e-mail language."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from icalendar import Alarm, Calendar, Event

from mediathek.i18n import _, format_day

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


def _calendar() -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", "-//Mediathek//Reservierung//DE")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    return calendar


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
    calendar = _calendar()
    calendar.add_component(
        _event(
            f"booking-{booking_id}-pickup@{host}",
            _("Abholen: %(title)s") % {"title": title},
            start_on,
            stamp,
            location,
            description,
        )
    )
    calendar.add_component(
        _event(
            f"booking-{booking_id}-return@{host}",
            _("Zurückbringen: %(title)s") % {"title": title},
            end_on,
            stamp,
            location,
            description,
        )
    )
    return calendar.to_ical().decode()


@dataclass(frozen=True)
class Booked:
    """One booking of a pickup reminder."""

    booking_id: int
    title: str
    start_on: date
    end_on: date


def pickup_ics(
    bookings: Sequence[Booked],
    *,
    host: str,
    location: str = "",
    stamp: datetime | None = None,
) -> str:
    """The calendar of a pickup reminder: ONE pickup event per pickup day and one return
    event per return day, each naming the media of that day, so a basket of ten titles is
    two entries in her calendar, not twenty. The UIDs name the borrower's bookings of that
    day: importing the file a second time updates the entries instead of doubling them."""
    stamp = (stamp or datetime.now(UTC)).astimezone(UTC)
    calendar = _calendar()
    for kind, day_of in (("pickup", "start_on"), ("return", "end_on")):
        days: dict[date, list[Booked]] = {}
        for booking in bookings:
            days.setdefault(getattr(booking, day_of), []).append(booking)
        for day, those in sorted(days.items()):
            ids = "-".join(str(b.booking_id) for b in sorted(those, key=lambda b: b.booking_id))
            titles = ", ".join(b.title for b in those)
            if kind == "pickup":
                summary = _("Mediathek: abholen – %(titles)s") % {"titles": titles}
                lines = [
                    _("%(title)s: zurückbringen bis %(end)s")
                    % {"title": b.title, "end": format_day(b.end_on)}
                    for b in those
                ]
                description = "\n".join(
                    [_("An der Theke der Mediathek abholen:"), *(f"- {line}" for line in lines)]
                )
            else:
                summary = _("Mediathek: zurückbringen – %(titles)s") % {"titles": titles}
                description = "\n".join(
                    [
                        _("Bitte bis heute zur Mediathek zurückbringen:"),
                        *(f"- {b.title}" for b in those),
                    ]
                )
            calendar.add_component(
                _event(f"booking-{ids}-{kind}@{host}", summary, day, stamp, location, description)
            )
    return calendar.to_ical().decode()
