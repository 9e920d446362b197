"""The JSON API for holds and bookings: same rules, problem documents on refusals."""

from datetime import date, timedelta

from mediathek.reservations.tables import Booking
from tests.factories import next_years_monday, title_with_copy_ids

NEXT_YEAR = date.today().year + 1
MONDAY = next_years_monday()


async def test_a_teacher_places_lists_and_cancels_a_hold(client_for, teacher_anna):
    title_id, _ = await title_with_copy_ids(1)
    async with client_for(teacher_anna) as c:
        r = await c.post("/api/v1/holds", json={"title_id": title_id})
        assert r.status_code == 201, r.text
        hold = r.json()
        assert hold["status"] == "ready" and hold["title"] == "Bildkarten Obst"
        assert [h["id"] for h in (await c.get("/api/v1/holds")).json()] == [hold["id"]]
        again = await c.post("/api/v1/holds", json={"title_id": title_id})
        assert again.status_code == 409
        assert again.headers["content-type"].startswith("application/problem+json")
        assert "schon vorgemerkt" in again.json()["detail"]
        assert (await c.delete(f"/api/v1/holds/{hold['id']}")).status_code == 204
        assert (await c.get("/api/v1/holds")).json() == []


async def test_a_booking_through_the_api_and_the_refusal_with_a_suggestion(
    client_for, teacher_anna, volunteer_ben
):
    title_id, _ = await title_with_copy_ids(1)
    friday = MONDAY + timedelta(days=4)
    week = {"title_id": title_id, "start_on": str(MONDAY), "end_on": str(friday)}
    async with client_for(teacher_anna) as c:
        r = await c.post("/api/v1/bookings", json=week)
        assert r.status_code == 201, r.text
        booking = r.json()
        assert booking["status"] == "confirmed"
        ics = await c.get(f"/api/v1/bookings/{booking['id']}/ics")
        assert ics.status_code == 200 and "BEGIN:VEVENT" in ics.text
        assert len((await c.get("/api/v1/bookings")).json()) == 1
    async with client_for(volunteer_ben) as c:
        r = await c.post("/api/v1/bookings", json={**week, "end_on": str(MONDAY + timedelta(1))})
        assert r.status_code == 409
        # Friday is taken, Saturday the buffer, Sunday closed: Monday and Tuesday after.
        assert r.json()["suggestion"] == {
            "start_on": str(MONDAY + timedelta(7)),
            "end_on": str(MONDAY + timedelta(8)),
        }
        assert (await c.delete(f"/api/v1/bookings/{booking['id']}")).status_code == 404
    assert await Booking.count() == 1


async def test_invalid_ranges_are_problem_documents(client_for, teacher_anna):
    title_id, _ = await title_with_copy_ids(1)
    async with client_for(teacher_anna) as c:
        r = await c.post(
            "/api/v1/bookings",
            json={"title_id": title_id, "start_on": "2020-01-02", "end_on": "2020-01-01"},
        )
        assert r.status_code == 422
        assert set(r.json()["errors"]) == {"start_on", "end_on"}
        assert (await c.post("/api/v1/bookings", json={"title_id": 0})).status_code == 400
        # The last days the calendar knows: refused as too far ahead, not a server error.
        far = {"title_id": title_id, "start_on": "9999-12-24", "end_on": "9999-12-31"}
        r = await c.post("/api/v1/bookings", json=far)
        assert r.status_code == 422
        assert set(r.json()["errors"]) == {"start_on", "end_on"}
        assert (await c.delete("/api/v1/holds/99999999999")).status_code in (400, 404)


async def test_availability_is_public(client):
    title_id, _ = await title_with_copy_ids(3)
    r = await client.get(f"/api/v1/titles/{title_id}/availability?days=3")
    assert r.status_code == 200
    assert [d["free"] for d in r.json()] == [3, 3, 3]
    assert (await client.get("/api/v1/titles/999999/availability")).status_code == 404


