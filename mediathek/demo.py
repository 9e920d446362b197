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
from mediathek.catalogue.copy_moves import move_copy
from mediathek.catalogue.policy import CopyEvent
from mediathek.catalogue.tables import (
    Component,
    Copy,
    Title,
    TitleLanguage,
    TitleTopic,
    Topic,
)
from mediathek.circulation.tables import Loan
from mediathek.db import write_transaction
from mediathek.opening_calendar import Calendar
from mediathek.patrons.logins import create_account
from mediathek.patrons.tables import Account, Patron
from mediathek.settings import Settings
from mediathek.vocab import (
    LEVEL_LABELS,
    MEDIA_TYPE_LABELS,
    TOPICS,
    AgeGroup,
    Level,
    MediaType,
    PatronCategory,
    Role,
)

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


# Titles a DaZ/DaF library really holds, with invented publishers and series of the kind
# teachers know (none of them is a real product): what the search is tried out with.
# (title, subtitle, media type, levels, ages, languages, topics, publisher, series, text)
CURATED = [
    (
        "Bildkarten Obst und Gemüse",
        "Deutsch – Arabisch",
        MediaType.picture_cards,
        ("pre_a1", "a2"),
        ("kita", "primary"),
        ["deu", "ara"],
        ["Wortschatz", "Einkaufen"],
        "Kita-Werkstatt Verlag",
        "Sprachfreunde",
        "60 Fotokarten mit dem Wort auf Deutsch und Arabisch, für Sprachspiele im Stuhlkreis.",
    ),
    (
        "Bildkarten Mein Körper",
        "Deutsch – Türkisch – Arabisch",
        MediaType.picture_cards,
        ("a1", "a1"),
        ("kita", "kita"),
        ["deu", "tur", "ara"],
        ["Wortschatz", "Gesundheit"],
        "Kita-Werkstatt Verlag",
        "Sprachfreunde",
        "Körperteile benennen, zeigen und spielen: 40 Karten mit Bildern und Wörtern.",
    ),
    (
        "Bildkarten Gefühle",
        "Deutsch – Ukrainisch",
        MediaType.picture_cards,
        ("pre_a1", "a2"),
        ("kita", "primary"),
        ["deu", "ukr"],
        ["Gefühle", "Sprechen"],
        "Kita-Werkstatt Verlag",
        "Sprachfreunde",
        "Fröhlich, traurig, wütend: Gesichter und Situationen zum Sprechen über Gefühle.",
    ),
    (
        "Erzählkarten Jahreszeiten",
        "",
        MediaType.picture_cards,
        ("a1", "b1"),
        ("primary", "secondary_1"),
        ["deu"],
        ["Jahreszeiten", "Sprechen"],
        "Verlag Wortfeld",
        "",
        "Bildergeschichten zu Frühling, Sommer, Herbst und Winter zum Erzählen in der Gruppe.",
    ),
    (
        "Kamishibai-Bildkarten: Der Apfelbaum",
        "",
        MediaType.picture_cards,
        ("a1", "a2"),
        ("kita", "primary"),
        ["deu"],
        ["Märchen", "Jahreszeiten"],
        "Lesefuchs Verlag",
        "Erzähltheater",
        "Zwölf großformatige Bildtafeln für das Erzähltheater, mit Text auf der Rückseite.",
    ),
    (
        "Medienkoffer Sprachförderung in der Kita",
        "Spiele, Bücher und eine Handpuppe für jeden Tag",
        MediaType.kit,
        ("pre_a1", "a1"),
        ("u3", "kita"),
        ["deu", "ara", "tur", "ukr"],
        ["Sprachförderung Kita", "Spielerisch lernen"],
        "Brückenschlag Medien",
        "Mein Sprachkoffer",
        "Ein Koffer voller Material für alltagsintegrierte Sprachbildung mit Handpuppe.",
    ),
    (
        "Medienkoffer Mehrsprachigkeit",
        "Familiensprachen in Kita und Grundschule",
        MediaType.kit,
        ("a1", "a2"),
        ("kita", "primary"),
        ["deu", "ara", "tur", "pes", "kmr", "ukr"],
        ["Mehrsprachigkeit", "Elternarbeit"],
        "Brückenschlag Medien",
        "Mein Sprachkoffer",
        "Bilderbücher in sechs Sprachen, Sprachenporträt und Ideen für die Elternarbeit.",
    ),
    (
        "Geschichtenkoffer Märchen aus aller Welt",
        "",
        MediaType.kit,
        ("a2", "b1"),
        ("primary", "primary"),
        ["deu", "ara", "tur", "rus"],
        ["Märchen", "Interkulturelles Lernen"],
        "Brückenschlag Medien",
        "Mein Sprachkoffer",
        "Märchen aus vielen Ländern zum Vorlesen, Nachspielen und Vergleichen.",
    ),
    (
        "Mein erstes Bildwörterbuch Deutsch – Arabisch",
        "",
        MediaType.picture_dictionary,
        ("pre_a1", "a2"),
        ("kita", "primary"),
        ["deu", "ara"],
        ["Wortschatz"],
        "Sprachraum Verlag",
        "Erste Wörter",
        "Die ersten 500 Wörter in Bildern, nach Themen geordnet.",
    ),
    (
        "Bildwörterbuch Deutsch – Ukrainisch",
        "Die ersten 1000 Wörter",
        MediaType.picture_dictionary,
        ("a1", "a2"),
        ("primary", "adult"),
        ["deu", "ukr"],
        ["Wortschatz"],
        "Sprachraum Verlag",
        "Erste Wörter",
        "Wohnung, Schule, Arzt, Amt: die wichtigsten Wörter mit Bildern und Lautschrift.",
    ),
    (
        "Bildwörterbuch Deutsch – Dari – Paschtu",
        "",
        MediaType.picture_dictionary,
        ("alpha", "a2"),
        ("secondary_1", "adult"),
        ["deu", "prs", "pus"],
        ["Wortschatz", "Alltag"],
        "Sprachraum Verlag",
        "Erste Wörter",
        "Alltagswörter in drei Sprachen, auch für Lernende ohne Schulerfahrung.",
    ),
    (
        "Erste Wörter Tigrinya – Deutsch",
        "",
        MediaType.picture_dictionary,
        ("alpha", "a1"),
        ("adult", "adult"),
        ["deu", "tir"],
        ["Wortschatz", "Alphabetisierung"],
        "Sprachraum Verlag",
        "Erste Wörter",
        "Ein Bildwörterbuch für Erwachsene, die Deutsch und die lateinische Schrift lernen.",
    ),
    (
        "Schritt für Schritt in Alltag und Beruf A1.1",
        "Kursbuch und Arbeitsbuch",
        MediaType.textbook,
        ("a1", "a1"),
        ("adult", "adult"),
        ["deu"],
        ["Integrationskurs", "Alltag", "Arbeit"],
        "Sprachraum Verlag",
        "Schritt für Schritt",
        "Lehrwerk für Integrationskurse: Lektionen 1–7 mit Audios zum Herunterladen.",
    ),
    (
        "Schritt für Schritt in Alltag und Beruf A2.1",
        "Kursbuch und Arbeitsbuch",
        MediaType.textbook,
        ("a2", "a2"),
        ("adult", "adult"),
        ["deu"],
        ["Integrationskurs", "Alltag", "Arbeit"],
        "Sprachraum Verlag",
        "Schritt für Schritt",
        "Lehrwerk für Integrationskurse: Lektionen 1–7 der Stufe A2.",
    ),
    (
        "Schritt für Schritt in Alltag und Beruf B1",
        "Kursbuch",
        MediaType.textbook,
        ("b1", "b1"),
        ("adult", "adult"),
        ["deu"],
        ["Integrationskurs", "Prüfungsvorbereitung"],
        "Sprachraum Verlag",
        "Schritt für Schritt",
        "Abschlussband mit Prüfungstraining für den Deutsch-Test für Zuwanderer.",
    ),
    (
        "Schritt für Schritt A1 – Lehrerhandbuch",
        "",
        MediaType.teacher_guide,
        ("a1", "a1"),
        ("adult", "adult"),
        ["deu"],
        ["Integrationskurs"],
        "Sprachraum Verlag",
        "Schritt für Schritt",
        "Unterrichtsplanung, Kopiervorlagen und Lösungen zu den Bänden A1.1 und A1.2.",
    ),
    (
        "Alpha plus: Lesen und Schreiben lernen",
        "Alphabetisierungskurs, Band 1",
        MediaType.textbook,
        ("alpha", "alpha"),
        ("adult", "adult"),
        ["deu"],
        ["Alphabetisierung", "Lesen", "Schreiben"],
        "Hafenstadt Lernmedien",
        "Alpha plus",
        "Buchstaben, Silben, erste Wörter: ein Kursbuch für Erwachsene ohne Schriftkenntnisse.",
    ),
    (
        "Alpha plus: Übungsheft Buchstaben",
        "",
        MediaType.book,
        ("alpha", "pre_a1"),
        ("adult", "adult"),
        ["deu"],
        ["Alphabetisierung", "Schreiben"],
        "Hafenstadt Lernmedien",
        "Alpha plus",
        "Schwungübungen und Buchstaben zum Nachspuren, mit großen Schreiblinien.",
    ),
    (
        "Zweitschrift lernen mit Bildern",
        "Für Lernende mit arabischer Schrift",
        MediaType.book,
        ("alpha", "a1"),
        ("secondary_1", "adult"),
        ["deu", "ara", "pes"],
        ["Alphabetisierung", "Lesen"],
        "Hafenstadt Lernmedien",
        "Alpha plus",
        "Die lateinische Schrift für Menschen, die schon in einer anderen Schrift lesen.",
    ),
    (
        "Grammatik aktiv A1–B1",
        "Üben, Hören, Sprechen",
        MediaType.book,
        ("a1", "b1"),
        ("secondary_2", "adult"),
        ["deu"],
        ["Grammatik"],
        "Verlag Wortfeld",
        "",
        "Übungsgrammatik mit Erklärungen in einfacher Sprache und Hörübungen.",
    ),
    (
        "Deutsch im Beruf: Pflege",
        "Wortschatz und Dialoge",
        MediaType.textbook,
        ("b1", "b2"),
        ("adult", "adult"),
        ["deu"],
        ["Berufssprache", "Gesundheit"],
        "Verlag Wortfeld",
        "Deutsch im Beruf",
        "Kommunikation mit Patientinnen, Angehörigen und im Team.",
    ),
    (
        "Prüfungstraining Deutsch-Test für Zuwanderer A2–B1",
        "",
        MediaType.book,
        ("a2", "b1"),
        ("adult", "adult"),
        ["deu"],
        ["Prüfungsvorbereitung", "Integrationskurs"],
        "Verlag Wortfeld",
        "",
        "Modelltests mit Lösungen und Tipps zu allen Prüfungsteilen.",
    ),
    (
        "Leben in Deutschland",
        "Orientierungskurs in einfacher Sprache",
        MediaType.book,
        ("a2", "b1"),
        ("adult", "adult"),
        ["deu"],
        ["Landeskunde", "Demokratie"],
        "Verlag Wortfeld",
        "",
        "Politik, Geschichte und Gesellschaft: Grundwissen für den Orientierungskurs.",
    ),
    (
        "Ayla und der Mond",
        "Bilderbuch Deutsch – Arabisch",
        MediaType.picture_book,
        ("pre_a1", "a1"),
        ("kita", "primary"),
        ["deu", "ara"],
        ["Mehrsprachigkeit", "Gefühle"],
        "Lesefuchs Verlag",
        "Zweisprachige Bilderbücher",
        "Ayla kann nicht schlafen und spricht mit dem Mond. Zweisprachig zum Vorlesen.",
    ),
    (
        "Wo ist Mamas Tasche?",
        "Bilderbuch Deutsch – Türkisch",
        MediaType.picture_book,
        ("pre_a1", "a1"),
        ("kita", "kita"),
        ["deu", "tur"],
        ["Familie", "Mehrsprachigkeit"],
        "Lesefuchs Verlag",
        "Zweisprachige Bilderbücher",
        "Eine Suchgeschichte durch die Wohnung, zweisprachig erzählt.",
    ),
    (
        "Oleg findet einen Freund",
        "Bilderbuch Deutsch – Ukrainisch",
        MediaType.picture_book,
        ("a1", "a2"),
        ("kita", "primary"),
        ["deu", "ukr"],
        ["Gefühle", "Interkulturelles Lernen"],
        "Lesefuchs Verlag",
        "Zweisprachige Bilderbücher",
        "Oleg ist neu in der Stadt und findet auf dem Spielplatz einen Freund.",
    ),
    (
        "Das Wimmelbuch vom Markt",
        "",
        MediaType.picture_book,
        ("pre_a1", "a1"),
        ("u3", "kita"),
        ["deu"],
        ["Einkaufen", "Wortschatz"],
        "Lesefuchs Verlag",
        "",
        "Ein Bilderbuch ohne Text: Obst, Gemüse und viele Menschen zum Entdecken und Benennen.",
    ),
    (
        "Kurdische Märchen",
        "Zweisprachig Deutsch – Kurmandschi",
        MediaType.picture_book,
        ("a2", "b1"),
        ("primary", "secondary_1"),
        ["deu", "kmr"],
        ["Märchen", "Mehrsprachigkeit"],
        "Lesefuchs Verlag",
        "Zweisprachige Bilderbücher",
        "Fünf Märchen aus Kurdistan zum Vorlesen in beiden Sprachen.",
    ),
    (
        "Memo Tiere auf dem Bauernhof",
        "",
        MediaType.game,
        ("pre_a1", "a1"),
        ("kita", "primary"),
        ["deu"],
        ["Tiere", "Wortschatz"],
        "Lesefuchs Spiele",
        "",
        "Legespiel mit 48 Bildkarten: Kuh, Schwein, Huhn und ihre Kinder finden.",
    ),
    (
        "Wortschatz-Bingo Kleidung",
        "",
        MediaType.game,
        ("a1", "a2"),
        ("primary", "adult"),
        ["deu"],
        ["Wortschatz"],
        "Lesefuchs Spiele",
        "",
        "Bingo mit Bild- und Wortkarten für Gruppen bis zu zwölf Personen.",
    ),
    (
        "Sprechwürfel Alltag",
        "Kommunikationsspiel für Kurse",
        MediaType.game,
        ("a1", "b1"),
        ("secondary_1", "adult"),
        ["deu"],
        ["Sprechen", "Alltag"],
        "Lesefuchs Spiele",
        "",
        "Würfeln und erzählen: Fragen zu Wohnen, Arbeit und Freizeit.",
    ),
    (
        "Quartett Familie",
        "",
        MediaType.game,
        ("a1", "a2"),
        ("primary", "primary"),
        ["deu"],
        ["Familie", "Wortschatz"],
        "Lesefuchs Spiele",
        "",
        "Kartenspiel mit Familienwörtern: Oma, Onkel, Cousine.",
    ),
    (
        "Hörstift-Set: Meine ersten Wörter",
        "Deutsch, Arabisch, Türkisch",
        MediaType.audio_pen_set,
        ("pre_a1", "a1"),
        ("kita", "primary"),
        ["deu", "ara", "tur"],
        ["Wortschatz", "Hörverstehen"],
        "Sprachraum Verlag",
        "Hörstift",
        "Mit dem Hörstift spricht jedes Bild: Wörter in drei Sprachen hören und nachsprechen.",
    ),
    (
        "Hörstift-Bilderbuch Auf dem Bauernhof",
        "",
        MediaType.audio_pen_set,
        ("pre_a1", "a1"),
        ("kita", "kita"),
        ["deu"],
        ["Tiere", "Hörverstehen"],
        "Sprachraum Verlag",
        "Hörstift",
        "Tierstimmen, Geräusche und kleine Geschichten zum Antippen.",
    ),
    (
        "Lieder zum Deutschlernen",
        "Bewegungslieder für Kita und Grundschule",
        MediaType.audio,
        ("pre_a1", "a1"),
        ("kita", "primary"),
        ["deu"],
        ["Spielerisch lernen", "Hörverstehen"],
        "Kita-Werkstatt Verlag",
        "",
        "Eine CD mit 20 Liedern zum Mitsingen und Mitmachen, mit Liedtexten.",
    ),
    (
        "Hörtexte B1: Alltag und Beruf",
        "",
        MediaType.audio,
        ("b1", "b1"),
        ("adult", "adult"),
        ["deu"],
        ["Hörverstehen", "Arbeit"],
        "Verlag Wortfeld",
        "",
        "Gespräche beim Amt, beim Arzt und am Arbeitsplatz auf zwei CDs.",
    ),
    (
        "Willkommen in der Kita",
        "Film für Eltern in sieben Sprachen",
        MediaType.video,
        ("a1", "a2"),
        ("adult", "adult"),
        ["deu", "ara", "tur", "ukr", "pes", "rus", "kmr"],
        ["Elternarbeit", "Mehrsprachigkeit"],
        "Brückenschlag Medien",
        "",
        "Eine DVD, die Eltern den Kita-Alltag zeigt: Eingewöhnung, Essen, Schlafen, Feste.",
    ),
    (
        "Beim Arzt",
        "Filmszenen für den Unterricht",
        MediaType.video,
        ("a2", "b1"),
        ("adult", "adult"),
        ["deu"],
        ["Gesundheit", "Alltag"],
        "Brückenschlag Medien",
        "",
        "Kurze Szenen auf DVD: Termin machen, Beschwerden schildern, Rezept abholen.",
    ),
    (
        "Elternbriefe für die Kita",
        "Vorlagen in zehn Sprachen",
        MediaType.other,
        ("a1", "a2"),
        ("adult", "adult"),
        ["deu", "ara", "tur", "ukr", "pes", "rus", "kmr", "sqi", "ron", "fra"],
        ["Elternarbeit", "Mehrsprachigkeit"],
        "Kita-Werkstatt Verlag",
        "",
        "Kopiervorlagen für Einladungen, Ausflüge und Krankmeldungen.",
    ),
    (
        "Lernposter Das Alphabet",
        "",
        MediaType.other,
        ("alpha", "pre_a1"),
        ("primary", "adult"),
        ["deu"],
        ["Alphabetisierung"],
        "Hafenstadt Lernmedien",
        "Alpha plus",
        "Großes Plakat mit allen Buchstaben und Anlautbildern.",
    ),
    (
        "Wohnen in einfacher Sprache",
        "Lesetexte und Übungen",
        MediaType.book,
        ("a2", "b1"),
        ("adult", "adult"),
        ["deu"],
        ["Wohnen", "Lesen"],
        "Verlag Wortfeld",
        "Einfach lesen",
        "Wohnungssuche, Mietvertrag, Nachbarn: kurze Texte mit Aufgaben.",
    ),
    (
        "Zahlen und Farben",
        "Übungsheft für die Grundschule",
        MediaType.book,
        ("a1", "a2"),
        ("primary", "primary"),
        ["deu"],
        ["Zahlen", "Farben"],
        "Verlag Wortfeld",
        "",
        "Zählen, malen, rechnen: erste Wörter rund um Zahlen und Farben.",
    ),
    (
        "Ankommen in der Schule",
        "Deutsch für Jugendliche",
        MediaType.textbook,
        ("a1", "a2"),
        ("secondary_1", "secondary_2"),
        ["deu", "ara", "ukr"],
        ["Alltag", "Wortschatz"],
        "Sprachraum Verlag",
        "Neu hier",
        "Ein Lehrwerk für Seiteneinsteigerinnen und Seiteneinsteiger in der Sekundarstufe I.",
    ),
    (
        "Sprachbrücke Farsi – Deutsch",
        "Wortschatz für den Alltag",
        MediaType.book,
        ("a1", "a2"),
        ("adult", "adult"),
        ["deu", "pes"],
        ["Wortschatz", "Alltag"],
        "Sprachraum Verlag",
        "Sprachbrücke",
        "Die wichtigsten Wörter und Sätze für Amt, Arzt und Einkauf mit Umschrift.",
    ),
    (
        "Krippenkinder entdecken Sprache",
        "Fingerspiele und Reime für die Kleinsten",
        MediaType.book,
        ("pre_a1", "pre_a1"),
        ("u3", "u3"),
        ["deu"],
        ["Sprachförderung Kita", "Spielerisch lernen"],
        "Kita-Werkstatt Verlag",
        "",
        "Reime, Kniereiter und Fingerspiele für Kinder unter drei Jahren.",
    ),
    (
        "Sprache beobachten in der Kita",
        "Handbuch für Fachkräfte",
        MediaType.teacher_guide,
        (None, None),
        ("kita", "kita"),
        ["deu"],
        ["Sprachförderung Kita"],
        "Kita-Werkstatt Verlag",
        "",
        "Beobachtungsbögen und Anregungen für die Sprachförderung im Kita-Alltag.",
    ),
]


