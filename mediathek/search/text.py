"""Pure text rules of the search: cleaning, folding, German stems, ISBN forms, typo candidates.

Plain values in, plain values out; the engines' query strings are built from these.
"""

from __future__ import annotations

import bisect
import re
import unicodedata

import isbnlib

MAX_QUERY_LENGTH = 200
MAX_TERMS = 12

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_WORD = re.compile(r"\w+", re.UNICODE)
_ISBN_CHARS = re.compile(r"^[0-9Xx\-\s]{10,20}$")
# "ISBN 978-…", "ISBN: 3-…", "ISBN-13: …" as pasted from a publisher's page or a PDF.
_ISBN_PREFIX = re.compile(r"^\s*isbn(?:[\s-]*1[03])?\s*:?\s*", re.IGNORECASE)

# German inflection endings, longest first. Cut on the query side only (FTS5 has no German
# stemmer): the stem is then searched as a prefix, so "Spiele" finds "Spiel" and "Spielen".
_SUFFIXES = ("innen", "ungen", "erin", "ern", "en", "er", "es", "e", "n", "s")
_MIN_STEM = 4


def clean_query(raw: str | None) -> str:
    """Strip NUL and control characters (both engines choke on them) and trim the length."""
    if not raw:
        return ""
    text = _CONTROL.sub(" ", raw)
    return " ".join(text.split())[:MAX_QUERY_LENGTH]


def fold(text: str) -> str:
    """Lower case without diacritics, as the index stores words: "Übung" → "ubung"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


# German umlauts spelt out, as the compound index stores them (see ``fold_compound``).
_SPELT_OUT = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "ı": "i"})


def fold_compound(text: str) -> str:
    """Text as the compound-part index stores it: lower case, umlauts spelt out (ü → ue,
    ß → ss). "Übungsheft" and "Uebungsheft" both give "uebungsheft", so a word typed either
    way is found inside longer words. Other accents stay (SQLite's index keeps them;
    PostgreSQL's drops them, see ``fold``)."""
    return unicodedata.normalize("NFC", text.casefold().translate(_SPELT_OUT))


def umlaut_variant(word: str) -> str | None:
    """A folded query word with ue/oe/ae read as umlauts and ss as ß, in the form the word
    index stores them ("uebungsheft" → "ubungsheft", "grosse" → "große"); None if none."""
    variant = word.replace("ue", "u").replace("oe", "o").replace("ae", "a").replace("ss", "ß")
    return variant if variant != word else None


def term_parts(query: str) -> dict[str, str]:
    """Each folded word of a query (as ``terms``) with its form for the compound-part index."""
    out: dict[str, str] = {}
    for word in _WORD.findall(query):
        word = word.strip("_")
        folded = fold(word)
        if folded and folded not in out and len(out) < MAX_TERMS:
            out[folded] = fold_compound(word)
    return out


def terms(query: str) -> list[str]:
    """The folded words of a query, in order, without repeats."""
    seen: list[str] = []
    for word in _WORD.findall(fold(query)):
        word = word.strip("_")
        if word and word not in seen:
            seen.append(word)
    return seen[:MAX_TERMS]


def german_stem(word: str) -> str:
    """Cut one common German ending, keeping at least four letters ("schritte" → "schritt")."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= _MIN_STEM:
            return word[: -len(suffix)]
    return word


def isbn13(query: str) -> str | None:
    """ISBN-13 digits when the whole query is an ISBN-10 or -13 (any hyphens/spaces, with or
    without an "ISBN:" label)."""
    query = _ISBN_PREFIX.sub("", query)
    if not _ISBN_CHARS.match(query.strip()):
        return None
    digits = re.sub(r"[\s\-]", "", query).upper()
    if isbnlib.is_isbn13(digits):
        return digits
    if isbnlib.is_isbn10(digits):
        return isbnlib.to_isbn13(digits)
    return None


def looks_like_code(query: str) -> bool:
    """One token with letters and digits, e.g. a copy barcode "M0000018"."""
    compact = query.replace(" ", "")
    return (
        2 <= len(compact) <= 32
        and compact.isalnum()
        and any(ch.isdigit() for ch in compact)
        and any(ch.isalpha() for ch in compact)
    )


def fts5_query(words: list[str], alternatives: dict[str, list[str]] | None = None) -> str:
    """An FTS5 MATCH expression: every word must match, as a quoted stem prefix.

    Quoting keeps FTS5 operators ("AND", "NEAR", "*", "-") in user input from being parsed.
    """
    alternatives = alternatives or {}
    parts = []
    for word in words:
        options = [f'"{german_stem(word)}"*']
        # The word index keeps ß as ß and ü as u: "grosse" and "uebung" need their variant.
        variant = umlaut_variant(word)
        if variant:
            options.append(f'"{german_stem(variant)}"*')
        options += [f'"{alt}"' for alt in alternatives.get(word, [])]
        parts.append(options[0] if len(options) == 1 else "(" + " OR ".join(options) + ")")
    return " AND ".join(parts)


def tsquery(words: list[str], alternatives: dict[str, list[str]] | None = None) -> str:
    """A to_tsquery('german', …) text: each word stemmed by PostgreSQL, matched as a prefix."""
    alternatives = alternatives or {}
    parts = []
    for word in words:
        options = [f"{_ts_word(word)}:*"] + [_ts_word(alt) for alt in alternatives.get(word, [])]
        parts.append(options[0] if len(options) == 1 else "(" + " | ".join(options) + ")")
    return " & ".join(parts)


def fts5_phrase(words: list[str]) -> str:
    """An FTS5 phrase: the words (as stem prefixes) next to each other, in this order."""
    return " + ".join(f'"{german_stem(word)}"*' for word in words)


def ts_phrase(words: list[str]) -> str:
    """A to_tsquery('german', …) phrase: the words next to each other, in this order."""
    return " <-> ".join(f"{_ts_word(word)}:*" for word in words)


def _ts_word(word: str) -> str:
    # Words are \w+ only; quoting still guards against tsquery syntax in any form.
    return "'" + word.replace("'", "''").replace("\\", "") + "'"


# ---- typo candidates (SQLite; PostgreSQL uses pg_trgm) ------------------------------------


def edit_distance(a: str, b: str, limit: int = 2) -> int:
    """Levenshtein distance with transpositions counted as one edit, cut off above ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]


