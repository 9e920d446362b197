"""Receipts at the desk: what a borrower took home and brought back today, printed and by
e-mail in her language; and a long-overdue loan renewed by staff with a logged reason."""

import re
from datetime import timedelta

import pytest

from mediathek.audit import AuditLog
from mediathek.circulation import desk, policy, services
from mediathek.circulation.tables import Loan
from mediathek.notifications.delivery import deliver_outbox
from mediathek.notifications.tables import Notification
from mediathek.patrons.tables import Patron
from mediathek.settings import Settings
from mediathek.vocab import MediaType
from tests.factories import title_with_copies


async def scan(c, code, ausweis="", **extra):
    return await c.post(
        "/theke/scan",
        data={"code": code, "ausweis": ausweis, **extra},
        headers={"HX-Request": "true"},
    )


def receipt_for(page) -> str:
    """The borrower id the result box offers a receipt for."""
    match = re.search(r'/theke/quittung\?ausleihende=(\d+)"', page.text)
    assert match, page.text
    return match.group(1)


async def lend_and_close(c, card, *codes):
    for code in codes:
        lent = await scan(c, code, card)
        assert "Ausgeliehen" in lent.text, lent.text
    await c.post("/theke/schliessen")


async def test_a_return_stack_without_the_card_offers_the_borrowers_receipt(
    client_for, staff, teacher_anna, volunteer_ben
):
    _, [book] = await title_with_copies("Bildkarten Wetter")
    _, [other] = await title_with_copies("Memo Tiere")
    _, [kit] = await title_with_copies(
        "Koffer Zahlen", MediaType.kit, components=[("Puppe", 1), ("Würfel", 2)]
    )
    _, [bens] = await title_with_copies("Bens Buch")
    async with client_for(staff) as c:
        await lend_and_close(c, teacher_anna.card, book, other, kit)
        await lend_and_close(c, volunteer_ben.card, bens)
        # Anna brings back the book and the kit, without her card; one die is missing.
        back = await scan(c, book)
        assert "Zurück: „Bildkarten Wetter“ (Anna Berger)" in back.text
        assert "Rückgabe-Quittung drucken" in back.text
        assert receipt_for(back) == str(teacher_anna.patron_id)
        await scan(c, kit)
        kit_back = await c.post(
            "/theke/scan",
            data={
                "code": kit,
                "checklist": "1",
                "component": ["Puppe", "Würfel"],
                "quantity": ["1", "2"],
                "present": ["Puppe", "Würfel"],
                "missing_count": ["0", "1"],
            },
            headers={"HX-Request": "true"},
        )
        assert "unvollständig" in kit_back.text
        assert receipt_for(kit_back) == str(teacher_anna.patron_id)
        # Ben's return in the same stack offers Ben's receipt, not Anna's.
        assert receipt_for(await scan(c, bens)) == str(volunteer_ben.patron_id)

        printed = await c.get(f"/theke/quittung?ausleihende={teacher_anna.patron_id}")
    assert printed.status_code == 200
    text = printed.text
    lent, returned = text.split("Heute zurückgegeben")
    assert "Bildkarten Wetter" in returned and book in returned
    assert "Koffer Zahlen" in returned and "Bestandteile: 1 × Puppe, 2 × Würfel" in returned
    assert "Fehlt: 1 von 2 × Würfel" in returned
    # Lent today and still out: listed as lent. Ben's return is on his own receipt.
    assert "Heute ausgeliehen" in lent and "Memo Tiere" in lent and "Memo Tiere" not in returned
    assert "Bens Buch" not in text


async def test_the_receipt_of_an_open_card_lists_todays_loans_and_returns(
    client_for, staff, teacher_anna
):
    _, [first, second] = await title_with_copies("Bildkarten Obst", copies=2)
    async with client_for(staff) as c:
        await lend_and_close(c, teacher_anna.card, first)
        await scan(c, first)
        await scan(c, second, teacher_anna.card)
        printed = await c.get(f"/theke/quittung?ausweis={teacher_anna.card}")
    assert "Heute ausgeliehen" in printed.text and "Heute zurückgegeben" in printed.text
    lent, returned = printed.text.split("Heute zurückgegeben")
    assert second in lent and first not in lent
    assert first in returned and second not in returned


async def test_nothing_to_list_is_said_plainly(client_for, staff, teacher_anna):
    async with client_for(staff) as c:
        printed = await c.get(f"/theke/quittung?ausweis={teacher_anna.card}")
        assert "Heute wurde nichts ausgeliehen oder zurückgegeben." in printed.text
        sent = await c.post("/theke/quittung", data={"ausleihende": str(teacher_anna.patron_id)})
        assert "Heute wurde nichts ausgeliehen oder zurückgegeben." in sent.text
        for bad in ("abc", "0", "99999999999"):
            garbled = await c.get(f"/theke/quittung?ausleihende={bad}")
            assert garbled.status_code == 422 and "Ungültige Nummer" in garbled.text
        nobody = await c.get("/theke/quittung?ausleihende=999999")
        assert nobody.status_code == 404


