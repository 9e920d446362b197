"""Rendering a notice into subject, plain text and HTML, and building the email.

Every kind has one text (``notifications.texts``: a subject and a body with placeholders),
written in German and translated through the catalogues into the reader's language. The HTML
part is made from the same text: paragraphs, links, and the list of media as a table where the
body says ``{{ item_list }}``; the contact block and the opening hours follow every e-mail.

An admin may adapt a kind's text per language on the page "E-Mail-Vorlagen": one subject and
one body, stored in the site settings under ``email_text:<kind>.<lang>`` (so every app
instance sees them and backups contain them). Texts run in Jinja's sandbox: an admin can change
wording, not run code. A broken adaptation never stops mail: it is logged and the standard
text is used instead.

A notice may carry attachments (the pickup reminder: an .ics file in the reader's language).
They are made while the e-mail is written, never stored: the outbox keeps subject and bodies.
With attachments the e-mail is multipart/mixed: the text/HTML alternative first, then each
file.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date
from email.header import Header
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formataddr, formatdate, parseaddr
from typing import Any

from babel.dates import format_date, get_day_names
from jinja2 import FileSystemLoader, TemplateError
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup, escape

from mediathek import i18n
from mediathek.circulation.policy import due_reason_text
from mediathek.circulation.tables import OpeningDay
from mediathek.core_tables import SiteSetting
from mediathek.notifications.kinds import LOAN_DIGEST_KINDS, REDACTED_LINK, SECRET_KINDS
from mediathek.notifications.tables import NotificationKind
from mediathek.notifications.texts import LEVEL_LABELS, TEXTS, NoticeText
from mediathek.opening_calendar import DEFAULT_OPEN_WEEKDAYS
from mediathek.reservations.ics import Booked, pickup_ics
from mediathek.settings import TEMPLATES_DIR, Settings
from mediathek.site_settings import get_setting

log = logging.getLogger("mediathek.notifications")

EMAIL_TEMPLATES_DIR = TEMPLATES_DIR / "emails"
OVERRIDE_PREFIX = "email_text:"
LANGUAGES = i18n.SUPPORTED

# Where the list of media goes in the HTML part: a character no text contains.
_ITEM_MARK = "\ue000item_list\ue000"
# A receipt's second list: what came back.
_RETURNED_MARK = "\ue000returned_list\ue000"
_LINK = re.compile(r"https?://[^\s<>\"]+[^\s<>\".,;:!?)“”]")


@dataclass(frozen=True)
class Attachment:
    filename: str
    maintype: str
    subtype: str
    content: str
    params: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str
    attachments: tuple[Attachment, ...] = ()


def text_name(kind: str, lang: str) -> str:
    return f"{kind}.{lang}"


def template_language(lang: str | None) -> str:
    return i18n.supported(lang) or i18n.SOURCE


def standard_text(kind: str, lang: str) -> NoticeText:
    """A kind's text in ``lang`` as the catalogues have it."""
    base = TEXTS[kind]
    with i18n.using(lang):
        return NoticeText(i18n.gettext(base.subject), i18n.gettext(base.body))


async def text_overrides() -> dict[str, NoticeText]:
    rows = (
        await SiteSetting.select(SiteSetting.key, SiteSetting.value)
        .where(SiteSetting.key.like(OVERRIDE_PREFIX + "%"))
        .output(load_json=True)
    )
    out = {}
    for row in rows:
        value = row["value"]
        value = value.get("v", value) if isinstance(value, dict) else {}
        if isinstance(value, dict) and isinstance(value.get("body"), str):
            out[row["key"].removeprefix(OVERRIDE_PREFIX)] = NoticeText(
                str(value.get("subject") or ""), value["body"]
            )
    return out


def _as_date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _day(value: Any) -> str:
    """A date in the reader's language: 10.03.2026 (de), 10 Mar 2026 (en) …"""
    day = _as_date(value)
    if day is None:
        return str(value or "")
    lang = i18n.current()
    if lang == i18n.SOURCE:
        return day.strftime("%d.%m.%Y")
    return format_date(day, format="medium", locale="en_GB" if lang == "en" else lang)


def _weekday(value: Any) -> str:
    """The weekday of a date in the reader's language: Montag, Monday, понеділок …"""
    day = _as_date(value)
    if day is None:
        return ""
    return get_day_names("wide", locale=i18n.babel_locale())[day.weekday()]


def _environment(autoescape: bool) -> SandboxedEnvironment:
    env = SandboxedEnvironment(
        loader=FileSystemLoader(EMAIL_TEMPLATES_DIR),
        autoescape=autoescape,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]
        i18n.gettext, i18n.ngettext, newstyle=True
    )
    env.filters["day"] = _day
    env.filters["weekday"] = _weekday
    env.filters["due_reason"] = due_reason_text
    return env


