"""A login's address changes only with its owner's confirmation; staff never touch the
login of staff or an admin."""

from __future__ import annotations

import pytest

from mediathek.notifications.delivery import deliver_outbox
from mediathek.notifications.tables import Notification
from mediathek.patrons.tables import Account, Patron
from mediathek.vocab import PatronCategory, Role
from tests.factories import PASSWORD, arm_csrf, make_persona
from tests.fakes import links_in

NEW = "neue.adresse@example.org"


@pytest.fixture
async def staff_with_card(db):
    return await make_persona("Stefan Theke", Role.staff, PatronCategory.staff)


async def login(c, email, password=PASSWORD):
    return await c.post(
        "/anmelden", data={"email": email, "password": password}, follow_redirects=False
    )


async def addresses(persona) -> tuple[str, str]:
    account = await Account.select(Account.email).where(Account.id == persona.account_id).first()
    patron = await Patron.select(Patron.email).where(Patron.id == persona.patron_id).first()
    return account["email"], patron["email"]


async def confirmation_link(mail_settings, smtp_server) -> str:
    await deliver_outbox(mail_settings)
    [path] = links_in(smtp_server.inbox.to(NEW)[-1])
    assert path.startswith("/email-bestaetigen/")
    return path


@pytest.mark.parametrize("role", [Role.admin, Role.staff])
async def test_staff_cannot_change_the_login_of_staff_or_an_admin(client_for, staff, role):
    owner = await make_persona("Ada Kollegin", role, PatronCategory.staff)
    async with client_for(staff) as c:
        api = await c.patch(f"/api/v1/patrons/{owner.patron_id}", json={"email": NEW})
        assert api.status_code == 403
        assert api.headers["content-type"].startswith("application/problem+json")
        assert "gleicher oder höherer Rolle" in api.json()["detail"]
        form = await c.post(
            f"/verwaltung/ausleihende/{owner.patron_id}",
            data={"last_name": "X", "category": "staff", "email": NEW, "city": "Essen"},
        )
        assert form.status_code == 403 and "gleicher oder höherer Rolle" in form.text
    assert await addresses(owner) == (owner.email, owner.email)
    assert await Notification.count() == 0
    # Nothing else of the edit was written either.
    assert (await Patron.select(Patron.city).where(Patron.id == owner.patron_id).first())[
        "city"
    ] == ""


async def test_staff_change_a_teachers_address_only_with_her_confirmation(
    app, client, client_for, staff, teacher_anna, mail_settings, smtp_server
):
    app.state.settings = mail_settings
    async with client_for(staff) as c:
        r = await c.patch(
            f"/api/v1/patrons/{teacher_anna.patron_id}", json={"email": NEW, "city": "Essen"}
        )
        assert r.status_code == 200 and r.json()["pending_email"] == NEW
        assert r.json()["email"] == teacher_anna.email and r.json()["city"] == "Essen"
    assert await addresses(teacher_anna) == (teacher_anna.email, teacher_anna.email)
    # Until she confirms, a reset for the new address goes nowhere.
    await client.post("/passwort-vergessen", data={"email": NEW})
    assert not await Notification.exists().where(Notification.kind == "password_reset")

    path = await confirmation_link(mail_settings, smtp_server)
    [heads_up] = smtp_server.inbox.to(teacher_anna.email)
    assert NEW in heads_up.get_body(("plain",)).get_content() and not links_in(heads_up)
    async with client_for(staff) as c:
        seen = (await c.get("/verwaltung/benachrichtigungen")).text
        seen += (await c.get("/api/v1/notifications")).text
        for n in await Notification.select(Notification.id):
            seen += (await c.get(f"/verwaltung/benachrichtigungen/{n['id']}")).text
            seen += (await c.get(f"/verwaltung/benachrichtigungen/{n['id']}/html")).text
        assert path.rsplit("/", 1)[1] not in seen and "/email-bestaetigen/" not in seen
        # Whoever holds the new mailbox is not the owner: staff's own login cannot confirm.
        page = await c.get(path)
        assert "anderen Konto" in page.text
        refused = await c.post(path)
        assert refused.status_code == 403
    anonymous = await client.get(path)
    assert "melden Sie sich zuerst" in anonymous.text
    assert (await client.post(path)).status_code == 403
    assert await addresses(teacher_anna) == (teacher_anna.email, teacher_anna.email)

    async with client_for(teacher_anna) as c:
        assert (await c.get(path)).status_code == 200
        done = await c.post(path)
        assert done.status_code == 200 and NEW in done.text
        assert (await c.post(path)).status_code == 410  # once only
    assert await addresses(teacher_anna) == (NEW, NEW)
    assert (await login(client, NEW)).status_code == 303
    client.cookies.clear()  # another browser: CSRF tokens belong to one session
    await arm_csrf(client)
    assert (await login(client, teacher_anna.email)).status_code == 400


