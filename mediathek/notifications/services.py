"""What the staff pages and the API do with the outbox, reminder settings and templates."""

from __future__ import annotations

from dataclasses import dataclass

from piccolo.custom_types import Combinable
from piccolo.query.functions.aggregate import Count

from mediathek import audit, i18n
from mediathek.addresses import AddressInvalid, normalise_address
from mediathek.core_tables import SiteSetting
from mediathek.db import current_engine, is_sqlite, write_transaction
from mediathek.errors import InvalidInput, NotFound
from mediathek.i18n import _
from mediathek.notifications import delivery, policy
from mediathek.notifications.kinds import KIND_LABELS, SAMPLE_PAYLOADS, TEMPLATE_LANGUAGES
from mediathek.notifications.mailer import SendFailure
from mediathek.notifications.messages import (
    OVERRIDE_PREFIX,
    make_renderer,
    standard_text,
    text_name,
    text_overrides,
)
from mediathek.notifications.tables import Notification, NotificationKind, NotificationStatus
from mediathek.notifications.texts import TEXTS, NoticeText
from mediathek.settings import Settings
from mediathek.site_settings import get_setting, set_setting

PER_PAGE = 50
LIST_COLUMNS = (
    Notification.id,
    Notification.patron,
    Notification.recipient,
    Notification.kind,
    Notification.level,
    Notification.language,
    Notification.subject,
    Notification.status,
    Notification.attempts,
    Notification.last_error,
    Notification.created_at,
    Notification.next_attempt_at,
    Notification.sent_at,
)


@dataclass(frozen=True)
class OutboxFilter:
    status: str = ""
    kind: str = ""
    text: str = ""
    page: int = 1

    def cleaned(self) -> OutboxFilter:
        status = self.status if self.status in NotificationStatus.__members__ else ""
        kind = self.kind if self.kind in NotificationKind.__members__ else ""
        text = "".join(ch for ch in self.text if ch.isprintable())[:100].strip()
        return OutboxFilter(status, kind, text, max(1, min(self.page, 10_000)))


def _contains(column, text: str):
    escaped = text.replace("%", "").replace("_", " ")
    pattern = f"%{escaped}%"
    return column.like(pattern) if is_sqlite(current_engine()) else column.ilike(pattern)


