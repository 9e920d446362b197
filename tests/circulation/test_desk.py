import asyncio
import re
from datetime import timedelta

from mediathek.audit import AuditLog
from mediathek.catalogue.tables import Copy, CopyStatus
from mediathek.circulation.tables import Loan
from mediathek.clock import today as library_date
from mediathek.notifications.messages import make_renderer
from mediathek.notifications.tables import Notification
from mediathek.patrons.tables import Patron
from mediathek.reservations.services import place_hold
from mediathek.site_settings import set_setting
from mediathek.vocab import MediaType
from tests.factories import title_with_copies


async def scan(c, code, ausweis="", **extra):
    return await c.post(
        "/theke/scan",
        data={"code": code, "ausweis": ausweis, **extra},
        headers={"HX-Request": "true"},
    )


async def test_desk_is_for_staff_only(client_for, teacher_anna, client):
    async with client_for(teacher_anna) as c:
        assert (await c.get("/theke")).status_code == 403
    assert (await client.get("/theke")).status_code in (303, 302)


async def test_scanning_a_card_opens_the_patron_and_copies_are_lent(
    client_for, staff, teacher_anna
):
    _, [code] = await title_with_copies("Bildkarten Obst")
    async with client_for(staff) as c:
        page = await c.get("/theke")
        assert "Rückgabe" in page.text and 'id="scan-code"' in page.text
        opened = await scan(c, teacher_anna.card)
        assert "Anna Berger" in opened.text and "Ausleihe" in opened.text
        assert opened.headers["HX-Push-Url"] == f"/theke?ausweis={teacher_anna.card}"
        lent = await scan(c, code, teacher_anna.card)
        assert "Ausgeliehen: „Bildkarten Obst“" in lent.text
        assert "Letzte Aktion rückgängig" in lent.text
        assert "<html" not in lent.text
        # Without a patron open, the same scan returns the copy.
        back = await scan(c, code)
        assert "Zurück: „Bildkarten Obst“" in back.text
    assert await Loan.count().where(Loan.returned_at.is_null()) == 0


async def test_refusal_is_explained_and_can_be_overridden_with_a_reason(
    client_for, staff, volunteer_dora_blocked
):
    _, [code] = await title_with_copies()
    async with client_for(staff) as c:
        refused = await scan(c, code, volunteer_dora_blocked.card)
        assert "gesperrt" in refused.text and "Trotzdem ausleihen" in refused.text
        lent = await scan(c, code, volunteer_dora_blocked.card, override_reason="Chefin erlaubt")
        assert "Ausnahme wurde protokolliert" in lent.text
    assert await AuditLog.count().where(AuditLog.action == "loan.override") == 1


async def test_kit_return_shows_the_checklist_and_marks_missing_parts(
    client_for, staff, teacher_anna
):
    _, [code] = await title_with_copies(
        "Koffer", MediaType.kit, components=[("Puppe", 1), ("Würfel", 2)]
    )
    async with client_for(staff) as c:
        await scan(c, teacher_anna.card)
        await scan(c, code, teacher_anna.card)
        asked = await scan(c, code)
        assert "Bestandteile" in asked.text and "Würfel" in asked.text
        done = await c.post(
            "/theke/scan",
            data={
                "code": code,
                "checklist": "1",
                "component": ["Puppe", "Würfel"],
                "present": ["Würfel"],
            },
        )
        assert done.status_code == 200 and "unvollständig" in done.text
    copy = await Copy.select(Copy.status, Copy.status_note).first()
    assert copy["status"] == CopyStatus.needs_check and "Puppe" in copy["status_note"]


async def test_isbn_scan_picks_the_only_copy_and_asks_when_several(client_for, staff, teacher_anna):
    await title_with_copies("Eins", MediaType.book, isbn="9783161484100")
    await title_with_copies("Zwei", MediaType.book, copies=2, isbn="9780306406157")
    async with client_for(staff) as c:
        lent = await scan(c, "978-3-16-148410-0", teacher_anna.card)
        assert "Ausgeliehen: „Eins“" in lent.text
        ask = await scan(c, "0306406152", teacher_anna.card)
        assert "Mehrere Exemplare" in ask.text


