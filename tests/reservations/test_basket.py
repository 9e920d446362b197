"""The Merkliste (basket) and sets: several titles booked together for one course week."""

import asyncio
from datetime import date

import pytest

from mediathek.audit import AuditLog
from mediathek.catalogue.tables import Title
from mediathek.clock import now
from mediathek.errors import InvalidInput, NotFound
from mediathek.notifications.tables import Notification, NotificationKind
from mediathek.reservations import basket, for_borrower, sets
from mediathek.reservations.basket import Line
from mediathek.reservations.services import book
from mediathek.reservations.sets import SetDraft
from mediathek.reservations.tables import BasketItem, Booking
from tests.factories import add_copy, add_title, make_persona, title_with_copy_ids

D = date
MON, FRI = D(2026, 3, 16), D(2026, 3, 20)


async def test_a_teacher_books_her_whole_merkliste_for_her_course_week(teacher_anna, today):
    game, _ = await title_with_copy_ids(3, "Memo Obst")
    cards, _ = await title_with_copy_ids(1, "Bildkarten Tiere")
    await basket.add(teacher_anna.patron_id, game, 2)
    await basket.add(teacher_anna.patron_id, cards)

    result = await basket.book_basket(teacher_anna.patron_id, MON, FRI, today)

    assert [(line.title, line.status, line.booked) for line in result.lines] == [
        ("Memo Obst", "booked", 2),
        ("Bildkarten Tiere", "booked", 1),
    ]
    copies = [b["copy"] for b in await Booking.select(Booking.copy)]
    assert len(copies) == len(set(copies)) == 3
    assert await basket.items(teacher_anna.patron_id) == []  # emptied after booking
    assert (
        await Notification.count().where(Notification.kind == NotificationKind.booking_confirmed)
        == 3
    )
    assert result.when == "Abholen ab Mo 16.03., zurückbringen bis Fr 20.03."


async def test_what_is_taken_stays_on_the_list_with_the_next_free_range_and_a_stand_in(
    teacher_anna, volunteer_ben, today
):
    taken = await add_title(
        "Tiptoi Bauernhof", "audio_pen_set", series="Tiptoi", topics=("Wortschatz",)
    )
    stand_in = await add_title(
        "Tiptoi Zoo", "audio_pen_set", series="Tiptoi", topics=("Tiere",), copies=("available",)
    )
    free, _ = await title_with_copy_ids(1, "Memo Obst")
    await book(volunteer_ben.patron_id, taken, MON, FRI, today)
    await basket.add(teacher_anna.patron_id, taken)
    await basket.add(teacher_anna.patron_id, free)

    result = await basket.book_basket(teacher_anna.patron_id, MON, FRI, today)

    rest = {line.title: line for line in result.rest}
    assert [line.title for line in result.booked] == ["Memo Obst"]
    line = rest["Tiptoi Bauernhof"]
    assert line.status == "none"
    # Ben's week plus the buffer day: free from Monday 23.3. for the same five days.
    assert (line.suggestion.start, line.suggestion.end) == (D(2026, 3, 23), D(2026, 3, 27))
    assert "23.03.2026 bis 27.03.2026" in line.message
    assert line.alternative == {
        "id": stand_in,
        "title": "Tiptoi Zoo",
        "why": "aus derselben Reihe „Tiptoi“",
    }
    assert [i["title"] for i in await basket.items(teacher_anna.patron_id)] == ["Tiptoi Bauernhof"]


async def test_a_stand_in_of_the_same_media_type_and_topic_when_no_series_fits(
    teacher_anna, volunteer_ben, today
):
    taken = await add_title("Bildkarten Obst", "picture_cards", topics=("Wortschatz", "Essen"))
    await add_title("Bildkarten Möbel", "picture_cards", topics=("Wohnen",))
    near = await add_title("Bildkarten Gemüse", "picture_cards", topics=("Essen", "Wortschatz"))
    await add_title("Kochbuch", "book", topics=("Essen", "Wortschatz"))
    await book(volunteer_ben.patron_id, taken, MON, FRI, today)
    result = await basket.book_lines(teacher_anna.patron_id, [Line(taken)], MON, FRI, today)
    assert result.lines[0].alternative["id"] == near


