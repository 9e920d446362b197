"""One address, checked by email-validator at every door: registration, staff, API, CLI."""

import pytest

from mediathek.patrons.tables import Account, Patron
from tests.core.test_cli import run_cli

NEWLINE = "x@example.org\nbcc:y@evil.example"
COMMA = "x@example.org,y@evil.example"
ATTACKS = [NEWLINE, COMMA, "x@example.org; y@evil.example", "x@example.org\r\nBcc: y@evil.example"]
GERMAN = "gültige E-Mail-Adresse"
PASSWORD = "ein-langes-passwort-1"
FORM = {
    "first_name": "Eve",
    "last_name": "Kraus",
    "category": "volunteer_teacher",
    "preferred_language": "de",
    "password": PASSWORD,
    "password_repeat": PASSWORD,
    "privacy_consent": "ja",
}


@pytest.mark.parametrize("address", ATTACKS)
async def test_registration_refuses_a_header_or_second_recipient_in_german(client, address):
    r = await client.post("/registrieren", data={**FORM, "email": address})
    assert r.status_code == 422 and GERMAN in r.text
    assert await Patron.count() == 0 and await Account.count() == 0


async def test_registration_accepts_an_ordinary_address(client):
    r = await client.post("/registrieren", data={**FORM, "email": " Eve.Kraus@Example.ORG "})
    assert r.status_code == 200
    assert (await Patron.select(Patron.email).first())["email"] == "eve.kraus@example.org"


async def test_staff_form_and_api_refuse_the_attack_addresses(client_for, staff, walkin_carla):
    async with client_for(staff) as c:
        for address in (NEWLINE, COMMA):
            form = await c.post(
                "/verwaltung/ausleihende",
                data={"last_name": "Kraus", "category": "volunteer_teacher", "email": address},
            )
            assert form.status_code == 422 and GERMAN in form.text
            api = await c.post(
                "/api/v1/patrons",
                json={"last_name": "Kraus", "category": "paid_teacher", "email": address},
            )
            assert api.status_code == 422
            assert api.headers["content-type"].startswith("application/problem+json")
            assert GERMAN in api.json()["errors"]["email"]
            edit = await c.patch(
                f"/api/v1/patrons/{walkin_carla.patron_id}", json={"email": address}
            )
            assert edit.status_code == 422
            page = await c.post(
                f"/verwaltung/ausleihende/{walkin_carla.patron_id}",
                data={"last_name": "Demir", "category": "volunteer_teacher", "email": address},
            )
            assert page.status_code == 422 and GERMAN in page.text
    assert await Patron.count() == 1
    carla = await Patron.select(Patron.email).where(Patron.id == walkin_carla.patron_id).first()
    assert carla["email"] == walkin_carla.email


def test_createadmin_refuses_a_broken_address_in_german(tmp_path):
    done = run_cli(
        tmp_path,
        "createadmin",
        "--email",
        COMMA,
        env_extra={"MEDIATHEK_ADMIN_PASSWORD": "sehr-geheim-123"},
    )
    assert done.returncode != 0 and GERMAN in done.stderr
