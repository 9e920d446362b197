"""Jinja2 environment: German formats, vocabulary labels and settings for every template."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date
from jinja2 import Environment, FileSystemLoader, select_autoescape

from mediathek import vocab
from mediathek.settings import TEMPLATES_DIR, Settings

WEEKDAYS = ["Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"]


def make_filters(tz: ZoneInfo) -> dict:
    def de_date(value: date | datetime | None) -> str:
        if value is None:
            return ""
        if isinstance(value, datetime):
            value = value.astimezone(tz).date()
        return value.strftime("%d.%m.%Y")

    def de_datetime(value: datetime | None) -> str:
        if value is None:
            return ""
        return value.astimezone(tz).strftime("%d.%m.%Y, %H:%M Uhr")

    def de_long_date(value: date | None) -> str:
        return format_date(value, format="full", locale="de_DE") if value else ""

    def de_number(value: int | float | None) -> str:
        if value is None:
            return ""
        return f"{value:,}".replace(",", ".")

    return {
        "de_date": de_date,
        "de_datetime": de_datetime,
        "de_long_date": de_long_date,
        "de_number": de_number,
    }


def make_environment(settings: Settings, area_labels: dict | None = None) -> Environment:
    """``area_labels``: label tables of the areas for every template (``app.py`` passes them;
    this module knows no area)."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(["html", "xml", "svg"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(make_filters(settings.tz))
    env.globals.update(
        settings=settings,
        vocab=vocab,
        media_type_labels=vocab.MEDIA_TYPE_LABELS,
        level_labels=vocab.LEVEL_LABELS,
        age_group_labels=vocab.AGE_GROUP_LABELS,
        language_labels=vocab.LANGUAGES,
        category_labels=vocab.PATRON_CATEGORY_LABELS,
        role_labels=vocab.ROLE_LABELS,
        weekdays=WEEKDAYS,
        **(area_labels or {}),
    )
    return env
