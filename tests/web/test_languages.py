"""The site in its users' languages: German first, a switch in the header, then the account's
setting, then the browser's list; Arabic right to left."""

from __future__ import annotations

import re

import pytest

from mediathek import i18n
from mediathek.patrons.tables import Account


def _html_tag(text: str) -> str:
    match = re.search(r"<html[^>]*>", text)
    assert match, text[:200]
    return match.group(0)


async def test_a_visitor_without_a_choice_gets_german(client):
    r = await client.get("/")
    assert _html_tag(r.text) == '<html lang="de" dir="ltr">'
    assert r.headers["content-language"] == "de"
    assert ">Katalog</a>" in r.text


async def test_the_browser_list_picks_the_first_language_the_site_speaks(client):
    r = await client.get("/", headers={"Accept-Language": "fr-FR, ar;q=0.9, en;q=0.8"})
    assert _html_tag(r.text) == '<html lang="ar" dir="rtl">'
    assert "الفهرس" in r.text  # "Katalog"
    assert r.headers["content-language"] == "ar"


async def test_the_switch_remembers_the_choice_and_returns_to_the_page(client):
    r = await client.get("/sprache/en?zurueck=/katalog%3Fq%3DSpiel", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/katalog?q=Spiel"
    assert "mediathek_lang=en" in r.headers["set-cookie"]
    assert "HttpOnly" in r.headers["set-cookie"]
    # The switch beats the browser's list.
    page = await client.get("/", headers={"Accept-Language": "ar"})
    assert _html_tag(page.text) == '<html lang="en" dir="ltr">'
    assert ">Catalogue</a>" in page.text
    assert ">Log in</a>" in page.text


async def test_every_page_offers_the_switch_in_each_language_own_name(client):
    r = await client.get("/katalog")
    for code, name in (("de", "Deutsch"), ("en", "English"), ("uk", "Українська")):
        assert f'href="/sprache/{code}?zurueck=/katalog" lang="{code}"' in r.text
        assert f">{name}</a>" in r.text
    assert 'lang="ar" hreflang="ar" dir="rtl"' in r.text


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "/\\evil"])
async def test_the_switch_never_sends_a_visitor_elsewhere(client, target):
    r = await client.get("/sprache/uk", params={"zurueck": target}, follow_redirects=False)
    assert r.headers["location"] == "/"


async def test_a_language_the_site_does_not_speak_changes_nothing(client):
    r = await client.get("/sprache/xx?zurueck=/", follow_redirects=False)
    assert r.status_code == 303
    assert "set-cookie" not in r.headers or "mediathek_lang" not in r.headers["set-cookie"]


async def test_a_login_without_a_cookie_choice_gets_the_account_language(client_for, teacher_anna):
    await Account.update({Account.language: "uk"}).where(Account.id == teacher_anna.account_id)
    async with client_for(teacher_anna) as c:
        r = await c.get("/katalog")
        assert _html_tag(r.text) == '<html lang="uk" dir="ltr">'
        assert "Мій обліковий запис" in r.text  # "Mein Konto"
        # Her own choice in the switch wins over the account's setting.
        await c.get("/sprache/en")
        r = await c.get("/katalog")
        assert ">My account</a>" in r.text


async def test_pages_the_framework_answers_itself_speak_the_visitor_language(client):
    r = await client.get("/gibt-es-nicht", headers={"Accept-Language": "ar"})
    assert r.status_code == 404
    assert r.headers["content-language"] == "ar"


def test_negotiation_order():
    assert i18n.negotiate(cookie="en", account="uk", accept_language="ar") == "en"
    assert i18n.negotiate(cookie=None, account="uk", accept_language="ar") == "uk"
    assert i18n.negotiate(cookie="xx", account="", accept_language="de-AT,ar;q=0.5") == "de"
    assert i18n.negotiate(accept_language="fr;q=1, uk;q=0.2, en;q=0.3") == "en"
    assert i18n.negotiate(accept_language="en;q=0, ar;q=0.1") == "ar"
    assert i18n.negotiate(accept_language="en;q=nonsense") == "de"
    assert i18n.negotiate() == "de"


def test_german_is_the_source_and_translates_to_itself():
    with i18n.using("de"):
        assert i18n.gettext("Katalog") == "Katalog"
    with i18n.using("uk"):
        assert i18n.gettext("Katalog") == "Каталог"
    with i18n.using("zz"):
        assert i18n.current() == "de"


