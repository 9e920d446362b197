"""Putting a notice into the outbox. Creating and delivering are separate steps: areas call
``enqueue`` inside their own transaction; the notifier renders and sends later.
"""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

from mediathek.notifications.tables import Notification, NotificationKind
from mediathek.patrons.tables import Patron


def notice_key(
    kind: NotificationKind, patron_or_email: int | str, day: date, *parts: object, level: int = 0
) -> str:
    """The unique key (patron, kind, level, items, day) that makes a notice happen once."""
    items = ",".join(str(p) for p in parts)
    key = f"{kind.value}:{level}:{patron_or_email}:{day.isoformat()}:{items}"
    if len(key) > 200:
        # A long item list is replaced by its digest: cutting it off could make two
        # different digests of one day share a key.
        digest = hashlib.sha256(items.encode()).hexdigest()
        key = f"{kind.value}:{level}:{patron_or_email}:{day.isoformat()}:#{digest}"
    return key[:200]


async def enqueue(
    kind: NotificationKind,
    *,
    key: str,
    patron_id: int | None = None,
    recipient: str | None = None,
    language: str | None = None,
    level: int = 0,
    payload: dict[str, Any] | None = None,
) -> int | None:
    """Queue a notice; returns its id, or None when one with this key exists already (or the
    patron has no email address). Safe to call twice: the unique key decides."""
    if patron_id is not None and (recipient is None or language is None):
        patron = (
            await Patron.select(Patron.email, Patron.preferred_language)
            .where(Patron.id == patron_id)
            .first()
        )
        if patron is None:
            return None
        recipient = recipient or patron["email"]
        language = language or patron["preferred_language"]
    if not recipient:
        return None
    if await Notification.exists().where(Notification.key == key):
        return None
    rows = (
        await Notification.insert(
            Notification(
                key=key,
                patron=patron_id,
                recipient=recipient,
                kind=kind,
                level=level,
                language=language or "de",
                payload=payload or {},
            )
        )
        .on_conflict(target=Notification.key, action="DO NOTHING")
        .returning(Notification.id)
    )
    return rows[0]["id"] if rows else None