def _paragraphs(text: str, items_html: Markup, returned_html: Markup = Markup("")) -> Markup:
    """The HTML of a plain-text body: escaped paragraphs, line breaks, links, and the table
    of media where the text had its list (and the returned media where it had those)."""
    out = []
    tables = {_ITEM_MARK: items_html, _RETURNED_MARK: returned_html}
    for block in re.split(r"\n\s*\n", text.strip()):
        if block.strip() in tables:
            out.append(tables[block.strip()])
            continue
        html = str(escape(block.strip()))
        html = _LINK.sub(lambda m: f'<a href="{m.group(0)}">{m.group(0)}</a>', html)
        for mark, table in tables.items():
            html = html.replace(mark, "</p>" + table + "<p>")
        out.append(Markup("<p>" + html.replace("\n", "<br>\n") + "</p>"))
    return Markup("\n".join(out))


class Renderer:
    """Renders notices for one run: adaptations, contact data and opening days loaded once."""

    def __init__(
        self,
        settings: Settings,
        overrides: dict[str, NoticeText],
        contact: dict,
        open_days: list[tuple[int, str]],
    ) -> None:
        self.settings = settings
        self.overrides = overrides
        self.contact = contact or {}
        self.open_days = open_days
        self._text = _environment(False)
        self._html = _environment(True)
        self._compiled: dict[str, Any] = {}

    def _template(self, source: str):
        if source not in self._compiled:
            self._compiled[source] = self._text.from_string(source)
        return self._compiled[source]

    def context(self, kind: str, level: int, payload: dict) -> dict:
        return {
            **payload,
            "kind": kind,
            "lang": i18n.current(),
            "level": level,
            "items": payload.get("items", []),
            "returned": payload.get("returned", []),
            "show_level": kind in LOAN_DIGEST_KINDS,
            "level_label": lambda n: i18n.gettext(LEVEL_LABELS[n]) if n in LEVEL_LABELS else "",
            "contact": self.contact,
            "opening_hours": self.opening_hours(),
            "renew_link": self.settings.base_url + "/konto",
            "base_url": self.settings.base_url,
        }

    def opening_hours(self) -> list[tuple[str, str]]:
        names = get_day_names("wide", locale=i18n.babel_locale())
        return [(names[day], hours) for day, hours in self.open_days]

    def items_text(self, context: dict) -> str:
        lines = []
        for item in context["items"]:
            line = i18n.gettext("Barcode: {barcode}, fällig am {due_on}").format(
                barcode=item.get("barcode", ""), due_on=_day(item.get("due_on"))
            )
            if "level" in item:
                line += f" ({context['level_label'](item['level'])})"
            if item.get("due_reason"):
                line += f"\n  {due_reason_text(item['due_reason'])}"
            parts = item.get("parts")
            if parts:
                line = f"{i18n.gettext('Bestandteile')}: {', '.join(parts)}\n  {line}"
            lines.append(f"- {item.get('title', '')}\n  {line}")
        return "\n\n".join(lines)

    def returned_text(self, context: dict) -> str:
        """A receipt's returned media as lines: title, barcode, day, parts, what was missing."""
        lines = []
        for item in context["returned"]:
            line = i18n.gettext("Barcode: {barcode}, zurückgegeben am {day}").format(
                barcode=item.get("barcode", ""), day=_day(item.get("returned_on"))
            )
            parts = item.get("parts")
            if parts:
                line = f"{i18n.gettext('Bestandteile')}: {', '.join(parts)}\n  {line}"
            if item.get("missing"):
                line += f"\n  {i18n.gettext('Fehlt')}: {item['missing']}"
            lines.append(f"- {item.get('title', '')}\n  {line}")
        return "\n\n".join(lines)

    def _body(self, source: NoticeText, context: dict) -> tuple[str, str, str]:
        subject = " ".join(self._template(source.subject).render(context).split())
        # Rendered once with a mark where the list goes: the text part gets the list as
        # lines, the HTML part a table (thousands of digests go out in one run).
        marked = self._template(source.body).render(
            {
                **context,
                "subject": subject,
                "item_list": _ITEM_MARK,
                "returned_list": _RETURNED_MARK,
            }
        )
        text = marked.replace(_ITEM_MARK, self.items_text(context))
        if _RETURNED_MARK in text:
            text = text.replace(_RETURNED_MARK, self.returned_text(context))
        return subject, text, marked

    def render(
        self, kind: str, language: str | None, level: int, payload: dict, *, link: str = ""
    ) -> Rendered:
        """``link``: the freshly minted one-time link, given only when writing the e-mail
        that goes out. Without it a secret kind shows ``REDACTED_LINK`` (what is stored and
        what staff see); a link left in an old payload is never used."""
        lang = template_language(language)
        with i18n.using(lang):
            context = self.context(kind, level, payload)
            if kind in SECRET_KINDS:
                context["link"] = link or REDACTED_LINK
            standard = standard_text(kind, lang)
            adapted = self.overrides.get(text_name(kind, lang))
            try:
                subject, text, marked = self._body(
                    NoticeText(adapted.subject or standard.subject, adapted.body)
                    if adapted
                    else standard,
                    context,
                )
            except TemplateError:
                if adapted is None:
                    raise
                log.exception(
                    "E-Mail-Text %s (angepasst) ist fehlerhaft; nehme den Standard.",
                    text_name(kind, lang),
                )
                subject, text, marked = self._body(standard, context)
            context["subject"] = subject
            items_html = (
                Markup(self._html.get_template("_items.html").render(context))
                if _ITEM_MARK in marked
                else Markup("")
            )
            returned_html = (
                Markup(
                    self._html.get_template("_items.html").render(
                        {**context, "items": context["returned"], "returned_items": True}
                    )
                )
                if _RETURNED_MARK in marked
                else Markup("")
            )
            body_html = _paragraphs(marked, items_html, returned_html)
            footer = self._text.get_template("_footer.txt").render(context)
            html = self._html.get_template("_layout.html").render(
                {**context, "body_html": body_html}
            )
            attachments = self.attachments(kind, payload)
        return Rendered(
            subject=subject, text=text.strip() + "\n" + footer, html=html, attachments=attachments
        )

    def location(self) -> str:
        """The Mediathek's name and address from the contact settings (a calendar's place)."""
        return ", ".join(
            str(self.contact[k]).strip()
            for k in ("name", "address")
            if str(self.contact.get(k) or "").strip()
        ) or i18n.gettext("Mediathek")

    def attachments(self, kind: str, payload: dict) -> tuple[Attachment, ...]:
        """The files of a notice, written in the language of the moment."""
        if kind != NotificationKind.pickup_reminder:
            return ()
        bookings = []
        for item in payload.get("items", []):
            start, end = _as_date(item.get("start_on")), _as_date(item.get("end_on"))
            if start is None or end is None:
                continue
            bookings.append(
                Booked(
                    int(item.get("booking_id") or 0),
                    str(item.get("title") or ""),
                    start,
                    end,
                )
            )
        if not bookings:
            return ()
        host = self.settings.base_url.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
        ics = pickup_ics(bookings, host=host or "mediathek.invalid", location=self.location())
        return (Attachment("reservierung.ics", "text", "calendar", ics, (("method", "PUBLISH"),)),)

    def check(self, kind: str, lang: str, text: NoticeText, payload: dict) -> str | None:
        """Try an edited text with a sample payload; a German error message, or None."""
        with i18n.using(lang):
            context = self.context(kind, 1, payload)
            try:
                self._body(text, context)
            except TemplateError as exc:
                line = getattr(exc, "lineno", None)
                where = f" (Zeile {line})" if line else ""
                return f"Der Text hat einen Fehler{where}: {exc.message or exc}"
        return None


