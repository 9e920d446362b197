"""What the desk asks the reservations area during checkout, checkin and renewal.

Every function runs INSIDE the caller's write transaction and opens none of its own, so a
checkout and the hold it fulfils are written together or not at all.
"""

from __future__ import annotations

from datetime import date, timedelta

from mediathek.catalogue.policy import CopyEvent
from mediathek.catalogue.tables import Copy, CopyStatus
from mediathek.clock import now
from mediathek.i18n import _
from mediathek.opening_calendar import Calendar, Moved, moved_day
from mediathek.patrons.tables import Patron
from mediathek.reservations import policy
from mediathek.reservations.setaside import (
    ACTIVE_BOOKING,
    pass_on,
    serve_copy,
)
from mediathek.reservations.tables import Booking, BookingStatus, Hold, HoldStatus
from mediathek.site_settings import get_setting


async def _patron_name(patron_id: int) -> str:
    row = (
        await Patron.select(Patron.first_name, Patron.last_name, Patron.institution)
        .where(Patron.id == patron_id)
        .first()
    )
    if row is None:
        return _("eine andere Person")
    name = f"{row['first_name']} {row['last_name']}".strip()
    return f"{name} ({row['institution']})" if row["institution"] else name


async def concern_checkout(copy_id: int, title_id: int) -> bool:
    """Whether an open hold or booking names this copy or its title. ``reserved_for_other``,
    ``fulfil_on_checkout`` and ``latest_due_date`` look at nothing else, so without one they
    find nothing: the checkout asks this once instead of running their eight queries."""
    rows = await Hold.raw(
        "SELECT 1 FROM hold WHERE (copy = {} OR title = {}) AND status IN ({}, {}) "
        "UNION ALL "
        "SELECT 1 FROM booking WHERE (copy = {} OR title = {}) AND status IN ({}, {}) "
        "LIMIT 1",
        copy_id,
        title_id,
        HoldStatus.waiting.value,
        HoldStatus.ready.value,
        copy_id,
        title_id,
        *[status.value for status in ACTIVE_BOOKING],
    )
    return bool(rows)


async def reserved_for_other(copy_id: int, patron_id: int) -> str | None:
    """German reason when this copy is set aside for someone else, else None."""
    hold = (
        await Hold.select(Hold.patron, Hold.pickup_until)
        .where(Hold.copy == copy_id, Hold.status == HoldStatus.ready)
        .first()
    )
    if hold is not None and hold["patron"] != patron_id:
        return _(
            "Dieses Exemplar liegt für %(name)s im Abholregal "
            "(vorgemerkt, abholbereit bis %(day)s)."
        ) % {"name": await _patron_name(hold["patron"]), "day": f"{hold['pickup_until']:%d.%m.%Y}"}
    booking = (
        await Booking.select(Booking.patron, Booking.start_on, Booking.end_on)
        .where(Booking.copy == copy_id, Booking.status == BookingStatus.ready)
        .first()
    )
    if booking is not None and booking["patron"] != patron_id:
        return _("Dieses Exemplar ist für %(name)s reserviert (%(start)s bis %(end)s).") % {
            "name": await _patron_name(booking["patron"]),
            "start": f"{booking['start_on']:%d.%m.%Y}",
            "end": f"{booking['end_on']:%d.%m.%Y}",
        }
    return None


async def fulfil_on_checkout(copy_id: int, patron_id: int, today: date) -> date | None:
    """Close what this checkout fulfils. Returns the booking's last day when the loan comes
    from a booking (the loan is then due at the booking's end), else None."""
    copy = await Copy.select(Copy.title, Copy.status).where(Copy.id == copy_id).first()
    if copy is None:
        return None
    set_aside_days = int(await get_setting("booking_set_aside_days"))
    booking = (
        await Booking.select(Booking.id, Booking.end_on)
        .where(
            Booking.copy == copy_id,
            Booking.patron == patron_id,
            Booking.status.is_in(list(ACTIVE_BOOKING)),
            Booking.start_on <= today + timedelta(days=set_aside_days),
            Booking.end_on >= today,
        )
        .order_by(Booking.start_on)
        .first()
    )
    if booking is None:
        booking = await _swap_booking_to(copy_id, copy["title"], patron_id, today, set_aside_days)
    if booking is not None:
        await Booking.update(
            {Booking.status: BookingStatus.collected, Booking.closed_at: now()}
        ).where(Booking.id == booking["id"])
        return booking["end_on"]

    hold = (
        await Hold.select(Hold.id, Hold.copy)
        .where(
            Hold.title == copy["title"],
            Hold.patron == patron_id,
            Hold.status.is_in([HoldStatus.ready, HoldStatus.waiting]),
        )
        .first()
    )
    if hold is None:
        return None
    await Hold.update(
        {Hold.status: HoldStatus.fulfilled, Hold.closed_at: now(), Hold.copy: copy_id}
    ).where(Hold.id == hold["id"])
    if hold["copy"] is not None and hold["copy"] != copy_id:
        # She took another copy from the shelf: the one set aside for her goes to the next.
        await pass_on(hold["copy"], today)
    return None


