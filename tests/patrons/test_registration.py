"""Getting a login: register → approval → login; invites; password reset; rate limit."""

from datetime import timedelta

from mediathek.notifications.delivery import deliver_outbox
from mediathek.notifications.tables import Notification
from mediathek.patrons.tables import Account, LoginThrottle, OneTimeToken, Patron, WebSession
from tests.factories import PASSWORD
from tests.fakes import links_in

NEW_PASSWORD = "ganz-neues-passwort-7"
FORM = {
    "first_name": "Lena",
    "last_name": "Vogel",
    "category": "volunteer_teacher",
    "email": "Lena.Vogel@example.org",
    "preferred_language": "de",
    "password": NEW_PASSWORD,
    "password_repeat": NEW_PASSWORD,
    "privacy_consent": "ja",
}


async def login(c, email, password=NEW_PASSWORD):
    return await c.post(
        "/anmelden", data={"email": email, "password": password}, follow_redirects=False
    )


async def notice(kind):
    return (
        await Notification.select().where(Notification.kind == kind).output(load_json=True).first()
    )


async def mailed_link(mail_settings, smtp_server, address: str) -> str:
    """Deliver the outbox to the real SMTP server; the link path in the mail to ``address``."""
    await deliver_outbox(mail_settings)
    [path] = links_in(smtp_server.inbox.to(address)[-1])
    return path


async def test_registration_needs_consent_and_matching_passwords(client):
    r = await client.post(
        "/registrieren", data={**FORM, "privacy_consent": "", "password_repeat": "anders-123456"}
    )
    assert r.status_code == 422
    assert "Datenschutzerklärung zu" in r.text and "nicht gleich" in r.text
    assert NEW_PASSWORD not in r.text
    assert await Patron.count() == 0 and await Account.count() == 0


async def test_registered_person_can_log_in_only_after_approval(client, client_for, staff):
    r = await client.post("/registrieren", data=FORM)
    assert r.status_code == 200 and "Registrierung ist eingegangen" in r.text
    patron = await Patron.select().first()
    assert patron["status"] == "pending" and patron["card_barcode"] is None
    assert patron["privacy_consent_at"] is not None
    before = await login(client, "lena.vogel@example.org")
    assert before.status_code == 400 and "noch nicht freigeschaltet" in before.text
    wrong = await login(client, "lena.vogel@example.org", "falsches-passwort")
    assert "noch nicht freigeschaltet" not in wrong.text

    async with client_for(staff) as c:
        page = await c.get("/verwaltung/freischaltungen")
        assert "Lena Vogel" in page.text
        r = await c.post(f"/verwaltung/freischaltungen/{patron['id']}/freischalten")
        assert r.status_code in (200, 303)
        again = await c.post(f"/verwaltung/freischaltungen/{patron['id']}/freischalten")
        assert again.status_code == 409
    approved = await Patron.select().where(Patron.id == patron["id"]).first()
    assert approved["status"] == "active" and approved["card_barcode"].startswith("K")
    mail = await notice("account_approved")
    assert mail["recipient"] == "lena.vogel@example.org" and mail["payload"]["link"].endswith(
        "/anmelden"
    )
    assert (await login(client, "lena.vogel@example.org")).status_code == 303


async def test_rejected_registration_is_told_and_cannot_log_in(client, client_for, staff):
    await client.post("/registrieren", data=FORM)
    patron = await Patron.select().first()
    async with client_for(staff) as c:
        await c.post(
            f"/verwaltung/freischaltungen/{patron['id']}/ablehnen",
            data={"reason": "Nur für Lehrkräfte in der Stadt"},
        )
    mail = await notice("account_rejected")
    assert mail["payload"]["reason"] == "Nur für Lehrkräfte in der Stadt"
    assert not await Account.exists().where(Account.email == "lena.vogel@example.org")
    assert (await login(client, "lena.vogel@example.org")).status_code == 400


