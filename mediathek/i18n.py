"""The users' languages: which ones the site speaks, which one a request gets, the translations.

German is the source language: every message in the code and the templates is written in
German and translated through gettext catalogues (``mediathek/locale/<lang>/LC_MESSAGES/
messages.po``, kept with Babel's ``pybabel extract/update``, see README "Sprachen").

The catalogues are compiled in memory when a language is first used, so a fresh clone needs
no build step and no compiled binaries are kept in the repository.

The language of the moment lives in a context variable: the web layer sets it per request,
the e-mail renderer per recipient; everything below simply calls ``gettext``.
"""

from __future__ import annotations

import gettext as _gettext
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date
from functools import cache
from io import BytesIO
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "messages"
SOURCE = "de"

# Order as shown in the language switch: German first.
SUPPORTED = ("de", "en", "uk", "ar")
RIGHT_TO_LEFT = frozenset({"ar"})

# Where a visitor's choice is remembered (no server-side state for anonymous visitors).
COOKIE = "mediathek_lang"

_current: ContextVar[str] = ContextVar("mediathek_language", default=SOURCE)


@dataclass(frozen=True)
class Language:
    code: str
    name: str  # in the language itself, as the switch shows it
    direction: str  # "ltr" or "rtl"


def _own_name(code: str) -> str:
    name = Locale.parse(code).get_display_name(code) or code
    return name[:1].upper() + name[1:]


LANGUAGES = {
    code: Language(code, _own_name(code), "rtl" if code in RIGHT_TO_LEFT else "ltr")
    for code in SUPPORTED
}


def supported(code: str | None) -> str | None:
    """``code`` if the site speaks it (``de-AT`` → ``de``), else None."""
    if not code:
        return None
    base = code.strip().replace("_", "-").split("-", 1)[0].lower()
    return base if base in LANGUAGES else None


def negotiate(
    cookie: str | None = None, account: str | None = None, accept_language: str | None = None
) -> str:
    """The switch in the header wins, then the account's setting, then the browser's list."""
    for choice in (cookie, account):
        if code := supported(choice):
            return code
    if accept_language:
        wanted = []
        for part in accept_language.split(","):
            tag, _, params = part.strip().partition(";")
            try:
                quality = float(params.split("=", 1)[1]) if "q=" in params else 1.0
            except ValueError:
                quality = 0.0
            if tag and quality > 0:
                wanted.append((quality, tag))
        for _quality, tag in sorted(wanted, key=lambda item: -item[0]):
            if code := supported(tag):
                return code
    return SOURCE


@cache
def translations(code: str) -> _gettext.NullTranslations:
    """The compiled catalogue of one language; German (the source) translates to itself."""
    po = LOCALE_DIR / code / "LC_MESSAGES" / f"{DOMAIN}.po"
    if code == SOURCE or not po.exists():
        return _gettext.NullTranslations()
    with po.open("rb") as handle:
        catalogue = read_po(handle, locale=code, domain=DOMAIN)
    compiled = BytesIO()
    # Fuzzy entries are guesses by the merge tool, not translations: German shows instead.
    write_mo(compiled, catalogue, use_fuzzy=False)
    compiled.seek(0)
    return _gettext.GNUTranslations(compiled)


def current() -> str:
    return _current.get()


def current_language() -> Language:
    return LANGUAGES[_current.get()]


def babel_locale(code: str | None = None) -> Locale:
    return _parsed_locale(code or _current.get())


# Dates and numbers in English as they are written in Europe ("22 Mar 2026", as the e-mails
# have them), not in the American order.
FORMAT_LOCALES = {"en": "en_GB"}


@cache
def _parsed_locale(code: str) -> Locale:
    """Parsed once per code: date and number filters ask for it for every value they format."""
    try:
        return Locale.parse(FORMAT_LOCALES.get(code, code))
    except (UnknownLocaleError, ValueError):
        return Locale.parse(SOURCE)


def format_day(value: date) -> str:
    """A day inside a sentence: "07.12.2026" in German, the locale's medium form else."""
    if _current.get() == SOURCE:
        return value.strftime("%d.%m.%Y")
    return format_date(value, format="medium", locale=babel_locale())


@contextmanager
def using(code: str | None) -> Iterator[str]:
    """Speak ``code`` (or German, if the site does not speak it) inside the block."""
    token = _current.set(supported(code) or SOURCE)
    try:
        yield _current.get()
    finally:
        _current.reset(token)


def switch(code: str) -> None:
    """Speak ``code`` for the rest of the enclosing ``using`` block (the request)."""
    _current.set(supported(code) or SOURCE)


def gettext(message: str) -> str:
    return translations(_current.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(_current.get()).ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    return translations(_current.get()).pgettext(context, message)


def npgettext(context: str, singular: str, plural: str, n: int) -> str:
    return translations(_current.get()).npgettext(context, singular, plural, n)


def gettext_noop(message: str) -> str:
    """Marks a message for extraction where it is defined; it is translated where it is shown
    (labels of vocabularies, kept in module-level dictionaries)."""
    return message


_ = gettext
N_ = gettext_noop
