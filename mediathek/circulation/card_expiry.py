"""The notice 14 days before a borrower's card runs out: due dates end before it (the card
caps them), so she learns it in time to have the card renewed."""

from __future__ import annotations

from datetime import date

from mediathek.circulation import policy
from mediathek.db import write_transaction
from mediathek.notifications.outbox import enqueue, notice_key
from mediathek.notifications.tables import NotificationKind
from mediathek.patrons.tables import Patron, PatronStatus


async def run_daily(today: date) -> dict:
    """Queue a ``card_expiry`` notice for every active card that expires within the window;
    once per card and expiry date (a card renewed and expiring again gets a new one)."""
    first, last = policy.card_expiry_window(today)
    queued = 0
    async with write_transaction():
        patrons = await Patron.select(
            Patron.id, Patron.first_name, Patron.last_name, Patron.expires_on
        ).where(
            Patron.status == PatronStatus.active,
            Patron.expires_on >= first,
            Patron.expires_on <= last,
        )
        for p in patrons:
            notice = await enqueue(
                NotificationKind.card_expiry,
                key=notice_key(NotificationKind.card_expiry, p["id"], p["expires_on"]),
                patron_id=p["id"],
                payload={
                    "name": f"{p['first_name']} {p['last_name']}".strip(),
                    "expires_on": p["expires_on"].isoformat(),
                },
            )
            queued += notice is not None
    return {"card_expiry": queued}
