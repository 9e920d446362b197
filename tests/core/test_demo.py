"""Demo data cover what a person wants to try: every media type, level, age group, language."""

from mediathek.catalogue.tables import Copy, Title, TitleLanguage
from mediathek.circulation.tables import Loan
from mediathek.demo import DEMO_LOGINS, load_demo
from mediathek.patrons.logins import authenticate
from mediathek.patrons.tables import Patron
from mediathek.vocab import AgeGroup, Level, MediaType, PatronCategory, values_between


async def test_demo_catalogue_is_big_and_varied(db, settings):
    result = await load_demo(settings)
    assert result["titles"] >= 150
    titles = await Title.select()
    assert {t["media_type"] for t in titles} == {m.value for m in MediaType}
    levels = {lv for t in titles for lv in values_between(Level, t["level_min"], t["level_max"])}
    assert levels == {lv.value for lv in Level}
    ages = {a for t in titles for a in values_between(AgeGroup, t["age_min"], t["age_max"])}
    assert ages == {a.value for a in AgeGroup}
    languages = {r["language"] for r in await TitleLanguage.select(TitleLanguage.language)}
    assert len(languages) >= 10
    assert await Copy.count() >= result["titles"]
    assert all("Demo" in t["description"] for t in titles)


async def test_demo_has_patrons_of_every_category_loans_and_working_logins(db, settings):
    await load_demo(settings)
    categories = {p["category"] for p in await Patron.select(Patron.category)}
    assert categories == {c.value for c in PatronCategory}
    assert await Loan.count().where(Loan.returned_at.is_null()) > 0
    for login in DEMO_LOGINS:
        assert await authenticate(login.email, login.password) is not None, login.email


async def test_demo_data_are_loaded_only_into_an_empty_catalogue(db, settings):
    await load_demo(settings)
    before = await Title.count()
    assert (await load_demo(settings)) == {"skipped": True}
    assert await Title.count() == before


async def test_demo_titles_read_like_a_real_daz_library_without_raw_codes(db, settings):
    import re

    await load_demo(settings)
    titles = await Title.select(Title.title, Title.description, Title.publisher, Title.series)
    names = {t["title"] for t in titles}
    assert {"Bildkarten Obst und Gemüse", "Schritt für Schritt in Alltag und Beruf A1.1"} <= names
    assert len({t["publisher"] for t in titles}) >= 8
    assert len({t["series"] for t in titles if t["series"]}) >= 8
    raw_code = re.compile(r"PRE_A1|pre_a1|SECONDARY|picture_|\b[A-Z]{3} [A-ZÄÖÜ]{3}\b")
    for t in titles:
        assert not raw_code.search(t["description"]), t["description"]
    for row in await Copy.select(Copy.shelf_mark):
        assert not raw_code.search(row["shelf_mark"]), row["shelf_mark"]