@pytest.mark.parametrize(
    ("language", "subject", "returned_words", "missing_word"),
    [
        ("uk", "Ваше повернення до медіатеки", "сьогодні ви повернули", "Бракує"),
        ("ar", "ما أعدته إلى المكتبة", "أعدت اليوم", "ناقص"),
        ("de", "Ihre Rückgabe in der Mediathek", "Sie haben heute zurückgegeben", "Fehlt"),
    ],
)
async def test_the_emailed_return_receipt_lists_the_returns_in_her_language(
    client_for,
    staff,
    teacher_anna,
    mail_settings: Settings,
    smtp_server,
    language,
    subject,
    returned_words,
    missing_word,
):
    await Patron.update({Patron.preferred_language: language}).where(
        Patron.id == teacher_anna.patron_id
    )
    _, [book] = await title_with_copies("Bildkarten Wetter")
    _, [kit] = await title_with_copies(
        "Koffer Zahlen", MediaType.kit, components=[("Puppe", 1), ("Würfel", 2)]
    )
    async with client_for(staff) as c:
        await lend_and_close(c, teacher_anna.card, book, kit)
        back = await scan(c, book)
        await c.post(
            "/theke/scan",
            data={
                "code": kit,
                "checklist": "1",
                "component": ["Puppe", "Würfel"],
                "quantity": ["1", "2"],
                "present": ["Würfel"],
                "missing_count": ["0", "0"],
            },
        )
        sent = await c.post("/theke/quittung", data={"ausleihende": receipt_for(back)})
        assert "Die Quittung wird per E-Mail geschickt." in sent.text
        # The same receipt asked for twice goes out once.
        again = await c.post("/theke/quittung", data={"ausleihende": receipt_for(back)})
        assert "schon verschickt" in again.text
    await deliver_outbox(mail_settings)
    [mail] = smtp_server.inbox.to(teacher_anna.email)
    assert mail["Subject"] == subject
    text = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    assert returned_words in text and returned_words in html
    for part in (text, html):
        assert "Bildkarten Wetter" in part and book in part
        assert "Koffer Zahlen" in part and "1 × Puppe, 2 × Würfel" in part
        assert f"{missing_word}: Puppe" in part
    assert "{{" not in text and "returned_list" not in text and "\ue000" not in html


async def test_a_later_return_makes_a_new_receipt_with_everything_of_the_day(
    client_for, staff, teacher_anna
):
    _, [first, second] = await title_with_copies("Bildkarten Obst", copies=2)
    async with client_for(staff) as c:
        await lend_and_close(c, teacher_anna.card, first, second)
        await scan(c, first)
        await c.post("/theke/quittung", data={"ausleihende": str(teacher_anna.patron_id)})
        await scan(c, second)
        sent = await c.post("/theke/quittung", data={"ausleihende": str(teacher_anna.patron_id)})
        assert "Die Quittung wird per E-Mail geschickt." in sent.text
    notices = await (
        Notification.select(Notification.payload).order_by(Notification.id).output(load_json=True)
    )
    assert [[i["barcode"] for i in n["payload"]["returned"]] for n in notices] == [
        [first],
        [first, second],
    ]
    # The second copy was still out at the first receipt, lent today: listed as lent there.
    assert [[i["barcode"] for i in n["payload"]["items"]] for n in notices] == [[second], []]


async def test_the_receipt_counts_returns_of_the_librarys_day(teacher_anna, settings, today):
    _, [code] = await title_with_copies()
    lent = await services.checkout(teacher_anna.card, code, today=today, staff_id=None)
    await services.checkin(code, today=today, staff_id=None)
    start, end = desk.day_window(today, settings.tz)
    # 00:30 in Berlin is still the evening before in UTC: the window is the library's day.
    assert start.hour in (22, 23) and (end - start) == timedelta(days=1)
    returned_at = (await Loan.select(Loan.returned_at).where(Loan.id == lent.loan_id).first())[
        "returned_at"
    ]
    found = await desk.receipt_of(
        teacher_anna.card, returned_at.astimezone(settings.tz).date(), settings.tz
    )
    assert [ln["barcode"] for ln in found.returned] == [code]
    yesterday = await desk.receipt_of(
        teacher_anna.card,
        returned_at.astimezone(settings.tz).date() - timedelta(days=1),
        settings.tz,
    )
    assert yesterday.returned == []


# ---- a long-overdue loan renewed at the desk ------------------------------------------------


