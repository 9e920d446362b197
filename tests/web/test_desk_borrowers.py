"""The desk finds a borrower by name (people forget their card) and acts for her."""

import re
from datetime import timedelta

from mediathek.clock import today as library_date
from mediathek.patrons.tables import Patron
from tests.circulation_fixtures import make_title
from tests.web.test_desk import scan


async def test_three_letters_of_a_name_suggest_the_borrowers_to_open(
    client_for, staff, teacher_anna, walkin_carla
):
    async with client_for(staff) as c:

        async def suggest(q):
            return await c.get(f"/theke/ausleihende?q={q}", headers={"HX-Request": "true"})

        listbox = await suggest("berg")
        assert 'role="listbox"' in listbox.text and 'role="option"' in listbox.text
        assert f'data-card="{teacher_anna.card}"' in listbox.text
        assert "Carla" not in listbox.text and "<html" not in listbox.text
        # Two letters are too few; a code with digits is never a name.
        assert 'role="option"' not in (await suggest("be")).text
        assert 'role="option"' not in (await suggest(teacher_anna.card)).text


async def test_without_javascript_the_search_is_a_page_of_links(client_for, staff, walkin_carla):
    async with client_for(staff) as c:
        page = await c.get("/theke/ausleihende?q=Carla Demir")
        assert "<html" in page.text and f'href="/theke?ausweis={walkin_carla.card}"' in page.text
        none = await c.get("/theke/ausleihende?q=Niemand")
        assert "Niemand mit „Niemand“ im Namen gefunden" in none.text


async def test_a_name_sent_from_the_scan_field_lists_who_matches(
    client_for, staff, teacher_anna, volunteer_dora_blocked
):
    async with client_for(staff) as c:
        found = await scan(c, "dora")
        assert "Wen möchten Sie öffnen?" in found.text
        assert f"/theke?ausweis={volunteer_dora_blocked.card}" in found.text
        assert "gesperrt" in found.text
        nobody = await scan(c, "Xaver")
        assert "Niemand mit „Xaver“ im Namen gefunden" in nobody.text
        # Codes still scan as codes: the card opens Anna.
        assert "Anna Berger ist geöffnet" in (await scan(c, teacher_anna.card)).text


async def test_the_patron_panel_shows_notes_block_reason_and_expiry(
    client_for, staff, volunteer_dora_blocked, settings
):
    today = library_date(settings.tz)  # the desk's own date
    await Patron.update(
        {Patron.notes: "Holt oft für die Kita mit ab.", Patron.expires_on: today + timedelta(5)}
    ).where(Patron.id == volunteer_dora_blocked.patron_id)
    async with client_for(staff) as c:
        page = await c.get(f"/theke?ausweis={volunteer_dora_blocked.card}")
    assert "Holt oft für die Kita mit ab." in page.text
    assert "gesperrt: Medien seit Monaten überfällig" in page.text
    assert f"gültig bis {today + timedelta(days=5):%d.%m.%Y}" in page.text


async def test_a_loan_due_after_the_card_expires_is_lent_with_a_warning(
    client_for, staff, teacher_anna, settings
):
    today = library_date(settings.tz)
    _, [code] = await make_title("Wimmelbuch")
    expires = today + timedelta(days=2)
    await Patron.update({Patron.expires_on: expires}).where(Patron.id == teacher_anna.patron_id)
    async with client_for(staff) as c:
        lent = await scan(c, code, teacher_anna.card)
    assert "Ausgeliehen: „Wimmelbuch“" in lent.text, re.findall(r"desk-message.*", lent.text)
    assert f"Der Ausweis läuft schon am {expires:%d.%m.%Y} ab, vor dem Rückgabedatum" in lent.text
