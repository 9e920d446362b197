"""Every e-mail a borrower gets comes in her language: German, English, Ukrainian or Arabic,
from one text per notice translated through the catalogues."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from mediathek.notifications.kinds import SAMPLE_PAYLOADS
from mediathek.notifications.messages import Renderer
from mediathek.notifications.texts import TEXTS

CONTACT = {"name": "Mediathek im Integrationszentrum", "phone": "0211 123", "email": "m@x.de"}


@pytest.fixture
def renderer(settings) -> Renderer:
    return Renderer(settings, {}, CONTACT, [(0, "9–16 Uhr"), (3, "")])


@pytest.mark.parametrize(
    ("lang", "greeting", "weekday", "due"),
    [
        ("de", "Guten Tag", "Montag", "fällig am"),
        ("en", "Hello", "Monday", "due on"),
        ("uk", "Добрий день", "понеділок", "повернути до"),
        ("ar", "مرحبًا", "الاثنين", "موعد الإرجاع"),
    ],
)
def test_a_reminder_speaks_the_reader_language(renderer, lang, greeting, weekday, due):
    mail = renderer.render("due_soon", lang, 0, SAMPLE_PAYLOADS["due_soon"])
    assert mail.text.startswith(greeting)
    assert weekday in mail.text and due in mail.text
    assert f'<html lang="{lang}" dir="{"rtl" if lang == "ar" else "ltr"}">' in mail.html
    # German words of the shared parts never leak into another language.
    if lang != "de":
        assert "Öffnungszeiten" not in mail.text and "Guten Tag" not in mail.text


@pytest.mark.parametrize("lang", ["de", "en", "uk", "ar"])
@pytest.mark.parametrize("kind", sorted(TEXTS))
def test_every_notice_renders_in_every_language(renderer, kind, lang):
    mail = renderer.render(kind, lang, 3, SAMPLE_PAYLOADS.get(kind, {}))
    assert mail.subject and "{{" not in mail.subject and "{{" not in mail.text
    assert "\ue000" not in mail.html and "<p>" in mail.html


def test_a_language_the_site_does_not_speak_gets_german(renderer):
    mail = renderer.render("hold_ready", "fr", 0, SAMPLE_PAYLOADS["hold_ready"])
    assert mail.text.startswith("Guten Tag")


def test_markup_in_a_payload_is_text_in_the_html_part(renderer):
    mail = renderer.render("hold_ready", "de", 0, {"title": "<script>x</script>", "name": "A&B"})
    assert "<script>" not in mail.html and "&lt;script&gt;" in mail.html
    assert "<script>x</script>" in mail.text


def _migration():
    path = next(Path("migrations").glob("*_2026_11_28t09_00_30_*.py"))
    spec = importlib.util.spec_from_file_location("email_texts_migration", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_adaptations_of_the_old_three_files_become_one_text():
    old = [
        ("email_template:overdue.de.subject.txt", json.dumps({"v": "Mahnung!  "})),
        (
            "email_template:overdue.de.txt",
            json.dumps(
                {
                    "v": 'Hallo {{ name }}\n\n{% include "_items.de.txt" %}\n\nTschüss\n'
                    '{% include "_footer.de.txt" %}\n'
                }
            ),
        ),
        ("email_template:due_soon.en.html", json.dumps({"v": "<p>only html</p>"})),
    ]
    body = "Hallo {{ name }}\n\n{{ item_list }}\n\nTschüss"
    assert _migration().convert(old) == {"overdue.de": {"subject": "Mahnung!", "body": body}}