async def test_holds_need_a_login_and_staff_lists_need_staff(client, client_for, teacher_anna):
    assert (await client.get("/api/v1/holds")).status_code == 401
    async with client_for(teacher_anna) as c:
        assert (await c.get("/api/v1/reservations/hold-shelf")).status_code == 403


async def test_staff_read_the_hold_shelf_and_pull_list(client_for, staff, teacher_anna, today):
    from mediathek.reservations.services import place_hold

    title_id, _ = await title_with_copy_ids(1)
    await place_hold(teacher_anna.patron_id, title_id, today)
    async with client_for(staff) as c:
        shelf = (await c.get("/api/v1/reservations/hold-shelf")).json()
        assert shelf[0]["patron"] == "Anna Berger"
        pull = (await c.get("/api/v1/reservations/pull-list")).json()
        assert len(pull["to_pull"]) == 1 and pull["put_back"] == []


async def test_the_reservation_api_is_documented(client):
    schema = (await client.get("/schema/openapi.json")).json()
    assert "/api/v1/bookings" in schema["paths"]
    assert "404" in schema["paths"]["/api/v1/holds/{hold_id}"]["delete"]["responses"]


async def test_staff_reserve_for_a_borrower_through_the_api(client_for, staff, walkin_carla):
    """Carla has no login: staff place her hold and her booking, and she gets the e-mails."""
    from mediathek.audit import AuditLog
    from mediathek.notifications.tables import Notification

    held_id, _ = await title_with_copy_ids(1)
    booked_id, _ = await title_with_copy_ids(1)
    # Pickup and return on opening days: Monday to Friday of a week without holidays.
    monday = next_years_monday()
    week = {"start_on": str(monday), "end_on": str(monday + timedelta(days=4))}
    async with client_for(staff) as c:
        hold = await c.post(
            "/api/v1/holds", json={"title_id": held_id, "patron_id": walkin_carla.patron_id}
        )
        assert hold.status_code == 201, hold.text
        assert hold.json()["status"] == "ready"
        booking = await c.post(
            "/api/v1/bookings",
            json={"title_id": booked_id, "patron_id": walkin_carla.patron_id, **week},
        )
        assert booking.status_code == 201, booking.text
        # Staff have no borrower of their own: without patron_id the API says what is missing.
        mine = await c.post("/api/v1/holds", json={"title_id": held_id})
        assert mine.status_code == 422 and "patron_id" in mine.json()["errors"]
        nobody = await c.post("/api/v1/holds", json={"title_id": held_id, "patron_id": 999999})
        assert nobody.status_code == 404
    kinds = sorted(
        n["kind"]
        for n in await Notification.select().where(Notification.patron == walkin_carla.patron_id)
    )
    assert kinds == ["booking_confirmed", "hold_ready"]
    assert await AuditLog.count().where(AuditLog.action.like("%.placed_for_patron")) == 2


async def test_a_teacher_cannot_reserve_for_someone_else(client_for, teacher_anna, volunteer_ben):
    title_id, _ = await title_with_copy_ids(1)
    async with client_for(teacher_anna) as c:
        r = await c.post(
            "/api/v1/holds", json={"title_id": title_id, "patron_id": volunteer_ben.patron_id}
        )
        assert r.status_code == 403
        assert r.headers["content-type"].startswith("application/problem+json")
        own = await c.post(
            "/api/v1/holds", json={"title_id": title_id, "patron_id": teacher_anna.patron_id}
        )
        assert own.status_code == 201
    assert await Booking.count() == 0


async def test_a_borrower_id_beyond_the_integer_range_is_refused_not_a_server_error(
    client_for, staff
):
    """PostgreSQL refuses such an id with an error; the API must answer 400 before that."""
    title_id, _ = await title_with_copy_ids(1)
    async with client_for(staff) as c:
        for path, extra in (
            ("/api/v1/holds", {}),
            ("/api/v1/bookings", {"start_on": "2000-01-01", "end_on": "2000-01-01"}),
        ):
            r = await c.post(path, json={"title_id": title_id, "patron_id": 2**31, **extra})
            assert r.status_code in (400, 422), (path, r.text)
            assert r.headers["content-type"].startswith("application/problem+json")
