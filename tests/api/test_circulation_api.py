import asyncio

from mediathek.circulation.tables import Loan
from mediathek.vocab import MediaType
from tests.factories import title_with_copies


async def test_staff_lends_and_takes_back_through_the_api(client_for, staff, teacher_anna):
    _, [code] = await title_with_copies("API-Titel")
    async with client_for(staff) as c:
        lent = await c.post("/api/v1/checkout", json={"card": teacher_anna.card, "copy": code})
        assert lent.status_code == 201, lent.text
        assert lent.json()["title"] == "API-Titel" and lent.json()["due_on"]
        answer = {"loan_id", "copy_id", "barcode", "title", "patron_id", "patron_name"}
        assert set(lent.json()) == answer | {
            "due_on",
            "due_reason",
            "due_reason_code",
            "overridden",
        }
        again = await c.post("/api/v1/checkout", json={"card": teacher_anna.card, "copy": code})
        assert again.status_code == 409
        assert again.headers["content-type"].startswith("application/problem+json")
        assert "schon ausgeliehen" in again.json()["detail"]
        loans = await c.get("/api/v1/loans")
        assert [ln["copy"] for ln in loans.json()] == [code]
        back = await c.post("/api/v1/checkin", json={"copy": code})
        assert back.status_code == 200 and back.json()["was_on_loan"]


async def test_kit_checkin_via_api_lists_the_components_to_check(client_for, staff, teacher_anna):
    _, [code] = await title_with_copies("Koffer", MediaType.kit, components=[("Puppe", 1)])
    async with client_for(staff) as c:
        await c.post("/api/v1/checkout", json={"card": teacher_anna.card, "copy": code})
        asked = await c.post("/api/v1/checkin", json={"copy": code})
        assert asked.status_code == 409 and asked.json()["components"][0]["name"] == "Puppe"
        done = await c.post("/api/v1/checkin", json={"copy": code, "missing_components": []})
        assert done.status_code == 200


async def test_teacher_sees_and_renews_only_own_loans(
    client_for, staff, teacher_anna, volunteer_ben
):
    _, codes = await title_with_copies(copies=2)
    async with client_for(staff) as c:
        a = (
            await c.post("/api/v1/checkout", json={"card": teacher_anna.card, "copy": codes[0]})
        ).json()
        await c.post("/api/v1/checkout", json={"card": volunteer_ben.card, "copy": codes[1]})
    async with client_for(teacher_anna) as c:
        assert [ln["id"] for ln in (await c.get("/api/v1/loans")).json()] == [a["loan_id"]]
        assert (
            await c.post("/api/v1/checkout", json={"card": "x", "copy": "y"})
        ).status_code == 403
        renewed = await c.post(f"/api/v1/loans/{a['loan_id']}/renew")
        assert renewed.status_code == 200 and renewed.json()["renewals"] == 1
    async with client_for(volunteer_ben) as c:
        assert (await c.post(f"/api/v1/loans/{a['loan_id']}/renew")).status_code == 404
        assert (await c.post("/api/v1/loans/99999999999/renew")).status_code in (400, 404)
    assert await Loan.count() == 2


async def test_api_needs_a_login(client):
    assert (await client.get("/api/v1/loans")).status_code == 401


async def test_a_repeated_api_request_with_one_request_id_applies_once(
    client_for, staff, teacher_anna
):
    _, [code] = await title_with_copies("Zahlenkoffer")
    body = {"card": teacher_anna.card, "copy": code, "request_id": "api-lend-000001"}
    async with client_for(staff) as c:
        first, again = await asyncio.gather(
            c.post("/api/v1/checkout", json=body), c.post("/api/v1/checkout", json=body)
        )
        assert first.status_code == again.status_code == 201
        assert first.json() == again.json()
        assert await Loan.count() == 1
        back = {"copy": code, "request_id": "api-back-000001"}
        returned = [(await c.post("/api/v1/checkin", json=back)).json() for _ in range(2)]
        assert returned[0] == returned[1] and returned[0]["was_on_loan"] is True
        bad = await c.post("/api/v1/checkin", json={"copy": code, "request_id": "x y"})
        assert bad.status_code == 422
        assert bad.headers["content-type"].startswith("application/problem+json")
    assert await Loan.count().where(Loan.returned_at.is_null()) == 0
