"""Add by ISBN: metadata from isbnlib's services fills the title form.

The network may be slow or absent (the Mediathek's Wi-Fi, a firewall): every lookup has a
timeout, and any failure turns into a German message so staff simply type the data.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

import isbnlib
from isbnlib import registry

from mediathek.catalogue import covers, policy, services
from mediathek.errors import InvalidInput
from mediathek.i18n import N_, _
from mediathek.settings import Settings

log = logging.getLogger("mediathek.isbn")

# isbnlib services asked in this order; the first with data wins.
LOOKUP_SERVICES = ["goob", "openl"]


def google_cover_url(isbn13: str) -> str:
    links = isbnlib.cover(isbn13) or {}
    return links.get("thumbnail") or links.get("smallThumbnail") or ""


def openlibrary_cover_url(isbn13: str) -> str:
    # default=false: a 404 instead of a blank placeholder when there is no cover.
    return f"https://covers.openlibrary.org/b/isbn/{isbn13}-M.jpg?default=false"


COVER_SOURCES = [google_cover_url, openlibrary_cover_url]

# Language codes the services return (ISO 639-1) → ours (ISO 639-3).
ISO1_TO_3 = {
    "de": "deu", "ar": "ara", "tr": "tur", "ku": "kmr", "fa": "pes", "ps": "pus", "ti": "tir",
    "uk": "ukr", "ru": "rus", "en": "eng", "fr": "fra", "es": "spa", "it": "ita", "pl": "pol",
    "ro": "ron", "bg": "bul", "sr": "srp", "hr": "hrv", "bs": "bos", "sq": "sqi", "el": "ell",
    "so": "som", "am": "amh", "ur": "urd", "hi": "hin", "bn": "ben", "vi": "vie", "zh": "zho",
    "pt": "por",
}  # fmt: skip

OFFLINE_MESSAGE = N_(
    "Der Katalogdienst im Internet ist gerade nicht erreichbar. "
    "Bitte tragen Sie die Angaben selbst ein."
)
NOT_FOUND_MESSAGE = N_(
    "Zu dieser ISBN wurden keine Angaben gefunden. Bitte tragen Sie die Angaben selbst ein."
)


@dataclass
class IsbnResult:
    isbn13: str
    existing_title_id: int | None = None
    found: bool = False
    message: str = ""
    fields: dict = field(default_factory=dict)  # title-form values to prefill

    def as_dict(self) -> dict:
        return {
            "isbn": self.isbn13,
            "existing_title_id": self.existing_title_id,
            "found": self.found,
            "message": self.message,
            "fields": self.fields,
        }


def metadata_to_form(isbn13: str, meta: dict) -> dict:
    """isbnlib's canonical metadata → our title form fields."""
    year = str(meta.get("Year") or "").strip()[:4]
    language = ISO1_TO_3.get(str(meta.get("Language") or "").lower()[:2])
    title = str(meta.get("Title") or "").strip()
    subtitle = ""
    if " : " in title:  # services often join title and subtitle like this
        title, subtitle = (part.strip() for part in title.split(" : ", 1))
    return {
        "isbn": isbn13,
        "title": title,
        "subtitle": subtitle,
        "authors": "; ".join(a.strip() for a in meta.get("Authors") or [] if a and a.strip()),
        "publisher": str(meta.get("Publisher") or "").strip(),
        "year": year if year.isdigit() else "",
        "languages": [language] if language else [],
        "media_type": "book",
    }


def _fetch(isbn13: str, settings: Settings) -> tuple[dict | None, str]:
    """Blocking lookup (runs in a thread). Returns (form fields, message)."""
    isbnlib.config.seturlopentimeout(settings.isbn_lookup_timeout)
    reached_any = False
    for service in LOOKUP_SERVICES:
        if service not in registry.services:
            continue
        try:
            meta = isbnlib.meta(isbn13, service=service)
        except Exception as exc:  # noqa: BLE001 - offline, timeout, service error: try the next
            log.info("ISBN lookup via %s failed: %s", service, exc)
            continue
        reached_any = True
        if meta and meta.get("Title"):
            fields = metadata_to_form(isbn13, meta)
            fields["cover_file"] = _fetch_cover(isbn13, settings)
            return fields, ""
    return None, NOT_FOUND_MESSAGE if reached_any else OFFLINE_MESSAGE


def _fetch_cover(isbn13: str, settings: Settings) -> str:
    for source in COVER_SOURCES:
        try:
            url = source(isbn13)
        except Exception:  # noqa: BLE001 - a missing cover is no reason to fail the lookup
            continue
        if url:
            name = covers.download_cover(settings, f"isbn-{isbn13}", url)
            if name:
                return name
    return ""


async def lookup_isbn(raw: str, settings: Settings) -> IsbnResult:
    """Check the ISBN, say whether we have it already, else ask the metadata services."""
    problem = policy.isbn_error(raw) if raw.strip() else _("Bitte geben Sie eine ISBN ein.")
    if problem:
        raise InvalidInput(errors={"isbn": problem})
    isbn13 = policy.normalise_isbn(raw)
    assert isbn13 is not None  # isbn_error found nothing wrong with it
    existing = await services.title_id_by_isbn(isbn13)
    if existing:
        return IsbnResult(
            isbn13,
            existing_title_id=existing,
            message=_("Diesen Titel gibt es schon im Bestand. Sie können ein Exemplar hinzufügen."),
        )
    fields, message = await asyncio.to_thread(_fetch, isbn13, settings)
    if fields is None:
        return IsbnResult(isbn13, message=_(message), fields={"isbn": isbn13})
    return IsbnResult(
        isbn13, found=True, fields=fields, message=_("Angaben gefunden – bitte prüfen.")
    )


def cover_for_new_title(settings: Settings, isbn13: str | None, cover_file: str) -> str:
    """Accept a cover file name from the form only if the lookup stored it for this ISBN."""
    if not isbn13 or not cover_file.startswith(f"isbn-{isbn13}."):
        return ""
    return cover_file if covers.cover_path(settings, cover_file) else ""
