"""Setting copies aside for holds and bookings, and passing them on.

These steps open no transaction of their own: they run inside the caller's write transaction
(a service here, or the desk's checkout/checkin through ``hooks``).
"""

from __future__ import annotations

from datetime import date, timedelta

from mediathek.catalogue.copy_moves import move_copy
from mediathek.catalogue.policy import CopyEvent
from mediathek.catalogue.tables import Copy, CopyStatus, Title
from mediathek.circulation.tables import Loan
from mediathek.clock import now
from mediathek.notifications.outbox import enqueue, notice_key
from mediathek.notifications.tables import NotificationKind
from mediathek.opening_calendar import load_calendar
from mediathek.reservations.policy import CopyPlan, Span
from mediathek.reservations.tables import (
    ACTIVE_BOOKING,
    Booking,
    BookingStatus,
    Hold,
    HoldStatus,
)
from mediathek.site_settings import get_setting

# Notes on a copy that tell staff to move it physically; shown on the staff pages.
PULL_NOTE = "Aus dem Regal holen und ins Abholregal legen."
PUT_BACK_NOTE = "Nicht mehr abzuholen: zurück ins Regal stellen."

# Copies that can serve a booking at some point (a copy in repair comes back; a lost one not).
BOOKABLE_COPY = (
    CopyStatus.available,
    CopyStatus.on_loan,
    CopyStatus.on_hold_shelf,
    CopyStatus.needs_check,
    CopyStatus.in_repair,
)


async def copy_plans(title_id: int, today: date) -> list[CopyPlan]:
    """Bookings and open-loan due dates of every bookable copy of a title (three queries)."""
    return (await copy_plans_of([title_id], today)).get(title_id, [])


async def copy_plans_of(title_ids: list[int], today: date) -> dict[int, list[CopyPlan]]:
    """``copy_plans`` of several titles at once (still three queries: a basket of ten titles
    books in one go)."""
    if not title_ids:
        return {}
    copies = await Copy.select(Copy.id, Copy.title).where(
        Copy.title.is_in(title_ids), Copy.status.is_in(list(BOOKABLE_COPY))
    )
    if not copies:
        return {}
    bookings = await Booking.select(Booking.copy, Booking.start_on, Booking.end_on).where(
        Booking.title.is_in(title_ids),
        Booking.status.is_in(list(ACTIVE_BOOKING)),
        Booking.end_on >= today - timedelta(days=7),
    )
    loans = await Loan.select(Loan.copy, Loan.due_on).where(
        Loan.title.is_in(title_ids), Loan.returned_at.is_null()
    )
    by_copy: dict[int, list[Span]] = {c["id"]: [] for c in copies}
    for b in bookings:
        if b["copy"] in by_copy:
            by_copy[b["copy"]].append(Span(b["start_on"], b["end_on"]))
    due = {r["copy"]: r["due_on"] for r in loans}
    plans: dict[int, list[CopyPlan]] = {}
    for c in copies:
        plans.setdefault(c["title"], []).append(
            CopyPlan(c["id"], tuple(by_copy[c["id"]]), due.get(c["id"]))
        )
    return plans


async def settings_for_reservations() -> tuple[int, int, int]:
    """(buffer days, set-aside days, pickup days) from the site settings."""
    return (
        int(await get_setting("booking_buffer_days")),
        int(await get_setting("booking_set_aside_days")),
        int(await get_setting("hold_pickup_days")),
    )


async def _title_name(title_id: int) -> str:
    row = await Title.select(Title.title).where(Title.id == title_id).first()
    return row["title"] if row else ""


async def claim_copy(copy_id: int, event: CopyEvent = CopyEvent.set_aside, note: str = "") -> bool:
    """Put the copy on the hold shelf (``set_aside`` from the shelf, or ``pass_on`` to the next
    person) if it is where the event starts; the conditional update is also the row lock that
    keeps two set-asides of one copy apart."""
    return await move_copy(copy_id, event, note=note)


# The first waiting hold of a title, taken only if it is still waiting when the UPDATE gets
# its row: on PostgreSQL a copy coming back at the same moment may have taken it.
TAKE_HOLD_SQL = (
    "UPDATE hold SET status = {}, copy = {}, ready_at = {}, pickup_until = {} "
    "WHERE status = {} AND id = (SELECT id FROM hold WHERE title = {} AND status = {} "
    "ORDER BY placed_at, id LIMIT 1) RETURNING id, patron, title"
)


async def make_hold_ready(title_id: int, copy_id: int, barcode: str, today: date):
    """Give this copy to the first waiting hold of the title and tell the patron.

    Returns (hold, pickup deadline), or None when no hold waits any more. Each hold is
    served by one copy only: of two copies returned at once, the second goes to the next
    hold in the queue (the UPDATE is retried, each time seeing what has committed since)."""
    pickup_days = int(await get_setting("hold_pickup_days"))
    pickup_until = (await load_calendar(today)).add_opening_days(today, pickup_days)
    while True:
        rows = await Hold.raw(
            TAKE_HOLD_SQL,
            HoldStatus.ready.value,
            copy_id,
            now(),
            pickup_until,
            HoldStatus.waiting.value,
            title_id,
            HoldStatus.waiting.value,
        )
        if rows:
            hold = rows[0]
            break
        if await first_waiting_hold(title_id) is None:
            return None
    await enqueue(
        NotificationKind.hold_ready,
        key=notice_key(NotificationKind.hold_ready, hold["patron"], today, hold["id"]),
        patron_id=hold["patron"],
        payload={
            "title": await _title_name(hold["title"]),
            "pickup_until": pickup_until.isoformat(),
            "barcode": barcode,
        },
    )
    return hold, pickup_until


