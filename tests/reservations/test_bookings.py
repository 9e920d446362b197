"""Bookings: a copy for a date range, with a buffer, set aside before the start."""

import asyncio
from datetime import date, timedelta

import pytest

from mediathek.catalogue.tables import CopyStatus
from mediathek.circulation.tables import LoanRule
from mediathek.errors import InvalidInput
from mediathek.notifications.tables import Notification, NotificationKind
from mediathek.reservations import hooks
from mediathek.reservations.services import (
    BookingUnavailable,
    availability,
    book,
    cancel_booking,
    place_hold,
    run_daily,
)
from mediathek.reservations.tables import Booking, BookingStatus, Hold, HoldStatus
from tests.factories import copy_status, give_back, lend, make_persona, title_with_copy_ids

D = date


async def test_a_teacher_books_a_title_for_her_course_week(teacher_anna, today):
    title_id, [copy_id] = await title_with_copy_ids(1)
    booking_id = await book(teacher_anna.patron_id, title_id, D(2026, 3, 16), D(2026, 3, 20), today)
    row = await Booking.select().where(Booking.id == booking_id).first()
    assert (row["copy"], row["status"]) == (copy_id, BookingStatus.confirmed)
    assert (
        await Notification.count().where(Notification.kind == NotificationKind.booking_confirmed)
        == 1
    )


async def test_an_overlapping_booking_is_refused_with_the_next_free_range(
    teacher_anna, volunteer_ben, today
):
    title_id, _ = await title_with_copy_ids(1)
    await book(teacher_anna.patron_id, title_id, D(2026, 3, 16), D(2026, 3, 20), today)
    with pytest.raises(BookingUnavailable) as refused:
        await book(volunteer_ben.patron_id, title_id, D(2026, 3, 18), D(2026, 3, 19), today)
    # Free again from Sunday 22.3. (after the buffer day): the suggestion starts on Monday,
    # an opening day, and ends on one.
    assert refused.value.suggestion.start == D(2026, 3, 23)
    assert "23.03.2026 bis 24.03.2026" in refused.value.message


async def test_pickup_and_return_days_must_be_opening_days(teacher_anna, today):
    title_id, _ = await title_with_copy_ids(1)
    with pytest.raises(InvalidInput) as invalid:
        # Saturday 21.3. to Easter Monday 6.4.
        await book(teacher_anna.patron_id, title_id, D(2026, 3, 21), D(2026, 4, 6), today)
    assert invalid.value.errors["start_on"] == (
        "Am Sa 21.03. ist die Mediathek geschlossen (kein Öffnungstag). Der Abholtag muss ein "
        "Öffnungstag sein, zum Beispiel Fr 20.03. oder Mo 23.03."
    )
    assert "Ostermontag" in invalid.value.errors["end_on"]
    assert "Di 07.04." in invalid.value.errors["end_on"]
    assert "Sa 21.03." in invalid.value.message  # the API's problem document says it too
    assert await Booking.count() == 0


async def test_the_range_must_start_in_the_future_and_fit_the_loan_days(teacher_anna, today):
    title_id, _ = await title_with_copy_ids(1)
    await LoanRule.insert(LoanRule(patron_category="paid_teacher", media_type="game", loan_days=7))
    with pytest.raises(InvalidInput) as invalid:
        await book(teacher_anna.patron_id, title_id, today, D(2026, 3, 20), today)
    assert "start_on" in invalid.value.errors and "end_on" in invalid.value.errors
    assert await Booking.count() == 0


async def test_a_booking_starting_on_the_day_a_copy_is_due_back_takes_a_free_copy(
    teacher_anna, volunteer_ben, today
):
    title_id, [lent_copy, free_copy] = await title_with_copy_ids(2)
    await lend(lent_copy, volunteer_ben.patron_id, D(2026, 2, 16), due_on=D(2026, 3, 16))
    booking_id = await book(teacher_anna.patron_id, title_id, D(2026, 3, 16), D(2026, 3, 18), today)
    assert (await Booking.select(Booking.copy).where(Booking.id == booking_id).first())[
        "copy"
    ] == free_copy
    # With the other copy gone too, the answer names the day after the return's buffer.
    with pytest.raises(BookingUnavailable) as refused:
        await book(volunteer_ben.patron_id, title_id, D(2026, 3, 16), D(2026, 3, 17), today)
    assert refused.value.suggestion.start == D(2026, 3, 18)


async def test_back_to_back_bookings_leave_the_buffer_day(teacher_anna, volunteer_ben, today):
    title_id, _ = await title_with_copy_ids(1)
    # Anna returns on Wednesday 18.3.; Thursday is the buffer day, Ben picks up from Friday.
    await book(teacher_anna.patron_id, title_id, D(2026, 3, 16), D(2026, 3, 18), today)
    with pytest.raises(BookingUnavailable):
        await book(volunteer_ben.patron_id, title_id, D(2026, 3, 19), D(2026, 3, 25), today)
    await book(volunteer_ben.patron_id, title_id, D(2026, 3, 20), D(2026, 3, 25), today)
    assert await Booking.count() == 2