async def open_days() -> list[tuple[int, str]]:
    rows = await OpeningDay.select(OpeningDay.weekday, OpeningDay.is_open, OpeningDay.hours)
    if not rows:
        return [(d, "") for d in sorted(DEFAULT_OPEN_WEEKDAYS)]
    return sorted((r["weekday"], r["hours"]) for r in rows if r["is_open"])


async def make_renderer(settings: Settings) -> Renderer:
    return Renderer(
        settings, await text_overrides(), await get_setting("contact"), await open_days()
    )


def sender_domain(settings: Settings) -> str:
    address = parseaddr(settings.mail_from)[1]
    return address.rpartition("@")[2] or "mediathek.invalid"


def build_message(
    settings: Settings, rendered: Rendered, recipient: str, message_id: str, language: str = "de"
) -> MIMEMultipart:
    """multipart/alternative: plain text first, HTML second (mail programs show the last
    part they understand); with attachments that pair is the first part of a
    multipart/mixed, the files follow. Built with ``email.mime`` (the compat32 policy): about
    ten times faster than ``EmailMessage.set_content``, which matters for thousands of
    digests a run."""
    body = MIMEMultipart("alternative")
    body.attach(MIMEText(rendered.text, "plain", "utf-8"))
    body.attach(MIMEText(rendered.html, "html", "utf-8"))
    if rendered.attachments:
        msg = MIMEMultipart("mixed")
        msg.attach(body)
        for attachment in rendered.attachments:
            msg.attach(_attachment_part(attachment))
    else:
        msg = body
    name, address = parseaddr(settings.mail_from)
    msg["From"] = formataddr((name, address), charset="utf-8")
    msg["To"] = recipient
    # typeshed types header values as str; the compat32 policy takes a Header and encodes it.
    msg["Subject"] = Header(rendered.subject, "utf-8")  # type: ignore[assignment]
    msg["Message-ID"] = message_id
    msg["Date"] = formatdate(localtime=False, usegmt=True)
    msg["Content-Language"] = template_language(language)
    # Mail from a machine: auto-responders should not answer it.
    msg["Auto-Submitted"] = "auto-generated"
    return msg


def _attachment_part(attachment: Attachment) -> MIMEBase:
    if attachment.maintype == "text":
        part: MIMEBase = MIMEText(attachment.content, attachment.subtype, "utf-8")
    else:
        raise ValueError(f"Anhang der Art {attachment.maintype} wird nicht unterstützt.")
    for name, value in attachment.params:
        part.set_param(name, value)
    part.set_param("name", attachment.filename)
    part.add_header("Content-Disposition", "attachment", filename=attachment.filename)
    return part
