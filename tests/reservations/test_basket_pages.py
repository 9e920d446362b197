"""The Merkliste and the sets as a teacher and staff meet them: buttons, forms, messages."""

from datetime import timedelta

from mediathek.reservations import basket, sets
from mediathek.reservations.basket import Line
from mediathek.reservations.sets import SetDraft
from mediathek.reservations.tables import BasketItem, Booking, TitleSet
from tests.factories import add_title, next_years_monday, title_with_copy_ids

HTMX = {"HX-Request": "true"}


async def test_a_teacher_collects_titles_and_books_them_for_a_week(client_for, teacher_anna):
    game, _ = await title_with_copy_ids(3, "Memo Obst")
    cards, _ = await title_with_copy_ids(1, "Bildkarten Tiere")
    start = next_years_monday()
    async with client_for(teacher_anna) as c:
        box = await c.get(f"/reservierungen/titel/{game}")
        assert "Auf die Merkliste" in box.text
        added = await c.post(f"/merkliste/titel/{game}", headers=HTMX)
        assert added.status_code == 200 and "<html" not in added.text
        assert "Auf der Merkliste" in added.text and "1 Titel" in added.text
        plain = await c.post(f"/merkliste/titel/{cards}")
        assert plain.status_code == 303 and plain.headers["location"] == "/merkliste?ok=gemerkt"
        r = await c.post(f"/merkliste/titel/{game}/anzahl", data={"anzahl": "2"})
        assert r.status_code == 303
        page = await c.get("/merkliste")
        assert "2 Titel auf Ihrer Merkliste" in page.text and 'value="2"' in page.text
        booked = await c.post(
            "/merkliste/reservieren",
            data={"start_on": start.isoformat(), "end_on": (start + timedelta(4)).isoformat()},
        )
    assert booked.status_code == 200
    assert "2 Titel reserviert" in booked.text
    assert "Memo Obst</a>: 2 Exemplare" in booked.text
    assert await Booking.count() == 3
    assert await BasketItem.count() == 0


async def test_what_was_not_free_is_shown_with_the_offer(
    client_for, teacher_anna, volunteer_ben, today
):
    from mediathek.reservations.services import book

    taken = await add_title("Tiptoi Bauernhof", "audio_pen_set", series="Tiptoi")
    await add_title("Tiptoi Zoo", "audio_pen_set", series="Tiptoi")
    start = next_years_monday()
    end = start + timedelta(4)
    await book(volunteer_ben.patron_id, taken, start, end, today)
    await basket.add(teacher_anna.patron_id, taken)
    async with client_for(teacher_anna) as c:
        r = await c.post(
            "/merkliste/reservieren",
            data={"start_on": start.isoformat(), "end_on": end.isoformat()},
        )
    assert "1 Titel nicht (vollständig) reserviert" in r.text
    assert "Frei ist der Titel wieder vom" in r.text
    assert "Stattdessen frei:" in r.text and "Tiptoi Zoo" in r.text
    assert "Was nicht reserviert wurde, bleibt auf Ihrer Merkliste." in r.text


async def test_bad_dates_and_quantities_come_back_in_german(client_for, teacher_anna):
    game, _ = await title_with_copy_ids(2, "Memo Obst")
    await basket.add(teacher_anna.patron_id, game)
    saturday = next_years_monday() + timedelta(5)
    async with client_for(teacher_anna) as c:
        r = await c.post("/merkliste/reservieren", data={"start_on": "", "end_on": "kein Tag"})
        assert r.status_code == 422
        assert "Bitte geben Sie den ersten Tag (Abholung) an." in r.text
        assert "Bitte das Datum als TT.MM.JJJJ angeben." in r.text
        r = await c.post(
            "/merkliste/reservieren",
            data={
                "start_on": saturday.isoformat(),
                "end_on": (saturday + timedelta(3)).isoformat(),
            },
        )
        assert r.status_code == 422 and "ist die Mediathek geschlossen" in r.text
        r = await c.post(f"/merkliste/titel/{game}/anzahl", data={"anzahl": "5"})
        assert r.status_code == 422
        assert "Von „Memo Obst“ gibt es nur 2 Exemplare – 5 sind nicht möglich." in r.text
        r = await c.post(f"/merkliste/titel/{game}/anzahl", data={"anzahl": "x\x01"})
        assert r.status_code == 422 and "Bitte eine Anzahl von 1 bis 99 angeben." in r.text
    assert await Booking.count() == 0


