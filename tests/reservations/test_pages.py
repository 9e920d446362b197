"""The reservation pages in the browser's shoes: forms, fragments, access, calendar file."""

from datetime import date, timedelta

from mediathek.reservations.tables import Booking, Hold
from tests.factories import next_years_monday, title_with_copy_ids

HTMX = {"HX-Request": "true"}


async def test_a_teacher_places_a_hold_and_sees_it_in_her_list(client_for, teacher_anna):
    title_id, _ = await title_with_copy_ids(1)
    async with client_for(teacher_anna) as c:
        page = await c.get(f"/titel/{title_id}/reservieren")
        assert page.status_code == 200 and "Vormerken" in page.text
        assert "Wann ist der Titel frei?" in page.text
        r = await c.post(f"/titel/{title_id}/vormerken", headers=HTMX)
        assert r.status_code == 200
        assert 'id="reservation-box"' in r.text and "<html" not in r.text
        assert "liegt für Sie bereit" in r.text
        mine = await c.get("/konto/reservierungen")
        assert "Bildkarten Obst" in mine.text and "abholbereit" in mine.text


async def test_without_javascript_a_hold_redirects_to_the_list(client_for, teacher_anna):
    title_id, _ = await title_with_copy_ids(1)
    async with client_for(teacher_anna) as c:
        r = await c.post(f"/titel/{title_id}/vormerken")
        assert r.status_code == 303 and r.headers["location"].startswith("/konto/reservierungen")


async def test_a_booking_form_with_a_past_day_comes_back_with_a_german_message(
    client_for, teacher_anna
):
    title_id, _ = await title_with_copy_ids(1)
    async with client_for(teacher_anna) as c:
        r = await c.post(
            f"/titel/{title_id}/reservieren",
            data={"start_on": "2020-01-01", "end_on": "2020-01-03"},
            headers=HTMX,
        )
    assert r.status_code == 422
    assert "Der erste Tag muss in der Zukunft liegen" in r.text
    assert await Booking.count() == 0


async def test_a_taken_range_is_answered_with_the_next_free_range(
    client_for, teacher_anna, volunteer_ben, today
):
    from mediathek.reservations.services import book

    title_id, _ = await title_with_copy_ids(1)
    # The pages use the real clock: a February of next year is always in the future.
    start = next_years_monday()
    await book(volunteer_ben.patron_id, title_id, start, start + timedelta(4), today)
    async with client_for(teacher_anna) as c:
        r = await c.post(
            f"/titel/{title_id}/reservieren",
            data={"start_on": start.isoformat(), "end_on": (start + timedelta(1)).isoformat()},
            headers=HTMX,
        )
    assert r.status_code == 422
    assert "kein Exemplar frei" in r.text and f"{start + timedelta(7):%d.%m.}" in r.text


async def test_a_teacher_books_cancels_and_downloads_the_calendar_file(client_for, teacher_anna):
    title_id, _ = await title_with_copy_ids(1)
    start = next_years_monday()
    async with client_for(teacher_anna) as c:
        r = await c.post(
            f"/titel/{title_id}/reservieren",
            data={"start_on": start.isoformat(), "end_on": (start + timedelta(4)).isoformat()},
        )
        assert r.status_code == 303
        [booking] = await Booking.select(Booking.id)
        ics = await c.get(f"/konto/reservierungen/{booking['id']}/kalender.ics")
        assert ics.headers["content-type"].startswith("text/calendar")
        assert f"DTSTART;VALUE=DATE:{start:%Y%m%d}" in ics.text
        assert "Abholen: Bildkarten Obst" in ics.text and "BEGIN:VALARM" in ics.text
        assert "Zurückbringen: Bildkarten Obst" in ics.text and "LOCATION:" in ics.text
        mine = await c.get("/konto/reservierungen")
        assert "kalender.ics" in mine.text
        r = await c.post(f"/konto/reservierungen/{booking['id']}/stornieren", headers=HTMX)
        assert r.status_code == 200 and "Die Reservierung ist storniert." in r.text


async def test_a_teacher_cannot_touch_another_patrons_reservations(
    client_for, teacher_anna, volunteer_ben, today
):
    from mediathek.reservations.services import book, place_hold

    title_id, _ = await title_with_copy_ids(1)
    hold = await place_hold(volunteer_ben.patron_id, title_id, today)
    booking_id = await book(
        volunteer_ben.patron_id, title_id, date(2026, 4, 13), date(2026, 4, 14), today
    )
    async with client_for(teacher_anna) as c:
        assert (await c.post(f"/konto/vormerkungen/{hold.hold_id}/stornieren")).status_code == 404
        assert (await c.get(f"/konto/reservierungen/{booking_id}/kalender.ics")).status_code == 404
        assert "Bildkarten" not in (await c.get("/konto/reservierungen")).text
    assert await Hold.count().where(Hold.status == "ready") == 1


async def test_anonymous_visitors_see_availability_but_no_forms(client):
    title_id, _ = await title_with_copy_ids(2)
    r = await client.get(f"/reservierungen/titel/{title_id}", headers=HTMX)
    assert r.status_code == 200 and "2 frei" in r.text and "Melden Sie sich an" in r.text
    r = await client.get(f"/titel/{title_id}/reservieren")
    assert r.status_code in (302, 303)


