"""Read models for pages and the API: a patron's holds and bookings, the staff lists."""

from __future__ import annotations

from datetime import date, timedelta

from mediathek.catalogue.tables import Copy, CopyStatus, Title
from mediathek.errors import NotFound
from mediathek.reservations.policy import pickup_return_text
from mediathek.reservations.services import ACTIVE_HOLD, longest_booking_for, queue_of
from mediathek.reservations.setaside import ACTIVE_BOOKING, PULL_NOTE, PUT_BACK_NOTE
from mediathek.reservations.tables import Booking, BookingStatus, Hold, HoldStatus
from mediathek.site_settings import get_setting

HOLD_STATUS_LABELS = {
    HoldStatus.waiting: "wartet",
    HoldStatus.ready: "abholbereit",
    HoldStatus.fulfilled: "abgeholt",
    HoldStatus.cancelled: "storniert",
    HoldStatus.expired: "abgelaufen",
}
BOOKING_STATUS_LABELS = {
    BookingStatus.confirmed: "bestätigt",
    BookingStatus.ready: "abholbereit",
    BookingStatus.collected: "abgeholt",
    BookingStatus.cancelled: "storniert",
    BookingStatus.expired: "nicht abgeholt",
}


def _patron_name(row: dict, prefix: str = "patron.") -> str:
    name = f"{row[prefix + 'first_name']} {row[prefix + 'last_name']}".strip()
    return f"{name} ({row[prefix + 'institution']})" if row[prefix + "institution"] else name


async def my_holds(patron_id: int) -> list[dict]:
    """Open holds of a patron, with their place in the queue."""
    rows = (
        await Hold.select(
            Hold.id,
            Hold.status,
            Hold.placed_at,
            Hold.pickup_until,
            Hold.title.id,
            Hold.title.title,
            Hold.copy.barcode,
        )
        .where(Hold.patron == patron_id, Hold.status.is_in(list(ACTIVE_HOLD)))
        .order_by(Hold.placed_at)
    )
    for row in rows:
        row["position"] = (
            (await queue_of(row["title.id"])).index(row["id"]) + 1
            if row["status"] == HoldStatus.waiting
            else 0
        )
        row["status_label"] = HOLD_STATUS_LABELS[HoldStatus(row["status"])]
    return rows


async def my_bookings(patron_id: int) -> list[dict]:
    rows = (
        await Booking.select(
            Booking.id,
            Booking.status,
            Booking.start_on,
            Booking.end_on,
            Booking.title.id,
            Booking.title.title,
            Booking.copy.barcode,
        )
        .where(Booking.patron == patron_id, Booking.status.is_in(list(ACTIVE_BOOKING)))
        .order_by(Booking.start_on)
    )
    for row in rows:
        row["status_label"] = BOOKING_STATUS_LABELS[BookingStatus(row["status"])]
        row["plain"] = pickup_return_text(row["start_on"], row["end_on"])
    return rows


async def booking_for_calendar(booking_id: int, patron_id: int | None) -> dict | None:
    query = Booking.select(
        Booking.id,
        Booking.start_on,
        Booking.end_on,
        Booking.status,
        Booking.patron,
        Booking.title.title,
        Booking.copy.barcode,
    ).where(Booking.id == booking_id)
    row = await query.first()
    if row is None or (patron_id is not None and row["patron"] != patron_id):
        return None
    return row


async def title_summary(title_id: int) -> dict:
    """Queue length and copies on the shelf, for the title page's reservation box."""
    return {
        "queue_length": await Hold.count().where(
            Hold.title == title_id, Hold.status == HoldStatus.waiting
        ),
        "on_shelf": await Copy.count().where(
            Copy.title == title_id, Copy.status == CopyStatus.available
        ),
    }


async def own_reservations_of_title(title_id: int, patron_id: int) -> dict:
    hold = (
        await Hold.select(Hold.id, Hold.status, Hold.pickup_until)
        .where(
            Hold.title == title_id,
            Hold.patron == patron_id,
            Hold.status.is_in(list(ACTIVE_HOLD)),
        )
        .first()
    )
    if hold and hold["status"] == HoldStatus.waiting:
        hold["position"] = (await queue_of(title_id)).index(hold["id"]) + 1
    bookings = (
        await Booking.select(Booking.id, Booking.start_on, Booking.end_on)
        .where(
            Booking.title == title_id,
            Booking.patron == patron_id,
            Booking.status.is_in(list(ACTIVE_BOOKING)),
        )
        .order_by(Booking.start_on)
    )
    for row in bookings:
        row["plain"] = pickup_return_text(row["start_on"], row["end_on"])
    return {"hold": hold, "bookings": bookings}


