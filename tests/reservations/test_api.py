"""The JSON API for holds and bookings: same rules, problem documents on refusals."""

from datetime import date

from mediathek.reservations.tables import Booking
from tests.factories import title_with_copy_ids

NEXT_YEAR = date.today().year + 1


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
    week = {"title_id": title_id, "start_on": f"{NEXT_YEAR}-03-16", "end_on": f"{NEXT_YEAR}-03-20"}
    async with client_for(teacher_anna) as c:
        r = await c.post("/api/v1/bookings", json=week)
        assert r.status_code == 201, r.text
        booking = r.json()
        assert booking["status"] == "confirmed"
        ics = await c.get(f"/api/v1/bookings/{booking['id']}/ics")
        assert ics.status_code == 200 and "BEGIN:VEVENT" in ics.text
        assert len((await c.get("/api/v1/bookings")).json()) == 1
    async with client_for(volunteer_ben) as c:
        r = await c.post("/api/v1/bookings", json={**week, "end_on": f"{NEXT_YEAR}-03-17"})
        assert r.status_code == 409
        assert r.json()["suggestion"]["start_on"] == f"{NEXT_YEAR}-03-22"
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