def test_german_language_names_come_from_babel_and_stay_as_teachers_know_them():
    from mediathek import vocab

    assert vocab.LANGUAGES["ara"] == "Arabisch"
    assert vocab.LANGUAGES["ukr"] == "Ukrainisch"
    assert vocab.LANGUAGES["prs"] == "Dari"
    assert vocab.LANGUAGES["kmr"] == "Kurdisch (Kurmandschi)"
    assert vocab.LANGUAGES["pes"] == "Persisch (Farsi)"
    assert len(vocab.LANGUAGES) == 32 and all(vocab.LANGUAGES.values())


async def test_vocabulary_labels_follow_the_page_language(client):
    r = await client.get("/", headers={"Accept-Language": "en"})
    assert "Picture cards" in r.text and "Bildkarten</" not in r.text
    r = await client.get("/", headers={"Accept-Language": "uk"})
    assert "Картки з картинками" in r.text


def test_language_names_in_the_reader_language():
    from mediathek import vocab
    from mediathek.web.templating import LanguageNames

    names = LanguageNames(vocab.LANGUAGES)
    with i18n.using("en"):
        assert names["ara"] == "Arabic" and names["kmr"] == "Kurdish (Kurmanji)"
    with i18n.using("uk"):
        assert names["deu"] == "Німецька"
    with i18n.using("de"):
        assert names["tur"] == "Türkisch"


async def test_the_start_page_leads_to_the_mediathek_in_leichte_sprache(client):
    home = await client.get("/")
    assert 'href="/leichte-sprache"' in home.text
    page = await client.get("/leichte-sprache")
    assert page.status_code == 200
    assert "<h1>Die Mediathek in Leichter Sprache</h1>" in page.text
    assert "Das Ausleihen kostet nichts." in page.text
    # Leichte Sprache: short sentences, one statement each.
    body = page.text.split("<article", 1)[1].split("</article>", 1)[0]
    text = re.sub(r"<[^>]+>", "\n", body)
    sentences = [s for s in re.split(r"[.?!:]\s|\n", text) if s.strip()]
    assert max(len(s.split()) for s in sentences) <= 15


async def test_the_admin_edits_the_leichte_sprache_page_like_the_legal_pages(client_for, admin):
    async with client_for(admin) as c:
        form = await c.get("/admin/rechtliches")
        assert 'name="legal_easy_language"' in form.text
        texts = {
            "legal_imprint": "Impressum",
            "legal_privacy": "Datenschutz",
            "legal_accessibility": "Barrierefreiheit",
            "legal_easy_language": "Wir sind die Mediathek.\n\nHier leihen Sie Bücher aus.",
        }
        r = await c.post("/admin/rechtliches", data=texts)
        assert r.status_code in (200, 303)
        page = await c.get("/leichte-sprache")
        assert "<p>Hier leihen Sie Bücher aus.</p>" in page.text


async def test_a_teacher_chooses_her_language_once_for_pages_and_e_mails(client_for, teacher_anna):
    async with client_for(teacher_anna) as c:
        r = await c.post("/konto/profil", data={"preferred_language": "ar"})
        assert r.status_code in (200, 303)
        page = await c.get("/konto")
        assert _html_tag(page.text) == '<html lang="ar" dir="rtl">'
    row = await Account.select(Account.language).where(Account.id == teacher_anna.account_id)
    assert row[0]["language"] == "ar"


async def test_registering_in_a_language_proposes_it_for_the_e_mails(client):
    r = await client.get("/registrieren", headers={"Accept-Language": "uk"})
    assert '<option value="uk" selected' in r.text


@pytest.mark.parametrize("lang", ["en", "uk", "ar"])
def test_counts_are_written_as_babel_writes_them_in_each_language(lang):
    from zoneinfo import ZoneInfo

    from babel.numbers import format_decimal

    from mediathek.web.templating import make_filters

    de_number = make_filters(ZoneInfo("Europe/Berlin"))["de_number"]
    with i18n.using(lang):
        for value in (0, 7, 999, 1234, 98765, 1234567, -4321, 2.5):
            assert de_number(value) == format_decimal(value, locale=i18n.babel_locale())