async def list_notices(flt: OutboxFilter) -> dict:
    """The outbox, newest first, with the counts per status."""
    flt = flt.cleaned()
    where: Combinable = Notification.id > 0
    if flt.status:
        where &= Notification.status == flt.status
    if flt.kind:
        where &= Notification.kind == flt.kind
    if flt.text:
        where &= (
            _contains(Notification.recipient, flt.text)
            | _contains(Notification.subject, flt.text)
            | _contains(Notification.last_error, flt.text)
        )
    total = await Notification.count().where(where)
    rows = (
        await Notification.select(*LIST_COLUMNS)
        .where(where)
        .order_by(Notification.id, ascending=False)
        .limit(PER_PAGE)
        .offset((flt.page - 1) * PER_PAGE)
    )
    return {
        "items": rows,
        "total": total,
        "page": flt.page,
        "pages": max(1, -(-total // PER_PAGE)),
        "filter": flt,
        "counts": await status_counts(),
        "delivery_status": await get_setting("delivery_status") or {},
    }


async def status_counts() -> dict[str, int]:
    rows = await Notification.select(
        Notification.status, Count(Notification.id, alias="n")
    ).group_by(Notification.status)
    counts = {s.value: 0 for s in NotificationStatus}
    counts.update({r["status"]: r["n"] for r in rows})
    return counts


async def get_notice(notice_id: int, settings: Settings) -> dict:
    """One notice; one not rendered yet is shown as it would be rendered now."""
    row = (
        await Notification.select()
        .where(Notification.id == notice_id)
        .output(load_json=True)
        .first()
    )
    if row is None:
        raise NotFound(_("Diese Benachrichtigung gibt es nicht."))
    if not row["body_text"]:
        rendered = (await make_renderer(settings)).render(
            row["kind"], row["language"], row["level"], row["payload"] or {}
        )
        row = {
            **row,
            "subject": rendered.subject,
            "body_text": rendered.text,
            "body_html": rendered.html,
            "preview": True,
        }
    return row


async def resend_notice(notice_id: int, *, actor_id: int | None, actor_label: str) -> None:
    async with write_transaction():
        if not await delivery.resend(notice_id):
            raise NotFound(_("Diese Benachrichtigung gibt es nicht."))
        await audit.record(
            "notification_resend",
            actor_id=actor_id,
            actor_label=actor_label,
            object_type="notification",
            object_id=notice_id,
        )


async def send_test(settings: Settings, recipient: str) -> None:
    try:
        recipient = normalise_address(recipient)
    except AddressInvalid as exc:
        raise InvalidInput(errors={"email": exc.message}) from exc
    try:
        await delivery.send_test_email(settings, recipient)
    except SendFailure as failure:
        raise InvalidInput(
            _("Die Test-E-Mail konnte nicht gesendet werden."), errors={"email": failure.message}
        ) from failure


# ---- reminder settings (admin) ----------------------------------------------------------


async def reminder_settings() -> dict:
    return {
        "due_soon_days": int(await get_setting("due_soon_days")),
        "overdue_level_days": [int(v) for v in await get_setting("overdue_level_days")],
    }


async def save_reminder_settings(
    due_soon: str, levels: list[str], *, actor_id: int | None, actor_label: str
) -> dict:
    try:
        days, level_days = policy.check_reminder_settings(due_soon, levels)
    except policy.ReminderSettingsInvalid as exc:
        raise InvalidInput(errors=exc.errors) from exc
    async with write_transaction():
        await set_setting("due_soon_days", days)
        await set_setting("overdue_level_days", level_days)
        await audit.record(
            "reminder_settings",
            actor_id=actor_id,
            actor_label=actor_label,
            due_soon_days=days,
            overdue_level_days=level_days,
        )
    return {"due_soon_days": days, "overdue_level_days": level_days}


# ---- email templates (admin) ------------------------------------------------------------

EDITABLE_KINDS = [k for k in NotificationKind if k in TEXTS]
MAX_SUBJECT = 200
MAX_BODY = 20_000


def template_names() -> list[str]:
    return [text_name(kind, lang) for kind in EDITABLE_KINDS for lang in TEMPLATE_LANGUAGES]


def _check_name(name: str) -> tuple[str, str]:
    if name not in template_names():
        raise NotFound(_("Diese E-Mail-Vorlage gibt es nicht."))
    kind, lang = name.split(".", 1)
    return kind, lang


async def list_templates() -> list[dict]:
    overrides = await text_overrides()
    return [
        {
            "kind": kind.value,
            "label": i18n.gettext(KIND_LABELS[kind]),
            "languages": [
                (text_name(kind, lang), i18n.LANGUAGES[lang], text_name(kind, lang) in overrides)
                for lang in TEMPLATE_LANGUAGES
            ],
        }
        for kind in EDITABLE_KINDS
    ]


async def get_template(name: str, settings: Settings) -> dict:
    kind, lang = _check_name(name)
    overrides = await text_overrides()
    renderer = await make_renderer(settings)
    preview = renderer.render(kind, lang, 1, SAMPLE_PAYLOADS.get(kind, {}))
    standard = standard_text(kind, lang)
    adapted = overrides.get(name)
    return {
        "name": name,
        "kind": kind,
        "label": i18n.gettext(KIND_LABELS[kind]),
        "lang": lang,
        "language": i18n.LANGUAGES[lang],
        "subject": (adapted.subject or standard.subject) if adapted else standard.subject,
        "body": adapted.body if adapted else standard.body,
        "standard": standard,
        "overridden": adapted is not None,
        "preview": preview,
    }


async def save_template(
    name: str,
    subject: str,
    body: str,
    settings: Settings,
    *,
    actor_id: int | None,
    actor_label: str,
) -> None:
    """One subject and one body per kind and language; the HTML is made from the body."""
    kind, lang = _check_name(name)
    subject = " ".join(subject.split())
    body = body.replace("\r\n", "\n").strip()
    errors = {}
    if not subject:
        errors["subject"] = _("Bitte einen Betreff angeben.")
    elif len(subject) > MAX_SUBJECT:
        errors["subject"] = _("Der Betreff ist zu lang (höchstens %(n)s Zeichen).") % {
            "n": MAX_SUBJECT
        }
    if not body:
        errors["body"] = _("Der Text darf nicht leer sein.")
    elif len(body) > MAX_BODY:
        errors["body"] = _("Der Text ist zu lang (höchstens 20.000 Zeichen).")
    if errors:
        raise InvalidInput(errors=errors)
    renderer = await make_renderer(settings)
    error = renderer.check(kind, lang, NoticeText(subject, body), SAMPLE_PAYLOADS.get(kind, {}))
    if error:
        raise InvalidInput(errors={"body": error})
    async with write_transaction():
        await set_setting(OVERRIDE_PREFIX + name, {"subject": subject, "body": body})
        await audit.record(
            "email_template_saved", actor_id=actor_id, actor_label=actor_label, template=name
        )


async def reset_template(name: str, *, actor_id: int | None, actor_label: str) -> None:
    _check_name(name)
    async with write_transaction():
        await SiteSetting.delete().where(SiteSetting.key == OVERRIDE_PREFIX + name)
        await audit.record(
            "email_template_reset", actor_id=actor_id, actor_label=actor_label, template=name
        )
