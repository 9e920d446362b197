"""A due date that is not the usual one says why in the reader's language: the loan stores a
reason code ("card:2026-03-22"), Mein Konto, the desk, the receipt and the API render it."""

from __future__ import annotations

import importlib.util
from datetime import date
from pathlib import Path

import pytest

from mediathek import i18n
from mediathek.circulation import services
from mediathek.circulation.policy import due_reason_code, due_reason_text
from mediathek.circulation.tables import Loan
from mediathek.patrons.tables import Patron
from tests.factories import title_with_copies

CARD_REASON = {
    "de": "Kürzere Leihfrist: Der Ausweis läuft am 22.03.2026 ab.",
    "en": "Shorter loan period: The library card expires on 22 Mar 2026.",
    "uk": "Коротший строк позики. 22 бер. 2026 р. закінчується строк дії читацького квитка.",
    "ar": "مدة إعارة أقصر: تنتهي صلاحية بطاقة المكتبة في 22‏/03‏/2026.",
}


def _spaced(text: str) -> str:
    """Babel's dates hold no-break spaces ("22 бер. 2026 р."): compare them as spaces."""
    return text.replace("\xa0", " ").replace("\u202f", " ")


async def _lent_until_card_end(persona, today) -> int:
    await Patron.update({Patron.expires_on: date(2026, 3, 22)}).where(
        Patron.id == persona.patron_id
    )
    _, [code] = await title_with_copies("Bildkarten Obst")
    lent = await services.checkout(persona.card, code, today=today, staff_id=None)
    assert lent.due_reason == "card:2026-03-22"
    return lent.loan_id


@pytest.mark.parametrize("lang", ["de", "en", "uk", "ar"])
async def test_mein_konto_gives_the_reason_in_her_language(client_for, teacher_anna, today, lang):
    await _lent_until_card_end(teacher_anna, today)
    async with client_for(teacher_anna) as c:
        c.cookies.set(i18n.COOKIE, lang)
        page = await c.get("/konto")
    assert page.status_code == 200
    assert CARD_REASON[lang] in _spaced(page.text)
    if lang != "de":
        assert "Kürzere Leihfrist" not in page.text and "Ausweis" not in page.text


async def test_the_api_answers_the_reason_in_the_request_language_with_its_code(
    client_for, teacher_anna, today
):
    await _lent_until_card_end(teacher_anna, today)
    async with client_for(teacher_anna) as c:
        german = (await c.get("/api/v1/loans")).json()
        english = (await c.get("/api/v1/loans", headers={"Accept-Language": "en"})).json()
    assert german[0]["due_reason"].startswith(CARD_REASON["de"])
    assert _spaced(english[0]["due_reason"]).startswith(CARD_REASON["en"])
    assert german[0]["due_reason_code"] == english[0]["due_reason_code"] == "card"


def test_every_reason_reads_in_every_language_without_german_words():
    stored = ["booking:2026-03-13", "card:2026-03-22", "booking_end:2026-03-20", "closure:Umzug"]
    for lang in ("en", "uk", "ar"):
        with i18n.using(lang):
            for reason in stored:
                text = due_reason_text(reason)
                assert text and reason not in text
                for german in ("Leihfrist", "Ausweis", "reserviert", "Öffnungstag", "Ende"):
                    assert german not in text, (lang, text)
    assert due_reason_code("closure:Umzug") == "closure"


def test_an_old_sentence_nobody_can_read_as_a_code_is_shown_as_written():
    assert due_reason_text("Bitte früher zurück.") == "Bitte früher zurück."
    assert due_reason_code("Bitte früher zurück.") == "other"
    assert due_reason_text("") == due_reason_code("") == ""


def _migration():
    path = next(Path("migrations").glob("*_2026_11_28t10_50_00_*.py"))
    spec = importlib.util.spec_from_file_location("due_reason_migration", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


async def test_the_migration_turns_the_german_sentences_written_before_into_codes(
    teacher_anna, today
):
    old = {
        "Kürzere Leihfrist: Dieses Exemplar ist danach für einen Zeitraum reserviert "
        "und muss bis 13.03.2026 zurück.": "booking:2026-03-13",
        "Kürzere Leihfrist: Der Ausweis läuft am 22.03.2026 ab. "
        "Bitte lassen Sie ihn an der Theke verlängern.": "card:2026-03-22",
        "Bis zum Ende Ihrer Reservierung (20.03.2026).": "booking_end:2026-03-20",
        "Verschoben auf den nächsten Öffnungstag (geschlossen: Umzug (2. Teil)).": (
            "closure:Umzug (2. Teil)"
        ),
        "Von Hand notiert.": "Von Hand notiert.",
    }
    _, codes = await title_with_copies("Alt", copies=len(old))
    ids = []
    for code, sentence in zip(codes, old, strict=True):
        lent = await services.checkout(teacher_anna.card, code, today=today, staff_id=None)
        await Loan.update({Loan.due_reason: sentence}).where(Loan.id == lent.loan_id)
        ids.append(lent.loan_id)

    manager = await _migration().forwards()
    await manager.run()

    rows = await Loan.select(Loan.id, Loan.due_reason).where(Loan.id.is_in(ids)).order_by(Loan.id)
    assert [r["due_reason"] for r in rows] == list(old.values())


def test_staff_read_what_a_closure_moved_in_their_language():
    from mediathek.circulation.closures import moved_summary

    assert "1 Rückgabedatum, 0 Abholfristen, 3 Reservierungsbeginne" in moved_summary(1, 0, 3)
    with i18n.using("en"):
        assert moved_summary(1, 0, 3).startswith(
            "Closure entered. Moved to the next opening day: 1 return date, "
            "0 pickup deadlines, 3 reservation starts."
        )