async def _swap_booking_to(
    copy_id: int, title_id: int, patron_id: int, today: date, set_aside_days: int
) -> dict | None:
    """She collects her booking with another copy of the title (staff took the nearest one):
    the booking moves to this copy if it is free over the range, and the copy set aside for
    her goes on to the next person."""
    booking = (
        await Booking.select(Booking.id, Booking.end_on, Booking.start_on, Booking.copy)
        .where(
            Booking.title == title_id,
            Booking.patron == patron_id,
            Booking.status.is_in(list(ACTIVE_BOOKING)),
            Booking.start_on <= today + timedelta(days=set_aside_days),
            Booking.end_on >= today,
        )
        .order_by(Booking.start_on)
        .first()
    )
    if booking is None:
        return None
    others = await Booking.select(Booking.start_on, Booking.end_on).where(
        Booking.copy == copy_id,
        Booking.status.is_in(list(ACTIVE_BOOKING)),
        Booking.id != booking["id"],
    )
    plan = policy.CopyPlan(copy_id, tuple(policy.Span(o["start_on"], o["end_on"]) for o in others))
    buffer_days = int(await get_setting("booking_buffer_days"))
    wanted = policy.Span(min(today, booking["start_on"]), booking["end_on"])
    if not policy.copy_is_free(plan, wanted, buffer_days, today):
        return None
    old_copy = booking["copy"]
    await Booking.update({Booking.copy: copy_id}).where(Booking.id == booking["id"])
    if old_copy != copy_id:
        await pass_on(old_copy, today)
    return booking


async def latest_due_date(copy_id: int, from_day: date) -> date | None:
    """The last day a loan of this copy may run because of its next booking, or None."""
    rows = await Booking.select(Booking.start_on, Booking.end_on).where(
        Booking.copy == copy_id,
        Booking.status.is_in(list(ACTIVE_BOOKING)),
        Booking.end_on >= from_day,
    )
    buffer_days = int(await get_setting("booking_buffer_days"))
    return policy.latest_due_date(
        [policy.Span(r["start_on"], r["end_on"]) for r in rows], from_day, buffer_days
    )


async def others_waiting(title_id: int, patron_id: int) -> bool:
    """True when others wait for the title and no available copy can serve them."""
    waiting = await Hold.count().where(
        Hold.title == title_id, Hold.status == HoldStatus.waiting, Hold.patron != patron_id
    )
    if waiting == 0:
        return False
    available = await Copy.count().where(
        Copy.title == title_id, Copy.status == CopyStatus.available
    )
    return waiting > available


async def on_return(copy_id: int, today: date) -> str | None:
    """A copy came back: set it aside for a booking about to start or the first in the queue.
    Returns the message for the desk, or None when the copy goes back to the shelf."""
    served = await serve_copy(copy_id, today, CopyEvent.set_aside)
    if served is None:
        return None
    kind, record, day = served
    name = await _patron_name(record["patron"])
    if kind == "booking":
        return _("Ins Abholregal legen: reserviert für %(name)s ab %(start)s bis %(end)s.") % {
            "name": name,
            "start": f"{record['start_on']:%d.%m.%Y}",
            "end": f"{record['end_on']:%d.%m.%Y}",
        }
    return _("Ins Abholregal legen: vorgemerkt für %(name)s, abholbereit bis %(day)s.") % {
        "name": name,
        "day": f"{day:%d.%m.%Y}",
    }


async def move_out_of_closure(calendar: Calendar, first: date, last: date) -> list[Moved]:
    """Pickup deadlines and booking starts that fall on a day now closed (between ``first``
    and ``last``) move to the next opening day. Runs inside the caller's transaction; each
    update is conditional on the date read, so a hold picked up meanwhile is left alone."""
    moved: list[Moved] = []
    holds = await Hold.select(
        Hold.id, Hold.patron, Hold.pickup_until, Hold.title.title.as_alias("title_name")
    ).where(Hold.status == HoldStatus.ready, Hold.pickup_until >= first, Hold.pickup_until <= last)
    for hold in holds:
        new = moved_day(calendar, hold["pickup_until"])
        if new is None:
            continue
        done = (
            await Hold.update({Hold.pickup_until: new})
            .where(
                Hold.id == hold["id"],
                Hold.status == HoldStatus.ready,
                Hold.pickup_until == hold["pickup_until"],
            )
            .returning(Hold.id)
        )
        if done:
            moved.append(
                Moved(hold["patron"], "pickup_until", hold["title_name"], hold["pickup_until"], new)
            )
    bookings = await Booking.select(
        Booking.id,
        Booking.patron,
        Booking.start_on,
        Booking.end_on,
        Booking.title.title.as_alias("title_name"),
    ).where(
        Booking.status.is_in(list(ACTIVE_BOOKING)),
        Booking.start_on >= first,
        Booking.start_on <= last,
    )
    for booking in bookings:
        new = moved_day(calendar, booking["start_on"])
        if new is None:
            continue
        # A later start only shortens the range, so it cannot run into another booking;
        # a range that lay wholly inside the closure keeps one day.
        done = (
            await Booking.update(
                {Booking.start_on: new, Booking.end_on: max(new, booking["end_on"])}
            )
            .where(Booking.id == booking["id"], Booking.start_on == booking["start_on"])
            .returning(Booking.id)
        )
        if done:
            moved.append(
                Moved(
                    booking["patron"],
                    "booking_start",
                    booking["title_name"],
                    booking["start_on"],
                    new,
                )
            )
    return moved
