"""Today and now. Services take ``today`` as an argument; only the edges ask the clock."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo


def now() -> datetime:
    return datetime.now(UTC)


def today(tz: ZoneInfo | str = "Europe/Berlin") -> date:
    """The library's date: Europe/Berlin, not the server's UTC (a loan at 00:30 is that day's)."""
    zone = ZoneInfo(tz) if isinstance(tz, str) else tz
    return datetime.now(zone).date()
