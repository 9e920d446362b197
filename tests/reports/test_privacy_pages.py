from mediathek.audit import AuditLog, record
from mediathek.reports.legal import render_markup
from mediathek.site_settings import get_setting


def test_legal_markup_escapes_html_and_allows_only_safe_links():
    html = render_markup(
        "# Kontakt <b>\n\nText <script>alert(1)</script>\n"
        "[Mail](mailto:a@b.de) [böse](javascript:alert(1)) [Seite](/katalog)\n\n- eins\n- zwei"
    )
    assert "<h2>Kontakt &lt;b&gt;</h2>" in html
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert '<a href="mailto:a@b.de">Mail</a>' in html and '<a href="/katalog">Seite</a>' in html
    assert 'href="javascript' not in html
    assert "<ul><li>eins</li><li>zwei</li></ul>" in html


async def test_legal_pages_are_public_with_a_default_draft(client):
    privacy = await client.get("/datenschutz")
    assert privacy.status_code == 200
    assert "Datenschutzerklärung" in privacy.text and "30 Tage nach der Rückgabe" in privacy.text
    assert (await client.get("/impressum")).status_code == 200
    assert "Barriere melden" in (await client.get("/barrierefreiheit")).text


async def test_an_admin_edits_a_legal_page_and_html_stays_text(client_for, admin, client):
    async with client_for(admin) as c:
        form = await c.get("/admin/rechtliches")
        assert form.status_code == 200
        saved = await c.post(
            "/admin/rechtliches",
            data={"legal_imprint": "# Stadt Musterstadt\n<img src=x onerror=alert(1)>"},
            follow_redirects=False,
        )
    assert saved.status_code == 303
    page = (await client.get("/impressum")).text
    assert "<h2>Stadt Musterstadt</h2>" in page
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert await AuditLog.exists().where(AuditLog.action == "legal_pages_changed")


async def test_staff_cannot_edit_legal_pages(client_for, staff):
    async with client_for(staff) as c:
        assert (await c.get("/admin/rechtliches")).status_code == 403
        assert (await c.post("/admin/rechtliches", data={"legal_imprint": "x"})).status_code == 403


async def test_an_admin_sets_the_retention_periods(client_for, admin):
    async with client_for(admin) as c:
        bad = await c.post(
            "/admin/datenschutz", data={"anonymise_after_days": "0", "inactive_after_years": "x"}
        )
        assert bad.status_code == 422 and "1 bis 3650" in bad.text
        assert await get_setting("anonymise_after_days") == 30
        ok = await c.post(
            "/admin/datenschutz",
            data={"anonymise_after_days": "60", "inactive_after_years": "2"},
            follow_redirects=False,
        )
        assert ok.status_code == 303
        run = await c.post("/admin/datenschutz/anonymisieren", follow_redirects=True)
    assert "0 Ausleihen anonymisiert" in run.text
    assert await get_setting("anonymise_after_days") == 60
    assert await get_setting("inactive_after_years") == 2


async def test_the_audit_log_is_filtered_and_paged(client_for, admin, staff):
    for n in range(55):
        await record("checkout_override", actor_label="theke@x", object_type="loan", object_id=n)
    await record(
        "role_changed", actor_label="admin@x", object_type="account", object_id=7, role="admin"
    )
    async with client_for(admin) as c:
        everything = await c.get("/admin/protokoll")
        roles = await c.get("/admin/protokoll?aktion=role_changed")
        second = await c.get("/admin/protokoll?aktion=checkout_override&seite=2")
        bad_date = await c.get("/admin/protokoll?von=gestern")
    assert "56 Einträge, Seite 1 von 2" in everything.text
    assert "1 Einträge" in roles.text and "role: admin" in roles.text
    assert "Seite 2 von 2" in second.text and "Vorherige Seite" in second.text
    assert bad_date.status_code == 422
    async with client_for(staff) as c:
        assert (await c.get("/admin/protokoll")).status_code == 403


async def test_staff_see_deletion_candidates_with_links(client_for, staff, walkin_carla):
    from datetime import UTC, datetime

    from mediathek.patrons.tables import Patron

    long_ago = datetime(2020, 1, 1, tzinfo=UTC)
    await Patron.update({Patron.created_at: long_ago, Patron.last_activity_at: long_ago}).where(
        Patron.id == walkin_carla.patron_id
    )
    async with client_for(staff) as c:
        page = await c.get("/verwaltung/loeschkandidaten")
    assert f'href="/verwaltung/ausleihende/{walkin_carla.patron_id}"' in page.text
    assert "Carla Demir" in page.text
