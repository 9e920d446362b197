"""The controlled vocabularies of DESIGN §2: codes in English, labels in German.

Ordered enums (levels, age groups) are declared in their natural order; ranges are stored as
min/max codes and compared through ``ORDER``.
"""

from __future__ import annotations

from enum import StrEnum
from functools import cache

from babel import Locale
from babel.core import get_global

from mediathek.i18n import N_


class MediaType(StrEnum):
    book = "book"
    textbook = "textbook"
    teacher_guide = "teacher_guide"
    picture_dictionary = "picture_dictionary"
    picture_book = "picture_book"
    game = "game"
    picture_cards = "picture_cards"
    audio_pen_set = "audio_pen_set"
    audio = "audio"
    video = "video"
    kit = "kit"
    other = "other"


MEDIA_TYPE_LABELS = {
    MediaType.book: N_("Buch"),
    MediaType.textbook: N_("Lehrwerk"),
    MediaType.teacher_guide: N_("Lehrerhandbuch"),
    MediaType.picture_dictionary: N_("Bildwörterbuch"),
    MediaType.picture_book: N_("Bilderbuch"),
    MediaType.game: N_("Spiel"),
    MediaType.picture_cards: N_("Bildkarten"),
    MediaType.audio_pen_set: N_("Hörstift-Set (Tiptoi/Ting)"),
    MediaType.audio: N_("Audio (CD)"),
    MediaType.video: N_("Video (DVD)"),
    MediaType.kit: N_("Medienkoffer"),
    MediaType.other: N_("Sonstiges"),
}

# Media types whose copies carry a components checklist checked at return.
MEDIA_TYPES_WITH_COMPONENTS = frozenset({MediaType.kit, MediaType.game, MediaType.audio_pen_set})


class Level(StrEnum):
    alpha = "alpha"
    pre_a1 = "pre_a1"
    a1 = "a1"
    a2 = "a2"
    b1 = "b1"
    b2 = "b2"
    c1 = "c1"
    c2 = "c2"


LEVEL_LABELS: dict[str, str] = {
    Level.alpha: N_("Alpha"),
    Level.pre_a1: N_("Prä-A1"),
    Level.a1: N_("A1"),
    Level.a2: N_("A2"),
    Level.b1: N_("B1"),
    Level.b2: N_("B2"),
    Level.c1: N_("C1"),
    Level.c2: N_("C2"),
}


class AgeGroup(StrEnum):
    u3 = "u3"
    kita = "kita"
    primary = "primary"
    secondary_1 = "secondary_1"
    secondary_2 = "secondary_2"
    adult = "adult"


AGE_GROUP_LABELS = {
    AgeGroup.u3: N_("unter 3 Jahren"),
    AgeGroup.kita: N_("Kita"),
    AgeGroup.primary: N_("Grundschule"),
    AgeGroup.secondary_1: N_("Sekundarstufe I"),
    AgeGroup.secondary_2: N_("Sekundarstufe II"),
    AgeGroup.adult: N_("Erwachsene"),
}


class PatronCategory(StrEnum):
    paid_teacher = "paid_teacher"
    volunteer_teacher = "volunteer_teacher"
    institution = "institution"
    staff = "staff"


PATRON_CATEGORY_LABELS = {
    PatronCategory.paid_teacher: N_("Hauptamtliche Lehrkraft"),
    PatronCategory.volunteer_teacher: N_("Ehrenamtliche Lehrkraft"),
    PatronCategory.institution: N_("Einrichtung (Kita, Schule, Verein)"),
    PatronCategory.staff: N_("Mitarbeitende"),
}


class Role(StrEnum):
    teacher = "teacher"
    staff = "staff"
    admin = "admin"


ROLE_LABELS = {
    Role.teacher: N_("Lehrkraft"),
    Role.staff: N_("Mitarbeitende"),
    Role.admin: N_("Verwaltung"),
}

# ISO 639-3 codes with German names: the languages a Mediathek in NRW typically holds.
# Where teachers need more than the standard name (which Kurdish; "Farsi" is the word they use;
# "Romanes" is what the Roma associations here call their language), the label is written out
# and translated through the catalogues; every other name comes from Babel's locale data.
CLARIFIED_LANGUAGES = {
    "kmr": N_("Kurdisch (Kurmandschi)"),
    "ckb": N_("Kurdisch (Sorani)"),
    "pes": N_("Persisch (Farsi)"),
    "rom": N_("Romanes"),
}
_LANGUAGE_CODES = (
    "deu",
    "ara",
    "tur",
    "kmr",
    "ckb",
    "pes",
    "prs",
    "pus",
    "tir",
    "ukr",
    "rus",
    "eng",
    "fra",
    "spa",
    "ita",
    "pol",
    "ron",
    "bul",
    "srp",
    "hrv",
    "bos",
    "sqi",
    "ell",
    "som",
    "amh",
    "urd",
    "hin",
    "ben",
    "vie",
    "zho",
    "por",
    "rom",
)
_ALIASES = get_global("language_aliases")


def cldr_code(code: str) -> str:
    """The code Babel knows an ISO 639-3 language by ("ara" → "ar")."""
    return _ALIASES.get(code, code)


def language_name(code: str, locale: str = "de") -> str:
    """A language's name in ``locale``; the code itself if nobody knows it."""
    if code in CLARIFIED_LANGUAGES:
        return CLARIFIED_LANGUAGES[code]  # translated where shown
    return _locale(locale).languages.get(cldr_code(code)) or code


@cache
def _locale(code: str) -> Locale:
    return Locale.parse(code)


LANGUAGES = {code: language_name(code) for code in _LANGUAGE_CODES}

TOPICS = [
    "Alphabetisierung",
    "Wortschatz",
    "Grammatik",
    "Aussprache",
    "Lesen",
    "Schreiben",
    "Hörverstehen",
    "Sprechen",
    "Elternarbeit",
    "Mehrsprachigkeit",
    "Sprachförderung Kita",
    "Integrationskurs",
    "Berufssprache",
    "Prüfungsvorbereitung",
    "Landeskunde",
    "Alltag",
    "Gesundheit",
    "Arbeit",
    "Wohnen",
    "Einkaufen",
    "Familie",
    "Gefühle",
    "Jahreszeiten",
    "Zahlen",
    "Farben",
    "Tiere",
    "Märchen",
    "Interkulturelles Lernen",
    "Spielerisch lernen",
    "Demokratie",
]


def order_index(enum_cls: type[StrEnum], value: str) -> int:
    return list(enum_cls).index(enum_cls(value))


def values_between(enum_cls: type[StrEnum], low: str | None, high: str | None) -> list[str]:
    """The codes from low to high inclusive (open ends reach to the first/last code)."""
    members = [m.value for m in enum_cls]
    lo = members.index(low) if low else 0
    hi = members.index(high) if high else len(members) - 1
    return members[lo : hi + 1]
