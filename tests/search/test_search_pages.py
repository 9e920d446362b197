"""The public catalogue page and the search API, as a browser and a program see them."""

from mediathek.catalogue.tables import CopyStatus
from tests.factories import add_title


async def test_the_catalogue_is_a_plain_get_form_that_works_without_javascript(client, db):
    await add_title("Schritte plus Neu", media_type="textbook")
    response = await client.get("/katalog", params={"q": "Schritte"})
    assert response.status_code == 200
    html = response.text
    assert "<html" in html
    assert 'action="/katalog" method="get"' in html
    assert 'name="q"' in html and 'value="Schritte"' in html
    assert 'href="/titel/' in html and "Schritte plus Neu" in html
    assert 'type="submit"' in html  # facets apply with a button when scripts are off


async def test_typing_sends_debounced_htmx_requests_that_update_the_url(client, db):
    html = (await client.get("/katalog")).text
    assert 'hx-trigger="input changed delay:300ms, search"' in html
    assert 'hx-push-url="true"' in html
    assert 'hx-target="#search-results"' in html


async def test_htmx_requests_get_only_the_results_fragment(client, db):
    await add_title("Bildkarten Obst", media_type="picture_cards")
    response = await client.get("/katalog?q=Obst", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "<html" not in response.text
    assert "Bildkarten Obst" in response.text
    assert "1 Titel gefunden" in response.text


async def test_back_button_restores_get_the_whole_page(client, db):
    response = await client.get(
        "/katalog?q=Obst",
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    assert "<html" in response.text


async def test_home_page_links_with_media_type_parameter_filter_the_catalogue(client, db):
    await add_title("Tier-Memo", media_type="game")
    await add_title("Lesebuch", media_type="book")
    html = (await client.get("/katalog?medienart=game")).text
    assert "Tier-Memo" in html and "Lesebuch" not in html
    assert 'name="medienart" value="game" checked' in html


async def test_all_parameters_in_the_url_are_reflected_in_the_form(client, db):
    await add_title(
        "Bildkarten Tiere",
        media_type="picture_cards",
        languages=("ara",),
        topics=("Tiere",),
        level_min="a1",
        level_max="a1",
        age_min="kita",
        age_max="kita",
    )
    html = (
        await client.get(
            "/katalog?q=Tiere&medienart=picture_cards&sprache=ara&niveau=a1&alter=kita"
            "&thema=Tiere&verfuegbar=1&sortierung=titel"
        )
    ).text
    assert "Bildkarten Tiere" in html
    for name, value in [
        ("medienart", "picture_cards"),
        ("sprache", "ara"),
        ("niveau", "a1"),
        ("alter", "kita"),
        ("thema", "Tiere"),
        ("verfuegbar", "1"),
    ]:
        assert f'name="{name}" value="{value}" checked' in html, name
    assert '<option value="titel" selected>' in html


async def test_nothing_found_is_friendly_and_suggests_where_to_look(client, db):
    await add_title("Schritte plus Neu")
    html = (await client.get("/katalog?q=xqzvwj")).text
    assert "Nichts gefunden" in html
    assert "haben wir leider nichts gefunden" in html
    assert "/katalog?medienart=" in html


async def test_bad_page_numbers_and_control_characters_still_give_a_page(client, db):
    for url in ["/katalog?seite=abc", "/katalog?seite=99999999999", "/katalog?q=%00%1f%22"]:
        assert (await client.get(url)).status_code == 200, url


async def test_search_page_sets_no_session_for_anonymous_visitors(app, db):
    from tests.factories import http_client

    async with http_client(app) as c:
        response = await c.get("/katalog?q=x")
    assert "mediathek_session" not in response.headers.get("set-cookie", "")


async def test_api_returns_results_total_and_facets(client, db):
    await add_title("Tier-Memo", media_type="game", copies=(CopyStatus.available,))
    await add_title("Tierbuch", media_type="book", copies=(CopyStatus.on_loan,))
    response = await client.get("/api/v1/search", params={"q": "Tier", "verfuegbar": "1"})
    assert response.status_code == 200
    body = response.json()
    assert body["total"] == 1
    assert body["results"][0]["title"] == "Tier-Memo"
    assert body["results"][0]["url"].startswith("/titel/")
    assert {"value": "game", "label": "Spiel", "count": 1, "selected": False} in body["facets"][
        "media_type"
    ]
    assert body["facets"]["available"][0]["count"] == 1


async def test_api_results_carry_every_field_of_a_hit(client, db):
    from dataclasses import fields

    from mediathek.search.models import SearchHit

    await add_title("Tier-Memo", media_type="game", copies=(CopyStatus.available,))
    result = (await client.get("/api/v1/search", params={"q": "Tier"})).json()["results"][0]
    expected = {f.name for f in fields(SearchHit)} - {"cover_file"} | {"url", "cover_url"}
    assert set(result) == expected
    assert result["copies"] == 1 and result["available"] == 1 and result["cover_url"] is None


async def test_api_accepts_several_values_per_facet(client, db):
    await add_title("Tier-Memo", media_type="game")
    await add_title("Tierbuch", media_type="book")
    await add_title("Tiervideo", media_type="video")
    response = await client.get("/api/v1/search?medienart=game&medienart=book")
    assert response.json()["total"] == 2


async def test_api_is_documented_as_public(client, db):
    schema = (await client.get("/schema/openapi.json")).json()
    operation = schema["paths"]["/api/v1/search"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert {"q", "medienart", "sprache", "niveau", "alter", "thema", "seite"} <= names
    assert not operation.get("security")


async def _cards_for_arabic_kita() -> None:
    await add_title(
        "Bildkarten Obst und Gemüse",
        media_type="picture_cards",
        languages=("deu", "ara"),
        level_min="a1",
        level_max="a2",
        age_min="kita",
        age_max="kita",
    )
    await add_title("Bildkarten Berufe", media_type="picture_cards", languages=("tur",))


async def test_recognised_words_show_as_chips_that_remove_their_filter(client, db):
    await _cards_for_arabic_kita()
    html = (await client.get("/katalog", params={"q": "Bildkarten A1 Arabisch Kita"})).text
    assert "1 Titel gefunden" in html and "Bildkarten Obst und Gemüse" in html
    assert "Erkannt:" in html
    # Each chip links to the search without its words; "Filter entfernen" drops them all.
    assert 'href="/katalog?q=Bildkarten+A1+Arabisch"' in html
    assert 'href="/katalog?q=A1+Arabisch+Kita"' in html
    assert "Filter entfernen</a>" in html
    # The facet shows the value as chosen, changed through the chip only.
    assert 'name="sprache" value="ara" checked disabled' in html
    assert "Filter (4)" in html


async def test_a_staff_synonym_file_in_the_data_directory_is_used(client, db, settings):
    await _cards_for_arabic_kita()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    (settings.data_dir / "synonyme.toml").write_text('[alter]\nkita = ["Kiga"]\n', "utf-8")
    html = (await client.get("/katalog", params={"q": "Kiga Bildkarten"})).text
    assert "Bildkarten Obst und Gemüse" in html and "Bildkarten Berufe" not in html


async def test_an_empty_result_keeps_the_facets_and_offers_to_drop_a_word_or_filter(client, db):
    await _cards_for_arabic_kita()
    html = (await client.get("/katalog", params={"q": "Bildkarten Krippe"})).text
    assert "Nichts gefunden" in html
    assert 'name="medienart" value="picture_cards" checked disabled' in html
    assert "Ohne ‚Krippe‘ 2 Treffer" in html
    assert 'href="/katalog?q=Bildkarten"' in html
    html = (await client.get("/katalog", params={"q": "Obst", "alter": "adult"})).text
    assert "Ohne ‚Erwachsene‘ 1 Treffer" in html
    assert 'href="/katalog?q=Obst"' in html


async def test_bad_input_gives_a_normal_page_and_a_problem_document(client, db):
    await add_title("Schritte plus Neu")
    for q in [
        "\x00Schritte\x00",
        "Schritte " * 1200,
        "<script>alert(1)</script>",
        "und der die das",
        '"*"^-:',
    ]:
        response = await client.get("/katalog", params={"q": q})
        assert response.status_code == 200, q[:20]
        assert "<script>alert(1)</script>" not in response.text
        response = await client.get("/katalog", params={"q": q}, headers={"HX-Request": "true"})
        assert response.status_code == 200, q[:20]
    api = await client.get("/api/v1/search", params={"q": "x" * 10_000})
    assert api.status_code == 400
    assert api.headers["content-type"].startswith("application/problem+json")
    assert (await client.get("/api/v1/search", params={"q": "\x00Kita<b>"})).status_code == 200


async def test_api_returns_the_recognised_filters_and_the_text_searched(client, db):
    await _cards_for_arabic_kita()
    body = (await client.get("/api/v1/search", params={"q": "Obst Arabisch Kita"})).json()
    assert body["total"] == 1
    assert body["text"] == "Obst"
    assert body["recognised"] == [
        {
            "facet": "language",
            "parameter": "sprache",
            "values": ["ara"],
            "label": "Arabisch",
            "words": "Arabisch",
            "query_without": "Obst Kita",
        },
        {
            "facet": "age",
            "parameter": "alter",
            "values": ["kita"],
            "label": "Kita",
            "words": "Kita",
            "query_without": "Obst Arabisch",
        },
    ]
    empty = (await client.get("/api/v1/search", params={"q": "Obst Krippe"})).json()
    assert empty["total"] == 0
    assert empty["relaxations"] == [{"label": "Krippe", "count": 1, "q": "Obst", "facet": None}]


async def test_hits_show_their_cover_or_the_media_type_pictogram(client, db):
    with_cover = await add_title("Bildkarten Obst", media_type="picture_cards", cover_file="7.jpg")
    await add_title("Bildkarten Tiere", media_type="picture_cards")
    html = (await client.get("/katalog", params={"medienart": "picture_cards"})).text
    assert f'<img src="/titel/{with_cover}/cover"' in html
    assert '<use href="/static/icons/media.svg#picture_cards">' in html
    assert "https://" not in html.split("<main", 1)[1]  # nothing from third parties
    body = (await client.get("/api/v1/search", params={"medienart": "picture_cards"})).json()
    covers = {hit["title"]: hit["cover_url"] for hit in body["results"]}
    assert covers == {"Bildkarten Obst": f"/titel/{with_cover}/cover", "Bildkarten Tiere": None}
    page = (await client.get(f"/titel/{with_cover + 1}")).text
    assert '<use href="/static/icons/media.svg#picture_cards">' in page
