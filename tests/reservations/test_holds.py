"""Holds: a queue per title, set aside on the shelf or at return, expired when not picked up."""

from datetime import date, timedelta

import pytest

from mediathek.catalogue.tables import Copy, CopyStatus
from mediathek.circulation.tables import CategoryLimit, Closure
from mediathek.errors import NotFound
from mediathek.notifications.tables import Notification, NotificationKind
from mediathek.reservations import hooks
from mediathek.reservations.queries import hold_shelf, my_holds, pull_list, put_back
from mediathek.reservations.services import (
    ReservationRefused,
    cancel_hold,
    place_hold,
    run_daily,
)
from mediathek.reservations.setaside import PULL_NOTE
from mediathek.reservations.tables import Hold, HoldStatus
from tests.factories import copy_status, give_back, lend, title_with_copy_ids


async def notices(kind):
    return (
        await Notification.select(Notification.patron, Notification.payload)
        .where(Notification.kind == kind)
        .output(load_json=True)
    )


async def test_a_copy_on_the_shelf_is_set_aside_at_once(teacher_anna, today):
    title_id, [copy_id] = await title_with_copy_ids(1)
    result = await place_hold(teacher_anna.patron_id, title_id, today)
    assert result.status == HoldStatus.ready
    assert result.pickup_until == date(2026, 3, 19)  # 7 opening days after Tue 10.03.
    assert await copy_status(copy_id) == CopyStatus.on_hold_shelf
    [notice] = await notices(NotificationKind.hold_ready)
    assert notice["patron"] == teacher_anna.patron_id
    assert notice["payload"]["pickup_until"] == "2026-03-19"
    assert notice["payload"]["title"] == "Bildkarten Obst"
    # Staff must fetch it from the shelf.
    assert [i["copy_id"] for i in (await pull_list(today))["to_pull"]] == [copy_id]


async def test_the_queue_is_first_come_first_served(
    teacher_anna, volunteer_ben, walkin_carla, today
):
    title_id, [copy_id] = await title_with_copy_ids(1)
    await lend(copy_id, walkin_carla.patron_id, today - timedelta(days=3))
    first = await place_hold(volunteer_ben.patron_id, title_id, today)
    second = await place_hold(teacher_anna.patron_id, title_id, today)
    assert (first.status, first.position) == (HoldStatus.waiting, 1)
    assert second.position == 2
    assert [h["position"] for h in await my_holds(teacher_anna.patron_id)] == [2]

    await give_back(copy_id)
    message = await hooks.on_return(copy_id, today)
    assert "Ben Yilmaz" in message and "19.03.2026" in message
    assert await copy_status(copy_id) == CopyStatus.on_hold_shelf
    assert (await my_holds(teacher_anna.patron_id))[0]["position"] == 1
    assert await hooks.reserved_for_other(copy_id, teacher_anna.patron_id)
    assert await hooks.reserved_for_other(copy_id, volunteer_ben.patron_id) is None


async def test_a_title_cannot_be_held_twice(teacher_anna, today):
    title_id, _ = await title_with_copy_ids(1)
    await place_hold(teacher_anna.patron_id, title_id, today)
    with pytest.raises(ReservationRefused, match="schon vorgemerkt"):
        await place_hold(teacher_anna.patron_id, title_id, today)


async def test_the_hold_limit_of_the_category_applies(teacher_anna, today):
    await CategoryLimit.insert(CategoryLimit(patron_category="paid_teacher", max_holds=1))
    first, _ = await title_with_copy_ids(1, "Eins")
    second, _ = await title_with_copy_ids(1, "Zwei")
    await place_hold(teacher_anna.patron_id, first, today)
    with pytest.raises(ReservationRefused, match="höchstens|mehr als 1"):
        await place_hold(teacher_anna.patron_id, second, today)
    assert await Hold.count() == 1


async def test_a_blocked_patron_cannot_place_a_hold(volunteer_dora_blocked, today):
    title_id, _ = await title_with_copy_ids(1)
    with pytest.raises(ReservationRefused, match="gesperrt"):
        await place_hold(volunteer_dora_blocked.patron_id, title_id, today)
    assert await Hold.count() == 0


async def test_cancelling_a_ready_hold_passes_the_copy_to_the_next(
    teacher_anna, volunteer_ben, today
):
    title_id, [copy_id] = await title_with_copy_ids(1)
    ready = await place_hold(teacher_anna.patron_id, title_id, today)
    await place_hold(volunteer_ben.patron_id, title_id, today)
    await cancel_hold(ready.hold_id, teacher_anna.patron_id, today)
    [shelf] = await hold_shelf()
    assert shelf["patron"] == "Ben Yilmaz"
    assert await copy_status(copy_id) == CopyStatus.on_hold_shelf


async def test_a_teacher_cannot_cancel_another_patrons_hold(teacher_anna, volunteer_ben, today):
    title_id, _ = await title_with_copy_ids(1)
    hold = await place_hold(teacher_anna.patron_id, title_id, today)
    with pytest.raises(NotFound):
        await cancel_hold(hold.hold_id, volunteer_ben.patron_id, today)