async def test_ranges_over_daylight_saving_changes(teacher_anna, volunteer_ben, today):
    title_id, _ = await title_with_copy_ids(1)
    await book(teacher_anna.patron_id, title_id, D(2026, 3, 27), D(2026, 3, 30), today)
    await book(teacher_anna.patron_id, title_id, D(2026, 10, 23), D(2026, 10, 26), today)
    with pytest.raises(BookingUnavailable) as spring:
        await book(volunteer_ben.patron_id, title_id, D(2026, 3, 30), D(2026, 3, 30), today)
    assert spring.value.suggestion.start == D(2026, 4, 1)
    days = dict(await availability(title_id, today, D(2026, 10, 21), 8))
    assert [days[D(2026, 10, 21) + timedelta(days=i)] for i in range(8)] == [
        1,
        0,
        0,
        0,
        0,
        0,
        0,
        1,
    ]


async def test_a_renewal_cannot_run_into_an_existing_booking(teacher_anna, volunteer_ben, today):
    title_id, [copy_id] = await title_with_copy_ids(1)
    await lend(copy_id, volunteer_ben.patron_id, D(2026, 3, 2), due_on=D(2026, 3, 12))
    await book(teacher_anna.patron_id, title_id, D(2026, 3, 23), D(2026, 3, 27), today)
    # Renewing on 12.03. for 28 days would end on 09.04.; the loan may run to 21.03. only.
    assert await hooks.latest_due_date(copy_id, D(2026, 3, 12)) == D(2026, 3, 21)
    assert await hooks.latest_due_date(copy_id, D(2026, 3, 28)) is None


async def test_the_copy_is_set_aside_the_day_before_and_the_loan_ends_with_the_booking(
    teacher_anna, today
):
    title_id, [copy_id] = await title_with_copy_ids(1)
    booking_id = await book(teacher_anna.patron_id, title_id, D(2026, 3, 16), D(2026, 3, 20), today)
    assert (await run_daily(D(2026, 3, 14)))["bookings_ready"] == 0
    assert (await run_daily(D(2026, 3, 15)))["bookings_ready"] == 1
    assert (await run_daily(D(2026, 3, 15)))["bookings_ready"] == 0
    assert await copy_status(copy_id) == CopyStatus.on_hold_shelf
    assert (
        await Notification.count().where(Notification.kind == NotificationKind.booking_ready) == 1
    )
    other = await make_persona("Olga Andere", None, "volunteer_teacher")
    assert "reserviert" in await hooks.reserved_for_other(copy_id, other.patron_id)
    due = await hooks.fulfil_on_checkout(copy_id, teacher_anna.patron_id, D(2026, 3, 16))
    assert due == D(2026, 3, 20)
    status = await Booking.select(Booking.status).where(Booking.id == booking_id).first()
    assert status["status"] == BookingStatus.collected


async def test_a_copy_returned_late_is_set_aside_for_the_booking_at_return(
    teacher_anna, volunteer_ben, walkin_carla, today
):
    title_id, [copy_id] = await title_with_copy_ids(1)
    await book(teacher_anna.patron_id, title_id, D(2026, 3, 16), D(2026, 3, 20), today)
    await lend(copy_id, volunteer_ben.patron_id, D(2026, 3, 11), due_on=D(2026, 3, 13))
    await place_hold(walkin_carla.patron_id, title_id, today)
    await run_daily(D(2026, 3, 15))  # still on loan: nothing to set aside yet
    await give_back(copy_id)
    message = await hooks.on_return(copy_id, D(2026, 3, 16))
    assert "reserviert für Anna Berger" in message


async def test_uncollected_bookings_expire_and_cancelling_frees_the_range(
    teacher_anna, volunteer_ben, today
):
    title_id, [copy_id] = await title_with_copy_ids(1)
    first = await book(teacher_anna.patron_id, title_id, D(2026, 3, 16), D(2026, 3, 20), today)
    await run_daily(D(2026, 3, 15))
    assert (await run_daily(D(2026, 3, 21)))["bookings_expired"] == 1
    assert await copy_status(copy_id) == CopyStatus.available
    second = await book(teacher_anna.patron_id, title_id, D(2026, 4, 13), D(2026, 4, 17), today)
    await cancel_booking(second, teacher_anna.patron_id, today)
    await book(volunteer_ben.patron_id, title_id, D(2026, 4, 13), D(2026, 4, 17), today)
    assert first != second


async def test_two_teachers_booking_the_last_copy_at_once_exactly_one_wins(
    teacher_anna, volunteer_ben, today
):
    title_id, _ = await title_with_copy_ids(1)

    async def attempt(patron_id, start, end):
        try:
            return await book(patron_id, title_id, start, end, today)
        except BookingUnavailable:
            return None

    results = await asyncio.gather(
        attempt(teacher_anna.patron_id, D(2026, 3, 16), D(2026, 3, 20)),
        attempt(volunteer_ben.patron_id, D(2026, 3, 18), D(2026, 3, 24)),
    )
    assert sum(r is not None for r in results) == 1
    assert await Booking.count() == 1


