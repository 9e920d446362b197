"""The Mediathek's own facts on pages: contact block and opening hours (footer, /kontakt),
the deadlines an admin sets, and "So funktioniert die Ausleihe" from the live rules."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from mediathek.audit import AuditLog
from mediathek.clock import today as library_today
from mediathek.core_tables import SiteSetting
from mediathek.errors import InvalidInput
from mediathek.info import policy
from mediathek.opening_calendar import Calendar
from mediathek.reservations import services as reservations
from mediathek.reservations.hooks import on_return
from mediathek.reservations.tables import Hold
from mediathek.site_settings import get_setting
from tests.factories import give_back, lend, next_years_monday, title_with_copy_ids

CONTACT = {
    "name": "Mediathek im KI Musterstadt",
    "address": "Am Markt 5, 12345 Musterstadt",
    "phone": "02345 67-890",
    "email": "ausleihe@musterstadt.example",
    "opening_hours_text": "Mo–Do 9–16 Uhr",
    "approval_days": "2",
}


async def set_deadlines(c, pickup, buffer, set_aside, longest, **kwargs):
    """The admin form "Fristen" as sent by the browser."""
    fields = ("hold_pickup_days", "booking_buffer_days", "booking_set_aside_days")
    data = dict(zip(fields, (pickup, buffer, set_aside), strict=True))
    return await c.post("/admin/fristen", data={**data, "booking_max_days": longest}, **kwargs)


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


async def test_every_page_shows_contact_and_opening_hours_in_the_footer(client, client_for, admin):
    home = await client.get("/")
    assert "Musterstraße 1, 40210 Düsseldorf" in home.text  # today's defaults
    assert "Öffnungszeiten: Mo–Fr" in home.text  # built from the opening weekdays
    async with client_for(admin) as c:
        r = await c.post("/admin/kontakt", data=CONTACT, follow_redirects=False)
        assert r.status_code == 303
        saved = await c.get("/admin/kontakt?gespeichert=1")
        assert (
            "Gespeichert." in saved.text and 'value="Am Markt 5, 12345 Musterstadt"' in saved.text
        )
    for path in ("/", "/katalog", "/anmelden", "/gibt-es-nicht"):
        footer = (await client.get(path)).text.rsplit("<footer", 1)[1]
        assert "Am Markt 5, 12345 Musterstadt" in footer, path
        # The number stays left to right inside an Arabic page.
        assert 'Telefon <span dir="ltr">02345 67-890</span>' in footer
        assert "Öffnungszeiten: Mo–Do 9–16 Uhr" in footer
        assert 'href="/kontakt"' in footer and 'href="/so-funktionierts"' in footer
    assert await AuditLog.exists().where(AuditLog.action == "contact_changed")


async def test_contact_page_lists_address_phone_mail_and_hours_per_weekday(
    client, client_for, admin
):
    async with client_for(admin) as c:
        await c.post(
            "/admin/kalender/oeffnungstage",
            data={"open-0": "1", "hours-0": "9–16 Uhr", "open-3": "1", "hours-3": "14–18 Uhr"},
        )
    page = await client.get("/kontakt")
    assert page.status_code == 200
    text = _text(page.text)
    assert "Musterstraße 1, 40210 Düsseldorf" in text and "mediathek@example.org" in text
    assert 'href="tel:0211000000"' in page.text
    assert "Montag 9–16 Uhr" in text and "Donnerstag 14–18 Uhr" in text
    assert "Dienstag" not in text
    # The footer follows the new opening days at once (this process was told).
    assert "Öffnungszeiten: Mo 9–16 Uhr, Do 14–18 Uhr" in text


async def test_wrong_contact_data_gets_german_messages_and_changes_nothing(client_for, admin):
    bad = {
        **CONTACT,
        "address": "  ",
        "phone": "ruf mich an",
        "email": "keine-adresse",
        "approval_days": "0",
    }
    async with client_for(admin) as c:
        r = await c.post("/admin/kontakt", data=bad)
    assert r.status_code == 422
    assert "Bitte geben Sie die Anschrift an" in r.text
    assert "Bitte eine Telefonnummer aus Ziffern angeben" in r.text
    assert "gültige E-Mail-Adresse" in r.text
    assert "Bitte eine ganze Zahl von 1 bis 30 angeben." in r.text
    assert await SiteSetting.count() == 0


async def test_deadlines_are_edited_with_german_validation(client_for, admin):
    async with client_for(admin) as c:
        page = await c.get("/admin/fristen")
        assert 'name="hold_pickup_days"' in page.text and 'value="7"' in page.text
        r = await set_deadlines(c, "0", "zwei", "2", "14")
        assert r.status_code == 422
        assert 'id="e-hold_pickup_days">Bitte eine ganze Zahl von 1 bis 30' in r.text
        assert 'id="e-booking_buffer_days">Bitte eine ganze Zahl von 0 bis 14' in r.text
        assert 'id="e-booking_max_days"' not in r.text
        assert await get_setting("booking_set_aside_days") == 1  # nothing half-saved
        ok = await set_deadlines(c, "3", "2", "2", "14", follow_redirects=False)
        assert ok.status_code == 303
    assert [
        await get_setting(k)
        for k in (
            "hold_pickup_days",
            "booking_buffer_days",
            "booking_set_aside_days",
            "booking_max_days",
        )
    ] == [3, 2, 2, 14]


async def test_hold_shelf_days_from_the_setting_decide_the_pickup_deadline(
    client_for, admin, teacher_anna, volunteer_ben
):
    today = library_today()
    title_id, [copy_id] = await title_with_copy_ids(1)
    await lend(copy_id, volunteer_ben.patron_id, today - timedelta(days=3))
    async with client_for(admin) as c:
        await set_deadlines(c, "2", "1", "1", "0")
    await reservations.place_hold(teacher_anna.patron_id, title_id, today)
    await give_back(copy_id)
    await on_return(copy_id, today)
    hold = await Hold.select(Hold.pickup_until).first()
    assert hold["pickup_until"] == Calendar().add_opening_days(today, 2)


async def test_the_booking_box_tells_the_longest_booking_and_booking_obeys_it(
    client_for, admin, teacher_anna
):
    title_id, _ = await title_with_copy_ids(2)
    async with client_for(teacher_anna) as c:
        box = await c.get(f"/reservierungen/titel/{title_id}")
        assert "Höchstens 28 Tage am Stück." in box.text  # today: the loan period
    async with client_for(admin) as c:
        await set_deadlines(c, "7", "1", "1", "5")
    # Monday to Friday (and Saturday, too long) of a week without a holiday.
    start = next_years_monday()
    async with client_for(teacher_anna) as c:
        box = await c.get(f"/reservierungen/titel/{title_id}")
        assert "Höchstens 5 Tage am Stück." in box.text
        refused = await c.post(
            f"/titel/{title_id}/reservieren",
            data={"start_on": start.isoformat(), "end_on": (start + timedelta(days=5)).isoformat()},
        )
        assert refused.status_code == 422
        assert "höchstens 5 Tage am Stück" in refused.text
        ok = await c.post(
            f"/titel/{title_id}/reservieren",
            data={"start_on": start.isoformat(), "end_on": (start + timedelta(days=4)).isoformat()},
        )
        assert ok.status_code in (200, 303)


async def test_how_it_works_is_written_from_the_live_rules(client, client_for, admin):
    home = await client.get("/")
    assert 'href="/so-funktionierts"' in home.text.split("<footer", 1)[0]  # on the home page
    page = _text((await client.get("/so-funktionierts")).text)
    assert "So funktioniert die Ausleihe" in page
    # The default loan rules are one rule for everything: said in one sentence.
    assert "Für alle Medien und alle Gruppen: 28 Tage , zweimal verlängern." in page
    assert "7 Öffnungstage Zeit zum Abholen" in page
    assert "3 Tage vor dem Rückgabetag bekommen Sie eine Erinnerung" in page
    assert "14 Tage nach dem Rückgabetag: 2. Mahnung" in page
    assert "so lang sein wie die Leihfrist" in page
    # An admin changes the rules; the page says the new ones.
    async with client_for(admin) as c:
        rules = (await c.get("/admin/ausleihregeln")).text
        form = dict(re.findall(r'name="([a-z_\-]+)" id="f-[^"]+" value="(\d+)"', rules))
        form["days-volunteer_teacher-game"] = "14"
        form["renewals-volunteer_teacher-game"] = "1"
        assert (await c.post("/admin/ausleihregeln", data=form)).status_code in (200, 303)
        await set_deadlines(c, "4", "0", "2", "21")
        await c.post(
            "/admin/erinnerungen",
            data={"due_soon_days": "2", "level1": "5", "level2": "10", "level3": "20"},
        )
    page = _text((await client.get("/so-funktionierts")).text)
    assert "Spiel 28 Tage Zweimal verlängern 14 Tage Einmal verlängern 28 Tage" in page
    assert "Buch, Lehrwerk, Lehrerhandbuch" in page and "zweimal verlängern (alle Gruppen)" in page
    assert "4 Öffnungstage Zeit zum Abholen" in page
    assert "höchstens 21 Tage lang sein" in page
    assert "2 Tage vor dem ersten Tag" in page and "liegt kein freier Tag" in page
    assert (
        "2 Tage vor dem Rückgabetag" in page and "10 Tage nach dem Rückgabetag: 2. Mahnung" in page
    )


@pytest.mark.parametrize(
    ("days", "short"),
    [
        (
            [(0, "9–16 Uhr"), (1, "9–16 Uhr"), (2, "9–16 Uhr"), (3, "9–16 Uhr"), (4, "9–12 Uhr")],
            "Mo–Do 9–16 Uhr, Fr 9–12 Uhr",
        ),
        ([(0, "9–12"), (1, "9–12")], "Mo, Di 9–12"),
        ([(0, ""), (2, "")], "Mo, Mi"),
        ([], ""),
    ],
)
def test_opening_hours_in_a_few_words(days, short):
    assert policy.opening_hours_short(days) == short


def test_contact_is_checked_field_by_field():
    with pytest.raises(InvalidInput) as exc:
        policy.parse_contact({"name": "", "address": "x" * 201, "email": "a@b.de", "phone": "+49"})
    assert set(exc.value.errors) == {"name", "address", "phone"}
    ok = policy.parse_contact({**CONTACT, "phone": "+49 (211) 123 45"})
    assert ok["phone"] == "+49 (211) 123 45" and ok["opening_hours_text"] == "Mo–Do 9–16 Uhr"