async def test_registering_a_known_email_looks_the_same_and_changes_nothing(client, teacher_anna):
    r = await client.post("/registrieren", data={**FORM, "email": teacher_anna.email})
    assert r.status_code == 200 and "Registrierung ist eingegangen" in r.text
    assert await Patron.count() == 1


async def test_invited_walk_in_patron_sets_a_password_and_is_logged_in(
    client, client_for, staff, walkin_carla, mail_settings, smtp_server
):
    async with client_for(staff) as c:
        r = await c.post(f"/verwaltung/ausleihende/{walkin_carla.patron_id}/einladen")
        assert r.status_code in (200, 303)
    mail = await notice("invite")
    assert mail["recipient"] == walkin_carla.email and mail["payload"]["name"] == "Carla Demir"
    link = await mailed_link(mail_settings, smtp_server, walkin_carla.email)
    token = link.rsplit("/", 1)[1]
    assert await OneTimeToken.count().where(OneTimeToken.token_hash == token) == 0  # digest only
    page = await client.get(link)
    assert walkin_carla.email in page.text
    r = await client.post(
        link,
        data={"password": NEW_PASSWORD, "password_repeat": NEW_PASSWORD},
        follow_redirects=False,
    )
    assert r.status_code == 303 and "mediathek_session" in client.cookies
    reuse = await client.get(link)
    assert reuse.status_code == 410 and "abgelaufen oder wurde schon benutzt" in reuse.text


async def test_password_reset_never_reveals_whether_an_email_exists(client, teacher_anna):
    known = await client.post("/passwort-vergessen", data={"email": teacher_anna.email})
    unknown = await client.post("/passwort-vergessen", data={"email": "niemand@example.org"})
    assert known.status_code == unknown.status_code == 200
    assert known.text.replace(teacher_anna.email, "") == unknown.text.replace(
        "niemand@example.org", ""
    )
    assert await Notification.count() == 1


async def test_password_reset_link_sets_a_new_password_and_ends_other_sessions(
    client, client_for, teacher_anna, mail_settings, smtp_server
):
    async with client_for(teacher_anna):
        assert await WebSession.count() == 1
    await client.post("/passwort-vergessen", data={"email": teacher_anna.email})
    path = await mailed_link(mail_settings, smtp_server, teacher_anna.email)
    r = await client.post(path, data={"password": "kurz", "password_repeat": "kurz"})
    assert r.status_code == 422 and "mindestens 10 Zeichen" in r.text
    r = await client.post(
        path,
        data={"password": NEW_PASSWORD, "password_repeat": NEW_PASSWORD},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert await WebSession.count() == 1  # only the session just started
    # A form of the anonymous page does not count in the new session: log in afresh.
    client.cookies.delete("mediathek_session")
    assert (await login(client, teacher_anna.email, PASSWORD)).status_code == 400


async def test_expired_reset_link_is_refused(client, teacher_anna, mail_settings, smtp_server):
    await client.post("/passwort-vergessen", data={"email": teacher_anna.email})
    link = await mailed_link(mail_settings, smtp_server, teacher_anna.email)
    await OneTimeToken.update(
        {OneTimeToken.expires_at: OneTimeToken.created_at - timedelta(minutes=1)}, force=True
    )
    r = await client.get(link)
    assert r.status_code == 410


async def test_login_is_rate_limited_per_account_with_a_german_message(client, teacher_anna):
    for _ in range(5):
        assert (await login(client, teacher_anna.email, "falsch-falsch")).status_code == 400
    r = await login(client, teacher_anna.email, PASSWORD)
    assert r.status_code == 429 and "Zu viele fehlgeschlagene Anmeldeversuche" in r.text
    assert "mediathek_session" not in client.cookies


async def test_successful_login_clears_the_failures_of_that_account(client, teacher_anna):
    for _ in range(4):
        await login(client, teacher_anna.email, "falsch-falsch")
    assert (await login(client, teacher_anna.email, PASSWORD)).status_code == 303
    assert await LoginThrottle.count() == 0