async def test_many_concurrent_bookings_never_double_book_a_copy(db, today):
    title_id, _ = await title_with_copy_ids(2)
    people = [await make_persona(f"Lehrkraft {i}", None, "paid_teacher") for i in range(8)]

    async def attempt(patron_id):
        try:
            return await book(patron_id, title_id, D(2026, 3, 16), D(2026, 3, 20), today)
        except BookingUnavailable:
            return None

    results = await asyncio.gather(*[attempt(p.patron_id) for p in people])
    assert sum(r is not None for r in results) == 2
    copies = [b["copy"] for b in await Booking.select(Booking.copy)]
    assert len(set(copies)) == 2


async def test_collecting_a_booking_with_another_copy_moves_it_and_frees_the_set_aside_one(
    teacher_anna, today
):
    title_id, [first, second] = await title_with_copy_ids(2)
    booking_id = await book(teacher_anna.patron_id, title_id, D(2026, 3, 16), D(2026, 3, 20), today)
    await run_daily(D(2026, 3, 15))
    booked = (await Booking.select(Booking.copy).where(Booking.id == booking_id).first())["copy"]
    other = second if booked == first else first
    due = await hooks.fulfil_on_checkout(other, teacher_anna.patron_id, D(2026, 3, 16))
    assert due == D(2026, 3, 20)
    row = await Booking.select(Booking.copy, Booking.status).where(Booking.id == booking_id).first()
    assert (row["copy"], row["status"]) == (other, BookingStatus.collected)
    assert await copy_status(booked) == CopyStatus.available


async def test_the_desk_hooks_run_inside_the_desks_write_transaction(
    teacher_anna, volunteer_ben, today
):
    from mediathek.db import write_transaction

    title_id, [copy_id] = await title_with_copy_ids(1)
    await lend(copy_id, volunteer_ben.patron_id, D(2026, 3, 1))
    await place_hold(teacher_anna.patron_id, title_id, today)
    async with write_transaction():
        await give_back(copy_id)
        assert "Anna Berger" in await hooks.on_return(copy_id, today)
        assert await hooks.reserved_for_other(copy_id, volunteer_ben.patron_id)
    async with write_transaction():
        assert await hooks.fulfil_on_checkout(copy_id, teacher_anna.patron_id, today) is None
        assert await hooks.latest_due_date(copy_id, today) is None
        assert not await hooks.others_waiting(title_id, teacher_anna.patron_id)


async def test_a_checkout_is_concerned_only_by_open_holds_and_bookings_of_its_copy_or_title(
    teacher_anna, today
):
    title_id, [copy_id, sibling] = await title_with_copy_ids(2)
    other_title, [elsewhere] = await title_with_copy_ids(1, "Anderer Titel")
    patron = teacher_anna.patron_id

    def booking(title, copy, status=BookingStatus.confirmed, days_ahead=0):
        start = today + timedelta(days=days_ahead)
        return Booking(
            title=title,
            patron=patron,
            copy=copy,
            start_on=start,
            end_on=start + timedelta(days=3),
            status=status,
        )

    assert not await hooks.concern_checkout(copy_id, title_id)
    # Closed holds and bookings, and those of another title, concern no checkout.
    await Hold.insert(
        Hold(title=title_id, patron=patron, status=HoldStatus.fulfilled),
        Hold(title=other_title, patron=patron, status=HoldStatus.waiting),
    )
    await Booking.insert(
        booking(title_id, copy_id, BookingStatus.collected), booking(other_title, elsewhere)
    )
    assert not await hooks.concern_checkout(copy_id, title_id)
    waiting = await Hold.insert(Hold(title=title_id, patron=patron)).returning(Hold.id)
    assert await hooks.concern_checkout(copy_id, title_id)
    await Hold.delete().where(Hold.id == waiting[0]["id"])
    # A booking of another copy of the title: the desk may move it to this copy.
    await Booking.insert(booking(title_id, sibling, days_ahead=10))
    assert await hooks.concern_checkout(copy_id, title_id)


async def test_a_basket_and_a_single_booking_of_the_last_copy_at_once_never_share_it(
    teacher_anna, volunteer_ben, today
):
    from mediathek.reservations import basket

    title_id, _ = await title_with_copy_ids(1)
    other, _ = await title_with_copy_ids(1, "Memo Obst")
    await basket.add(teacher_anna.patron_id, other)
    await basket.add(teacher_anna.patron_id, title_id)

    async def single():
        try:
            return await book(
                volunteer_ben.patron_id, title_id, D(2026, 3, 16), D(2026, 3, 20), today
            )
        except BookingUnavailable:
            return None

    booked_basket, booked_single = await asyncio.gather(
        basket.book_basket(teacher_anna.patron_id, D(2026, 3, 17), D(2026, 3, 19), today), single()
    )
    took_it = [line.title_id for line in booked_basket.booked]
    assert (title_id in took_it) != (booked_single is not None)
    copies = [b["copy"] for b in await Booking.select(Booking.copy)]
    assert len(copies) == len(set(copies)) == 2