_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"


def one_edit_away(word: str) -> set[str]:
    """Every string one letter deleted, swapped with its neighbour, changed or added away."""
    letters = set(_ALPHABET) | set(word)
    out: set[str] = set()
    for i in range(len(word) + 1):
        head, tail = word[:i], word[i:]
        if tail:
            out.add(head + tail[1:])
            out.update(head + ch + tail[1:] for ch in letters)
        if len(tail) > 1:
            out.add(head + tail[1] + tail[0] + tail[2:])
        out.update(head + ch + tail for ch in letters)
    out.discard(word)
    return out


class Vocabulary:
    """The indexed words and in how many titles each occurs, for typo suggestions.

    One edit away is found by looking each of the few hundred one-edit variants up in the
    word set; two edits (long words) among the words sharing the first two letters. Kept
    lean on purpose: an index of every word's deletions took 150 MB at 60,000 words.
    """

    def __init__(self, words: dict[str, int]) -> None:
        self.frequency = words
        self.sorted = sorted(words)

    def __contains__(self, word: str) -> bool:
        return word in self.frequency

    def has_prefix(self, prefix: str) -> bool:
        i = bisect.bisect_left(self.sorted, prefix)
        return i < len(self.sorted) and self.sorted[i].startswith(prefix)

    def _starting_with(self, prefix: str) -> list[str]:
        i = bisect.bisect_left(self.sorted, prefix)
        j = bisect.bisect_left(self.sorted, prefix + "\U0010ffff")
        return self.sorted[i:j]

    def candidates(self, word: str, limit: int = 3) -> list[str]:
        if len(word) < 4:
            return []
        max_edits = 1 if len(word) < 7 else 2
        found = {w for w in one_edit_away(word) if w in self.frequency}
        if max_edits == 2:
            found.update(w for w in self._starting_with(word[:2]) if abs(len(w) - len(word)) <= 2)
        found.discard(word)
        scored = [(edit_distance(word, w, max_edits), -self.frequency[w], w) for w in found]
        return [w for dist, _, w in sorted(scored) if dist <= max_edits][:limit]