async def test_three_copies_wanted_two_free_books_two_and_offers_the_third(
    teacher_anna, volunteer_ben, today
):
    game, _ = await title_with_copy_ids(3, "Memo Obst")
    await book(volunteer_ben.patron_id, game, D(2026, 3, 18), D(2026, 3, 19), today)
    await basket.add(teacher_anna.patron_id, game, 3)

    result = await basket.book_basket(teacher_anna.patron_id, MON, FRI, today)

    [line] = result.lines
    assert (line.status, line.booked) == ("partly", 2)
    assert line.message.startswith("Nur 2 von 3 Exemplaren sind für diesen Zeitraum frei.")
    assert line.suggestion is not None
    assert (await basket.items(teacher_anna.patron_id))[0]["quantity"] == 1


async def test_a_range_starting_on_a_closed_day_proposes_the_nearest_opening_days(
    teacher_anna, today
):
    game, _ = await title_with_copy_ids(1)
    await basket.add(teacher_anna.patron_id, game)
    with pytest.raises(InvalidInput) as invalid:
        await basket.book_basket(teacher_anna.patron_id, D(2026, 3, 21), D(2026, 3, 27), today)
    assert "Am Sa 21.03. ist die Mediathek geschlossen" in invalid.value.message
    assert "Fr 20.03. oder Mo 23.03." in invalid.value.message
    assert await Booking.count() == 0
    assert await basket.count(teacher_anna.patron_id) == 1


async def test_a_title_withdrawn_since_it_was_put_on_the_list_is_named_and_taken_off(
    teacher_anna, today
):
    gone, _ = await title_with_copy_ids(1, "Altes Spiel")
    kept, _ = await title_with_copy_ids(1, "Memo Obst")
    await basket.add(teacher_anna.patron_id, gone)
    await basket.add(teacher_anna.patron_id, kept)
    await Title.update({Title.withdrawn_at: now()}).where(Title.id == gone)

    result = await basket.book_basket(teacher_anna.patron_id, MON, FRI, today)

    assert [(line.status, line.message) for line in result.rest] == [
        ("gone", "„Altes Spiel“ gibt es nicht mehr im Bestand.")
    ]
    assert [line.title for line in result.booked] == ["Memo Obst"]
    assert await basket.count(teacher_anna.patron_id) == 0


async def test_more_copies_than_exist_are_refused_with_the_number_there_is(teacher_anna):
    game, _ = await title_with_copy_ids(2, "Memo Obst")
    with pytest.raises(InvalidInput) as invalid:
        await basket.add(teacher_anna.patron_id, game, 3)
    assert invalid.value.message == (
        "Von „Memo Obst“ gibt es nur 2 Exemplare – 3 sind nicht möglich."
    )
    await basket.add(teacher_anna.patron_id, game, 2)
    with pytest.raises(InvalidInput):
        await basket.set_quantity(teacher_anna.patron_id, game, 0)
    assert (await basket.items(teacher_anna.patron_id))[0]["quantity"] == 2


async def test_adding_twice_keeps_one_line_and_removing_takes_it_off(teacher_anna):
    game, _ = await title_with_copy_ids(2)
    assert await basket.add(teacher_anna.patron_id, game) is True
    assert await basket.add(teacher_anna.patron_id, game) is False
    assert await BasketItem.count() == 1
    await basket.set_quantity(teacher_anna.patron_id, game, 2)
    await basket.remove(teacher_anna.patron_id, game)
    assert await basket.count(teacher_anna.patron_id) == 0
    with pytest.raises(NotFound):
        await basket.add(teacher_anna.patron_id, 999_999)


async def test_an_empty_list_cannot_be_booked(teacher_anna, today):
    with pytest.raises(InvalidInput, match="Ihre Merkliste ist leer."):
        await basket.book_basket(teacher_anna.patron_id, MON, FRI, today)


async def test_two_teachers_booking_overlapping_baskets_at_once_never_share_a_copy(db, today):
    shared, _ = await title_with_copy_ids(2, "Memo Obst")
    last, _ = await title_with_copy_ids(1, "Bildkarten Tiere")
    people = [await make_persona(f"Lehrkraft {i}", None, "paid_teacher") for i in range(6)]
    for p in people:
        await basket.add(p.patron_id, shared)
        await basket.add(p.patron_id, last)

    results = await asyncio.gather(
        *[basket.book_basket(p.patron_id, MON, FRI, today) for p in people]
    )

    booked = [line.title for r in results for line in r.booked]
    assert sorted(booked) == ["Bildkarten Tiere", "Memo Obst", "Memo Obst"]
    copies = [b["copy"] for b in await Booking.select(Booking.copy)]
    assert len(copies) == len(set(copies)) == 3