def _isbn(rng: random.Random) -> str:
    body = "9793" + "".join(str(rng.randrange(10)) for _ in range(8))
    return body + isbnlib.check_digit13(body)


def _range(rng: random.Random, members: list, span: int, start: int) -> tuple:
    lo = start % len(members)  # cycling through the start keeps every level/age represented
    hi = min(len(members) - 1, lo + rng.randrange(span))
    return members[lo].value, members[hi].value


BOOK_TYPES = {
    MediaType.book,
    MediaType.textbook,
    MediaType.teacher_guide,
    MediaType.picture_dictionary,
    MediaType.picture_book,
}


def _numbered_isbn(n: int) -> str:
    """A fixed, valid ISBN-13 in a range no publisher uses (the search's judged queries and
    the handbook can name it)."""
    body = f"97930000{n:04d}"
    return body + isbnlib.check_digit13(body)


def _levels_text(low: str, high: str) -> str:
    if low == high:
        return f"der Stufe {LEVEL_LABELS[low]}"
    return f"der Stufen {LEVEL_LABELS[low]} bis {LEVEL_LABELS[high]}"


def shelf_mark(media_type: MediaType, theme: str) -> str:
    """A shelf mark as staff write it: the media type's name and the theme."""
    return f"{MEDIA_TYPE_LABELS[media_type].split(' (')[0]} – {theme}"


