"""Staff and admin pages follow the language chosen in the header switch: an English-speaking
admin reads the borrower list, the statistics and the e-mail templates in English."""

from __future__ import annotations

from datetime import date

from tests.factories import LONG_AGO, add_copy, add_loan, add_title


async def test_an_admin_who_chose_english_reads_the_borrower_list_in_english(
    client_for, admin, teacher_anna
):
    async with client_for(admin) as c:
        await c.get("/sprache/en")
        page = await c.get("/verwaltung/ausleihende")
        found = await c.get("/verwaltung/ausleihende", params={"q": "gibt es nicht"})
    assert page.status_code == 200
    html = page.text
    assert "<h1>Borrowers</h1>" in html
    assert ">Add a new person</a>" in html
    assert "Search by name, e-mail, institution or card number" in html
    assert '<th scope="col">User group</th>' in html
    assert '<span class="badge badge-ok">Active</span>' in html
    assert "Neue Person anlegen" not in html and "Nutzergruppe" not in html
    assert "No borrowers found." in found.text


async def test_an_admin_who_chose_english_reads_the_statistics_in_english(
    client_for, admin, teacher_anna
):
    title = await add_title(
        "Bildkarten Obst", "game", languages=("ara",), copies=(), created_at=LONG_AGO
    )
    copy_id, _ = await add_copy(title)
    await add_loan(copy_id, teacher_anna.patron_id, date(2025, 3, 5), date(2025, 3, 20))
    async with client_for(admin) as c:
        await c.get("/sprache/en")
        page = await c.get("/verwaltung/statistik?jahr=2025")
        wrong = await c.get("/verwaltung/statistik?von=2026-03-01&bis=2026-01-01")
    assert page.status_code == 200
    html = page.text
    assert "<h1>Statistics: Year 2025</h1>" in html
    assert "<strong>1</strong> loans" in html
    assert ">Loans per month</h2>" in html and ">Loans by media type</h2>" in html
    assert "March 2025: 1" in html  # the chart's description, month name included
    assert "Download as CSV" in html
    assert '<th scope="row">Arabic</th>' in html and "Arabisch" not in html
    assert "Ausleihen je Monat" not in html and "März" not in html
    assert wrong.status_code == 422
    assert "The end is before the start." in wrong.text


async def test_an_admin_who_chose_english_reads_the_email_templates_list_in_english(
    client_for, admin
):
    async with client_for(admin) as c:
        await c.get("/sprache/en")
        page = await c.get("/admin/email-vorlagen")
        german = await c.get("/sprache/de")
        again = await c.get("/admin/email-vorlagen")
    assert page.status_code == 200
    html = page.text
    assert "<h1>E-mail templates</h1>" in html
    assert '<th scope="col">Languages</th>' in html
    assert "<td>Reminder: due soon</td>" in html
    assert "<td>Overdue notice</td>" in html
    assert "Erinnerung: bald fällig" not in html
    # Back to German: the same page as before, word for word.
    assert german.status_code in (200, 303)
    assert "<h1>E-Mail-Vorlagen</h1>" in again.text
    assert "<td>Erinnerung: bald fällig</td>" in again.text


async def test_the_overview_tiles_of_these_areas_speak_english_and_stay_escaped(client_for, admin):
    async with client_for(admin) as c:
        await c.get("/sprache/en")
        staff_page = await c.get("/verwaltung")
        admin_page = await c.get("/admin")
    assert ">Holds &amp; pick-up shelf</span>" in staff_page.text
    assert ">Search, add, block, print library card</span>" in staff_page.text
    assert ">Loans and use for the annual report</span>" in staff_page.text
    assert ">E-mail templates</span>" in admin_page.text
    assert ">Deadlines for holds and bookings</span>" in admin_page.text