async def test_desk_works_without_javascript(client_for, staff, teacher_anna):
    _, [first, second] = await title_with_copies("Ohne JS", copies=2)
    async with client_for(staff) as c:
        await c.post("/theke/scan", data={"code": first, "ausweis": teacher_anna.card})
        page = await c.post("/theke/scan", data={"code": second, "ausweis": teacher_anna.card})
    # A plain form post gets the whole page: scan form, mode, result and the complete list.
    assert page.status_code == 200 and "<html" in page.text and 'id="scan-code"' in page.text
    assert "Ausgeliehen: „Ohne JS“" in page.text and "Ausgeliehen (2)" in page.text
    assert f'data-barcode="{first}"' in page.text and f'data-barcode="{second}"' in page.text
    assert "hx-swap-oob" not in page.text


async def test_a_checkout_answers_with_the_result_and_the_new_row_only(
    client_for, staff, teacher_anna
):
    _, [first, second] = await title_with_copies("Wimmelbuch", copies=2)
    async with client_for(staff) as c:
        await scan(c, teacher_anna.card)
        lent = await scan(c, first, teacher_anna.card)
        # The result box replaces the last one; the rest of the desk stays as it is.
        assert lent.headers["HX-Retarget"] == "#desk-outcome"
        assert lent.headers["HX-Reswap"] == "outerHTML"
        assert 'id="desk-result"' in lent.text and "Ausgeliehen: „Wimmelbuch“" in lent.text
        assert 'id="desk"' not in lent.text and "patron-panel" not in lent.text
        # Nothing was on loan: the list comes whole, with its only row.
        assert '<div id="desk-loans" hx-swap-oob="true">' in lent.text
        assert "Ausgeliehen (1)" in lent.text and f'data-barcode="{first}"' in lent.text
        assert "Keine offenen Ausleihen" not in lent.text

        again = await scan(c, second, teacher_anna.card)
        # Now the row goes on top of the list and only the count changes with it.
        assert '<div id="desk-loans"' not in again.text
        assert 'hx-swap-oob="afterbegin:#desk-loans-body"' in again.text
        assert (
            f'data-barcode="{second}"' in again.text and f'data-barcode="{first}"' not in again.text
        )
        assert 'id="desk-loans-heading" hx-swap-oob="true">Ausgeliehen (2)' in again.text
        assert 'class="badge badge-ok">neu' in again.text and "Verlängern" in again.text

        # The full desk, as a reload shows it, agrees: both rows, newest first.
        page = await c.get(f"/theke?ausweis={teacher_anna.card}")
        assert "Ausgeliehen (2)" in page.text
        assert page.text.index(f'data-barcode="{second}"') < page.text.index(
            f'data-barcode="{first}"'
        )


async def test_a_checkout_that_fulfils_a_hold_shows_the_whole_desk_again(
    client_for, staff, teacher_anna, today
):
    title_id, [code] = await title_with_copies("Vorgemerkt")
    await place_hold(teacher_anna.patron_id, title_id, today)
    async with client_for(staff) as c:
        opened = await scan(c, teacher_anna.card)
        assert "Abholregal bereit" in opened.text
        lent = await scan(c, code, teacher_anna.card)
    # The hold shelf list changed too: the answer is the whole workspace, without that list.
    assert "HX-Retarget" not in lent.headers
    assert 'id="desk"' in lent.text and "Ausgeliehen: „Vorgemerkt“" in lent.text
    assert "Abholregal bereit" not in lent.text and "Ausgeliehen (1)" in lent.text


def undo_token(page) -> str:
    return re.search(r'name="undo" value="([^"]+)"', page.text).group(1)


async def test_undo_last_takes_back_a_checkout(client_for, staff, teacher_anna):
    _, [code] = await title_with_copies()
    async with client_for(staff) as c:
        lent = await scan(c, code, teacher_anna.card)
        undone = await c.post(
            "/theke/rueckgaengig", data={"undo": undo_token(lent), "ausweis": teacher_anna.card}
        )
        assert "rückgängig gemacht" in undone.text
    assert await Loan.count() == 0


async def test_an_undo_form_from_before_a_second_checkout_cannot_delete_the_second_loan(
    client_for, staff, teacher_anna, volunteer_ben
):
    _, [code] = await title_with_copies("Wimmelbuch Stadt")
    async with client_for(staff) as c:
        first = await scan(c, code, teacher_anna.card)
        old_form = undo_token(first)  # still on screen in a second tab
        await c.post("/theke/rueckgaengig", data={"undo": old_form})
        await scan(c, code, volunteer_ben.card)
        # The second tab's old button, pressed now (or the page from the browser's history).
        stale = await c.post(
            "/theke/rueckgaengig", data={"undo": old_form, "ausweis": teacher_anna.card}
        )
        assert stale.status_code == 200 and "Ausleihe von „Wimmelbuch" not in stale.text
        assert "gibt es nicht mehr" in stale.text
        # A form of the days before tokens, naming only a loan id, does nothing either.
        bare = await c.post(
            "/theke/rueckgaengig", data={"kind": "checkout", "loan_id": "1", "undo": ""}
        )
        assert "veraltet" in bare.text
    open_loans = await Loan.select(Loan.patron).where(Loan.returned_at.is_null())
    assert open_loans == [{"patron": volunteer_ben.patron_id}]


