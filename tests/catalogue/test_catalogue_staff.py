import pytest

from mediathek.catalogue.tables import Component, Copy, Title, TitleLanguage, TitleTopic, Topic
from tests.factories import catalogued_title
from tests.fakes import fake_isbn_services

FORM = {
    "title": "Wimmelbilder Kita",
    "media_type": "kit",
    "languages": ["deu", "ara"],
    "topics": ["Wortschatz"],
    "new_topics": "Bauernhof",
    "component_name": ["Bildkarten", "Handpuppe", ""],
    "component_qty": ["40", "1", ""],
    "level_min": "pre_a1",
    "level_max": "a1",
    "age_min": "kita",
    "age_max": "kita",
    "publisher": "Verlag an der Ruhr",
    "year": "2021",
    "copies": "2",
    "shelf_mark": "KOF 3",
}


async def test_staff_creates_a_kit_with_components_topics_languages_and_copies(client_for, staff):
    async with client_for(staff) as c:
        r = await c.post("/verwaltung/titel/neu", data=FORM)
    assert r.status_code == 303
    title = await Title.select().first()
    assert r.headers["location"] == f"/verwaltung/titel/{title['id']}?neu=1"
    assert title["media_type"] == "kit" and title["year"] == 2021
    langs = await TitleLanguage.select(TitleLanguage.language).order_by(TitleLanguage.id)
    assert [x["language"] for x in langs] == ["deu", "ara"]
    topics = {x["topic"] for x in await TitleTopic.select(TitleTopic.topic)}
    assert topics == {"Wortschatz", "Bauernhof"}
    assert await Topic.exists().where(Topic.name == "Bauernhof")
    parts = await Component.select(Component.name, Component.quantity).order_by(Component.position)
    assert [(p["name"], p["quantity"]) for p in parts] == [("Bildkarten", 40), ("Handpuppe", 1)]
    codes = [x["barcode"] for x in await Copy.select(Copy.barcode).order_by(Copy.barcode)]
    assert codes == ["M0000018", "M0000026"]


async def test_invalid_title_form_comes_back_with_german_messages_and_nothing_is_stored(
    client_for, staff
):
    bad = FORM | {"isbn": "978-3-19-101080-1", "level_min": "b1", "level_max": "a1", "year": "3000"}
    async with client_for(staff) as c:
        r = await c.post("/verwaltung/titel/neu", data=bad)
    assert r.status_code == 422
    assert "Prüfziffer" in r.text
    assert "Sprachniveau muss gleich oder höher" in r.text
    assert "Erscheinungsjahr zwischen" in r.text
    assert 'value="Wimmelbilder Kita"' in r.text  # what was typed stays
    assert await Title.count() == 0


async def test_add_component_row_button_keeps_the_typed_values(client_for, staff):
    async with client_for(staff) as c:
        r = await c.post("/verwaltung/titel/neu", data=FORM | {"add_component": "1"})
    assert r.status_code == 200
    assert r.text.count('name="component_name"') == 4
    assert await Title.count() == 0


async def test_edit_changes_every_field_and_replaces_components(client_for, staff):
    title_id, _ = await catalogued_title(media_type="game", components=[("Würfel", "2")])
    form = FORM | {"title": "Neuer Name", "component_name": ["Spielplan"], "component_qty": ["1"]}
    async with client_for(staff) as c:
        page = await c.get(f"/verwaltung/titel/{title_id}/bearbeiten")
        assert 'value="Würfel"' in page.text
        r = await c.post(f"/verwaltung/titel/{title_id}/bearbeiten", data=form)
    assert r.status_code == 303
    row = await Title.select(Title.title).where(Title.id == title_id).first()
    assert row["title"] == "Neuer Name"
    assert [p["name"] for p in await Component.select(Component.name)] == ["Spielplan"]


async def test_staff_list_filters_by_text_and_media_type(client_for, staff):
    await catalogued_title(title="Deutsch lernen mit Bildern", media_type="picture_book")
    await catalogued_title(title="Memo Obst", media_type="game")
    async with client_for(staff) as c:
        r = await c.get("/verwaltung/titel", params={"q": "bildern"})
        assert "Deutsch lernen mit Bildern" in r.text and "Memo Obst" not in r.text
        r = await c.get("/verwaltung/titel", params={"medienart": "game"})
        assert "Memo Obst" in r.text and "Deutsch lernen" not in r.text


