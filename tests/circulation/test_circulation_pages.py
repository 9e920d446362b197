from datetime import timedelta

from mediathek.circulation import services
from mediathek.circulation.tables import Closure, Loan
from mediathek.clock import today as local_today
from mediathek.loan_rules import loan_rule
from mediathek.vocab import MediaType, PatronCategory
from tests.factories import title_with_copies


async def test_admin_edits_the_loan_rules(client_for, admin, staff):
    async with client_for(staff) as c:
        assert (await c.get("/admin/ausleihregeln")).status_code == 403
    async with client_for(admin) as c:
        page = await c.get("/admin/ausleihregeln")
        assert "Leihfrist" in page.text
        form = {}
        for cat in PatronCategory:
            form[f"loans-{cat}"], form[f"holds-{cat}"] = "20", "5"
            for mt in MediaType:
                form[f"days-{cat}-{mt}"], form[f"renewals-{cat}-{mt}"] = "28", "2"
        form["days-volunteer_teacher-game"] = "14"
        saved = await c.post("/admin/ausleihregeln", data=form, follow_redirects=True)
        assert "gespeichert" in saved.text
        form["renewals-paid_teacher-kit"] = "viele"
        bad = await c.post("/admin/ausleihregeln", data=form)
        assert bad.status_code == 422 and "ganze Zahl" in bad.text
    assert (await loan_rule("volunteer_teacher", "game")).loan_days == 14


async def test_admin_enters_a_closure_and_sees_holidays(client_for, admin):
    async with client_for(admin) as c:
        start = local_today().replace(month=1, day=1) + timedelta(days=400)
        added = await c.post(
            "/admin/kalender/schliesstage",
            data={
                "start_on": start.isoformat(),
                "end_on": (start + timedelta(days=3)).isoformat(),
                "label": "Inventur",
            },
            follow_redirects=True,
        )
        assert "Inventur" in added.text
        assert (
            "Neujahr" in added.text or "Weihnachtstag" in added.text or "Karfreitag" in added.text
        )
        bad = await c.post(
            "/admin/kalender/schliesstage",
            data={"start_on": "2026-05-10", "end_on": "2026-05-01", "label": "x"},
        )
        assert bad.status_code == 422 and "vor dem Anfang" in bad.text
        await c.post("/admin/kalender/oeffnungstage", data={"open-1": "1", "hours-1": "10–13 Uhr"})
        page = await c.get("/admin/kalender")
        assert "10–13 Uhr" in page.text
    assert await Closure.count() == 1


async def test_overdue_list_shows_contact_and_level(client_for, staff, teacher_anna):
    _, [code] = await title_with_copies("Lange weg")
    await services.checkout(
        teacher_anna.card, code, today=local_today() - timedelta(days=50), staff_id=None
    )
    async with client_for(staff) as c:
        page = await c.get("/verwaltung/ueberfaellig?sortierung=mahnstufe")
        assert "Lange weg" in page.text and teacher_anna.email in page.text
        assert "2. Mahnung" in page.text


async def test_teacher_renews_own_loan_in_mein_konto(client_for, teacher_anna, volunteer_ben):
    _, [code] = await title_with_copies("Mein Buch")
    lent = await services.checkout(teacher_anna.card, code, today=local_today(), staff_id=None)
    async with client_for(volunteer_ben) as c:
        other = await c.post(f"/konto/ausleihen/{lent.loan_id}/verlaengern")
        assert "gibt es nicht" in other.text
    async with client_for(teacher_anna) as c:
        page = await c.get("/konto/ausleihen")
        assert "Mein Buch" in page.text
        done = await c.post(
            f"/konto/ausleihen/{lent.loan_id}/verlaengern", headers={"HX-Request": "true"}
        )
        assert done.text.lstrip().startswith('<section id="my-loans"')
        assert "verlängert bis" in done.text
    assert (await Loan.select(Loan.renewals).first())["renewals"] == 1