async def test_a_repeated_scan_is_applied_once_and_answered_as_the_first(
    client_for, staff, teacher_anna
):
    _, [code] = await title_with_copies("Bilderbuch Zoo")
    async with client_for(staff) as c:
        await scan(c, teacher_anna.card, scan_id="scan-card-0001")
        first = await scan(c, code, teacher_anna.card, scan_id="scan-lend-0001")
        # The page never got the answer and sends the same scan again.
        again = await scan(c, code, teacher_anna.card, scan_id="scan-lend-0001")
        assert "Ausgeliehen: „Bilderbuch Zoo“" in first.text
        assert "Ausgeliehen: „Bilderbuch Zoo“" in again.text
        assert "schon ausgeliehen" not in again.text
        assert await Loan.count() == 1

        back = await scan(c, code, scan_id="scan-back-0001")
        back_again = await scan(c, code, scan_id="scan-back-0001")
        assert "Zurück: „Bilderbuch Zoo“" in back.text
        assert "Zurück: „Bilderbuch Zoo“" in back_again.text
        # A new scan of the same copy is a new action with its own answer.
        third = await scan(c, code, scan_id="scan-back-0002")
        assert "nicht ausgeliehen" in third.text
    assert await Loan.count() == 1
    assert await Loan.count().where(Loan.returned_at.is_null()) == 0


async def test_two_identical_scans_at_the_same_moment_apply_once(client_for, staff, teacher_anna):
    _, [code] = await title_with_copies("Memo-Spiel")
    async with client_for(staff) as c1, client_for(staff) as c2:
        answers = await asyncio.gather(
            *[scan(c, code, teacher_anna.card, scan_id="same-scan-0042") for c in (c1, c2)]
        )
        assert all("Ausgeliehen: „Memo-Spiel“" in a.text for a in answers)
        assert await Loan.count() == 1
        returns = await asyncio.gather(*[scan(c, code, scan_id="same-back-0042") for c in (c1, c2)])
        assert all("Zurück: „Memo-Spiel“" in a.text for a in returns)
    assert await Loan.count().where(Loan.returned_at.is_null()) == 0
    copy = await Copy.select(Copy.status).first()
    assert copy["status"] == CopyStatus.available


async def test_a_refused_scan_inside_a_replayable_request_leaves_the_copy_as_it_was(
    client_for, staff, volunteer_dora_blocked
):
    _, [code] = await title_with_copies()
    async with client_for(staff) as c:
        refused = await scan(c, code, volunteer_dora_blocked.card, scan_id="refused-0001")
        assert "gesperrt" in refused.text
    # The claim of the copy was undone with the refusal, not committed with the request's row.
    copy = await Copy.select(Copy.status).first()
    assert copy["status"] == CopyStatus.available
    assert await Loan.count() == 0


async def test_a_copy_marked_lost_and_found_again_goes_back_on_the_shelf(
    client_for, staff, teacher_anna, volunteer_ben, today
):
    title_id, [code] = await title_with_copies("Tiptoi Bauernhof")
    async with client_for(staff) as c:
        await scan(c, code, teacher_anna.card)
        await place_hold(volunteer_ben.patron_id, title_id, today)
        await c.post(
            "/theke/markieren", data={"code": code, "what": "lost", "note": "weg", "confirmed": "1"}
        )
        back = await scan(c, code)
        # Not "nothing to do": the desk asks, and the page holds further scans meanwhile.
        assert "nichts zu tun" not in back.text
        assert "als verloren gemeldet" in back.text and 'data-blocks="1"' in back.text
        assert "Wiedergefunden" in back.text
        found = await c.post("/theke/wiedergefunden", data={"code": code})
        assert "wieder da" in found.text and "vorgemerkt für Ben" in found.text
        again = await c.post("/theke/wiedergefunden", data={"code": code})
        assert "weder verloren noch ausgesondert" in again.text
    copy = await Copy.select(Copy.status).first()
    assert copy["status"] == CopyStatus.on_hold_shelf
    assert await Loan.count().where(Loan.returned_at.is_null()) == 0
    assert await AuditLog.count().where(AuditLog.action == "copy.found") == 1