async def test_teachers_and_visitors_cannot_use_staff_pages(client, client_for, teacher_anna):
    r = await client.get("/verwaltung/titel")
    assert r.status_code == 303
    async with client_for(teacher_anna) as c:
        assert (await c.get("/verwaltung/titel/neu")).status_code == 403
        assert (await c.post("/verwaltung/titel/neu", data=FORM)).status_code == 403
    assert await Title.count() == 0


async def test_isbn_lookup_fills_the_form_and_stores_the_cover_locally(client_for, staff):
    with fake_isbn_services():
        async with client_for(staff) as c:
            r = await c.get("/verwaltung/titel/neu", params={"isbn": "3-19-101080-7"})
    assert r.status_code == 200
    assert 'value="Schritte plus Neu 1"' in r.text
    assert 'value="Kursbuch und Arbeitsbuch"' in r.text
    assert "Daniela Niebisch; Sylvette Penning-Hiemstra" in r.text
    assert 'value="Hueber"' in r.text and 'value="2016"' in r.text
    assert 'value="deu" checked' in r.text
    assert 'name="cover_file" value="isbn-9783191010805.png"' in r.text


async def test_isbn_lookup_offline_says_so_and_offers_manual_entry(client_for, staff):
    with fake_isbn_services(offline=True):
        async with client_for(staff) as c:
            r = await c.get("/verwaltung/titel/neu", params={"isbn": "9783191010805"})
    assert r.status_code == 200
    assert "nicht erreichbar" in r.text and "selbst ein" in r.text
    assert 'value="9783191010805"' in r.text


async def test_isbn_already_in_the_catalogue_offers_adding_a_copy(client_for, staff):
    title_id, _ = await catalogued_title(isbn="9783191010805")
    with fake_isbn_services():
        async with client_for(staff) as c:
            r = await c.get("/verwaltung/titel/neu", params={"isbn": "978-3-19-101080-5"})
            assert "Exemplar hinzufügen" in r.text
            assert f'action="/verwaltung/titel/{title_id}/exemplare"' in r.text
            dup = await c.post("/verwaltung/titel/neu", data=FORM | {"isbn": "9783191010805"})
    assert dup.status_code == 422 and "gibt es schon" in dup.text
    assert await Title.count() == 1


@pytest.mark.parametrize("isbn", ["12345", "978-3-19-101080-1"])
async def test_isbn_lookup_refuses_a_wrong_isbn_with_a_message(client_for, staff, isbn):
    async with client_for(staff) as c:
        r = await c.get("/verwaltung/titel/neu", params={"isbn": isbn})
    assert r.status_code == 422
    assert "ISBN" in r.text


async def test_the_looked_up_cover_is_kept_with_the_new_title_and_served_by_us(
    client, client_for, staff
):
    with fake_isbn_services():
        async with client_for(staff) as c:
            await c.get("/verwaltung/titel/neu", params={"isbn": "9783191010805"})
            form = FORM | {"isbn": "9783191010805", "cover_file": "isbn-9783191010805.png"}
            r = await c.post("/verwaltung/titel/neu", data=form)
    assert r.status_code == 303
    title = await Title.select(Title.id, Title.cover_file).first()
    assert title["cover_file"] == "isbn-9783191010805.png"
    page = await client.get(f"/titel/{title['id']}")
    assert f'src="/titel/{title["id"]}/cover"' in page.text
    cover = await client.get(f"/titel/{title['id']}/cover")
    assert cover.status_code == 200 and cover.content.startswith(b"\x89PNG")


async def test_a_cover_file_name_from_another_isbn_is_ignored(client_for, staff):
    with fake_isbn_services():
        async with client_for(staff) as c:
            await c.get("/verwaltung/titel/neu", params={"isbn": "9783191010805"})
            form = FORM | {"cover_file": "isbn-9783191010805.png"}  # the form has no ISBN
            await c.post("/verwaltung/titel/neu", data=form)
    assert (await Title.select(Title.cover_file).first())["cover_file"] == ""


