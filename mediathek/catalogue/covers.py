"""Cover images: downloaded once from a metadata service and served by our own route.

Pages never hot-link a cover: a teacher's browser must not talk to third parties (DSGVO).
"""

from __future__ import annotations

import re
import urllib.request
from pathlib import Path

from mediathek.settings import Settings

MAX_COVER_BYTES = 2_000_000
IMAGE_TYPES = {b"\xff\xd8\xff": ".jpg", b"\x89PNG": ".png", b"GIF8": ".gif"}


def covers_dir(settings: Settings) -> Path:
    path = Path(settings.data_dir) / "covers"
    path.mkdir(parents=True, exist_ok=True)
    return path


def cover_path(settings: Settings, cover_file: str) -> Path | None:
    # Only our own plain file names: a stored name never walks out of the covers folder.
    if not cover_file or not re.fullmatch(r"[A-Za-z0-9_.-]+", cover_file):
        return None
    path = covers_dir(settings) / cover_file
    return path if path.is_file() else None


def image_suffix(data: bytes) -> str | None:
    for magic, suffix in IMAGE_TYPES.items():
        if data.startswith(magic):
            return suffix
    return None


def store_cover(settings: Settings, stem: str, data: bytes) -> str:
    """Store image bytes; returns the file name, or "" when it is not an image we accept."""
    suffix = image_suffix(data)
    if not suffix or len(data) > MAX_COVER_BYTES:
        return ""
    name = re.sub(r"[^A-Za-z0-9_-]", "", stem) + suffix
    (covers_dir(settings) / name).write_bytes(data)
    return name


def download_cover(settings: Settings, stem: str, url: str) -> str:
    """Fetch a cover (blocking; run in a thread). Any failure just means no cover."""
    if not url.startswith(("http://", "https://")):
        return ""
    try:
        with urllib.request.urlopen(url, timeout=settings.isbn_lookup_timeout) as response:  # noqa: S310 - scheme checked above
            data = response.read(MAX_COVER_BYTES + 1)
    except Exception:  # noqa: BLE001 - network trouble: the title simply has no cover
        return ""
    return store_cover(settings, stem, data)
