"""Personal API tokens (Bearer, revocable) and role changes by admins."""

from mediathek.audit import AuditLog
from mediathek.patrons.tables import Account, ApiToken
from tests.factories import PASSWORD, http_client


async def test_staff_create_a_token_see_it_once_and_use_it_without_csrf(
    app, client_for, staff, teacher_anna
):
    async with client_for(staff) as c:
        r = await c.post("/verwaltung/api-tokens", data={"name": "Jahresbericht"})
        assert r.status_code == 200
        token = r.text.split('<code class="token">', 1)[1].split("</code>", 1)[0]
        listing = await c.get("/verwaltung/api-tokens")
    assert "Jahresbericht" in listing.text and token not in listing.text
    assert not await ApiToken.exists().where(ApiToken.token_hash == token)
    async with http_client(app) as script:
        auth = {"Authorization": f"Bearer {token}"}
        r = await script.get("/api/v1/patrons", headers=auth)
        assert r.status_code == 200 and r.json()[0]["last_name"] == "Berger"
        r = await script.post(
            "/api/v1/patrons", headers=auth, json={"last_name": "Skript", "category": "institution"}
        )
        assert r.status_code == 201
        assert "mediathek_session" not in script.cookies


async def test_a_revoked_token_no_longer_works(app, client_for, staff):
    async with client_for(staff) as c:
        r = await c.post("/verwaltung/api-tokens", data={"name": "Alt"})
        token = r.text.split('<code class="token">', 1)[1].split("</code>", 1)[0]
        token_id = (await ApiToken.select(ApiToken.id).first())["id"]
        await c.post(f"/verwaltung/api-tokens/{token_id}/widerrufen")
    async with http_client(app) as script:
        r = await script.get("/api/v1/patrons", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 401 and r.json()["status"] == 401


async def test_staff_cannot_revoke_someone_elses_token(client_for, staff, admin):
    await ApiToken.insert(ApiToken(account=admin.account_id, name="Admin", token_hash="x" * 64))
    token_id = (await ApiToken.select(ApiToken.id).first())["id"]
    async with client_for(staff) as c:
        r = await c.post(f"/verwaltung/api-tokens/{token_id}/widerrufen")
    assert r.status_code == 404
    assert (await ApiToken.select(ApiToken.revoked_at).first())["revoked_at"] is None


async def test_admin_changes_a_role_and_it_is_audited(client_for, admin, staff):
    async with client_for(admin) as c:
        page = await c.get("/admin/benutzerkonten")
        assert staff.email in page.text
        await c.post(f"/admin/benutzerkonten/{staff.account_id}/rolle", data={"role": "admin"})
    row = await Account.select(Account.role).where(Account.id == staff.account_id).first()
    assert row["role"] == "admin"
    log = await AuditLog.select().output(load_json=True).first()
    assert log["action"] == "account.role_changed" and log["detail"]["new"] == "admin"


async def test_the_last_admin_cannot_give_up_the_role(client_for, admin):
    async with client_for(admin) as c:
        r = await c.post(f"/admin/benutzerkonten/{admin.account_id}/rolle", data={"role": "staff"})
    assert r.status_code == 409 and "letzte Verwaltungskonto" in r.text


async def test_teacher_api_me_shows_only_her_own_data(client_for, teacher_anna, volunteer_ben):
    async with client_for(volunteer_ben) as c:
        me = (await c.get("/api/v1/me")).json()
        r = await c.patch("/api/v1/me", json={"preferred_language": "de", "city": "Bochum"})
    assert me["patron"]["last_name"] == "Yilmaz" and "Berger" not in str(me)
    assert r.status_code == 200 and r.json()["city"] == "Bochum"


async def _new_token(c, name: str) -> str:
    r = await c.post("/verwaltung/api-tokens", data={"name": name})
    return r.text.split('<code class="token">', 1)[1].split("</code>", 1)[0]


async def _api_status(app, token: str) -> int:
    async with http_client(app) as script:
        r = await script.get("/api/v1/patrons", headers={"Authorization": f"Bearer {token}"})
    return r.status_code


async def test_a_token_expires_after_the_configured_days_and_the_page_says_when(
    app, client_for, staff
):
    from datetime import UTC, datetime, timedelta

    async with client_for(staff) as c:
        token = await _new_token(c, "Jahresbericht")
        assert await _api_status(app, token) == 200
        listing = await c.get("/verwaltung/api-tokens")
        expires = (datetime.now(UTC) + timedelta(days=90)).astimezone(app.state.settings.tz)
        assert "Gültig bis" in listing.text and expires.strftime("%d.%m.%Y") in listing.text
        await ApiToken.update(
            {ApiToken.created_at: datetime.now(UTC) - timedelta(days=90, minutes=1)}, force=True
        )
        assert await _api_status(app, token) == 401
        listing = await c.get("/verwaltung/api-tokens")
    assert "abgelaufen" in listing.text


async def test_a_password_change_ends_every_token_and_other_session(app, client_for, teacher_anna):
    from datetime import UTC, datetime

    from mediathek.passwords import new_token, token_digest

    token = "mt_" + new_token()
    await ApiToken.insert(
        ApiToken(
            account=teacher_anna.account_id,
            name="Skript",
            token_hash=token_digest(token),
            created_at=datetime.now(UTC),
        )
    )
    async with http_client(app) as script:
        r = await script.get("/api/v1/loans", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200
    new = "ganz-neues-passwort-7"
    async with client_for(teacher_anna) as other, client_for(teacher_anna) as c:
        assert (await other.get("/konto", follow_redirects=False)).status_code == 200
        r = await c.post(
            "/konto/passwort",
            data={"current_password": PASSWORD, "password": new, "password_repeat": new},
            follow_redirects=False,
        )
        assert r.status_code == 303
        assert (await other.get("/konto", follow_redirects=False)).status_code == 303
    async with http_client(app) as script:
        r = await script.get("/api/v1/loans", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 401
    assert await ApiToken.count().where(ApiToken.revoked_at.is_null()) == 0


async def test_a_token_records_its_use_at_most_every_five_minutes(app, client_for, staff):
    from datetime import UTC, datetime, timedelta

    async with client_for(staff) as c:
        token = await _new_token(c, "Theke-Skript")
    assert await _api_status(app, token) == 200
    first = (await ApiToken.select(ApiToken.last_used_at).first())["last_used_at"]
    assert first is not None
    assert await _api_status(app, token) == 200
    assert (await ApiToken.select(ApiToken.last_used_at).first())["last_used_at"] == first
    earlier = datetime.now(UTC) - timedelta(minutes=6)
    await ApiToken.update({ApiToken.last_used_at: earlier}, force=True)
    assert await _api_status(app, token) == 200
    latest = (await ApiToken.select(ApiToken.last_used_at).first())["last_used_at"]
    assert latest > earlier + timedelta(minutes=5)
