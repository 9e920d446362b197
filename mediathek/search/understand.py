"""Words of a query that name a filter value: "Bildkarten A1 Arabisch Kita" → four filters.

The words and phrases live in ``synonyms.toml`` beside this module; staff add their own in
``synonyme.toml`` in the data directory (same sections, merged). Pure rules over plain values
apart from reading those files, which is cached until a file changes.
"""

from __future__ import annotations

import logging
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from mediathek.search.text import fold
from mediathek.vocab import LANGUAGES, AgeGroup, Level, MediaType

if TYPE_CHECKING:
    from mediathek.settings import Settings

log = logging.getLogger("mediathek.search")

SHIPPED = Path(__file__).with_name("synonyms.toml")
STAFF_FILE = "synonyme.toml"

# Section of the file → (facet, the codes it may name).
SECTIONS = {
    "medienart": ("media_type", {m.value for m in MediaType}),
    "sprache": ("language", set(LANGUAGES)),
    "niveau": ("level", {m.value for m in Level}),
    "alter": ("age", {m.value for m in AgeGroup}),
}
FACET_ORDER = ("media_type", "level", "language", "age")

_TOKEN = re.compile(r"\w+", re.UNICODE)
# Umlauts typed as ue/oe/ae and ß as ss name the same word: "Tuerkisch" is "Türkisch".
_DIGRAPHS = (("ue", "u"), ("oe", "o"), ("ae", "a"))
MAX_PHRASE = 4


def key(word: str) -> str:
    """A word as phrases are compared: folded, umlauts as plain vowels ("Türkçe" → "turkce")."""
    out = fold(word)
    for digraph, vowel in _DIGRAPHS:
        out = out.replace(digraph, vowel)
    return out


@dataclass(frozen=True)
class Recognised:
    """Filter values one phrase of the query names, and the words as typed."""

    facet: str
    values: tuple[str, ...]
    words: str


@dataclass(frozen=True)
class Understanding:
    recognised: tuple[Recognised, ...] = ()
    # The query without the recognised words, as typed; the text search gets this.
    rest: str = ""
    # Each recognised phrase's query without it: what removing that filter leaves.
    without: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Synonyms:
    """Phrase (tuple of keys) → {facet: codes}."""

    phrases: dict[tuple[str, ...], dict[str, tuple[str, ...]]]

    @property
    def longest(self) -> int:
        return max((len(p) for p in self.phrases), default=0)


def parse_synonyms(documents: list[dict]) -> Synonyms:
    """Merge parsed TOML documents; unknown sections and codes are skipped with a warning, so
    that a staff file with a slip never breaks the search."""
    phrases: dict[tuple[str, ...], dict[str, list[str]]] = {}
    for document in documents:
        for section, entries in document.items():
            if section not in SECTIONS or not isinstance(entries, dict):
                log.warning("Synonyme: unbekannter Abschnitt %r übergangen", section)
                continue
            facet, known = SECTIONS[section]
            for code, words in entries.items():
                if code not in known or not isinstance(words, list):
                    log.warning("Synonyme: unbekannter Wert %r in [%s] übergangen", code, section)
                    continue
                for word in words:
                    phrase = tuple(key(t) for t in _TOKEN.findall(str(word)))[:MAX_PHRASE]
                    if phrase:
                        codes = phrases.setdefault(phrase, {}).setdefault(facet, [])
                        if code not in codes:
                            codes.append(code)
    return Synonyms(
        {p: {f: tuple(c) for f, c in by_facet.items()} for p, by_facet in phrases.items()}
    )


_CACHE: dict[tuple, Synonyms] = {}


def _synonym_files(data_dir: Path | None) -> list[Path]:
    return [SHIPPED] + ([Path(data_dir) / STAFF_FILE] if data_dir else [])


def synonyms_stamp(data_dir: Path | None = None) -> tuple:
    """Each synonyms file and when it last changed."""
    return tuple(
        (str(f), f.stat().st_mtime_ns if f.exists() else None) for f in _synonym_files(data_dir)
    )


def search_page_stamp(settings: Settings) -> tuple:
    """What a search answer kept for visitors depends on besides the database (see
    ``web.page_cache``): the synonyms files."""
    return synonyms_stamp(settings.data_dir)


def load_synonyms(data_dir: Path | None = None) -> Synonyms:
    """The shipped synonyms merged with the staff file in ``data_dir`` (if any); read again
    when a file changes, so an edit applies without a restart."""
    files = _synonym_files(data_dir)
    stamp = synonyms_stamp(data_dir)
    cached = _CACHE.get(stamp)
    if cached is not None:
        return cached
    documents = []
    for path in files:
        if not path.exists():
            continue
        try:
            documents.append(tomllib.loads(path.read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            log.warning("Synonyme aus %s nicht lesbar, übergangen: %s", path, exc)
    synonyms = parse_synonyms(documents)
    _CACHE.clear()
    _CACHE[stamp] = synonyms
    return synonyms


def understand(query: str, synonyms: Synonyms) -> Understanding:
    """Find the longest phrases naming filter values, left to right; the rest is text."""
    tokens = _TOKEN.findall(query)
    keys = [key(t) for t in tokens]
    found: list[tuple[int, int, dict[str, tuple[str, ...]]]] = []  # (start, end, facets)
    i = 0
    while i < len(tokens):
        for size in range(min(synonyms.longest, len(tokens) - i), 0, -1):
            facets = synonyms.phrases.get(tuple(keys[i : i + size]))
            if facets:
                found.append((i, i + size, facets))
                i += size
                break
        else:
            i += 1
    if not found:
        return Understanding(rest=query)
    used = {n for start, end, _ in found for n in range(start, end)}
    rest = " ".join(t for n, t in enumerate(tokens) if n not in used)
    recognised: list[Recognised] = []
    without: dict[str, str] = {}
    for start, end, facets in found:
        words = " ".join(tokens[start:end])
        if words in without:
            continue
        without[words] = " ".join(t for n, t in enumerate(tokens) if not start <= n < end)
        for facet, values in facets.items():
            recognised.append(Recognised(facet, values, words))
    recognised.sort(key=lambda r: FACET_ORDER.index(r.facet))
    return Understanding(tuple(recognised), rest, without)