async def _add_parts(
    settings: Settings,
    rng: random.Random,
    title_id: int,
    media_type: MediaType,
    langs: list[str],
    topics: set[str],
    theme: str,
    copy_number: int,
    copy_ids: list[tuple[int, int, str]],
) -> int:
    """Languages, topics, components and one to three copies of a title; returns the last
    copy number used."""
    await TitleLanguage.insert(*[TitleLanguage(title=title_id, language=code) for code in langs])
    await TitleTopic.insert(*[TitleTopic(title=title_id, topic=t) for t in sorted(topics)])
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
        c = await Copy.insert(
            Copy(
                title=title_id,
                barcode=code,
                shelf_mark=shelf_mark(media_type, theme),
                acquired_on=datetime.now(settings.tz).date()
                - timedelta(days=rng.randrange(30, 2000)),
            )
        ).returning(Copy.id)
        copy_ids.append((c[0]["id"], title_id, media_type.value))
    return copy_number


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
            is_book = media_type in BOOK_TYPES
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
                        f"mit Lernenden {_levels_text(level_min, level_max)}."
                    ),
                    publisher=rng.choice(PUBLISHERS),
                    year=rng.randrange(2008, 2026),
                    series=f"Reihe {word}" if i % 4 == 0 else "",
                    created_at=datetime.now(UTC) - timedelta(days=400 - n_titles),
                )
            ).returning(Title.id)
            title_id = row[0]["id"]
            n_titles += 1
            title_topics = {theme if theme in TOPICS else "Wortschatz", rng.choice(TOPICS)}
            copy_number = await _add_parts(
                settings,
                rng,
                title_id,
                media_type,
                langs,
                title_topics,
                theme,
                copy_number,
                copy_ids,
            )

    for n, (
        name,
        subtitle,
        media_type,
        levels_,
        ages_,
        langs,
        topics,
        publisher,
        series,
        text,
    ) in enumerate(CURATED, start=1):
        is_book = media_type in BOOK_TYPES
        row = await Title.insert(
            Title(
                title=name,
                subtitle=subtitle,
                authors="; ".join(rng.sample(AUTHORS, rng.randrange(1, 3))) if is_book else "",
                isbn=_numbered_isbn(n) if is_book else None,
                media_type=media_type,
                level_min=levels_[0],
                level_max=levels_[1],
                age_min=ages_[0],
                age_max=ages_[1],
                description=f"{text} Erfundener Demo-Titel.",
                publisher=publisher,
                year=rng.randrange(2015, 2026),
                series=series,
                created_at=datetime.now(UTC) - timedelta(days=len(CURATED) - n),
            )
        ).returning(Title.id)
        n_titles += 1
        copy_number = await _add_parts(
            settings,
            rng,
            row[0]["id"],
            media_type,
            langs,
            set(topics),
            topics[0],
            copy_number,
            copy_ids,
        )

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
    opening = Calendar()
    for k, (copy_id, title_id, lent_type) in enumerate(lent):
        patron_id, category = patron_ids[k % len(patron_ids)]
        # Lent on an opening day, due on one: as the desk would have done it.
        loaned_on = opening.previous_opening_day(today - timedelta(days=rng.randrange(1, 45)))
        returned = k >= 28
        await Loan.insert(
            Loan(
                copy=copy_id,
                title=title_id,
                patron=patron_id,
                patron_category=category,
                media_type=lent_type,
                loaned_on=loaned_on,
                due_on=opening.due_date(loaned_on, 28),
                loaned_at=datetime.combine(loaned_on, datetime.min.time(), UTC),
                returned_at=(
                    datetime.combine(loaned_on + timedelta(days=10), datetime.min.time(), UTC)
                    if returned
                    else None
                ),
            )
        )
        if not returned:
            await move_copy(copy_id, CopyEvent.checkout)

    return {
        "titles": n_titles,
        "copies": copy_number,
        "patrons": len(patron_ids),
        "accounts": await Account.count(),
        "loans": len(lent),
    }