async def test_anonymous_visitors_are_asked_to_log_in_and_come_back(client):
    game, _ = await title_with_copy_ids(1)
    box = await client.get(f"/reservierungen/titel/{game}")
    assert "Anmelden und auf die Merkliste" in box.text
    assert "/anmelden?weiter=" in box.text
    r = await client.post(
        f"/merkliste/titel/{game}", headers={"referer": f"http://test/titel/{game}"}
    )
    assert r.status_code == 303 and r.headers["location"].startswith("/anmelden")


async def test_removing_and_emptying_the_list(client_for, teacher_anna):
    a, _ = await title_with_copy_ids(1, "A")
    b, _ = await title_with_copy_ids(1, "B")
    await basket.add(teacher_anna.patron_id, a)
    await basket.add(teacher_anna.patron_id, b)
    async with client_for(teacher_anna) as c:
        await c.post(f"/merkliste/titel/{a}/entfernen")
        assert [i["title"] for i in await basket.items(teacher_anna.patron_id)] == ["B"]
        await c.post("/merkliste/leeren")
        page = await c.get("/merkliste")
    assert "Ihre Merkliste ist leer." in page.text


async def test_staff_create_edit_and_delete_a_set(client_for, staff):
    game, _ = await title_with_copy_ids(3, "Memo Obst")
    cards, _ = await title_with_copy_ids(1, "Bildkarten Tiere")
    async with client_for(staff) as c:
        form = await c.get("/verwaltung/sets/neu")
        assert form.status_code == 200 and "Titelnummer" in form.text
        bad = await c.post(
            "/verwaltung/sets/neu", data={"name": "", "titel": f"{game} × 4\nirgendwas"}
        )
        assert bad.status_code == 422
        assert "Diese Zeilen sind nicht lesbar: „irgendwas“" in bad.text
        bad = await c.post("/verwaltung/sets/neu", data={"name": "", "titel": f"{game} × 4"})
        assert "Bitte geben Sie dem Set einen Namen." in bad.text
        assert "gibt es nur 3 Exemplare – 4 sind nicht möglich" in bad.text
        ok = await c.post(
            "/verwaltung/sets/neu",
            data={"name": "Kita-Sprachförderpaket A1", "titel": f"{game} x 2\n{cards}"},
        )
        assert ok.status_code == 303
        [row] = await TitleSet.select(TitleSet.id)
        edit = await c.get(f"/verwaltung/sets/{row['id']}")
        assert f"{game} × 2" in edit.text
        await c.post(
            f"/verwaltung/sets/{row['id']}",
            data={"name": "Paket A1", "beschreibung": "Eine Woche", "titel": f"{cards}"},
        )
        listing = await c.get("/verwaltung/sets")
        assert "Paket A1" in listing.text and "Memo Obst" not in listing.text
        await c.post(f"/verwaltung/sets/{row['id']}/loeschen")
    assert await TitleSet.count() == 0


async def test_a_teacher_books_a_set_from_the_sets_page(client_for, client, teacher_anna):
    game, _ = await title_with_copy_ids(2, "Memo Obst")
    set_id = await sets.save_set(SetDraft("Spielekiste", "Für Kitas", (Line(game, 2),)), None, None)
    public = await client.get("/sets")
    assert "Spielekiste" in public.text and "Zum Reservieren bitte anmelden." in public.text
    start = next_years_monday()
    async with client_for(teacher_anna) as c:
        r = await c.post(
            f"/sets/{set_id}/reservieren",
            data={"start_on": start.isoformat(), "end_on": (start + timedelta(2)).isoformat()},
        )
    assert "Memo Obst</a>: 2 Exemplare" in r.text
    assert await Booking.count() == 2


async def test_staff_book_a_set_for_a_borrower_without_a_login(client_for, staff, walkin_carla):
    game, _ = await title_with_copy_ids(1, "Memo Obst")
    set_id = await sets.save_set(SetDraft("Spielekiste", "", (Line(game),)), None, None)
    start = next_years_monday()
    async with client_for(staff) as c:
        detail = await c.get(f"/verwaltung/ausleihende/{walkin_carla.patron_id}")
        assert "/mehrere-reservieren" in detail.text
        page = await c.get(f"/verwaltung/ausleihende/{walkin_carla.patron_id}/mehrere-reservieren")
        assert "Set: Spielekiste" in page.text
        r = await c.post(
            f"/verwaltung/ausleihende/{walkin_carla.patron_id}/mehrere-reservieren",
            data={
                "was": str(set_id),
                "start_on": start.isoformat(),
                "end_on": (start + timedelta(2)).isoformat(),
            },
        )
    assert r.status_code == 200 and "1 Titel reserviert" in r.text
    assert await Booking.count().where(Booking.patron == walkin_carla.patron_id) == 1
