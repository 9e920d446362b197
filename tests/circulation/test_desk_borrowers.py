"""The desk finds a borrower by name (people forget their card) and acts for her."""

import json
import re
from datetime import timedelta

from mediathek.audit import AuditLog
from mediathek.catalogue.tables import Copy, CopyStatus
from mediathek.circulation.tables import Loan
from mediathek.clock import today as library_date
from mediathek.notifications.tables import Notification
from mediathek.patrons.tables import Patron
from mediathek.reservations.tables import Booking, Hold, HoldStatus
from mediathek.vocab import MediaType
from tests.circulation.test_desk import scan
from tests.factories import title_with_copies


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


async def test_a_loan_is_shortened_to_the_card_expiry_and_says_so(
    client_for, staff, teacher_anna, settings
):
    today = library_date(settings.tz)
    _, [code] = await title_with_copies("Wimmelbuch")
    expires = today + timedelta(days=2)
    await Patron.update({Patron.expires_on: expires}).where(Patron.id == teacher_anna.patron_id)
    async with client_for(staff) as c:
        lent = await scan(c, code, teacher_anna.card)
    assert "Ausgeliehen: „Wimmelbuch“" in lent.text, re.findall(r"desk-message.*", lent.text)
    # The due date stops before the card expires, and the desk says why.
    assert f"Kürzere Leihfrist: Der Ausweis läuft am {expires:%d.%m.%Y} ab." in lent.text


async def test_staff_place_a_hold_for_a_walk_in_borrower_at_the_desk(
    client_for, staff, walkin_carla, teacher_anna
):
    _, [code] = await title_with_copies("Tiptoi Bauernhof")
    async with client_for(staff) as c:
        await scan(c, code, teacher_anna.card)  # lent to Anna: Carla has to wait
        page = await c.post(
            "/theke/vormerken",
            data={"ausweis": walkin_carla.card, "titel": "Tiptoi Bauernhof"},
            headers={"HX-Request": "true"},
        )
    assert "Vorgemerkt: „Tiptoi Bauernhof“. Carla Demir steht auf Platz 1" in page.text
    hold = await Hold.select().where(Hold.patron == walkin_carla.patron_id).first()
    assert hold["status"] == HoldStatus.waiting
    entry = await AuditLog.select().where(AuditLog.action == "hold.placed_for_patron").first()
    detail = entry["detail"] if isinstance(entry["detail"], dict) else json.loads(entry["detail"])
    assert entry["actor"] == staff.account_id and detail["patron_id"] == walkin_carla.patron_id


async def test_a_hold_for_a_title_on_the_shelf_is_set_aside_and_mailed(
    client_for, staff, walkin_carla
):
    _, [code] = await title_with_copies("Bildwörterbuch Arabisch")
    async with client_for(staff) as c:
        page = await c.post(
            "/theke/vormerken",
            data={"ausweis": walkin_carla.card, "titel": code},
            headers={"HX-Request": "true"},
        )
    assert "zurückgelegt" in page.text and "Abholregal" in page.text
    ready = await Notification.select().where(Notification.patron == walkin_carla.patron_id)
    assert [n["kind"] for n in ready] == ["hold_ready"]


async def test_words_that_fit_several_titles_offer_a_choice(client_for, staff, walkin_carla):
    await title_with_copies("Memo Obst")
    await title_with_copies("Memo Gemüse")
    async with client_for(staff) as c:
        asked = await c.post(
            "/theke/vormerken",
            data={"ausweis": walkin_carla.card, "titel": "Memo"},
            headers={"HX-Request": "true"},
        )
        assert "Welcher Titel ist gemeint?" in asked.text
        assert asked.text.count('name="title_id"') == 2
        nothing = await c.post(
            "/theke/vormerken",
            data={"ausweis": walkin_carla.card, "titel": "Gibtesnicht"},
            headers={"HX-Request": "true"},
        )
        assert "Keinen Titel zu „Gibtesnicht“ gefunden." in nothing.text
    assert await Hold.count() == 0


async def test_the_desk_answers_a_reservation_in_the_staff_members_language(
    client_for, staff, walkin_carla, teacher_anna
):
    _, [code] = await title_with_copies("Tiptoi Zoo")
    await title_with_copies("Memo Tiere")
    await title_with_copies("Memo Farben")
    english = {"HX-Request": "true", "Accept-Language": "en"}
    async with client_for(staff) as c:
        await scan(c, code, teacher_anna.card)  # lent to Anna: Carla has to wait
        held = await c.post(
            "/theke/vormerken",
            data={"ausweis": walkin_carla.card, "titel": "Tiptoi Zoo"},
            headers=english,
        )
        asked = await c.post(
            "/theke/vormerken",
            data={"ausweis": walkin_carla.card, "titel": "Memo"},
            headers=english,
        )
        nothing = await c.post(
            "/theke/vormerken",
            data={"ausweis": walkin_carla.card, "titel": "Gibtesnicht"},
            headers=english,
        )
        bad = await c.post(
            "/theke/vormerken",
            data={"ausweis": walkin_carla.card, "titel": "x", "start_on": "gestern"},
            headers=english,
        )
    assert "Hold placed: “Tiptoi Zoo”. Carla Demir is number 1 on the waiting list." in held.text
    assert "Which title do you mean?" in asked.text
    assert "No title found for “Gibtesnicht”." in nothing.text
    assert "Please enter the date as DD.MM.YYYY." in bad.text
    assert await Hold.count() == 1


