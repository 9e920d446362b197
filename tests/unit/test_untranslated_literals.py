"""No German words in a template outside the catalogue: text, the attributes people read
(aria-label, title, placeholder, alt) and string constants printed or passed as labels must
go through ``_()``, or an English page shows German."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from jinja2 import Environment, nodes

from mediathek.web.templating import TEMPLATES_DIR

# Words that are the same in every language (names, codes).
SAME_EVERYWHERE = {"Mediathek", "ISBN", "Tiptoi", "Ting", "DaZ", "DaF", "HTML", "CSV", "XLSX"}

_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
_TAG = re.compile(r"<(?:[^>\"']|\"[^\"]*\"|'[^']*')*>")
_READ_ATTRS = re.compile(r"""\b(?:aria-label|title|placeholder|alt)\s*=\s*(["'])(.*?)\1""")
_WORD = re.compile(r"[A-Za-zÄÖÜäöüß][A-Za-zÄÖÜäöüß-]+")
_GETTEXT = {"_", "gettext", "ngettext", "pgettext", "npgettext"}

ENV = Environment(extensions=["jinja2.ext.i18n"])


def _words(text: str) -> list[str]:
    return [w for w in _WORD.findall(text) if w not in SAME_EVERYWHERE and not w.isupper()]


def _looks_like_prose(value: str) -> bool:
    """A string constant people read: capitalised or with an umlaut, not a code or a path."""
    if value.startswith(("/", "#", "http", ".", "_")) or "{" in value or "=" in value:
        return False
    return bool(re.search(r"[A-ZÄÖÜ][a-zäöüß]|[äöüßÄÖÜ]", value)) and bool(_words(value))


def untranslated(source: str) -> list[str]:
    """German a reader would see that does not pass through the catalogue."""
    found: list[str] = []
    tree = ENV.parse(source)
    translated: set[int] = set()
    for call in tree.find_all(nodes.Call):
        if isinstance(call.node, nodes.Name) and call.node.name in _GETTEXT:
            translated.update(id(n) for n in call.find_all(nodes.Const))
    # The markup with every Jinja part blanked out, so that a tag stays one piece.
    markup = _JINJA.sub("\x00", source)
    for _quote, value in _READ_ATTRS.findall(markup):
        if "\x00" not in value and _words(value):
            found.append(value)
    for chunk in _TAG.sub("\x00", markup).split("\x00"):
        text = re.sub(r"&\w+;|&#\d+;", " ", chunk)
        if _words(text):
            found.append(" ".join(text.split()))
    for const in tree.find_all(nodes.Const):
        if (
            isinstance(const.value, str)
            and id(const) not in translated
            and _looks_like_prose(const.value)
        ):
            found.append(const.value)
    return found


def test_the_detector_finds_german_text_attributes_and_labels():
    assert untranslated("<p>Hallo <b>Welt</b></p>") == ["Hallo", "Welt"]
    assert untranslated('<nav aria-label="Hauptnavigation"></nav>') == ["Hauptnavigation"]
    assert untranslated('{{ field("first_name", "Vorname") }}') == ["Vorname"]
    assert untranslated('{{ "Englisch" if x else "Deutsch" }}') == ["Englisch", "Deutsch"]


def test_the_detector_lets_translated_and_technical_text_pass():
    assert untranslated('<p>{{ _("Hallo Welt") }}</p>') == []
    link = '<a href="/katalog" class="button button-small">{{ _("Katalog") }}</a>'
    assert untranslated(link) == []
    assert untranslated('{% extends "base.html" %}{% if lang == "en" %}{% endif %}') == []
    assert untranslated("<span>Mediathek</span> · 42 &ndash; ISBN") == []
    assert untranslated('{{ _("Seite %(n)s", n=page) }}') == []


# Templates whose every word goes through the catalogue; the list grows until it holds all.
TRANSLATED = [
    "base.html",
    "emails/_layout.html",
    "emails/_items.html",
    "emails/_footer.txt",
    "home.html",
    "search/catalogue.html",
    "search/_results.html",
    "catalogue/title.html",
    "catalogue/_availability.html",
    "catalogue/_title_actions.html",
    "_macros.html",
    "errors/403.html",
    "errors/404.html",
    "errors/500.html",
    "errors/_message.html",
    "errors/error.html",
    "info/contact.html",
    "auth/login.html",
    "auth/register.html",
    "auth/forgot.html",
    "auth/set_password.html",
    "auth/registered.html",
    "auth/confirm_email.html",
    "auth/email_confirmed.html",
    "account/index.html",
    "account/_summary.html",
    "circulation/my_loans.html",
    "reservations/_my_holds.html",
    "reservations/mine.html",
    "reservations/title.html",
    "reservations/_title_actions.html",
    "reservations/_my_bookings.html",
    "circulation/_my_loans.html",
    "reservations/_availability.html",
    "info/how_it_works.html",
    "overview.html",
    "confirm.html",
    "circulation/_desk.html",
    "circulation/_desk_borrowers.html",
    "circulation/_desk_lent.html",
    "circulation/_desk_loan_row.html",
    "circulation/_desk_loans.html",
    "circulation/_desk_loans_heading.html",
    "circulation/_desk_mode.html",
    "circulation/_desk_result.html",
    "circulation/_reserve_for.html",
    "circulation/borrowers.html",
    "circulation/desk.html",
    "circulation/hold_slip.html",
    "circulation/loan_rules.html",
    "circulation/overdue.html",
    "circulation/receipt.html",
    "catalogue/staff/_import_job.html",
    "catalogue/staff/_title_form.html",
    "catalogue/staff/_title_new_body.html",
    "catalogue/staff/_title_rows.html",
    "catalogue/staff/import.html",
    "catalogue/staff/import_job.html",
    "catalogue/staff/labels.html",
    "catalogue/staff/title.html",
    "catalogue/staff/title_edit.html",
    "catalogue/staff/title_new.html",
    "catalogue/staff/titles.html",
    # Staff and admin pages: borrowers, reports, notifications, settings, hold shelf.
    "patrons/_list.html",
    "patrons/_patron_loans.html",
    "patrons/_status.html",
    "patrons/accounts.html",
    "patrons/approvals.html",
    "patrons/card.html",
    "patrons/deletions.html",
    "patrons/detail.html",
    "patrons/form.html",
    "patrons/index.html",
    "patrons/tokens.html",
    "reports/_results.html",
    "reports/_scan.html",
    "reports/audit.html",
    "reports/inactive.html",
    "reports/legal_form.html",
    "reports/legal_page.html",
    "reports/retention.html",
    "reports/statistics.html",
    "reports/stocktake.html",
    "reports/stocktakes.html",
    "notifications/_outbox.html",
    "notifications/level3.html",
    "notifications/notice.html",
    "notifications/outbox.html",
    "notifications/reminder_settings.html",
    "notifications/template_edit.html",
    "notifications/templates.html",
    "info/contact_form.html",
    "info/deadlines_form.html",
    "reservations/staff.html",
    "reservations/_basket_button.html",
    "reservations/_basket_result.html",
    "reservations/_range_fields.html",
    "reservations/basket.html",
    "reservations/sets.html",
    "reservations/staff_sets.html",
    "reservations/staff_set_form.html",
    "reservations/for_borrower.html",
]


@pytest.mark.parametrize("name", TRANSLATED)
def test_translated_templates_have_no_german_outside_the_catalogue(name):
    source = (TEMPLATES_DIR / name).read_text("utf-8")
    assert untranslated(source) == [], name


def test_every_template_of_the_list_exists():
    for name in TRANSLATED:
        assert Path(TEMPLATES_DIR / name).exists(), name
