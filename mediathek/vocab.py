"""The controlled vocabularies of DESIGN §2: codes in English, labels in German.

Ordered enums (levels, age groups) are declared in their natural order; ranges are stored as
min/max codes and compared through ``ORDER``.
"""

from __future__ import annotations

from enum import StrEnum


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
    MediaType.book: "Buch",
    MediaType.textbook: "Lehrwerk",
    MediaType.teacher_guide: "Lehrerhandbuch",
    MediaType.picture_dictionary: "Bildwörterbuch",
    MediaType.picture_book: "Bilderbuch",
    MediaType.game: "Spiel",
    MediaType.picture_cards: "Bildkarten",
    MediaType.audio_pen_set: "Hörstift-Set (Tiptoi/Ting)",
    MediaType.audio: "Audio (CD)",
    MediaType.video: "Video (DVD)",
    MediaType.kit: "Medienkoffer",
    MediaType.other: "Sonstiges",
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
    Level.alpha: "Alpha",
    Level.pre_a1: "Prä-A1",
    Level.a1: "A1",
    Level.a2: "A2",
    Level.b1: "B1",
    Level.b2: "B2",
    Level.c1: "C1",
    Level.c2: "C2",
}


class AgeGroup(StrEnum):
    u3 = "u3"
    kita = "kita"
    primary = "primary"
    secondary_1 = "secondary_1"
    secondary_2 = "secondary_2"
    adult = "adult"


AGE_GROUP_LABELS = {
    AgeGroup.u3: "unter 3 Jahren",
    AgeGroup.kita: "Kita",
    AgeGroup.primary: "Grundschule",
    AgeGroup.secondary_1: "Sekundarstufe I",
    AgeGroup.secondary_2: "Sekundarstufe II",
    AgeGroup.adult: "Erwachsene",
}


class PatronCategory(StrEnum):
    paid_teacher = "paid_teacher"
    volunteer_teacher = "volunteer_teacher"
    institution = "institution"
    staff = "staff"


PATRON_CATEGORY_LABELS = {
    PatronCategory.paid_teacher: "Hauptamtliche Lehrkraft",
    PatronCategory.volunteer_teacher: "Ehrenamtliche Lehrkraft",
    PatronCategory.institution: "Einrichtung (Kita, Schule, Verein)",
    PatronCategory.staff: "Mitarbeitende",
}


class Role(StrEnum):
    teacher = "teacher"
    staff = "staff"
    admin = "admin"


ROLE_LABELS = {Role.teacher: "Lehrkraft", Role.staff: "Mitarbeitende", Role.admin: "Verwaltung"}

# ISO 639-3 codes with German names: the languages a Mediathek in NRW typically holds.
LANGUAGES = {
    "deu": "Deutsch",
    "ara": "Arabisch",
    "tur": "Türkisch",
    "kmr": "Kurdisch (Kurmandschi)",
    "ckb": "Kurdisch (Sorani)",
    "pes": "Persisch (Farsi)",
    "prs": "Dari",
    "pus": "Paschtu",
    "tir": "Tigrinya",
    "ukr": "Ukrainisch",
    "rus": "Russisch",
    "eng": "Englisch",
    "fra": "Französisch",
    "spa": "Spanisch",
    "ita": "Italienisch",
    "pol": "Polnisch",
    "ron": "Rumänisch",
    "bul": "Bulgarisch",
    "srp": "Serbisch",
    "hrv": "Kroatisch",
    "bos": "Bosnisch",
    "sqi": "Albanisch",
    "ell": "Griechisch",
    "som": "Somali",
    "amh": "Amharisch",
    "urd": "Urdu",
    "hin": "Hindi",
    "ben": "Bengalisch",
    "vie": "Vietnamesisch",
    "zho": "Chinesisch",
    "por": "Portugiesisch",
    "rom": "Romanes",
}

# Email languages: every notice template exists in these.
EMAIL_LANGUAGES = {"de": "Deutsch", "en": "Englisch"}

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
