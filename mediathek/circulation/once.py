"""Apply a request once: a desk scan or API call that carries a client-made id.

A scanner page retries a request whose answer it never got (a dropped connection, a reload),
and may even send it twice at once. Each id is applied once: the work and the row naming its
id commit together, so a second request with that id either meets the row (and answers as the
first did) or, when the first is still running, waits for it at the primary key.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from typing import TypeVar

from mediathek.circulation.tables import AppliedRequest
from mediathek.clock import now
from mediathek.db import write_transaction
from mediathek.errors import DomainError

T = TypeVar("T")

REQUEST_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")

# ON CONFLICT DO NOTHING: the loser of a race gets no row back instead of an error that
# would abort a PostgreSQL transaction.
CLAIM_SQL = (
    "INSERT INTO applied_request (request_id, answer, created_at) VALUES ({}, {}, {}) "
    "ON CONFLICT (request_id) DO NOTHING RETURNING request_id"
)


class _AlreadyApplied(Exception):
    """Rolls back a repeated request's work."""


def request_id(value: object) -> str | None:
    """A usable client-made id, or None (no id, or not one we made: then no replay)."""
    text = str(value or "").strip()
    return text if REQUEST_ID.fullmatch(text) else None


async def answer_of(key: str) -> str | None:
    row = (
        await AppliedRequest.select(AppliedRequest.answer)
        .where(AppliedRequest.request_id == key)
        .first()
    )
    return row["answer"] if row else None


async def once(
    key: str | None,
    work: Callable[[], Awaitable[T]],
    encode: Callable[[T], str],
    decode: Callable[[str], T],
) -> T:
    """Run ``work`` unless ``key`` was applied already; then answer as it was answered.

    ``key`` names the kind of request too (``desk:…``, ``checkout:…``), so an id sent to the
    wrong place never replays a foreign answer. A business error of the work is not stored
    (it wrote nothing), unless an earlier request with the key was applied meanwhile: that
    error is then only the echo of the first (the copy it lent is "already lent").
    """
    if key is None:
        return await work()
    try:
        async with write_transaction():
            result = await work()
            if await AppliedRequest.raw(CLAIM_SQL, key, encode(result), now()):
                return result
            raise _AlreadyApplied
    except _AlreadyApplied:
        pass
    except DomainError:
        stored = await answer_of(key)
        if stored is None:
            raise
        return decode(stored)
    stored = await answer_of(key)
    if stored is None:  # forgotten in between (rows are kept for days): apply it now
        return await once(key, work, encode, decode)
    return decode(stored)


# A page retries within minutes; a week covers a desk left offline over a long weekend.
KEEP_DAYS = 7


async def run_daily(today: date) -> dict:
    """Forget applied requests older than ``KEEP_DAYS``: no retry comes that late."""
    gone = (
        await AppliedRequest.delete()
        .where(AppliedRequest.created_at < now() - timedelta(days=KEEP_DAYS))
        .returning(AppliedRequest.request_id)
    )
    return {"forgotten": len(gone)}
