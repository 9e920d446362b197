"""What circulation asks of holds and bookings. Called inside circulation's write transaction
(piccolo transactions follow the task's context, so these queries join it).
"""

from __future__ import annotations

from datetime import date, timedelta

from mediathek.catalogue.tables import Copy, CopyStatus
from mediathek.circulation.calendar import load_calendar
from mediathek.clock import now
from mediathek.notifications.outbox import enqueue, notice_key
from mediathek.notifications.tables import NotificationKind
from mediathek.reservations.tables import Booking, BookingStatus, Hold, HoldStatus
from mediathek.site_settings import get_setting

ACTIVE_BOOKING = (BookingStatus.confirmed, BookingStatus.ready)


def _name(row: dict) -> str:
    return f"{row['patron.first_name']} {row['patron.last_name']}".strip()


async def reserved_for_other(copy_id: int, patron_id: int) -> str | None:
    hold = (
        await Hold.select(Hold.patron.first_name, Hold.patron.last_name)
        .where(Hold.copy == copy_id, Hold.status == HoldStatus.ready, Hold.patron != patron_id)
        .first()
    )
    if hold:
        return f"Dieses Exemplar liegt für {_name(hold)} im Abholregal (Vormerkung)."
    booking = (
        await Booking.select(Booking.patron.first_name, Booking.patron.last_name, Booking.start_on)
        .where(
            Booking.copy == copy_id,
            Booking.status == BookingStatus.ready,
            Booking.patron != patron_id,
        )
        .first()
    )
    if booking:
        return (
            f"Dieses Exemplar ist für {_name(booking)} ab "
            f"{booking['start_on']:%d.%m.%Y} reserviert."
        )
    return None


async def fulfil_on_checkout(copy_id: int, patron_id: int, today: date) -> date | None:
    closed = now()
    await Hold.update({Hold.status: HoldStatus.fulfilled, Hold.closed_at: closed}).where(
        Hold.copy == copy_id, Hold.patron == patron_id, Hold.status == HoldStatus.ready
    )
    booking = (
        await Booking.select(Booking.id, Booking.end_on)
        .where(
            Booking.copy == copy_id,
            Booking.patron == patron_id,
            Booking.status.is_in(list(ACTIVE_BOOKING)),
            Booking.start_on <= today + timedelta(days=7),
            Booking.end_on >= today,
        )
        .order_by(Booking.start_on)
        .first()
    )
    if booking is None:
        return None
    await Booking.update(
        {Booking.status: BookingStatus.collected, Booking.closed_at: closed}
    ).where(Booking.id == booking["id"])
    return booking["end_on"]


async def latest_due_date(copy_id: int, from_day: date) -> date | None:
    booking = (
        await Booking.select(Booking.start_on)
        .where(
            Booking.copy == copy_id,
            Booking.status.is_in(list(ACTIVE_BOOKING)),
            Booking.end_on >= from_day,
        )
        .order_by(Booking.start_on)
        .first()
    )
    if booking is None:
        return None
    buffer_days = int(await get_setting("booking_buffer_days") or 0)
    return booking["start_on"] - timedelta(days=1 + buffer_days)


async def others_waiting(title_id: int, patron_id: int) -> bool:
    waiting = await Hold.count().where(
        Hold.title == title_id, Hold.status == HoldStatus.waiting, Hold.patron != patron_id
    )
    if not waiting:
        return False
    free_copies = await Copy.count().where(
        Copy.title == title_id, Copy.status == CopyStatus.available
    )
    return free_copies < waiting


async def on_return(copy_id: int, today: date) -> str | None:
    copy = await Copy.select(Copy.title).where(Copy.id == copy_id).first()
    if copy is None:
        return None
    hold = (
        await Hold.select(Hold.id, Hold.patron, Hold.patron.first_name, Hold.patron.last_name)
        .where(Hold.title == copy["title"], Hold.status == HoldStatus.waiting)
        .order_by(Hold.placed_at)
        .order_by(Hold.id)
        .first()
    )
    if hold is None:
        return None
    calendar = await load_calendar(today)
    pickup_until = calendar.add_opening_days(today, int(await get_setting("hold_pickup_days")))
    await Copy.update({Copy.status: CopyStatus.on_hold_shelf, Copy.updated_at: now()}).where(
        Copy.id == copy_id
    )
    await Hold.update(
        {
            Hold.status: HoldStatus.ready,
            Hold.copy: copy_id,
            Hold.ready_at: now(),
            Hold.pickup_until: pickup_until,
        }
    ).where(Hold.id == hold["id"])
    await enqueue(
        NotificationKind.hold_ready,
        key=notice_key(NotificationKind.hold_ready, hold["patron"], today, hold["id"]),
        patron_id=hold["patron"],
        payload={"hold_id": hold["id"], "copy_id": copy_id, "pickup_until": str(pickup_until)},
    )
    return f"Zurücklegen für {_name(hold)} – ins Abholregal (abholen bis {pickup_until:%d.%m.%Y})."