async def test_staff_see_the_hold_shelf_and_what_to_pull(client_for, staff, teacher_anna, today):
    from mediathek.reservations.services import place_hold

    title_id, [copy_id] = await title_with_copy_ids(1)
    await place_hold(teacher_anna.patron_id, title_id, today)
    async with client_for(staff) as c:
        overview = await c.get("/verwaltung")
        assert "Vormerkungen &amp; Abholregal" in overview.text
        page = await c.get("/verwaltung/vormerkungen")
        assert page.status_code == 200 and "Anna Berger" in page.text
        assert "Liegt im Abholregal" in page.text
        r = await c.post(f"/verwaltung/vormerkungen/exemplare/{copy_id}/erledigt")
        assert r.status_code == 303
        page = await c.get("/verwaltung/vormerkungen")
        assert "Nichts zu holen." in page.text


async def test_teachers_cannot_open_the_staff_page(client_for, teacher_anna):
    async with client_for(teacher_anna) as c:
        assert (await c.get("/verwaltung/vormerkungen")).status_code == 403


async def test_the_fragments_load_themselves_when_a_page_includes_them_without_data(
    app, client_for, teacher_anna, today
):
    from mediathek.reservations.services import place_hold

    env = app.template_engine.engine
    shell = env.get_template("reservations/_title_actions.html").render(title_id=5)
    assert 'hx-get="/reservierungen/titel/5"' in shell and 'href="/titel/5/reservieren"' in shell
    holds_shell = env.get_template("reservations/_my_holds.html").render()
    assert 'hx-get="/konto/reservierungen/vormerkungen"' in holds_shell
    bookings_shell = env.get_template("reservations/_my_bookings.html").render()
    assert 'hx-get="/konto/reservierungen/zeitraeume"' in bookings_shell

    title_id, _ = await title_with_copy_ids(1)
    await place_hold(teacher_anna.patron_id, title_id, today)
    async with client_for(teacher_anna) as c:
        r = await c.get("/konto/reservierungen/vormerkungen", headers=HTMX)
        assert r.status_code == 200 and "<html" not in r.text and "Bildkarten Obst" in r.text
        r = await c.get("/konto/reservierungen/zeitraeume", headers=HTMX)
        assert "nichts für einen Zeitraum reserviert" in r.text


async def test_staff_cancel_a_hold_on_the_shelf_and_the_copy_goes_to_the_next(
    client_for, staff, teacher_anna, volunteer_ben, today
):
    from mediathek.reservations.services import place_hold

    title_id, _ = await title_with_copy_ids(1)
    first = await place_hold(teacher_anna.patron_id, title_id, today)
    await place_hold(volunteer_ben.patron_id, title_id, today)
    async with client_for(staff) as c:
        r = await c.post(f"/verwaltung/vormerkungen/{first.hold_id}/stornieren")
        assert r.status_code == 303
        page = await c.get("/verwaltung/vormerkungen?ok=storniert")
    assert "Ben Yilmaz" in page.text and "Anna Berger" not in page.text


async def test_the_calendar_marks_closed_days_and_colours_free_partly_none(
    client_for, teacher_anna, volunteer_ben, today
):
    from mediathek.reservations.services import book

    title_id, _ = await title_with_copy_ids(2)
    monday = next_years_monday()
    await book(volunteer_ben.patron_id, title_id, monday, monday + timedelta(2), today)
    async with client_for(teacher_anna) as c:
        page = await c.get(f"/reservierungen/titel/{title_id}/kalender?ab={monday}", headers=HTMX)
    html = page.text
    saturday = monday + timedelta(5)
    closed = '<td class="day-closed">\n          <span class="day-date">'
    # The date stays left to right inside an Arabic page.
    day = f'<bdi dir="ltr">{saturday:%d.%m.}</bdi>'
    assert closed + f'<span class="visually-hidden">Samstag, </span>{day}' in html
    assert f'data-day="{saturday}"' not in html  # a closed day cannot be picked
    partly = f'<td class="day-partly" data-day="{monday}" data-label="Mo {monday:%d.%m.}: 1 von 2'
    assert partly + ' frei"' in html
    week_after = monday + timedelta(14)
    assert f'<td class="day-free" data-day="{week_after}"' in html
    assert "geschlossen (kein Öffnungstag)" in html


async def test_a_booking_on_a_closed_day_is_refused_on_the_page_and_in_the_api(
    client_for, teacher_anna
):
    title_id, _ = await title_with_copy_ids(1)
    saturday = next_years_monday() + timedelta(5)
    async with client_for(teacher_anna) as c:
        page = await c.post(
            f"/titel/{title_id}/reservieren",
            data={"start_on": str(saturday), "end_on": str(saturday + timedelta(3))},
            headers=HTMX,
        )
        assert page.status_code == 422
        assert f"Am Sa {saturday:%d.%m.} ist die Mediathek geschlossen" in page.text
        friday, monday = saturday - timedelta(1), saturday + timedelta(2)
        assert f"Fr {friday:%d.%m.} oder Mo {monday:%d.%m.}" in page.text
        api = await c.post(
            "/api/v1/bookings",
            json={
                "title_id": title_id,
                "start_on": str(saturday),
                "end_on": str(monday + timedelta(1)),
            },
        )
        assert api.status_code == 422
        problem = api.json()
        assert f"Am Sa {saturday:%d.%m.} ist die Mediathek geschlossen" in problem["detail"]
        assert set(problem["errors"]) == {"start_on"}
    assert await Booking.count() == 0
