"""Rendering a notice into subject, plain text and HTML, and building the email.

Templates are files, ``frontend/templates/emails/<kind>.<lang>.{subject.txt,txt,html}``;
an admin may override any of them on the page "E-Mail-Vorlagen". Overrides are stored in the
site settings under ``email_template:<kind>.<lang>.<part>`` (so every app instance sees them and
backups contain them) and win over the files. Templates run in Jinja's sandbox: an admin can
change wording, not run code. A broken override never stops mail: it is logged and the file
is used instead.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from email.header import Header
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formataddr, formatdate, parseaddr
from typing import Any

from babel.dates import format_date
from jinja2 import ChoiceLoader, DictLoader, FileSystemLoader, TemplateError, pass_context
from jinja2.sandbox import SandboxedEnvironment

from mediathek.circulation.tables import OpeningDay
from mediathek.core_tables import SiteSetting
from mediathek.notifications.kinds import (
    LOAN_DIGEST_KINDS,
    REDACTED_LINK,
    SECRET_KINDS,
    TEMPLATE_LANGUAGES,
)
from mediathek.opening_calendar import DEFAULT_OPEN_WEEKDAYS
from mediathek.settings import TEMPLATES_DIR, Settings
from mediathek.site_settings import get_setting

log = logging.getLogger("mediathek.notifications")

EMAIL_TEMPLATES_DIR = TEMPLATES_DIR / "emails"
OVERRIDE_PREFIX = "email_template:"

WEEKDAYS = {
    "de": ["Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"],
    "en": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
}
LEVEL_LABELS = {
    "de": {0: "bald fällig", 1: "1. Mahnung", 2: "2. Mahnung", 3: "3. Mahnung"},
    "en": {0: "due soon", 1: "1st reminder", 2: "2nd reminder", 3: "final reminder"},
}


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def template_name(kind: str, lang: str, part: str) -> str:
    return f"{kind}.{lang}.{part}"


def template_language(lang: str | None) -> str:
    return lang if lang in TEMPLATE_LANGUAGES else "de"


def file_template(name: str) -> str:
    return (EMAIL_TEMPLATES_DIR / name).read_text(encoding="utf-8")


async def template_overrides() -> dict[str, str]:
    rows = (
        await SiteSetting.select(SiteSetting.key, SiteSetting.value)
        .where(SiteSetting.key.like(OVERRIDE_PREFIX + "%"))
        .output(load_json=True)
    )
    out = {}
    for row in rows:
        value = row["value"]
        text = value.get("v") if isinstance(value, dict) else value
        if isinstance(text, str):
            out[row["key"].removeprefix(OVERRIDE_PREFIX)] = text
    return out


def _as_date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


@pass_context
def _day(context, value: Any) -> str:
    """A date in the reader's language: 10.03.2026 (de) or 10 Mar 2026 (en)."""
    day = _as_date(value)
    if day is None:
        return str(value or "")
    if context.get("lang") == "en":
        return format_date(day, format="medium", locale="en_GB")
    return day.strftime("%d.%m.%Y")


def _environment(loader, autoescape: bool) -> SandboxedEnvironment:
    env = SandboxedEnvironment(
        loader=loader, autoescape=autoescape, trim_blocks=True, lstrip_blocks=True
    )
    env.filters["day"] = _day
    return env


