"""Jinja2 environment: German formats, vocabulary labels and settings for every template."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date, datetime
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime, get_day_names
from babel.numbers import format_decimal, get_group_symbol
from jinja2 import Environment, FileSystemLoader, select_autoescape

from mediathek import i18n, vocab
from mediathek.settings import TEMPLATES_DIR, Settings

# Marked for the catalogue; a template shows one as ``_(weekdays[d])``.
WEEKDAYS = [
    i18n.N_("Montag"),
    i18n.N_("Dienstag"),
    i18n.N_("Mittwoch"),
    i18n.N_("Donnerstag"),
    i18n.N_("Freitag"),
    i18n.N_("Samstag"),
    i18n.N_("Sonntag"),
]


def short_weekday(index: int) -> str:
    """A calendar column's head (0 = Monday): "Mo" in German, the locale's short name else."""
    if i18n.current() == i18n.SOURCE:
        return WEEKDAYS[index][:2]
    return str(get_day_names("short", locale=i18n.babel_locale())[index])


class Translated(Mapping[str, str]):
    """A vocabulary's labels in the request's language (the vocabulary holds German msgids)."""

    def __init__(self, labels: Mapping[Any, str]) -> None:
        self._labels = labels

    def __getitem__(self, key: str) -> str:
        return i18n.gettext(self._labels[key])

    def __iter__(self) -> Iterator[str]:
        return iter(self._labels)

    def __len__(self) -> int:
        return len(self._labels)


class LanguageNames(Translated):
    """Names of the catalogue's languages in the request's language, from Babel's locale
    data; the few names written out in ``vocab`` come through the catalogues."""

    def __getitem__(self, code: str) -> str:
        if i18n.current() == i18n.SOURCE or code in vocab.CLARIFIED_LANGUAGES:
            return i18n.gettext(self._labels[code])
        name = vocab.language_name(code, i18n.current())
        return name[:1].upper() + name[1:]


@cache
def _integer_grouping(code: str) -> str | None:
    """The thousands separator of a language whose whole numbers Babel writes as plain
    groups of three (en, uk, ar), or None. A search page shows dozens of facet counts, and
    Babel's general number formatting costs far more than this."""
    group = get_group_symbol(i18n.babel_locale(code))
    sample = -1234567
    if format_decimal(sample, locale=i18n.babel_locale(code)) != f"{sample:,}".replace(",", group):
        return None
    return group


def de_number(value: int | float | None) -> str:
    """A count as people here write it ("37.500"), other languages' forms from Babel."""
    if value is None:
        return ""
    if i18n.current() == i18n.SOURCE:
        return f"{value:,}".replace(",", ".")
    if isinstance(value, int) and (group := _integer_grouping(i18n.current())) is not None:
        return f"{value:,}".replace(",", group)
    return format_decimal(value, locale=i18n.babel_locale())


def make_filters(tz: ZoneInfo) -> dict:
    # German keeps the forms people here know ("07.12.2026, 14:30 Uhr"); other languages get
    # their own from Babel's locale data. The names stay: they are used in every template.
    def de_date(value: date | datetime | None) -> str:
        if value is None:
            return ""
        if isinstance(value, datetime):
            value = value.astimezone(tz).date()
        return i18n.format_day(value)

    def de_datetime(value: datetime | None) -> str:
        if value is None:
            return ""
        if i18n.current() == i18n.SOURCE:
            return value.astimezone(tz).strftime("%d.%m.%Y, %H:%M Uhr")
        return format_datetime(value, format="short", tzinfo=tz, locale=i18n.babel_locale())

    def de_long_date(value: date | None) -> str:
        if not value:
            return ""
        return format_date(value, format="full", locale=i18n.babel_locale())

    return {
        "de_date": de_date,
        "de_datetime": de_datetime,
        "de_long_date": de_long_date,
        "de_number": de_number,
    }


def make_environment(
    settings: Settings, area_labels: dict | None = None, area_filters: dict | None = None
) -> Environment:
    """``area_labels``: label tables of the areas for every template; ``area_filters``: the
    areas' filters, e.g. a loan's stored due reason as a sentence (``app.py`` passes them;
    this module knows no area)."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(["html", "xml", "svg"]),
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
        # Templates are read once per process: checking each file's mtime on every render cost
        # a few percent of a page under load. A changed template needs a restart.
        auto_reload=False,
    )
    # Newstyle gettext: placeholders are filled by name and escaped, and a template cannot
    # forget the % of a translated string. The callables read the request's language.
    env.install_gettext_callables(  # type: ignore[attr-defined]
        i18n.gettext,
        i18n.ngettext,
        newstyle=True,
        pgettext=i18n.pgettext,
        npgettext=i18n.npgettext,
    )
    env.filters.update(make_filters(settings.tz))
    env.filters.update(area_filters or {})
    env.globals.update(
        settings=settings,
        vocab=vocab,
        media_type_labels=Translated(vocab.MEDIA_TYPE_LABELS),
        level_labels=Translated(vocab.LEVEL_LABELS),
        age_group_labels=Translated(vocab.AGE_GROUP_LABELS),
        language_labels=LanguageNames(vocab.LANGUAGES),
        category_labels=Translated(vocab.PATRON_CATEGORY_LABELS),
        role_labels=Translated(vocab.ROLE_LABELS),
        weekdays=WEEKDAYS,
        short_weekday=short_weekday,
        site_languages=i18n.LANGUAGES,
        current_language=i18n.current_language,
        **{name: Translated(labels) for name, labels in (area_labels or {}).items()},
    )
    return env
