"""The translation catalogues stay in step with the code: every marked message is in the
template (``messages.pot``), and English translates every one of them."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from mediathek import i18n

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "pgettext": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
    "N_": None,
    "gettext_noop": None,
}


def _ids(catalogue) -> set:
    return {message.id for message in catalogue if message.id}


def _key(message_id) -> str:
    return message_id[0] if isinstance(message_id, tuple) else message_id


def test_the_template_holds_every_marked_message():
    with (ROOT / "babel.cfg").open() as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    found = {
        _key(message[2])
        for message in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=KEYWORDS, strip_comment_tags=True
        )
    }
    with (i18n.LOCALE_DIR / "messages.pot").open("rb") as handle:
        template = {_key(m) for m in _ids(read_po(handle))}
    missing = found - template
    assert not missing, (
        f"{len(missing)} marked messages are not in messages.pot (run the pybabel extract "
        f"and update commands of the README): {sorted(missing)[:10]}"
    )


def test_english_translates_every_message():
    with (i18n.LOCALE_DIR / "messages.pot").open("rb") as handle:
        template = read_po(handle)
    with (i18n.LOCALE_DIR / "en" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        english = read_po(handle, locale="en")
    untranslated = [
        _key(message.id)
        for message in template
        if message.id
        and (
            (found := english.get(message.id, message.context)) is None
            or found.fuzzy
            or not (all(found.string) if isinstance(found.string, tuple) else found.string)
        )
    ]
    assert not untranslated, f"{len(untranslated)} untranslated: {untranslated[:10]}"


def test_every_language_of_the_switch_has_a_catalogue():
    for code in i18n.SUPPORTED:
        if code != i18n.SOURCE:
            assert (i18n.LOCALE_DIR / code / "LC_MESSAGES" / "messages.po").exists(), code


_PLACEHOLDER = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{\w+\}|%\(\w+\)[sd]")


def _placeholders(text: str) -> list[str]:
    return sorted(" ".join(p.split()) for p in _PLACEHOLDER.findall(text))


def test_translations_keep_every_placeholder():
    """A translation that loses ``{{ link }}`` sends a reset mail without its link."""
    for code in i18n.SUPPORTED:
        if code == i18n.SOURCE:
            continue
        with (i18n.LOCALE_DIR / code / "LC_MESSAGES" / "messages.po").open("rb") as handle:
            catalogue = read_po(handle, locale=code)
        for message in catalogue:
            if not message.id or not message.string:
                continue
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            for text in strings:
                if text:
                    assert _placeholders(text) == _placeholders(ids[-1]), (code, ids[0][:60])


def test_catalogue_headers_ask_for_review_by_a_native_speaker():
    for code in ("uk", "ar"):
        text = (i18n.LOCALE_DIR / code / "LC_MESSAGES" / "messages.po").read_text("utf-8")
        assert "review by a native speaker" in text.split("msgid", 1)[0]


def test_coverage_of_every_language(capsys):
    """Prints how much of the template each language translates (run with -s to see it)."""
    with (i18n.LOCALE_DIR / "messages.pot").open("rb") as handle:
        total = len(_ids(read_po(handle)))
    for code in i18n.SUPPORTED:
        if code == i18n.SOURCE:
            continue
        with (i18n.LOCALE_DIR / code / "LC_MESSAGES" / "messages.po").open("rb") as handle:
            done = sum(1 for m in read_po(handle, locale=code) if m.id and m.string and not m.fuzzy)
        print(f"{code}: {done}/{total} messages translated ({100 * done / max(total, 1):.0f} %)")
