"""Staff who chose English work the desk and the stock pages in English: the pages, the
answers to a scan and the words the desk's script shows. German stays the default."""

from __future__ import annotations

from tests.factories import title_with_copies


async def scan(c, code, ausweis=""):
    return await c.post(
        "/theke/scan", data={"code": code, "ausweis": ausweis}, headers={"HX-Request": "true"}
    )


async def test_the_desk_speaks_english_to_staff_who_chose_it(client_for, staff, teacher_anna):
    _, [code] = await title_with_copies("Bildkarten Obst")
    async with client_for(staff) as c:
        await c.get("/sprache/en")
        page = await c.get("/theke")
        assert "<h1>Desk</h1>" in page.text
        assert "Scan a code (card, copy or ISBN) or enter a name" in page.text
        assert "no card open. Scan a card to lend, scan an item to return it." in page.text
        # What desk.js writes comes from the page, in the same language.
        assert 'data-text-waiting-many="{n} scans waiting."' in page.text
        assert 'data-text-recognised="Recognised: {code}"' in page.text
        assert "Theke" not in page.text.split("<main", 1)[-1]

        opened = await scan(c, teacher_anna.card)
        assert "Anna Berger is open. Now scan the items." in opened.text
        assert "Done – close card" in opened.text
        lent = await scan(c, code, teacher_anna.card)
        assert "Lent: “Bildkarten Obst” – due back" in lent.text
        assert "Undo last action" in lent.text
        back = await scan(c, code)
        assert "Returned: “Bildkarten Obst” (Anna Berger). Checked in." in back.text
        unknown = await scan(c, "M999999", teacher_anna.card)
        assert "There is no copy with the number M999999." in unknown.text
        # Without the page's dialog, "lost" is asked on a page of its own.
        asked = await c.post("/theke/markieren", data={"code": code, "what": "lost"})
        assert f"Mark copy {code} as lost?" in asked.text
        assert "<title>Please confirm" in asked.text and ">Cancel</a>" in asked.text

        await c.get("/sprache/de")
        german = await scan(c, teacher_anna.card)
        assert "Anna Berger ist geöffnet. Jetzt Medien scannen." in german.text


async def test_the_title_list_and_a_title_speak_english(client_for, staff):
    title_id, _ = await title_with_copies("Bildkarten Obst", copies=2)
    async with client_for(staff) as c:
        await c.get("/sprache/en")
        titles = await c.get("/verwaltung/titel")
        assert "<h1>Holdings</h1>" in titles.text
        assert "New title (also by ISBN)" in titles.text
        assert "1 title found." in titles.text
        assert "Picture cards" in titles.text
        title = await c.get(f"/verwaltung/titel/{title_id}")
        assert "Copies (2)" in title.text and "Withdraw title" in title.text
        overview = await c.get("/verwaltung")
        assert "Staff overview" in overview.text
        assert "Checkout and return with the scanner" in overview.text


async def test_the_loan_rules_and_the_calendar_speak_english_to_an_admin(client_for, admin):
    async with client_for(admin) as c:
        await c.get("/sprache/en")
        rules = await c.get("/admin/ausleihregeln")
        assert "<h1>Loan rules</h1>" in rules.text and "Limits per user group" in rules.text
        calendar = await c.get("/admin/kalender")
        assert "<h1>Opening days and closed days</h1>" in calendar.text
        assert '<th scope="row">Monday</th>' in calendar.text
        assert 'aria-label="Opening hours Monday"' in calendar.text
        refused = await c.post(
            "/admin/kalender/schliesstage",
            data={"start_on": "2026-08-10", "end_on": "2026-08-01", "label": "Sommerpause"},
        )
        assert "The end is before the start." in refused.text
