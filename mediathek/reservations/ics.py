"""An iCalendar file (RFC 5545) for one booking: an all-day event over the booked days."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta


def escape_text(value: str) -> str:
    """TEXT escaping of RFC 5545 §3.3.11: backslash, semicolon, comma and newlines."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after CRLF and a space (§3.1);
    the cut never splits a UTF-8 character."""
    out: list[str] = []
    current, size = "", 0
    for char in line:
        n = len(char.encode())
        limit = 75 if not out else 74  # continuation lines start with one space
        if size + n > limit:
            out.append(current)
            current, size = "", 0
        current += char
        size += n
    out.append(current)
    return "\r\n ".join(out)


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
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Mediathek//Reservierung//DE",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:booking-{booking_id}@{host}",
        f"DTSTAMP:{stamp:%Y%m%dT%H%M%SZ}",
        f"DTSTART;VALUE=DATE:{start_on:%Y%m%d}",
        # DTEND of an all-day event is exclusive: the day after the last booked day.
        f"DTEND;VALUE=DATE:{end_on + timedelta(days=1):%Y%m%d}",
        f"SUMMARY:{escape_text('Reserviert: ' + title)}",
        "TRANSP:TRANSPARENT",
    ]
    if location:
        lines.append(f"LOCATION:{escape_text(location)}")
    if description:
        lines.append(f"DESCRIPTION:{escape_text(description)}")
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return "".join(fold(line) + "\r\n" for line in lines)