async def test_staff_changes_a_copys_status_on_the_title_page(client_for, staff):
    title_id, codes = await catalogued_title(copies=1)
    copy = await Copy.select(Copy.id).first()
    async with client_for(staff) as c:
        r = await c.post(
            f"/verwaltung/exemplare/{copy['id']}",
            data={"status": "in_repair", "shelf_mark": "WERKSTATT", "status_note": "Deckel lose"},
        )
        assert r.status_code == 303
        page = await c.get(r.headers["location"])
    assert "in Reparatur" in page.text and "Deckel lose" in page.text
    await Copy.update({Copy.status: "on_loan"}).where(Copy.id == copy["id"])
    async with client_for(staff) as c:
        r = await c.post(f"/verwaltung/exemplare/{copy['id']}", data={"status": "lost"})
    assert r.status_code == 409 and "Theke" in r.text


async def test_withdrawing_a_title_with_a_lent_copy_is_refused_with_the_reason(client_for, staff):
    title_id, _ = await catalogued_title(copies=1)
    await Copy.update({Copy.status: "on_loan"}, force=True)
    async with client_for(staff) as c:
        r = await c.post(f"/verwaltung/titel/{title_id}/aussondern", data={"confirmed": "1"})
    assert r.status_code == 409 and "ausgeliehen" in r.text


async def test_withdrawing_is_asked_first_noted_and_can_be_taken_back(client_for, staff):
    from mediathek.audit import AuditLog
    from mediathek.catalogue.tables import Title

    title_id, _ = await catalogued_title(copies=2)
    first = await Copy.select(Copy.id).where(Copy.title == title_id).order_by(Copy.id).first()
    await Copy.update({Copy.status: "in_repair"}).where(Copy.id == first["id"])
    async with client_for(staff) as c:
        asked = await c.post(f"/verwaltung/titel/{title_id}/aussondern")
        assert asked.status_code == 200 and "aussondern?" in asked.text
        assert 'name="confirmed" value="1"' in asked.text and 'name="note"' in asked.text
        assert await Copy.count().where(Copy.status == "withdrawn") == 0
        done = await c.post(
            f"/verwaltung/titel/{title_id}/aussondern",
            data={"confirmed": "1", "note": "Veraltete Auflage"},
        )
        assert done.status_code == 303
        page = await c.get(done.headers["location"])
        assert "Wieder in den Bestand aufnehmen" in page.text
        assert await Copy.count().where(Copy.status == "withdrawn") == 2
        back = await c.post(f"/verwaltung/titel/{title_id}/wieder-aufnehmen")
        assert back.status_code == 303
        again = await c.post(f"/verwaltung/titel/{title_id}/wieder-aufnehmen")
        assert again.status_code == 409 and "nicht ausgesondert" in again.text
    rows = await Copy.select(Copy.id, Copy.status).where(Copy.title == title_id)
    statuses = sorted((r["id"], r["status"]) for r in rows)
    assert [s for _, s in statuses] == ["in_repair", "available"]
    assert (await Title.select(Title.withdrawn_at).where(Title.id == title_id).first())[
        "withdrawn_at"
    ] is None
    entry = await (
        AuditLog.select(AuditLog.detail)
        .where(AuditLog.action == "title_withdrawn")
        .output(load_json=True)
        .first()
    )
    assert entry["detail"]["note"] == "Veraltete Auflage"
    assert await AuditLog.count().where(AuditLog.action == "title_reinstated") == 1


async def test_staff_adds_several_copies_at_once_on_the_title_page(client_for, staff):
    title_id, _ = await catalogued_title(copies=1)
    async with client_for(staff) as c:
        bad = await c.post(f"/verwaltung/titel/{title_id}/exemplare", data={"count": "viele"})
        assert bad.status_code == 422 and "Anzahl von 1 bis 200" in bad.text
        r = await c.post(
            f"/verwaltung/titel/{title_id}/exemplare", data={"count": "2", "shelf_mark": "DAZ 2"}
        )
        assert r.status_code == 303
        page = await c.get(f"/verwaltung/titel/{title_id}")
    assert "Exemplare (3)" in page.text and "M0000034" in page.text


async def test_the_list_filter_answers_htmx_with_the_rows_fragment_only(client_for, staff):
    await catalogued_title(title="Memo Obst", media_type="game")
    async with client_for(staff) as c:
        r = await c.get("/verwaltung/titel", params={"q": "memo"}, headers={"HX-Request": "true"})
    assert r.text.lstrip().startswith('<div id="title-rows">')
    assert "Memo Obst" in r.text and "<html" not in r.text
