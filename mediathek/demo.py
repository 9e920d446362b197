"""Demo data: an invented catalogue, patrons of every category, some loans.

Everything here is made up and says so ("Demo"); it is for trying the Mediathek out, never for
a real library. The same seed gives the same data.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import isbnlib

from mediathek.catalogue.barcodes import make_code
from mediathek.catalogue.tables import (
    Component,
    Copy,
    CopyStatus,
    Title,
    TitleLanguage,
    TitleTopic,
    Topic,
)
from mediathek.circulation.tables import Loan
from mediathek.db import write_transaction
from mediathek.patrons.accounts import create_account
from mediathek.patrons.tables import Account, Patron
from mediathek.settings import Settings
from mediathek.vocab import TOPICS, AgeGroup, Level, MediaType, PatronCategory, Role

DEMO_PASSWORD = "mediathek-demo"


@dataclass(frozen=True)
class DemoLogin:
    role: str
    email: str
    password: str
    who: str


DEMO_LOGINS = [
    DemoLogin("admin", "admin@mediathek.example", DEMO_PASSWORD, "Verwaltung (Admin)"),
    DemoLogin("staff", "theke@mediathek.example", DEMO_PASSWORD, "Mitarbeiterin an der Theke"),
    DemoLogin(
        "teacher",
        "anna.berger@mediathek.example",
        DEMO_PASSWORD,
        "Anna Berger, hauptamtliche Lehrkraft",
    ),
    DemoLogin(
        "teacher",
        "ben.yilmaz@mediathek.example",
        DEMO_PASSWORD,
        "Ben Yılmaz, ehrenamtliche Lehrkraft",
    ),
]

LANG_SETS = [
    ["deu"],
    ["deu", "ara"],
    ["deu", "tur"],
    ["deu", "ukr"],
    ["deu", "pes"],
    ["deu", "prs"],
    ["deu", "kmr"],
    ["deu", "ckb"],
    ["deu", "tir"],
    ["deu", "rus"],
    ["deu", "eng"],
    ["deu", "fra"],
    ["deu", "pus"],
    ["deu", "ara", "tur", "ukr", "pes"],
    ["ara"],
    ["ukr"],
    ["tur"],
    ["deu", "som"],
    ["deu", "sqi"],
    ["deu", "ron"],
]

WORDS = [
    "Sonne",
    "Brücke",
    "Wortschatz",
    "Alltag",
    "Regenbogen",
    "Kompass",
    "Schritte",
    "Hallo",
    "Willkommen",
    "Zusammen",
    "Wege",
    "Neustart",
    "Treffpunkt",
    "Blickpunkt",
    "Sprachbrücke",
    "Anker",
    "Leuchtturm",
    "Kleeblatt",
    "Fenster",
    "Farbenfroh",
]

THEMES = [
    "Familie",
    "Einkaufen",
    "Wohnen",
    "Arbeit",
    "Gesundheit",
    "Tiere",
    "Farben",
    "Zahlen",
    "Jahreszeiten",
    "Gefühle",
    "Essen und Trinken",
    "Kleidung",
    "Körper",
    "Verkehr",
    "Schule",
    "Feste",
    "Natur",
    "Berufe",
    "Wetter",
    "Stadt und Land",
]

PUBLISHERS = [
    "Demo-Verlag Sprachbrücke",
    "Beispiel Lernmedien",
    "Fantasia Bildung",
    "Musterhaus Verlag",
    "Lernwerkstatt Demo",
]

AUTHORS = [
    "Aydın, Selin",
    "Krüger, Hanna",
    "Nowak, Piotr",
    "Haddad, Rania",
    "Schmidt, Jonas",
    "Petrenko, Olena",
    "Weber, Lena",
    "Rahimi, Dariush",
    "Becker, Mia",
    "Öztürk, Emre",
]

# Per media type: how titles are named and which age/level spans they cover.
SHAPES = {
    MediaType.book: ("{w}: Geschichten über {t}", 16),
    MediaType.textbook: ("{w} {lvl} – Kursbuch", 16),
    MediaType.teacher_guide: ("{w} {lvl} – Handreichung für Lehrkräfte", 12),
    MediaType.picture_dictionary: ("Bildwörterbuch {t}", 12),
    MediaType.picture_book: ("{w} und das Abenteuer {t}", 16),
    MediaType.game: ("{t}-Memo: Spielend Deutsch lernen", 14),
    MediaType.picture_cards: ("Bildkarten {t}", 16),
    MediaType.audio_pen_set: ("Hörstift-Set {t}", 10),
    MediaType.audio: ("Hörbuch: {w} erzählt von {t}", 10),
    MediaType.video: ("Film: {t} im Alltag", 8),
    MediaType.kit: ("Medienkoffer {t}", 12),
    MediaType.other: ("Lernposter {t}", 8),
}

KIT_COMPONENTS = [
    ("Handbuch", 1),
    ("Bildkarten-Satz", 1),
    ("Handpuppe", 1),
    ("Würfel", 2),
    ("Spielfiguren", 6),
    ("CD", 1),
    ("Wimmelbild (A2)", 1),
]

PATRONS = [
    ("Anna", "Berger", PatronCategory.paid_teacher, "", "anna.berger@mediathek.example"),
    ("Ben", "Yılmaz", PatronCategory.volunteer_teacher, "", "ben.yilmaz@mediathek.example"),
    ("Carla", "Demir", PatronCategory.volunteer_teacher, "", ""),
    ("Dieter", "Hoffmann", PatronCategory.volunteer_teacher, "Sprachcafé Mittwochs", ""),
    ("Elif", "Kaya", PatronCategory.paid_teacher, "Volkshochschule (Demo)", ""),
    ("Frieda", "Lange", PatronCategory.institution, "Kita Sonnenschein (Demo)", ""),
    ("Georg", "Wolf", PatronCategory.institution, "Grundschule am Park (Demo)", ""),
    ("Hiba", "Saleh", PatronCategory.volunteer_teacher, "Frauencafé International", ""),
    ("Ivan", "Koval", PatronCategory.paid_teacher, "", ""),
    ("Jana", "Richter", PatronCategory.staff, "Kommunales Integrationszentrum", ""),
    (
        "Karim",
        "Nasser",
        PatronCategory.institution,
        "Migrantenorganisation Brücke e. V. (Demo)",
        "",
    ),
    ("Lotte", "Fischer", PatronCategory.volunteer_teacher, "", ""),
]


def _isbn(rng: random.Random) -> str:
    body = "9793" + "".join(str(rng.randrange(10)) for _ in range(8))
    return body + isbnlib.check_digit13(body)


def _range(rng: random.Random, members: list, span: int, start: int) -> tuple:
    lo = start % len(members)  # cycling through the start keeps every level/age represented
    hi = min(len(members) - 1, lo + rng.randrange(span))
    return members[lo].value, members[hi].value


async def load_demo(
    settings: Settings, seed: int = 2026, titles_per_type: int | None = None
) -> dict:
    """Fill an empty database with the demo data; returns counts. Does nothing if titles exist."""
    # One transaction: all or nothing, and on SQLite one connection instead of one per row.
    async with write_transaction():
        if await Title.count() > 0:
            return {"skipped": True}
        return await _load(settings, seed, titles_per_type)


async def _load(settings: Settings, seed: int, titles_per_type: int | None) -> dict:
    rng = random.Random(seed)
    today = datetime.now(settings.tz).date()
    await Topic.insert(*[Topic(name=name) for name in TOPICS])

    levels, ages = list(Level), list(AgeGroup)
    copy_number = 0
    copy_ids: list[tuple[int, int, str]] = []  # (copy id, title id, media type)
    n_titles = 0
    for media_type, (pattern, count) in SHAPES.items():
        for i in range(titles_per_type or count):
            theme = THEMES[(i + n_titles) % len(THEMES)]
            word = WORDS[rng.randrange(len(WORDS))]
            level_min, level_max = _range(rng, levels, 3, n_titles)
            age_min, age_max = _range(rng, ages, 2, n_titles * 5)
            langs = LANG_SETS[n_titles % len(LANG_SETS)]
            name = pattern.format(
                w=word, t=theme, lvl=Level(level_min).value.upper().replace("_", "-")
            )
            is_book = media_type in {
                MediaType.book,
                MediaType.textbook,
                MediaType.teacher_guide,
                MediaType.picture_dictionary,
                MediaType.picture_book,
            }
            row = await Title.insert(
                Title(
                    title=name,
                    subtitle=f"Band {i + 1}" if media_type == MediaType.textbook else "",
                    authors="; ".join(rng.sample(AUTHORS, rng.randrange(1, 3))) if is_book else "",
                    isbn=_isbn(rng) if is_book else None,
                    media_type=media_type,
                    level_min=level_min,
                    level_max=level_max,
                    age_min=age_min,
                    age_max=age_max,
                    description=(
                        f"Erfundener Demo-Titel zum Thema {theme}. Geeignet für den Unterricht "
                        f"mit Lernenden der Stufen {level_min.upper()} bis {level_max.upper()}."
                    ),
                    publisher=rng.choice(PUBLISHERS),
                    year=rng.randrange(2008, 2026),
                    series=f"Reihe {word}" if i % 4 == 0 else "",
                    created_at=datetime.now(UTC) - timedelta(days=400 - n_titles),
                )
            ).returning(Title.id)
            title_id = row[0]["id"]
            n_titles += 1
            await TitleLanguage.insert(
                *[TitleLanguage(title=title_id, language=code) for code in langs]
            )
            topics = {theme if theme in TOPICS else "Wortschatz", rng.choice(TOPICS)}
            await TitleTopic.insert(*[TitleTopic(title=title_id, topic=t) for t in topics])
            if media_type in {MediaType.kit, MediaType.game, MediaType.audio_pen_set}:
                parts = rng.sample(KIT_COMPONENTS, 4)
                await Component.insert(
                    *[
                        Component(title=title_id, position=p, name=n, quantity=q)
                        for p, (n, q) in enumerate(parts)
                    ]
                )
            for _ in range(rng.randrange(1, 4)):
                copy_number += 1
                code = make_code(settings.copy_barcode_prefix, copy_number)
                shelf = f"{media_type.value[:3].upper()} {theme[:3].upper()}"
                c = await Copy.insert(
                    Copy(
                        title=title_id,
                        barcode=code,
                        shelf_mark=shelf,
                        acquired_on=today - timedelta(days=rng.randrange(30, 2000)),
                    )
                ).returning(Copy.id)
                copy_ids.append((c[0]["id"], title_id, media_type.value))

    patron_ids = []
    for n, (first, last, category, institution, email) in enumerate(PATRONS, start=1):
        row = await Patron.insert(
            Patron(
                first_name=first,
                last_name=last,
                category=category,
                institution=institution,
                card_barcode=make_code(settings.card_barcode_prefix, n),
                email=email or f"{first.lower()}.{last.lower()}@demo.example".replace("ı", "i"),
                registered_on=today - timedelta(days=300),
                expires_on=today + timedelta(days=700),
                privacy_consent_at=datetime.now(UTC),
            )
        ).returning(Patron.id)
        patron_ids.append((row[0]["id"], category))

    # Logins: admin and staff without a card, two teachers linked to their patrons.
    await create_account(
        DEMO_LOGINS[0].email, DEMO_PASSWORD, Role.admin, display_name="Admin (Demo)"
    )
    await create_account(
        DEMO_LOGINS[1].email, DEMO_PASSWORD, Role.staff, display_name="Theke (Demo)"
    )
    await create_account(
        DEMO_LOGINS[2].email,
        DEMO_PASSWORD,
        Role.teacher,
        patron_ids[0][0],
        display_name="Anna Berger",
    )
    await create_account(
        DEMO_LOGINS[3].email,
        DEMO_PASSWORD,
        Role.teacher,
        patron_ids[1][0],
        display_name="Ben Yılmaz",
    )

    # Some open loans: a few overdue, most running; and some returned ones for statistics.
    lent = rng.sample(copy_ids, 40)
    for k, (copy_id, title_id, media_type) in enumerate(lent):
        patron_id, category = patron_ids[k % len(patron_ids)]
        loaned_on = today - timedelta(days=rng.randrange(1, 45))
        returned = k >= 28
        await Loan.insert(
            Loan(
                copy=copy_id,
                title=title_id,
                patron=patron_id,
                patron_category=category,
                media_type=media_type,
                loaned_on=loaned_on,
                due_on=loaned_on + timedelta(days=28),
                loaned_at=datetime.combine(loaned_on, datetime.min.time(), UTC),
                returned_at=(
                    datetime.combine(loaned_on + timedelta(days=10), datetime.min.time(), UTC)
                    if returned
                    else None
                ),
            )
        )
        if not returned:
            await Copy.update({Copy.status: CopyStatus.on_loan}).where(Copy.id == copy_id)

    return {
        "titles": n_titles,
        "copies": copy_number,
        "patrons": len(patron_ids),
        "accounts": await Account.count(),
        "loans": len(lent),
    }
