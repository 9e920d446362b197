"""Admin-editable values kept in the database (reminder offsets, pickup days, contact data …).

Every value has a default in code, so a fresh database works without any row.
"""

from __future__ import annotations

from typing import Any

from mediathek.clock import now
from mediathek.core_tables import SiteSetting

DEFAULTS: dict[str, Any] = {
    # Holds: opening days a set-aside copy waits on the hold shelf.
    "hold_pickup_days": 7,
    # The hold slip on the set-aside copy: the borrower's name, or (default) a name-free
    # pickup code made of the surname's first letters and the card's last digits.
    "hold_slip_shows_name": False,
    # Bookings: free day between two bookings of one copy; days before start to set aside.
    "booking_buffer_days": 1,
    "booking_set_aside_days": 1,
    # Longest booking in days; 0: as long as the loan period of the borrower's rule.
    "booking_max_days": 0,
    # Registration: working days staff take at most to approve (told in the confirmation).
    "approval_days": 3,
    # Opening hours in a few words for the footer ("Mo–Do 9–16 Uhr"); empty: built from the
    # hours of each opening day (admin page "Öffnungstage").
    "opening_hours_text": "",
    # Reminders (DESIGN §3): days before/after the due date.
    "due_soon_days": 3,
    "overdue_level_days": [7, 14, 28],
    # Privacy: days a returned loan keeps its patron; years of inactivity before deletion.
    "anonymise_after_days": 30,
    "inactive_after_years": 3,
    # Shown in emails and on pages.
    "contact": {
        "name": "Mediathek des Kommunalen Integrationszentrums",
        "address": "Musterstraße 1, 40210 Düsseldorf",
        "phone": "0211 000000",
        "email": "mediathek@example.org",
    },
}


async def get_setting(key: str) -> Any:
    row = (
        await SiteSetting.select(SiteSetting.value)
        .where(SiteSetting.key == key)
        .output(load_json=True)
        .first()
    )
    if row is None:
        return DEFAULTS.get(key)
    return (
        row["value"]["v"]
        if isinstance(row["value"], dict) and "v" in row["value"]
        else row["value"]
    )


async def set_setting(key: str, value: Any) -> None:
    stored = {"v": value}
    if await SiteSetting.exists().where(SiteSetting.key == key):
        await SiteSetting.update({SiteSetting.value: stored, SiteSetting.updated_at: now()}).where(
            SiteSetting.key == key
        )
    else:
        await SiteSetting.insert(SiteSetting(key=key, value=stored))