async def test_admin_changes_a_staff_login_with_its_owners_confirmation(
    client_for, admin, staff_with_card, mail_settings, smtp_server
):
    async with client_for(admin) as c:
        r = await c.post(
            f"/verwaltung/ausleihende/{staff_with_card.patron_id}",
            data={"last_name": "Theke", "category": "staff", "email": NEW},
            follow_redirects=False,
        )
        assert r.status_code == 303 and r.headers["location"].endswith("?email=1")
        page = await c.get(r.headers["location"])
        assert "erst, wenn die Person sie über den Link bestätigt" in page.text
    assert await addresses(staff_with_card) == (staff_with_card.email, staff_with_card.email)
    path = await confirmation_link(mail_settings, smtp_server)
    async with client_for(staff_with_card) as c:
        assert (await c.post(path)).status_code == 200
    assert await addresses(staff_with_card) == (NEW, NEW)


async def test_a_teacher_changes_her_own_address_in_mein_konto(
    client_for, teacher_anna, mail_settings, smtp_server
):
    async with client_for(teacher_anna) as c:
        r = await c.post("/konto/profil", data={"email": NEW, "city": "Bochum"})
        assert r.status_code == 303 and r.headers["location"] == "/konto?ok=email"
        page = await c.get("/konto?ok=email")
        assert "erst wenn Sie ihn öffnen und bestätigen" in page.text
        bad = await c.post("/konto/profil", data={"email": "a@example.org\nbcc:b@evil.example"})
        assert bad.status_code == 422 and "gültige E-Mail-Adresse" in bad.text
        assert await addresses(teacher_anna) == (teacher_anna.email, teacher_anna.email)
        path = await confirmation_link(mail_settings, smtp_server)
        assert (await c.post(path)).status_code == 200
    assert await addresses(teacher_anna) == (NEW, NEW)


async def test_the_own_address_through_the_api_waits_for_confirmation(
    client_for, volunteer_ben, mail_settings, smtp_server
):
    async with client_for(volunteer_ben) as c:
        r = await c.patch("/api/v1/me", json={"email": NEW})
        assert r.status_code == 200 and r.json()["pending_email"] == NEW
        assert r.json()["email"] == volunteer_ben.email
        path = await confirmation_link(mail_settings, smtp_server)
        # An address-change link is no password link.
        token = path.rsplit("/", 1)[1]
        assert (await c.get(f"/passwort-setzen/{token}")).status_code == 410
        assert (await c.post(path)).status_code == 200
    assert await addresses(volunteer_ben) == (NEW, NEW)


async def test_a_new_address_taken_by_another_login_is_refused(
    client_for, staff, teacher_anna, volunteer_ben
):
    async with client_for(staff) as c:
        r = await c.patch(
            f"/api/v1/patrons/{teacher_anna.patron_id}", json={"email": volunteer_ben.email}
        )
    assert r.status_code == 422 and "anderen Konto" in r.json()["errors"]["email"]
    assert await Notification.count() == 0


async def test_only_the_newest_requested_address_can_be_confirmed(
    client_for, teacher_anna, mail_settings, smtp_server
):
    async with client_for(teacher_anna) as c:
        await c.post("/konto/profil", data={"email": "erste@example.org"})
        await deliver_outbox(mail_settings)
        [first] = links_in(smtp_server.inbox.to("erste@example.org")[0])
        await c.post("/konto/profil", data={"email": NEW})
        newest = await confirmation_link(mail_settings, smtp_server)
        assert (await c.post(first)).status_code == 410
        assert (await c.post(newest)).status_code == 200
    assert await addresses(teacher_anna) == (NEW, NEW)
