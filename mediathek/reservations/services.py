"""Holds and bookings as verbs: load, ask the policy, write in one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from mediathek import i18n
from mediathek.catalogue.copy_moves import move_copy
from mediathek.catalogue.policy import CopyEvent
from mediathek.catalogue.tables import Copy, CopyStatus, Title
from mediathek.circulation.tables import Loan
from mediathek.clock import now
from mediathek.db import current_engine, is_sqlite, lock_rows, write_transaction
from mediathek.errors import Conflict, InvalidInput, NotFound
from mediathek.i18n import _
from mediathek.loan_rules import category_limits, loan_rule
from mediathek.notifications.outbox import enqueue, notice_key
from mediathek.notifications.tables import NotificationKind
from mediathek.opening_calendar import load_calendar
from mediathek.patrons.tables import Patron
from mediathek.reservations import policy
from mediathek.reservations.policy import Span
from mediathek.reservations.setaside import (
    ACTIVE_BOOKING,
    PULL_NOTE,
    PUT_BACK_NOTE,
    claim_copy,
    copy_plans,
    first_waiting_hold,
    free_copy_for_hold,
    make_booking_ready,
    make_hold_ready,
    pass_on,
    settings_for_reservations,
)
from mediathek.reservations.tables import Booking, BookingStatus, Hold, HoldStatus
from mediathek.site_settings import get_setting

ACTIVE_HOLD = (HoldStatus.waiting, HoldStatus.ready)
# How many days the availability calendar shows by default (six weeks).
CALENDAR_DAYS = 42


class ReservationRefused(Conflict):
    """The patron may not reserve (blocked, limit reached, already queued …)."""

    code = "reservation_refused"


class BookingUnavailable(Conflict):
    """No copy is free over the wanted range; ``suggestion`` is the next free range."""

    code = "booking_unavailable"

    def __init__(self, message: str, suggestion: Span | None) -> None:
        super().__init__(message)
        self.suggestion = suggestion


@dataclass(frozen=True)
class HoldResult:
    hold_id: int
    status: str
    position: int
    pickup_until: date | None


async def _patron(patron_id: int, today: date) -> dict:
    patron = (
        await Patron.select(
            Patron.id,
            Patron.category,
            Patron.status,
            Patron.blocked_reason,
            Patron.expires_on,
        )
        .where(Patron.id == patron_id)
        .first()
    )
    if patron is None:
        raise NotFound(_("Diese Person gibt es nicht."))
    reason = policy.patron_refusal(
        status=patron["status"],
        blocked_reason=patron["blocked_reason"],
        expires_on=patron["expires_on"],
        today=today,
    )
    if reason:
        raise ReservationRefused(reason)
    return patron


async def _title(title_id: int) -> dict:
    title = (
        await Title.select(Title.id, Title.title, Title.media_type, Title.withdrawn_at)
        .where(Title.id == title_id)
        .first()
    )
    if title is None or title["withdrawn_at"] is not None:
        raise NotFound(_("Diesen Titel gibt es nicht (mehr)."))
    return title


async def queue_of(title_id: int) -> list[int]:
    """Ids of the waiting holds of a title, first come first served."""
    rows = (
        await Hold.select(Hold.id)
        .where(Hold.title == title_id, Hold.status == HoldStatus.waiting)
        .order_by(Hold.placed_at)
        .order_by(Hold.id)
    )
    return [r["id"] for r in rows]


# ---- holds ---------------------------------------------------------------------------------


async def place_hold(patron_id: int, title_id: int, today: date) -> HoldResult:
    """Queue the patron for the title; a copy on the shelf is set aside for her at once."""
    async with write_transaction():
        # Her other holds wait here, so the hold limit counts each of them (PostgreSQL).
        await lock_rows("patron", patron_id)
        patron = await _patron(patron_id, today)
        await _title(title_id)
        if (
            await Copy.count().where(
                Copy.title == title_id, Copy.status.not_in([CopyStatus.lost, CopyStatus.withdrawn])
            )
            == 0
        ):
            raise ReservationRefused(_("Von diesem Titel gibt es kein Exemplar zum Ausleihen."))
        active = await Hold.select(Hold.title).where(
            Hold.patron == patron_id, Hold.status.is_in(list(ACTIVE_HOLD))
        )
        limits = await category_limits(patron["category"])
        reason = policy.hold_refusal(
            active_holds=len(active),
            max_holds=limits.max_holds,
            holds_this_title=any(h["title"] == title_id for h in active),
            has_it_on_loan=await Loan.exists().where(
                Loan.patron == patron_id, Loan.title == title_id, Loan.returned_at.is_null()
            ),
        )
        if reason:
            raise ReservationRefused(reason)
        row = await Hold.insert(
            Hold(title=title_id, patron=patron_id, status=HoldStatus.waiting, placed_at=now())
        ).returning(Hold.id)
        hold_id = row[0]["id"]
        # Copies on the shelf go to the queue from its head: usually to her at once.
        await serve_queue(title_id, today)
        hold = await Hold.select(Hold.status, Hold.pickup_until).where(Hold.id == hold_id).first()
        assert hold is not None  # inserted above, in this transaction
        if hold["status"] == HoldStatus.ready:
            return HoldResult(hold_id, HoldStatus.ready, 0, hold["pickup_until"])
        queue = await queue_of(title_id)
        return HoldResult(hold_id, HoldStatus.waiting, policy.queue_position(queue, hold_id), None)


async def cancel_hold(hold_id: int, patron_id: int | None, today: date) -> None:
    """Cancel a hold; ``patron_id`` None means staff (any hold). A set-aside copy moves on."""
    async with write_transaction():
        # A set-aside of this hold (a copy coming back) either happens before or sees it gone.
        await lock_rows("hold", hold_id)
        hold = (
            await Hold.select(Hold.id, Hold.patron, Hold.status, Hold.copy)
            .where(Hold.id == hold_id)
            .first()
        )
        if hold is None or (patron_id is not None and hold["patron"] != patron_id):
            raise NotFound(_("Diese Vormerkung gibt es nicht."))
        if hold["status"] not in ACTIVE_HOLD:
            raise Conflict(_("Diese Vormerkung ist schon abgeschlossen."))
        await Hold.update({Hold.status: HoldStatus.cancelled, Hold.closed_at: now()}).where(
            Hold.id == hold_id
        )
        if hold["status"] == HoldStatus.ready and hold["copy"] is not None:
            await pass_on(hold["copy"], today)


# ---- bookings ------------------------------------------------------------------------------


async def lock_copies_of(title_ids: list[int]) -> None:
    """Serialise bookings of these titles. SQLite's BEGIN IMMEDIATE already holds the write
    lock; on PostgreSQL the copy rows are locked so a second booking waits and then sees the
    first. Always in id order, so a single booking and a Merkliste sharing titles cannot
    deadlock."""
    if title_ids and not is_sqlite(current_engine()):
        await Copy.raw(
            "SELECT id FROM copy WHERE title = ANY({}) ORDER BY id FOR UPDATE", sorted(title_ids)
        )


async def longest_booking(patron_category: str, media_type: str) -> int:
    """Days a booking of this media type may span for this group (the booking box says it)."""
    rule = await loan_rule(patron_category, media_type)
    return policy.longest_booking(int(await get_setting("booking_max_days")), rule.loan_days)


async def longest_booking_for(patron_id: int, media_type: str) -> int | None:
    row = await Patron.select(Patron.category).where(Patron.id == patron_id).first()
    return await longest_booking(row["category"], media_type) if row else None


async def book(patron_id: int, title_id: int, start_on: date, end_on: date, today: date) -> int:
    """Reserve a copy of the title for [start_on, end_on]; returns the booking id."""
    async with write_transaction():
        patron = await _patron(patron_id, today)
        title = await _title(title_id)
        longest = await longest_booking(patron["category"], title["media_type"])
        # Too far ahead is said alone: the calendar rules look at the days around the range
        # (and at the year 9999 would run off the end of the calendar).
        errors = policy.far_ahead_errors(start_on, end_on, today) or policy.closed_day_errors(
            await load_calendar(today), start_on, end_on, today
        )
        # A range that is wrong in itself (past, reversed, too long) says that first.
        errors |= policy.booking_range_errors(start_on, end_on, today, longest)
        if errors:
            raise InvalidInput(" ".join(errors.values()), errors=errors)
        wanted = Span(start_on, end_on)
        # Locked first: two bookings of one title by one patron at once find each other.
        await lock_copies_of([title_id])
        if await Booking.exists().where(
            Booking.patron == patron_id,
            Booking.title == title_id,
            Booking.status.is_in(list(ACTIVE_BOOKING)),
            Booking.start_on <= end_on,
            Booking.end_on >= start_on,
        ):
            raise ReservationRefused(_("Sie haben diesen Titel für diese Zeit schon reserviert."))
        buffer_days, _set_aside, _longest = await settings_for_reservations()
        plans = await copy_plans(title_id, today)
        copy_id = policy.pick_copy(plans, wanted, buffer_days, today)
        if copy_id is None:
            calendar = await load_calendar(today)
            suggestion = policy.next_free_range(
                plans, wanted, buffer_days, today, is_open=calendar.is_open
            )
            message = _("Für diesen Zeitraum ist kein Exemplar frei.")
            if suggestion:
                message = _(
                    "Für diesen Zeitraum ist kein Exemplar frei. "
                    "Frei ist der Titel wieder vom %(start)s bis %(end)s."
                ) % {
                    "start": i18n.format_day(suggestion.start),
                    "end": i18n.format_day(suggestion.end),
                }
            raise BookingUnavailable(message, suggestion)
        row = await Booking.insert(
            Booking(
                title=title_id,
                patron=patron_id,
                copy=copy_id,
                start_on=start_on,
                end_on=end_on,
                status=BookingStatus.confirmed,
                created_at=now(),
            )
        ).returning(Booking.id)
        booking_id = row[0]["id"]
        await enqueue(
            NotificationKind.booking_confirmed,
            key=notice_key(NotificationKind.booking_confirmed, patron_id, today, booking_id),
            patron_id=patron_id,
            payload={
                "title": title["title"],
                "start_on": start_on.isoformat(),
                "end_on": end_on.isoformat(),
            },
        )
        # A booking that starts tomorrow is set aside right away.
        await _set_aside_bookings(today, booking_ids=[booking_id])
        return booking_id


async def cancel_booking(booking_id: int, patron_id: int | None, today: date) -> None:
    async with write_transaction():
        await lock_rows("booking", booking_id)
        booking = (
            await Booking.select(Booking.id, Booking.patron, Booking.status, Booking.copy)
            .where(Booking.id == booking_id)
            .first()
        )
        if booking is None or (patron_id is not None and booking["patron"] != patron_id):
            raise NotFound(_("Diese Reservierung gibt es nicht."))
        if booking["status"] not in ACTIVE_BOOKING:
            raise Conflict(_("Diese Reservierung ist schon abgeschlossen."))
        await Booking.update(
            {Booking.status: BookingStatus.cancelled, Booking.closed_at: now()}
        ).where(Booking.id == booking_id)
        if booking["status"] == BookingStatus.ready:
            await pass_on(booking["copy"], today)


async def availability(
    title_id: int, today: date, first_day: date | None = None, days: int = CALENDAR_DAYS
) -> list[tuple[date, int]]:
    """Copies free per day, from ``first_day`` (default tomorrow) on."""
    buffer_days = int(await get_setting("booking_buffer_days"))
    plans = await copy_plans(title_id, today)
    start = first_day or today + timedelta(days=1)
    return policy.availability(plans, start, days, buffer_days, today)


async def availability_calendar(
    title_id: int, today: date, first_day: date, days: int = CALENDAR_DAYS
) -> list[policy.CalendarDay]:
    """The calendar of the booking box: copies free per day, closed days marked."""
    buffer_days = int(await get_setting("booking_buffer_days"))
    plans = await copy_plans(title_id, today)
    counts = policy.availability(plans, first_day, days, buffer_days, today)
    return policy.calendar_days(counts, len(plans), await load_calendar(today), today)


# ---- the daily run -------------------------------------------------------------------------


async def _set_aside_bookings(today: date, booking_ids: list[int] | None = None) -> int:
    """Set aside copies for confirmed bookings starting within the set-aside days (of
    ``booking_ids`` only, when given). A copy that is not on the shelf is swapped for another
    copy free over the range, if there is one."""
    buffer_days, set_aside_days, _longest = await settings_for_reservations()
    query = Booking.select(
        Booking.id,
        Booking.patron,
        Booking.title,
        Booking.copy,
        Booking.start_on,
        Booking.end_on,
    ).where(
        Booking.status == BookingStatus.confirmed,
        Booking.start_on <= today + timedelta(days=set_aside_days),
        Booking.end_on >= today,
    )
    if booking_ids is not None:
        query = query.where(Booking.id.is_in(booking_ids))
    done = 0
    for booking in await query.order_by(Booking.start_on).order_by(Booking.id):
        copy_id = booking["copy"]
        if not await claim_copy(copy_id, note=PULL_NOTE):
            copy_id = await _swap_copy(booking, buffer_days, today)
            if copy_id is None:
                continue  # on_return sets it aside when the copy comes back
        copy = await Copy.select(Copy.barcode).where(Copy.id == copy_id).first()
        assert copy is not None  # claimed above: copies are withdrawn, never deleted
        await make_booking_ready(booking, copy["barcode"], today)
        done += 1
    return done


async def _swap_copy(booking: dict, buffer_days: int, today: date) -> int | None:
    wanted = Span(booking["start_on"], booking["end_on"])
    on_shelf = {
        c["id"]
        for c in await Copy.select(Copy.id).where(
            Copy.title == booking["title"], Copy.status == CopyStatus.available
        )
    }
    plans = [p for p in await copy_plans(booking["title"], today) if p.copy_id in on_shelf]
    copy_id = policy.pick_copy(plans, wanted, buffer_days, today)
    if copy_id is None or not await claim_copy(copy_id, note=PULL_NOTE):
        return None
    await Booking.update({Booking.copy: copy_id}).where(Booking.id == booking["id"])
    return copy_id


async def run_daily(today: date) -> dict:
    """Expire missed pickups and uncollected bookings, set aside copies for bookings about to
    start, serve queues from copies on the shelf. Safe to run more than once a day."""
    expired_holds = passed_on = expired_bookings = 0
    async with write_transaction():
        missed = await Hold.select(Hold.id, Hold.patron, Hold.title, Hold.copy).where(
            Hold.status == HoldStatus.ready, Hold.pickup_until < today
        )
        for hold in missed:
            await Hold.update({Hold.status: HoldStatus.expired, Hold.closed_at: now()}).where(
                Hold.id == hold["id"]
            )
            title = await Title.select(Title.title).where(Title.id == hold["title"]).first()
            await enqueue(
                NotificationKind.hold_expired,
                key=notice_key(NotificationKind.hold_expired, hold["patron"], today, hold["id"]),
                patron_id=hold["patron"],
                payload={"title": title["title"] if title else ""},
            )
            expired_holds += 1
            if hold["copy"] is not None and await pass_on(hold["copy"], today) == "passed":
                passed_on += 1

        stale = await Booking.select(Booking.id, Booking.status, Booking.copy).where(
            Booking.status.is_in(list(ACTIVE_BOOKING)), Booking.end_on < today
        )
        for booking in stale:
            await Booking.update(
                {Booking.status: BookingStatus.expired, Booking.closed_at: now()}
            ).where(Booking.id == booking["id"])
            expired_bookings += 1
            if booking["status"] == BookingStatus.ready:
                await pass_on(booking["copy"], today)

        bookings_ready = await _set_aside_bookings(today)
        holds_served = await _serve_waiting_holds(today)
    return {
        "holds_expired": expired_holds,
        "copies_passed_on": passed_on,
        "bookings_expired": expired_bookings,
        "bookings_ready": bookings_ready,
        "holds_ready": holds_served,
    }


async def _serve_waiting_holds(today: date) -> int:
    """Copies that came back to the shelf by another way (repair, found) go to the queue."""
    titles = {
        r["title"] for r in await Hold.select(Hold.title).where(Hold.status == HoldStatus.waiting)
    }
    return sum([await serve_queue(title_id, today) for title_id in sorted(titles)])


async def serve_queue(title_id: int, today: date) -> int:
    """Set aside copies on the shelf for the first in the queue, as long as both last."""
    served = 0
    while await first_waiting_hold(title_id) is not None:
        copy = await free_copy_for_hold(title_id, today)
        if copy is None or not await claim_copy(copy["id"], note=PULL_NOTE):
            break
        if await make_hold_ready(title_id, copy["id"], copy["barcode"], today) is None:
            # Another copy served the last waiting hold meanwhile (PostgreSQL).
            await move_copy(copy["id"], CopyEvent.release, note="")
            break
        served += 1
    return served


async def mark_moved(copy_id: int) -> bool:
    """Staff confirm they pulled or shelved the copy: the note goes."""
    rows = (
        await Copy.update({Copy.status_note: ""})
        .where(Copy.id == copy_id, Copy.status_note.is_in([PULL_NOTE, PUT_BACK_NOTE]))
        .returning(Copy.id)
    )
    return bool(rows)