async def overdue_at_level_two(persona, today) -> tuple[int, str]:
    _, [code] = await title_with_copies("Bildkarten Berufe")
    lent = await services.checkout(persona.card, code, today=today, staff_id=None)
    await Loan.update({Loan.due_on: today - timedelta(days=15), Loan.reminder_level: 2}).where(
        Loan.id == lent.loan_id
    )
    return lent.loan_id, code


async def test_the_desk_asks_for_a_reason_before_renewing_a_long_overdue_loan(
    client_for, staff, teacher_anna, settings
):
    from mediathek.clock import today as library_date

    today = library_date(settings.tz)  # the desk's own date, as the app reads it
    loan_id, _ = await overdue_at_level_two(teacher_anna, today)
    async with client_for(staff) as c:
        asked = await c.post(
            "/theke/verlaengern",
            data={"ausweis": teacher_anna.card, "loan_id": str(loan_id)},
            headers={"HX-Request": "true"},
        )
        assert "Verlängern nur mit Begründung" in asked.text
        assert 'data-kind="renew_reason"' in asked.text and 'role="alert"' in asked.text
        assert '<label for="renew-reason">Trotzdem verlängern – Grund' in asked.text
        assert 'id="renew-reason" name="override_reason" type="text" required' in asked.text
        assert f'name="loan_id" value="{loan_id}"' in asked.text
        # Nothing changed yet.
        loan = await Loan.select(Loan.renewals).where(Loan.id == loan_id).first()
        assert loan["renewals"] == 0
        # A reason of blanks is no reason: asked again.
        blank = await c.post(
            "/theke/verlaengern",
            data={"ausweis": teacher_anna.card, "loan_id": str(loan_id), "override_reason": "  "},
        )
        assert 'data-kind="renew_reason"' in blank.text
        done = await c.post(
            "/theke/verlaengern",
            data={
                "ausweis": teacher_anna.card,
                "loan_id": str(loan_id),
                "override_reason": "Kurs verlängert bis Ostern",
            },
            headers={"HX-Request": "true"},
        )
        assert "Verlängert: „Bildkarten Berufe“" in done.text
        assert "Begründung wurde protokolliert" in done.text
    loan = await Loan.select(Loan.renewals, Loan.reminder_level).where(Loan.id == loan_id).first()
    assert loan == {"renewals": 1, "reminder_level": 0}
    entry = (
        await AuditLog.select(AuditLog.detail, AuditLog.actor)
        .where(AuditLog.action == "loan.renew_override")
        .output(load_json=True)
        .first()
    )
    assert entry["detail"]["reason"] == "Kurs verlängert bis Ostern"
    assert entry["detail"]["level"] == 2


async def test_an_ordinary_renewal_at_the_desk_asks_nothing(client_for, staff, teacher_anna):
    _, [code] = await title_with_copies("Bildkarten Obst")
    async with client_for(staff) as c:
        await scan(c, teacher_anna.card)
        await scan(c, code, teacher_anna.card)
        loan = await Loan.select(Loan.id).first()
        done = await c.post(
            "/theke/verlaengern", data={"ausweis": teacher_anna.card, "loan_id": str(loan["id"])}
        )
        assert "Verlängert: „Bildkarten Obst“" in done.text
        assert "renew-reason" not in done.text and "protokolliert" not in done.text
    assert await AuditLog.count().where(AuditLog.action == "loan.renew") == 1


async def test_the_service_renews_past_the_second_reminder_only_with_a_reason(
    teacher_anna, staff, today
):
    loan_id, _ = await overdue_at_level_two(teacher_anna, today)
    with pytest.raises(policy.RenewalNeedsReason):
        await services.renew(loan_id, today=today, staff_id=staff.account_id, override_reason=" ")
    done = await services.renew(
        loan_id, today=today, staff_id=staff.account_id, override_reason="Kurs läuft weiter"
    )
    assert done.overridden and done.renewals == 1
    assert await AuditLog.count().where(AuditLog.action == "loan.renew_override") == 1


async def test_a_return_onto_the_hold_shelf_asks_first_and_names_the_receipt_in_the_log(
    client_for, staff, teacher_anna, volunteer_ben, today
):
    from mediathek.reservations.services import place_hold

    title_id, [code] = await title_with_copies("Bildkarten Berufe")
    async with client_for(staff) as c:
        await lend_and_close(c, teacher_anna.card, code)
        await place_hold(volunteer_ben.patron_id, title_id, today)
        back = await scan(c, code, scan_id="return-hold-receipt-1")
    # The hold shelf question comes first; the receipt waits in the log (data-receipt).
    assert 'data-blocks="1"' in back.text and "Liegt im Abholregal" in back.text
    assert f'data-receipt="/theke/quittung?ausleihende={teacher_anna.patron_id}"' in back.text
    assert "Rückgabe-Quittung drucken" not in back.text