async def make_booking_ready(booking: dict, barcode: str, today: date) -> None:
    await Booking.update({Booking.status: BookingStatus.ready, Booking.ready_at: now()}).where(
        Booking.id == booking["id"]
    )
    await enqueue(
        NotificationKind.booking_ready,
        key=notice_key(NotificationKind.booking_ready, booking["patron"], today, booking["id"]),
        patron_id=booking["patron"],
        payload={
            "title": await _title_name(booking["title"]),
            "start_on": booking["start_on"].isoformat(),
            "end_on": booking["end_on"].isoformat(),
            "barcode": barcode,
        },
    )


def _booking_fields():
    return (Booking.id, Booking.patron, Booking.title, Booking.start_on, Booking.end_on)


async def booking_due_for_set_aside(copy_id: int, today: date) -> dict | None:
    """A confirmed booking of this copy that starts within the set-aside days (or runs now)."""
    set_aside_days = int(await get_setting("booking_set_aside_days"))
    return (
        await Booking.select(*_booking_fields())
        .where(
            Booking.copy == copy_id,
            Booking.status == BookingStatus.confirmed,
            Booking.start_on <= today + timedelta(days=set_aside_days),
            Booking.end_on >= today,
        )
        .order_by(Booking.start_on)
        .first()
    )


async def first_waiting_hold(title_id: int) -> dict | None:
    return (
        await Hold.select(Hold.id, Hold.patron, Hold.title)
        .where(Hold.title == title_id, Hold.status == HoldStatus.waiting)
        .order_by(Hold.placed_at)
        .order_by(Hold.id)
        .first()
    )


async def serve_copy(copy_id: int, today: date, event: CopyEvent, note: str = ""):
    """Give a copy that just became free (``set_aside``) or is no longer wanted on the hold
    shelf (``pass_on``) to whoever needs it first: a booking about to start, else the first
    hold in the queue. Returns ("booking"|"hold", record, pickup_until) or None (the copy's
    status is then left alone)."""
    copy = await Copy.select(Copy.title, Copy.barcode).where(Copy.id == copy_id).first()
    if copy is None:
        return None
    booking = await booking_due_for_set_aside(copy_id, today)
    if booking is not None:
        if not await claim_copy(copy_id, event, note):
            return None
        await make_booking_ready(booking, copy["barcode"], today)
        return ("booking", booking, booking["start_on"])
    if await first_waiting_hold(copy["title"]) is not None:
        if not await claim_copy(copy_id, event, note):
            return None
        served = await make_hold_ready(copy["title"], copy_id, copy["barcode"], today)
        if served is None:
            # The queue emptied meanwhile (PostgreSQL): the copy goes back where it came from
            # (a copy passed on is still on the hold shelf, for ``pass_on`` to put back).
            if event == CopyEvent.set_aside:
                await move_copy(copy_id, CopyEvent.release, note="")
            return None
        return ("hold", *served)
    return None


async def pass_on(copy_id: int, today: date) -> str:
    """A set-aside copy is no longer wanted by its holder: next in line, or back to the shelf.
    Returns "passed" or "shelf"."""
    served = await serve_copy(copy_id, today, CopyEvent.pass_on)
    if served is not None:
        return "passed"
    # Only from the hold shelf: a copy lent meanwhile (with an override) stays lent.
    await move_copy(copy_id, CopyEvent.release, note=PUT_BACK_NOTE)
    return "shelf"


async def free_copy_for_hold(title_id: int, today: date) -> dict | None:
    """An available copy of the title that no booking needs soon; the one whose next booking is
    furthest away, so the loan it becomes can run longest."""
    set_aside_days = int(await get_setting("booking_set_aside_days"))
    copies = await Copy.select(Copy.id, Copy.barcode).where(
        Copy.title == title_id, Copy.status == CopyStatus.available
    )
    if not copies:
        return None
    starts = await Booking.select(Booking.copy, Booking.start_on).where(
        Booking.copy.is_in([c["id"] for c in copies]),
        Booking.status.is_in(list(ACTIVE_BOOKING)),
        Booking.end_on >= today,
    )
    next_start: dict[int, date] = {}
    for b in starts:
        current = next_start.get(b["copy"])
        next_start[b["copy"]] = min(b["start_on"], current) if current else b["start_on"]
    far = date.max
    usable = [
        c for c in copies if next_start.get(c["id"], far) > today + timedelta(days=set_aside_days)
    ]
    usable.sort(key=lambda c: next_start.get(c["id"], far), reverse=True)
    return usable[0] if usable else None
