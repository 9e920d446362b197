from mediathek.catalogue.tables import Copy, CopyStatus, Title
from tests.factories import catalogued_title
from tests.fakes import fake_isbn_services

NEW = {
    "title": "Wimmelkoffer Bauernhof",
    "media_type": "kit",
    "languages": ["deu", "tur"],
    "topics": ["Tiere"],
    "components": [{"name": "Bildkarten", "quantity": 40}],
    "level_min": "pre_a1",
    "level_max": "a1",
    "copies": 2,
    "shelf_mark": "KOF 1",
}


async def test_staff_creates_a_title_with_copies_and_anyone_can_read_it(client, client_for, staff):
    async with client_for(staff) as c:
        r = await c.post("/api/v1/titles", json=NEW)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["languages"] == ["deu", "tur"]
    assert body["components"] == [{"name": "Bildkarten", "quantity": 40}]
    assert [x["barcode"] for x in body["copies"]] == ["M0000018", "M0000026"]
    public = (await client.get(f"/api/v1/titles/{body['id']}")).json()
    assert public["available_copies"] == 2 and "notes" not in public
    listing = (await client.get("/api/v1/titles", params={"q": "wimmel"})).json()
    assert listing["total"] == 1 and listing["items"][0]["url"] == f"/titel/{body['id']}"


async def test_invalid_title_gives_a_problem_document_with_field_messages(client_for, staff):
    async with client_for(staff) as c:
        r = await c.post("/api/v1/titles", json=NEW | {"level_min": "c2", "isbn": "123"})
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")
    problem = r.json()
    assert set(problem["errors"]) == {"level_max", "isbn"}
    assert await Title.count() == 0


async def test_duplicate_isbn_is_a_conflict_naming_the_existing_title(client_for, staff):
    title_id, _ = await catalogued_title(isbn="9783191010805")
    async with client_for(staff) as c:
        r = await c.post("/api/v1/titles", json=NEW | {"isbn": "3-19-101080-7"})
    assert r.status_code == 409
    assert "gibt es schon" in r.json()["detail"]


async def test_visitors_and_teachers_cannot_write(client, client_for, teacher_anna):
    title_id, _ = await catalogued_title(copies=1)
    assert (await client.post("/api/v1/titles", json=NEW)).status_code == 401
    async with client_for(teacher_anna) as c:
        assert (await c.post("/api/v1/titles", json=NEW)).status_code == 403
        assert (await c.post(f"/api/v1/titles/{title_id}/withdraw")).status_code == 403
        assert (await c.get("/api/v1/isbn/9783191010805")).status_code == 403


async def test_update_add_copies_change_status_and_withdraw(client, client_for, staff):
    title_id, codes = await catalogued_title(copies=1)
    copy = await Copy.select(Copy.id).first()
    async with client_for(staff) as c:
        r = await c.put(f"/api/v1/titles/{title_id}", json=NEW | {"title": "Neu"})
        assert r.status_code == 200 and r.json()["title"] == "Neu"
        r = await c.post(f"/api/v1/titles/{title_id}/copies", json={"count": 2})
        assert r.json()["barcodes"] == ["M0000026", "M0000034"]
        r = await c.patch(f"/api/v1/copies/{copy['id']}", json={"status": "in_repair"})
        assert r.status_code == 200 and r.json()["status"] == "in_repair"
        await Copy.update({Copy.status: CopyStatus.on_loan}).where(Copy.id == copy["id"])
        r = await c.patch(f"/api/v1/copies/{copy['id']}", json={"status": "lost"})
        assert r.status_code == 409 and "Theke" in r.json()["detail"]
        r = await c.post(f"/api/v1/titles/{title_id}/withdraw")
        assert r.status_code == 409
        await Copy.update({Copy.status: CopyStatus.available}).where(Copy.id == copy["id"])
        r = await c.post(f"/api/v1/titles/{title_id}/withdraw")
        assert r.status_code == 200 and r.json()["withdrawn_copies"] == 3
    assert (await client.get(f"/api/v1/titles/{title_id}")).status_code == 404


async def test_isbn_lookup_returns_metadata_or_the_existing_title(client_for, staff):
    with fake_isbn_services():
        async with client_for(staff) as c:
            r = await c.get("/api/v1/isbn/978-3-19-101080-5")
            assert r.status_code == 200
            body = r.json()
            assert body["found"] and body["fields"]["publisher"] == "Hueber"
            title_id, _ = await catalogued_title(isbn="9783191010805")
            body = (await c.get("/api/v1/isbn/9783191010805")).json()
            assert body["existing_title_id"] == title_id
            bad = await c.get("/api/v1/isbn/978-3-19-101080-1")
    assert bad.status_code == 422 and "isbn" in bad.json()["errors"]


async def test_huge_ids_are_refused_cleanly(client):
    r = await client.get("/api/v1/titles/99999999999999")
    assert r.status_code == 400
    assert r.headers["content-type"].startswith("application/problem+json")
