"""The legal pages (Impressum, Datenschutzerklärung, Erklärung zur Barrierefreiheit) and the
explanation of the site in Leichte Sprache.

Admins edit them as plain text with a small markup; it is rendered with every character
escaped first, so a pasted ``<script>`` stays text:

- an empty line starts a new paragraph
- ``# Überschrift`` / ``## Unterüberschrift`` are headings
- lines starting with ``- `` form a list
- ``[Linktext](https://…)`` is a link (http, https, mailto, tel or a path on this site)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from markupsafe import Markup, escape

from mediathek.audit import Actor
from mediathek.db import write_transaction
from mediathek.site_settings import get_setting, set_setting


@dataclass(frozen=True)
class LegalPage:
    key: str  # SiteSetting key
    slug: str  # URL path
    title: str


PAGES = [
    LegalPage("legal_imprint", "impressum", "Impressum"),
    LegalPage("legal_privacy", "datenschutz", "Datenschutzerklärung"),
    LegalPage("legal_accessibility", "barrierefreiheit", "Erklärung zur Barrierefreiheit"),
    # BITV 2.0 § 4: public bodies explain their site in Leichte Sprache.
    LegalPage("legal_easy_language", "leichte-sprache", "Die Mediathek in Leichter Sprache"),
]
PAGES_BY_SLUG = {p.slug: p for p in PAGES}
MAX_LENGTH = 50_000
TEXTS_DIR = Path(__file__).parent / "legal_texts"

_LINK = re.compile(r"\[([^\]\n]+)\]\(([^)\s]+)\)")
_SAFE_URL = re.compile(r"^(https?://|mailto:|tel:|/(?!/))", re.IGNORECASE)


def _inline(text: str) -> str:
    """Escape a line, then turn [text](url) with a safe URL into a link."""
    out, pos = [], 0
    for m in _LINK.finditer(text):
        out.append(str(escape(text[pos : m.start()])))
        label, url = m.group(1), m.group(2)
        if _SAFE_URL.match(url):
            out.append(f'<a href="{escape(url)}">{escape(label)}</a>')
        else:
            out.append(str(escape(m.group(0))))
        pos = m.end()
    out.append(str(escape(text[pos:])))
    return "".join(out)


def render_markup(text: str) -> Markup:
    html: list[str] = []
    paragraph: list[str] = []
    items: list[str] = []

    def flush() -> None:
        if paragraph:
            html.append("<p>" + "<br>\n".join(_inline(line) for line in paragraph) + "</p>")
            paragraph.clear()
        if items:
            html.append("<ul>" + "".join(f"<li>{_inline(i)}</li>" for i in items) + "</ul>")
            items.clear()

    for raw in text.replace("\r\n", "\n").split("\n"):
        line = raw.strip()
        if not line:
            flush()
        elif line.startswith("#"):
            flush()
            level = 3 if line.startswith("##") else 2
            html.append(f"<h{level}>{_inline(line.lstrip('#').strip())}</h{level}>")
        elif line.startswith("- "):
            if paragraph:
                flush()
            items.append(line[2:])
        else:
            if items:
                flush()
            paragraph.append(line)
    flush()
    return Markup("\n".join(html))


async def page_text(page: LegalPage) -> str:
    stored = await get_setting(page.key)
    if stored:
        return str(stored)
    return await default_text(page)


async def save_text(page: LegalPage, text: str) -> None:
    await set_setting(page.key, text.strip()[:MAX_LENGTH])


async def default_text(page: LegalPage) -> str:
    """The draft shown until an admin saves a text: filled with the contact data and the
    retention periods that are set now."""
    contact = await get_setting("contact") or {}
    text = (TEXTS_DIR / f"{page.slug}.txt").read_text(encoding="utf-8")
    return text.format(
        name=contact.get("name", ""),
        address=contact.get("address", ""),
        email=contact.get("email", ""),
        phone=contact.get("phone", ""),
        days=await get_setting("anonymise_after_days"),
        years=await get_setting("inactive_after_years"),
    )


async def save_texts(texts: dict[str, str], actor: Actor) -> None:
    """Save the legal pages named in ``texts`` (by page key) in one transaction, audited."""
    async with write_transaction():
        for page in PAGES:
            if page.key in texts:
                await save_text(page, texts[page.key])
        await actor.record("legal_pages_changed", "site_setting", "")