class Renderer:
    """Renders notices for one run: overrides, contact data and opening days loaded once."""

    def __init__(
        self,
        settings: Settings,
        overrides: dict[str, str],
        contact: dict,
        open_days: list[tuple[int, str]],
    ) -> None:
        self.settings = settings
        self.overrides = overrides
        self.contact = contact or {}
        self.open_days = open_days
        files = FileSystemLoader(EMAIL_TEMPLATES_DIR)
        with_overrides = ChoiceLoader([DictLoader(overrides), files])
        self._envs = {
            (True, False): _environment(with_overrides, False),
            (True, True): _environment(with_overrides, True),
            (False, False): _environment(files, False),
            (False, True): _environment(files, True),
        }

    def context(self, kind: str, lang: str, level: int, payload: dict) -> dict:
        labels = LEVEL_LABELS[lang]
        return {
            **payload,
            "kind": kind,
            "lang": lang,
            "level": level,
            "items": payload.get("items", []),
            "show_level": kind in LOAN_DIGEST_KINDS,
            "level_label": lambda n: labels.get(n, ""),
            "contact": self.contact,
            "opening_hours": [(WEEKDAYS[lang][d], hours) for d, hours in self.open_days],
            "renew_link": self.settings.base_url + "/konto",
            "base_url": self.settings.base_url,
        }

    def _render_part(self, name: str, html: bool, context: dict) -> str:
        try:
            return self._envs[(True, html)].get_template(name).render(context)
        except TemplateError:
            if name not in self.overrides:
                raise
            log.exception("E-Mail-Vorlage %s (angepasst) ist fehlerhaft; nehme die Datei.", name)
            return self._envs[(False, html)].get_template(name).render(context)

    def render(
        self, kind: str, language: str | None, level: int, payload: dict, *, link: str = ""
    ) -> Rendered:
        """``link``: the freshly minted one-time link, given only when writing the e-mail
        that goes out. Without it a secret kind shows ``REDACTED_LINK`` (what is stored and
        what staff see); a link left in an old payload is never used."""
        lang = template_language(language)
        context = self.context(kind, lang, level, payload)
        if kind in SECRET_KINDS:
            context["link"] = link or REDACTED_LINK
        subject = self._render_part(template_name(kind, lang, "subject.txt"), False, context)
        context["subject"] = " ".join(subject.split())
        return Rendered(
            subject=context["subject"],
            text=self._render_part(template_name(kind, lang, "txt"), False, context).strip() + "\n",
            html=self._render_part(template_name(kind, lang, "html"), True, context),
        )

    def check(self, name: str, source: str, payload: dict) -> str | None:
        """Try an edited template with a sample payload; a German error message, or None."""
        kind, lang, part = name.split(".", 2)
        env = _environment(
            ChoiceLoader([DictLoader({name: source}), FileSystemLoader(EMAIL_TEMPLATES_DIR)]),
            part == "html",
        )
        try:
            env.get_template(name).render(self.context(kind, lang, 1, payload))
        except TemplateError as exc:
            line = getattr(exc, "lineno", None)
            where = f" (Zeile {line})" if line else ""
            return f"Die Vorlage hat einen Fehler{where}: {exc.message or exc}"
        return None


async def open_days() -> list[tuple[int, str]]:
    rows = await OpeningDay.select(OpeningDay.weekday, OpeningDay.is_open, OpeningDay.hours)
    if not rows:
        return [(d, "") for d in sorted(DEFAULT_OPEN_WEEKDAYS)]
    return sorted((r["weekday"], r["hours"]) for r in rows if r["is_open"])


async def make_renderer(settings: Settings) -> Renderer:
    return Renderer(
        settings, await template_overrides(), await get_setting("contact"), await open_days()
    )


def sender_domain(settings: Settings) -> str:
    address = parseaddr(settings.mail_from)[1]
    return address.rpartition("@")[2] or "mediathek.invalid"


def build_message(
    settings: Settings, rendered: Rendered, recipient: str, message_id: str, language: str = "de"
) -> MIMEMultipart:
    """multipart/alternative: plain text first, HTML second (mail programs show the last
    part they understand). Built with ``email.mime`` (the compat32 policy): about ten times
    faster than ``EmailMessage.set_content``, which matters for thousands of digests a run."""
    msg = MIMEMultipart("alternative")
    name, address = parseaddr(settings.mail_from)
    msg["From"] = formataddr((name, address), charset="utf-8")
    msg["To"] = recipient
    msg["Subject"] = Header(rendered.subject, "utf-8")
    msg["Message-ID"] = message_id
    msg["Date"] = formatdate(localtime=False, usegmt=True)
    msg["Content-Language"] = template_language(language)
    # Mail from a machine: auto-responders should not answer it.
    msg["Auto-Submitted"] = "auto-generated"
    msg.attach(MIMEText(rendered.text, "plain", "utf-8"))
    msg.attach(MIMEText(rendered.html, "html", "utf-8"))
    return msg
