"""A teacher never reads or changes another patron's data, through pages or the API."""

import pytest

from mediathek.patrons.tables import Patron
from tests.factories import annas_things


@pytest.fixture
async def things(teacher_anna, staff, today):
    return await annas_things(teacher_anna, staff, today)


async def test_another_teacher_cannot_open_or_change_annas_record(
    client_for, teacher_anna, volunteer_ben, things
):
    anna = teacher_anna.patron_id
    async with client_for(volunteer_ben) as c:
        reads = [
            await c.get(f"/verwaltung/ausleihende/{anna}"),
            await c.get(f"/verwaltung/ausleihende/{anna}/ausweis"),
            await c.get(f"/api/v1/patrons/{anna}"),
            await c.get("/api/v1/patrons", params={"q": "Berger"}),
        ]
        writes = [
            await c.post(f"/verwaltung/ausleihende/{anna}", data={"email": "ben@example.org"}),
            await c.post(f"/verwaltung/ausleihende/{anna}/sperren", data={"reason": "x"}),
            await c.patch(f"/api/v1/patrons/{anna}", json={"email": "ben@example.org"}),
            await c.post(f"/verwaltung/loeschantraege/{anna}/loeschen"),
            await c.delete(f"/api/v1/patrons/{anna}"),
        ]
    assert [r.status_code for r in reads + writes] == [403] * 9
    assert all("Berger" not in r.text for r in reads)
    row = await Patron.select().where(Patron.id == anna).first()
    assert row["email"] == teacher_anna.email and row["blocked_reason"] == ""


async def test_my_account_pages_and_api_take_no_patron_id(app):
    """Own-data routes read the patron from the login, never from the URL."""
    for route in app.routes:
        if route.path.startswith(("/konto", "/api/v1/me")):
            assert "patron_id" not in route.path, route.path


async def test_another_teachers_account_page_and_api_show_only_his_data(
    client_for, volunteer_ben, things
):
    async with client_for(volunteer_ben) as c:
        page = await c.get("/konto")
        me = await c.get("/api/v1/me")
        download = await c.get("/konto/daten.json")
    for r in (page, me, download):
        assert r.status_code == 200
        assert things.loan_title not in r.text and "Berger" not in r.text
