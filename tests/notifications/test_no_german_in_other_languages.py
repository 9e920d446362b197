"""Every notice a borrower gets, in English, Ukrainian and Arabic, holds no German sentence:
each kind is rendered in all four languages from its example payload, and what the German
e-mail says in its own words (not the data: titles, names, barcodes, contact) must not turn
up in the others. A due reason stored with a loan is rendered in the reader's language too."""

from __future__ import annotations

import re

import pytest

from mediathek.notifications.kinds import SAMPLE_PAYLOADS, SECRET_KINDS
from mediathek.notifications.messages import Renderer
from mediathek.notifications.texts import TEXTS

CONTACT = {
    "name": "Mediathek im Integrationszentrum",
    "address": "Musterstraße 1, 40210 Düsseldorf",
    "phone": "0211 123",
    "email": "mediathek@example.org",
}
HOURS = [(0, "9–16 Uhr"), (3, "14–18 Uhr")]
LINK = "https://mediathek.example/einmal/abc123"

# The example receipt with what a real one may carry: a kit's parts and a due reason.
PAYLOADS = {
    **SAMPLE_PAYLOADS,
    "loan_receipt": {
        "items": [
            {
                "title": "Medienkoffer Kita",
                "barcode": "M000011",
                "due_on": "2026-03-13",
                "parts": ["Handpuppe", "Bildkarten (20)"],
                "due_reason": "booking:2026-03-13",
            },
            {
                "title": "Tiptoi Wörter",
                "barcode": "M000029",
                "due_on": "2026-03-20",
                "due_reason": "card:2026-03-22",
            },
        ]
    },
}


def _data(value) -> list[str]:
    """Every string of a payload (recursively): the data an e-mail may repeat as it is."""
    if isinstance(value, dict):
        return [s for v in value.values() for s in _data(v)]
    if isinstance(value, list):
        return [s for v in value for s in _data(v)]
    return [str(value)] if isinstance(value, str) and value else []


def _without_data(text: str, payload: dict) -> str:
    data = _data(payload) + [v for v in CONTACT.values()] + [h for _d, h in HOURS] + [LINK]
    for value in sorted(data, key=len, reverse=True):
        text = text.replace(value, " ")
    return re.sub(r"https?://\S+", " ", text)


# Words every language writes alike: the name of the place, the kind of message.
SHARED = {"Mediathek", "E-Mail", "Barcode"}


def _sentences(text: str) -> set[str]:
    """The German e-mail's own phrases: its lines and sentences (split at punctuation)."""
    parts = (p.strip(" ,-–") for p in re.split(r"[\n.!?:;()]+", text))
    return {p for p in parts if re.search(r"[a-zäöüß]{3}", p) and p not in SHARED}


@pytest.fixture
def renderer(settings) -> Renderer:
    return Renderer(settings, {}, CONTACT, HOURS)


def _render(renderer: Renderer, kind: str, lang: str):
    payload = PAYLOADS.get(kind, {})
    link = LINK if kind in SECRET_KINDS else ""
    return renderer.render(kind, lang, 2, payload, link=link), payload


@pytest.mark.parametrize("lang", ["en", "uk", "ar"])
@pytest.mark.parametrize("kind", sorted(TEXTS))
def test_no_german_sentence_leaks_into_a_notice_in_another_language(renderer, kind, lang):
    german, payload = _render(renderer, kind, "de")
    mail, _ = _render(renderer, kind, lang)
    for part_de, part in ((german.subject, mail.subject), (german.text, mail.text)):
        own_words = _sentences(_without_data(part_de, payload))
        assert own_words, part_de  # the German e-mail has words of its own to compare
        leaked = {s for s in own_words if s in _without_data(part, payload)}
        assert not leaked, (kind, lang, leaked)


@pytest.mark.parametrize("lang", ["uk", "ar"])
@pytest.mark.parametrize("kind", sorted(TEXTS))
def test_a_notice_in_ukrainian_or_arabic_has_no_latin_words_but_the_data(renderer, kind, lang):
    mail, payload = _render(renderer, kind, lang)
    rest = _without_data(mail.subject + "\n" + mail.text, payload)
    latin = set(re.findall(r"[A-Za-zÄÖÜäöüß]{3,}", rest)) - {"Mediathek", "Mail"}
    assert not latin, (kind, lang, latin)


@pytest.mark.parametrize(
    ("lang", "reason"),
    [
        ("de", "Kürzere Leihfrist: Der Ausweis läuft am 22.03.2026 ab."),
        ("en", "Shorter loan period: The library card expires on 22 Mar 2026."),
        ("uk", "Коротший строк позики."),
        ("ar", "مدة إعارة أقصر"),
    ],
)
def test_the_receipt_gives_each_due_reason_in_the_reader_language(renderer, lang, reason):
    mail, _ = _render(renderer, "loan_receipt", lang)
    assert reason in mail.text.replace("\xa0", " ")
    assert reason in mail.html.replace("\xa0", " ")
    assert "booking:" not in mail.text and "card:" not in mail.html
