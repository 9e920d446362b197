"""The JSON API of the Merkliste and the sets: typed bodies, problem documents."""

from datetime import timedelta

from mediathek.reservations import sets
from mediathek.reservations.basket import Line
from mediathek.reservations.sets import SetDraft
from mediathek.reservations.tables import Booking
from tests.factories import add_title, next_years_monday, title_with_copy_ids

MONDAY = next_years_monday()
WEEK = {"start_on": str(MONDAY), "end_on": str(MONDAY + timedelta(days=4))}


async def test_a_teacher_fills_her_list_and_books_it(client_for, teacher_anna, volunteer_ben):
    game, _ = await title_with_copy_ids(3, "Memo Obst")
    taken = await add_title("Tiptoi Bauernhof", "audio_pen_set", series="Tiptoi")
    stand_in = await add_title("Tiptoi Zoo", "audio_pen_set", series="Tiptoi")
    async with client_for(volunteer_ben) as c:
        assert (
            await c.post("/api/v1/bookings", json={"title_id": taken, **WEEK})
        ).status_code == 201
    async with client_for(teacher_anna) as c:
        r = await c.put("/api/v1/basket", json={"title_id": game, "quantity": 2})
        assert r.status_code == 200, r.text
        await c.put("/api/v1/basket", json={"title_id": taken})
        r = await c.put("/api/v1/basket", json={"title_id": game, "quantity": 4})
        assert r.status_code == 422
        assert r.headers["content-type"].startswith("application/problem+json")
        assert "nur 3 Exemplare" in r.json()["detail"]
        listed = (await c.get("/api/v1/basket")).json()
        assert [(i["title"], i["quantity"]) for i in listed] == [
            ("Memo Obst", 2),
            ("Tiptoi Bauernhof", 1),
        ]
        r = await c.post("/api/v1/basket/book", json=WEEK)
        assert r.status_code == 200, r.text
        lines = {line["title"]: line for line in r.json()["lines"]}
        assert lines["Memo Obst"]["status"] == "booked" and lines["Memo Obst"]["booked"] == 2
        rest = lines["Tiptoi Bauernhof"]
        assert rest["status"] == "none" and rest["suggestion"]["start_on"] > WEEK["end_on"]
        assert rest["alternative"]["title_id"] == stand_in
        assert [i["title"] for i in (await c.get("/api/v1/basket")).json()] == ["Tiptoi Bauernhof"]
        assert (await c.delete(f"/api/v1/basket/{taken}")).status_code == 204
        empty = await c.post("/api/v1/basket/book", json=WEEK)
        assert empty.status_code == 422 and empty.json()["detail"] == "Ihre Merkliste ist leer."


async def test_sets_are_listed_for_everyone_and_booked_by_staff_for_a_borrower(
    client, client_for, staff, walkin_carla, teacher_anna
):
    game, _ = await title_with_copy_ids(2, "Memo Obst")
    set_id = await sets.save_set(SetDraft("Spielekiste", "", (Line(game, 2),)), None, None)
    listed = (await client.get("/api/v1/sets")).json()
    assert listed == [
        {
            "id": set_id,
            "name": "Spielekiste",
            "description": "",
            "items": [{"title_id": game, "title": "Memo Obst", "quantity": 2}],
        }
    ]
    async with client_for(teacher_anna) as c:
        other = await c.post(
            f"/api/v1/sets/{set_id}/book", json={**WEEK, "patron_id": walkin_carla.patron_id}
        )
        assert other.status_code == 403
    async with client_for(staff) as c:
        r = await c.post(
            f"/api/v1/sets/{set_id}/book", json={**WEEK, "patron_id": walkin_carla.patron_id}
        )
        assert r.status_code == 200, r.text
        assert r.json()["lines"][0]["booked"] == 2
        missing = await c.post(
            "/api/v1/sets/999999/book", json={**WEEK, "patron_id": walkin_carla.patron_id}
        )
        assert missing.status_code == 404
    assert await Booking.count().where(Booking.patron == walkin_carla.patron_id) == 2


async def test_a_closed_pickup_day_is_a_problem_document_naming_the_nearest_opening_day(
    client_for, teacher_anna
):
    game, _ = await title_with_copy_ids(1)
    saturday = MONDAY + timedelta(days=5)
    async with client_for(teacher_anna) as c:
        await c.put("/api/v1/basket", json={"title_id": game})
        r = await c.post(
            "/api/v1/basket/book",
            json={"start_on": str(saturday), "end_on": str(saturday + timedelta(days=3))},
        )
    assert r.status_code == 422
    assert "geschlossen" in r.json()["errors"]["start_on"]