_PATRON = ("first_name", "last_name", "institution", "card_barcode")


async def hold_shelf() -> list[dict]:
    """Everything lying on the hold shelf: ready holds and ready bookings, by deadline."""
    holds = await Hold.select(
        Hold.id,
        Hold.pickup_until,
        Hold.title.title,
        Hold.copy.id,
        Hold.copy.barcode,
        Hold.copy.status_note,
        *[getattr(Hold.patron, f) for f in _PATRON],
    ).where(Hold.status == HoldStatus.ready)
    bookings = await Booking.select(
        Booking.id,
        Booking.start_on,
        Booking.end_on,
        Booking.title.title,
        Booking.copy.id,
        Booking.copy.barcode,
        Booking.copy.status_note,
        *[getattr(Booking.patron, f) for f in _PATRON],
    ).where(Booking.status == BookingStatus.ready)
    items = [
        {
            "kind": "Vormerkung",
            "id": h["id"],
            "title": h["title.title"],
            "copy_id": h["copy.id"],
            "barcode": h["copy.barcode"],
            "patron": _patron_name(h),
            "card": h["patron.card_barcode"],
            "until": h["pickup_until"],
            "to_pull": h["copy.status_note"] == PULL_NOTE,
        }
        for h in holds
    ] + [
        {
            "kind": "Reservierung",
            "id": b["id"],
            "title": b["title.title"],
            "copy_id": b["copy.id"],
            "barcode": b["copy.barcode"],
            "patron": _patron_name(b),
            "card": b["patron.card_barcode"],
            "until": b["end_on"],
            "start_on": b["start_on"],
            "to_pull": b["copy.status_note"] == PULL_NOTE,
        }
        for b in bookings
    ]
    return sorted(items, key=lambda i: (i["until"] or date.max, i["title"]))


async def pull_list(today: date) -> dict:
    """What staff fetch from the shelves: copies set aside in the system but still standing
    on the shelf, and bookings whose set-aside day comes in the next days."""
    set_aside_days = int(await get_setting("booking_set_aside_days"))
    to_pull = [i for i in await hold_shelf() if i["to_pull"]]
    upcoming = (
        await Booking.select(
            Booking.id,
            Booking.start_on,
            Booking.end_on,
            Booking.title.title,
            Booking.copy.barcode,
            Booking.copy.shelf_mark,
            Booking.copy.status,
            *[getattr(Booking.patron, f) for f in _PATRON],
        )
        .where(
            Booking.status == BookingStatus.confirmed,
            Booking.start_on <= today + timedelta(days=set_aside_days + 3),
            Booking.end_on >= today,
        )
        .order_by(Booking.start_on)
    )
    for b in upcoming:
        b["patron"] = _patron_name(b)
    return {"to_pull": to_pull, "upcoming_bookings": upcoming}


async def put_back() -> list[dict]:
    """Copies whose pickup deadline passed and that nobody else needs: back to the shelf."""
    return (
        await Copy.select(Copy.id, Copy.barcode, Copy.shelf_mark, Copy.title.title)
        .where(Copy.status == CopyStatus.available, Copy.status_note == PUT_BACK_NOTE)
        .order_by(Copy.shelf_mark)
    )


async def title_exists(title_id: int) -> bool:
    return await Title.exists().where(Title.id == title_id, Title.withdrawn_at.is_null())


async def title_box(title_id: int, patron_id: int | None) -> dict:
    """What the reservation box of a title shows: the title, its queue and bookings in short,
    and for a logged-in patron her own holds and bookings and her longest booking."""
    title = (
        await Title.select(Title.id, Title.title, Title.media_type, Title.withdrawn_at)
        .where(Title.id == title_id)
        .first()
    )
    if title is None or title["withdrawn_at"] is not None:
        raise NotFound("Diesen Titel gibt es nicht (mehr).")
    return {
        "title": title,
        "summary": await title_summary(title_id),
        "own": await own_reservations_of_title(title_id, patron_id) if patron_id else None,
        "longest_booking": (
            await longest_booking_for(patron_id, title["media_type"]) if patron_id else None
        ),
    }
