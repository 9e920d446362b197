"""The patrons API: same rules as the pages, JSON in and out, problem documents on errors."""

from mediathek.patrons.tables import Patron


async def test_staff_create_search_update_and_block_through_the_api(client_for, staff):
    async with client_for(staff) as c:
        r = await c.post(
            "/api/v1/patrons",
            json={"first_name": "Omar", "last_name": "Haddad", "category": "paid_teacher"},
        )
        assert r.status_code == 201, r.text
        patron = r.json()
        assert patron["card_barcode"].startswith("K") and patron["status"] == "active"
        found = await c.get("/api/v1/patrons", params={"q": "hadd"})
        assert [p["id"] for p in found.json()] == [patron["id"]]
        r = await c.patch(f"/api/v1/patrons/{patron['id']}", json={"city": "Essen"})
        assert r.json()["city"] == "Essen" and r.json()["last_name"] == "Haddad"
        r = await c.post(f"/api/v1/patrons/{patron['id']}/block", json={"reason": "Test"})
        assert r.json()["blocked"] is True
        svg = await c.get(f"/api/v1/patrons/{patron['id']}/card.svg")
        assert svg.headers["content-type"].startswith("image/svg+xml") and b"<svg" in svg.content


async def test_invalid_api_input_is_a_problem_document(client_for, staff):
    async with client_for(staff) as c:
        r = await c.post("/api/v1/patrons", json={"last_name": "", "category": "x"})
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")
    assert set(r.json()["errors"]) == {"last_name", "category"}
    assert await Patron.count() == 0


async def test_anonymous_api_call_gets_a_401_problem(client):
    r = await client.get("/api/v1/patrons")
    assert r.status_code == 401
    assert r.headers["content-type"].startswith("application/problem+json")


async def test_teacher_cannot_use_the_patrons_api(client_for, teacher_anna):
    async with client_for(teacher_anna) as c:
        r = await c.get(f"/api/v1/patrons/{teacher_anna.patron_id}")
    assert r.status_code == 403


async def test_staff_approve_invite_and_delete_through_the_api(
    client, client_for, staff, walkin_carla
):
    from mediathek.notifications.tables import Notification

    await client.post(
        "/registrieren",
        data={
            "last_name": "Ömer",
            "category": "paid_teacher",
            "email": "oemer@example.org",
            "password": "lang-genug-123",
            "password_repeat": "lang-genug-123",
            "privacy_consent": "ja",
        },
    )
    async with client_for(staff) as c:
        pending = (await c.get("/api/v1/patrons", params={"status": "pending"})).json()
        assert [p["last_name"] for p in pending] == ["Ömer"]
        r = await c.post(f"/api/v1/patrons/{pending[0]['id']}/approve")
        assert r.status_code == 200 and r.json()["status"] == "active"
        again = await c.post(f"/api/v1/patrons/{pending[0]['id']}/approve")
        assert again.status_code == 409 and again.json()["detail"]
        r = await c.post(f"/api/v1/patrons/{walkin_carla.patron_id}/invite")
        assert r.status_code == 202
        r = await c.delete(f"/api/v1/patrons/{walkin_carla.patron_id}")
        assert r.status_code == 204
    kinds = sorted(n["kind"] for n in await Notification.select(Notification.kind))
    # The registration confirmed itself; the deleted patron's invite went with her.
    assert kinds == ["account_approved", "registration_received"]
    assert not await Patron.exists().where(Patron.id == walkin_carla.patron_id)
