"""Read-only lists about one patron: what they have open (loans, holds, bookings)."""

from __future__ import annotations

from mediathek.circulation.tables import Loan
from mediathek.reservations.tables import Booking, BookingStatus, Hold, HoldStatus


async def open_loans(patron_id: int) -> list[dict]:
    return (
        await Loan.select(
            Loan.id,
            Loan.title.title.as_alias("title"),
            Loan.copy.barcode.as_alias("barcode"),
            Loan.loaned_on,
            Loan.due_on,
            Loan.renewals,
        )
        .where(Loan.patron == patron_id, Loan.returned_at.is_null())
        .order_by(Loan.due_on)
    )


async def active_holds(patron_id: int) -> list[dict]:
    return (
        await Hold.select(
            Hold.id, Hold.title.title.as_alias("title"), Hold.status, Hold.pickup_until
        )
        .where(Hold.patron == patron_id, Hold.status.is_in([HoldStatus.waiting, HoldStatus.ready]))
        .order_by(Hold.placed_at)
    )


async def active_bookings(patron_id: int) -> list[dict]:
    return (
        await Booking.select(
            Booking.id,
            Booking.title.title.as_alias("title"),
            Booking.start_on,
            Booking.end_on,
            Booking.status,
        )
        .where(
            Booking.patron == patron_id,
            Booking.status.is_in([BookingStatus.confirmed, BookingStatus.ready]),
        )
        .order_by(Booking.start_on)
    )