async def test_a_missed_pickup_expires_and_the_copy_goes_back_to_the_shelf(teacher_anna, today):
    title_id, [copy_id] = await title_with_copy_ids(1)
    await place_hold(teacher_anna.patron_id, title_id, today)
    assert (await run_daily(date(2026, 3, 19)))["holds_expired"] == 0
    result = await run_daily(date(2026, 3, 20))
    assert result["holds_expired"] == 1
    assert await copy_status(copy_id) == CopyStatus.available
    assert [c["id"] for c in await put_back()] == [copy_id]
    assert len(await notices(NotificationKind.hold_expired)) == 1
    # Idempotent: a second run the same day changes nothing and sends nothing twice.
    assert (await run_daily(date(2026, 3, 20)))["holds_expired"] == 0
    assert len(await notices(NotificationKind.hold_expired)) == 1


async def test_a_missed_pickup_passes_the_copy_to_the_next_in_line(
    teacher_anna, volunteer_ben, today
):
    title_id, [copy_id] = await title_with_copy_ids(1)
    await place_hold(teacher_anna.patron_id, title_id, today)
    await place_hold(volunteer_ben.patron_id, title_id, today)
    result = await run_daily(date(2026, 3, 20))
    assert result["copies_passed_on"] == 1
    [shelf] = await hold_shelf()
    assert shelf["patron"] == "Ben Yilmaz"
    assert shelf["until"] == date(2026, 3, 31)  # 7 opening days after Fri 20.03.
    assert await copy_status(copy_id) == CopyStatus.on_hold_shelf


async def test_a_return_on_a_closed_day_counts_the_pickup_days_from_the_next_opening_day(
    teacher_anna, volunteer_ben, today
):
    await Closure.insert(
        Closure(start_on=date(2026, 3, 16), end_on=date(2026, 3, 17), label="Fortbildung")
    )
    title_id, [copy_id] = await title_with_copy_ids(1)
    await lend(copy_id, volunteer_ben.patron_id, today - timedelta(days=10))
    await place_hold(teacher_anna.patron_id, title_id, today)
    await give_back(copy_id)
    # Returned through the book drop on Saturday 14.03.; Mon/Tue closed.
    message = await hooks.on_return(copy_id, date(2026, 3, 14))
    # Opening days: Wed 18, Thu 19, Fri 20, Mon 23, Tue 24, Wed 25, Thu 26.
    assert "26.03.2026" in message


async def test_checkout_fulfils_the_hold_and_renewal_waits_for_others(
    teacher_anna, volunteer_ben, today
):
    title_id, [copy_id] = await title_with_copy_ids(1)
    await place_hold(teacher_anna.patron_id, title_id, today)
    assert await hooks.fulfil_on_checkout(copy_id, teacher_anna.patron_id, today) is None
    [hold] = await Hold.select(Hold.status)
    assert hold["status"] == HoldStatus.fulfilled
    await Copy.update({Copy.status: CopyStatus.on_loan}).where(Copy.id == copy_id)
    assert not await hooks.others_waiting(title_id, teacher_anna.patron_id)
    await place_hold(volunteer_ben.patron_id, title_id, today)
    assert await hooks.others_waiting(title_id, teacher_anna.patron_id)
    assert not await hooks.others_waiting(title_id, volunteer_ben.patron_id)


async def test_taking_another_copy_from_the_shelf_releases_the_set_aside_one(teacher_anna, today):
    title_id, [first, second] = await title_with_copy_ids(2)
    await place_hold(teacher_anna.patron_id, title_id, today)
    held = (await Hold.select(Hold.copy).first())["copy"]
    other = second if held == first else first
    await hooks.fulfil_on_checkout(other, teacher_anna.patron_id, today)
    assert await copy_status(held) == CopyStatus.available
    assert (await Copy.select(Copy.status_note).where(Copy.id == held).first())[
        "status_note"
    ] != PULL_NOTE


async def test_a_title_she_has_on_loan_cannot_be_held(teacher_anna, today):
    title_id, [copy_id, _] = await title_with_copy_ids(2)
    await lend(copy_id, teacher_anna.patron_id, today - timedelta(days=3))
    with pytest.raises(ReservationRefused, match="ausgeliehen"):
        await place_hold(teacher_anna.patron_id, title_id, today)


async def test_a_copy_back_from_repair_goes_to_the_head_of_the_queue_not_the_newcomer(
    teacher_anna, volunteer_ben, walkin_carla, today
):
    title_id, [copy_id] = await title_with_copy_ids(1)
    await lend(copy_id, walkin_carla.patron_id, today - timedelta(days=3))
    await place_hold(volunteer_ben.patron_id, title_id, today)
    # Staff put the copy back on the shelf without the desk's return (e.g. after a repair).
    await Copy.update({Copy.status: CopyStatus.available}).where(Copy.id == copy_id)
    result = await place_hold(teacher_anna.patron_id, title_id, today)
    assert (result.status, result.position) == (HoldStatus.waiting, 1)
    [shelf] = await hold_shelf()
    assert shelf["patron"] == "Ben Yilmaz"