async def test_the_kit_checklist_records_how_many_pieces_of_a_part_are_missing(
    client_for, staff, teacher_anna
):
    _, [code] = await title_with_copies(
        "Koffer", MediaType.kit, components=[("Puppe", 1), ("Würfel", 4)]
    )
    async with client_for(staff) as c:
        await scan(c, code, teacher_anna.card)
        asked = await scan(c, code)
        assert 'name="missing_count"' in asked.text and 'max="4"' in asked.text
        done = await c.post(
            "/theke/scan",
            data={
                "code": code,
                "checklist": "1",
                "component": ["Puppe", "Würfel"],
                "quantity": ["1", "4"],
                "present": ["Puppe", "Würfel"],
                "missing_count": ["0", "3"],
            },
        )
        assert "unvollständig" in done.text
    copy = await Copy.select(Copy.status, Copy.status_note).first()
    assert copy["status"] == CopyStatus.needs_check
    assert copy["status_note"] == "Fehlt: 3 von 4 × Würfel"
    loan = await Loan.select(Loan.checkin_note).first()
    assert loan["checkin_note"] == "Fehlt: 3 von 4 × Würfel"


async def test_a_return_that_fills_a_hold_waits_for_confirmation_and_prints_a_slip(
    client_for, staff, teacher_anna, volunteer_ben, today
):
    title_id, [code] = await title_with_copies("Bildkarten Berufe")
    async with client_for(staff) as c:
        await scan(c, code, teacher_anna.card)
        await place_hold(volunteer_ben.patron_id, title_id, today)
        back = await scan(c, code, scan_id="return-hold-0001")
        # The page holds later scans until a person confirms the hold shelf.
        assert "vorgemerkt für Ben Yilmaz" in back.text and 'data-blocks="1"' in back.text
        assert "Liegt im Abholregal" in back.text and "Abholzettel drucken" in back.text
        slip = await c.get(f"/theke/abholzettel?exemplar={code}")
        # Name-free by default: surname letters and the card's last digits.
        assert f"YIL-{volunteer_ben.card[-4:]}" in slip.text and "Ben Yilmaz" not in slip.text
        assert "Abholbereit bis" in slip.text
        await set_setting("hold_slip_shows_name", True)
        named = await c.get(f"/theke/abholzettel?exemplar={code}")
        assert "Ben Yilmaz" in named.text
        shelved = await c.post("/theke/abholregal", data={"code": code})
        assert "Im Abholregal: „Bildkarten Berufe“" in shelved.text
        assert 'data-blocks="1"' not in shelved.text
        nobody = await c.get("/theke/abholzettel?exemplar=M9999999")
        assert nobody.status_code == 404


async def test_the_emailed_receipt_lists_the_items_lent_today(
    client_for, staff, teacher_anna, settings
):
    _, [first, second] = await title_with_copies("Bildkarten Wetter", copies=2)
    async with client_for(staff) as c:
        await scan(c, first, teacher_anna.card)
        await scan(c, second, teacher_anna.card)
        sent = await c.post("/theke/quittung", data={"ausweis": teacher_anna.card})
        assert "per E-Mail" in sent.text
    notice = await Notification.select(Notification.payload).output(load_json=True).first()
    mail = (await make_renderer(settings)).render("loan_receipt", "de", 0, notice["payload"])
    assert mail.text.count("Bildkarten Wetter") == 2
    assert first in mail.text and second in mail.text and first in mail.html


async def test_a_blocked_card_opens_in_red_with_the_reason_and_expiry_is_shown(
    client_for, staff, volunteer_dora_blocked, teacher_anna, settings
):
    today = library_date(settings.tz)  # the desk's own date, as the app reads it
    async with client_for(staff) as c:
        blocked = await scan(c, volunteer_dora_blocked.card)
        assert 'data-feedback="error"' in blocked.text
        assert "gesperrt: Medien seit Monaten überfällig" in blocked.text
        assert '<p class="alert alert-error">Dora Gesperrt ist gesperrt' in blocked.text
        await Patron.update({Patron.expires_on: today + timedelta(days=10)}).where(
            Patron.id == teacher_anna.patron_id
        )
        opened = await scan(c, teacher_anna.card)
        assert 'data-feedback="ok"' in opened.text
        expires = (today + timedelta(days=10)).strftime("%d.%m.%Y")
        assert f"gültig bis {expires}" in opened.text
        assert f"Der Ausweis läuft am {expires} ab" in opened.text