async def test_staff_define_a_set_and_a_teacher_books_it_as_one(staff, teacher_anna, today):
    game, _ = await title_with_copy_ids(3, "Memo Obst")
    cards, _ = await title_with_copy_ids(1, "Bildkarten Tiere")
    set_id = await sets.save_set(
        SetDraft("Kita-Sprachförderpaket A1", "Für die erste Woche", (Line(game, 2), Line(cards))),
        None,
        staff.account_id,
    )
    [shown] = await sets.list_sets()
    assert [(i["title"], i["quantity"]) for i in shown["items"]] == [
        ("Memo Obst", 2),
        ("Bildkarten Tiere", 1),
    ]

    result = await sets.book_set(set_id, teacher_anna.patron_id, MON, FRI, today)

    assert [line.booked for line in result.lines] == [2, 1]
    assert await Booking.count() == 3


async def test_a_set_is_checked_in_german_before_it_is_saved(staff):
    game, _ = await title_with_copy_ids(1, "Memo Obst")
    with pytest.raises(InvalidInput) as invalid:
        await sets.save_set(SetDraft("  ", "", (Line(game, 4), Line(999_999))), None, None)
    assert invalid.value.errors["name"] == "Bitte geben Sie dem Set einen Namen."
    assert (
        "Von „Memo Obst“ gibt es nur 1 Exemplare – 4 sind nicht möglich."
        in (invalid.value.errors["titles"])
    )
    assert "Nr. 999999" in invalid.value.errors["titles"]
    set_id = await sets.save_set(SetDraft("Paket", "", (Line(game),)), None, None)
    with pytest.raises(InvalidInput) as duplicate:
        await sets.save_set(SetDraft("Paket", "", (Line(game),)), None, None)
    assert duplicate.value.errors["name"] == "Ein Set mit diesem Namen gibt es schon."
    await sets.save_set(SetDraft("Paket B", "neu", (Line(game),)), set_id, None)
    assert (await sets.get_set(set_id))["name"] == "Paket B"
    await sets.delete_set(set_id, None)
    with pytest.raises(NotFound):
        await sets.get_set(set_id)


async def test_staff_book_a_set_for_a_borrower_without_a_login(staff, walkin_carla, today):
    game, _ = await title_with_copy_ids(2, "Memo Obst")
    await add_copy(game)
    set_id = await sets.save_set(SetDraft("Spielekiste", "", (Line(game, 3),)), None, None)

    result = await for_borrower.book_many_for(
        walkin_carla.patron_id,
        set_id=set_id,
        start_on=MON,
        end_on=FRI,
        today=today,
        staff_id=staff.account_id,
    )

    assert result.lines[0].booked == 3
    assert await Booking.count().where(Booking.patron == walkin_carla.patron_id) == 3
    assert await AuditLog.count().where(AuditLog.action == "booking.placed_for_patron") == 3
    assert (
        await Notification.count().where(
            Notification.kind == NotificationKind.booking_confirmed,
            Notification.patron == walkin_carla.patron_id,
        )
        == 3
    )


async def test_a_blocked_teacher_cannot_book_her_list(db, today):
    blocked = await make_persona("Bea Block", None, "paid_teacher", blocked_reason="Mahnung")
    game, _ = await title_with_copy_ids(1)
    await basket.add(blocked.patron_id, game)
    with pytest.raises(Exception, match="gesperrt"):
        await basket.book_basket(blocked.patron_id, MON, FRI, today)
    assert await Booking.count() == 0


async def test_a_range_more_than_a_year_ahead_is_refused_in_german(teacher_anna, today):
    game, _ = await title_with_copy_ids(1)
    await basket.add(teacher_anna.patron_id, game)
    with pytest.raises(InvalidInput) as invalid:
        await basket.book_basket(teacher_anna.patron_id, D(9999, 12, 24), D(9999, 12, 24), today)
    assert invalid.value.errors["start_on"] == (
        "Reservierungen sind höchstens ein Jahr im Voraus möglich (bis 10.03.2027)."
    )
