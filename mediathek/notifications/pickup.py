"""The pickup reminder: on the last opening day before a booking's pickup day the borrower
gets an e-mail with the booking's dates as a calendar file.

One notice per borrower and pickup day lists every booking of hers that starts that day (a
basket of ten titles is one e-mail). Its key is (kind, borrower, pickup day), so a second run,
a restart or a crash between two runs never makes a second one; a booking is told once. A run
missed while the server was down is made up by the next run, as long as the pickup day is
still ahead.
"""

from __future__ import annotations

from datetime import date

from mediathek.db import write_transaction
from mediathek.notifications import policy
from mediathek.notifications.outbox import enqueue, notice_key
from mediathek.notifications.tables import NotificationKind
from mediathek.opening_calendar import load_calendar
from mediathek.patrons.tables import Patron, PatronStatus
from mediathek.reservations.tables import ACTIVE_BOOKING, Booking


async def run_daily(today: date) -> dict:
    """Queue the pickup reminders that are due ``today`` (or were due on a missed day)."""
    calendar = await load_calendar(today)
    last_pickup_day = policy.last_pickup_day_to_remind(calendar, today)
    queued = 0
    async with write_transaction():
        rows = (
            await Booking.select(
                Booking.id,
                Booking.patron,
                Booking.start_on,
                Booking.end_on,
                Booking.title.title,
            )
            .where(
                Booking.status.is_in(list(ACTIVE_BOOKING)),
                Booking.start_on > today,
                Booking.start_on <= last_pickup_day,
            )
            .order_by(Booking.start_on)
            .order_by(Booking.id)
        )
        if not rows:
            return {"pickup_reminders": 0}
        patrons = {
            p["id"]: p
            for p in await Patron.select(Patron.id, Patron.first_name, Patron.last_name).where(
                Patron.id.is_in(sorted({r["patron"] for r in rows})),
                Patron.status == PatronStatus.active,
            )
        }
        for (patron_id, pickup_on), bookings in policy.pickup_groups(rows).items():
            patron = patrons.get(patron_id)
            if patron is None:
                continue
            notice = await enqueue(
                NotificationKind.pickup_reminder,
                key=notice_key(NotificationKind.pickup_reminder, patron_id, pickup_on),
                patron_id=patron_id,
                payload={
                    "name": f"{patron['first_name']} {patron['last_name']}".strip(),
                    "pickup_on": pickup_on.isoformat(),
                    "items": [
                        {
                            "booking_id": b["id"],
                            "title": b["title.title"],
                            "start_on": b["start_on"].isoformat(),
                            "end_on": b["end_on"].isoformat(),
                        }
                        for b in bookings
                    ],
                },
            )
            queued += notice is not None
    return {"pickup_reminders": queued}