async def test_staff_book_a_range_for_a_borrower_on_the_borrower_page(
    client_for, staff, walkin_carla, settings
):
    from mediathek.opening_calendar import load_calendar

    title_id, _ = await title_with_copies("Medienkoffer Farben", MediaType.kit)
    today = library_date(settings.tz)
    calendar = await load_calendar(today)
    start = calendar.next_opening_day(today + timedelta(days=7))
    end = calendar.next_opening_day(start + timedelta(days=3))
    async with client_for(staff) as c:
        page = await c.post(
            f"/verwaltung/ausleihende/{walkin_carla.patron_id}/vormerken",
            data={"titel": str(title_id), "start_on": start.isoformat(), "end_on": end.isoformat()},
        )
        assert page.status_code == 200
        assert f"„Medienkoffer Farben“ für Carla Demir vom {start:%d.%m.%Y}" in page.text
        half = await c.post(
            f"/verwaltung/ausleihende/{walkin_carla.patron_id}/vormerken",
            data={"titel": str(title_id), "start_on": start.isoformat()},
        )
        assert "den ersten und den letzten Tag angeben" in half.text
        bad = await c.post(
            f"/verwaltung/ausleihende/{walkin_carla.patron_id}/vormerken",
            data={"titel": "x", "title_id": "99999999999"},
        )
        assert bad.status_code == 200 and "Ungültige Titelnummer" in bad.text
    booking = await Booking.select().where(Booking.patron == walkin_carla.patron_id).first()
    assert booking["start_on"] == start
    mails = await Notification.select().where(Notification.patron == walkin_carla.patron_id)
    assert [n["kind"] for n in mails] == ["booking_confirmed"]


async def test_lost_is_asked_first_and_can_be_taken_back_right_after(
    client_for, staff, teacher_anna
):
    _, [code] = await title_with_copies("Hörstift Set")
    async with client_for(staff) as c:
        await scan(c, code, teacher_anna.card)
        # Without the page's dialog the server asks on a page of its own; nothing changes yet.
        asked = await c.post("/theke/markieren", data={"code": code, "what": "lost"})
        assert "als verloren markieren?" in asked.text and 'name="confirmed"' in asked.text
        assert await Loan.count().where(Loan.returned_at.is_null()) == 1
        marked = await c.post(
            "/theke/markieren",
            data={"code": code, "what": "lost", "confirmed": "1", "note": "Kind hat es verloren"},
        )
        assert "ist als verloren markiert" in marked.text
        token = re.search(r'name="undo" value="(lost\.[^"]+)"', marked.text).group(1)
        assert await Loan.count().where(Loan.returned_at.is_null()) == 0
        undone = await c.post("/theke/verloren-rueckgaengig", data={"undo": token})
        assert "nicht mehr als verloren markiert" in undone.text
        # The same button again is stale: nothing happens twice.
        again = await c.post("/theke/verloren-rueckgaengig", data={"undo": token})
        assert "veraltet" in again.text
        garbled = await c.post("/theke/verloren-rueckgaengig", data={"undo": "lost.x.1.2.on_loan"})
        assert garbled.status_code == 200 and "veraltet" in garbled.text
    copy = await Copy.select(Copy.status).where(Copy.barcode == code).first()
    assert copy["status"] == CopyStatus.on_loan
    assert await Loan.count().where(Loan.returned_at.is_null()) == 1
    notes = await AuditLog.select(AuditLog.detail).where(AuditLog.action == "copy.lost")
    assert "Kind hat es verloren" in str(notes)
    assert await AuditLog.count().where(AuditLog.action == "copy.lost.undo") == 1


async def test_a_kits_parts_are_named_at_checkout_and_on_both_receipts(
    client_for, staff, volunteer_ben, settings
):
    from mediathek.notifications.messages import make_renderer

    parts = [("Puppe", 1), ("Würfel", 2)]
    _, [code] = await title_with_copies("Koffer Zahlen", MediaType.kit, components=parts)
    async with client_for(staff) as c:
        lent = await scan(c, code, volunteer_ben.card)
        assert "Bestandteile – bitte beim Ausgeben prüfen" in lent.text
        assert "1 × Puppe, 2 × Würfel" in lent.text
        printed = await c.get(f"/theke/quittung?ausweis={volunteer_ben.card}")
        assert "Bestandteile: 1 × Puppe, 2 × Würfel" in printed.text
        await c.post("/theke/quittung", data={"ausweis": volunteer_ben.card})
    notice = await (
        Notification.select(Notification.payload, Notification.language)
        .output(load_json=True)
        .first()
    )
    # Ben reads his e-mails in English: the receipt comes in English, parts included.
    assert notice["language"] == "en"
    mail = (await make_renderer(settings)).render("loan_receipt", "en", 0, notice["payload"])
    assert "Parts: 1 × Puppe, 2 × Würfel" in mail.text and "Parts: 1 × Puppe" in mail.html
    assert "Due on" in mail.html or "due on" in mail.text
