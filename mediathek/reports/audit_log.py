"""Reading the audit log for the admins' page (writing is ``mediathek.audit.record``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from mediathek.audit import AuditLog
from mediathek.i18n import _

PER_PAGE = 50


@dataclass
class AuditPage:
    entries: list[dict]
    total: int
    page: int
    pages: int
    actions: list[str]


async def audit_entries(
    action: str | None = None,
    day_from: date | None = None,
    day_to: date | None = None,
    page: int = 1,
    tz: ZoneInfo | None = None,
) -> AuditPage:
    tz = tz or ZoneInfo("Europe/Berlin")
    query = AuditLog.select(
        AuditLog.id,
        AuditLog.at,
        AuditLog.actor,
        AuditLog.actor_label,
        AuditLog.action,
        AuditLog.object_type,
        AuditLog.object_id,
        AuditLog.detail,
    )
    count = AuditLog.count()
    conditions = []
    if action:
        conditions.append(AuditLog.action == action)
    if day_from:
        conditions.append(AuditLog.at >= datetime.combine(day_from, time.min, tz))
    if day_to:
        conditions.append(AuditLog.at < datetime.combine(day_to + timedelta(days=1), time.min, tz))
    for condition in conditions:
        query = query.where(condition)
        count = count.where(condition)
    total = await count
    pages = max(1, -(-total // PER_PAGE))
    page = min(max(1, page), pages)
    entries = await (
        query.order_by(AuditLog.at, ascending=False)
        .order_by(AuditLog.id, ascending=False)
        .limit(PER_PAGE)
        .offset((page - 1) * PER_PAGE)
        .output(load_json=True)
    )
    for entry in entries:
        # Who acted, as written with the entry (it outlives the account); no name: a job.
        entry["who"] = entry["actor_label"] or (
            _("Konto %(n)s") % {"n": entry["actor"]} if entry["actor"] else _("System")
        )
    actions = [
        r["action"]
        for r in await AuditLog.select(AuditLog.action).distinct().order_by(AuditLog.action)
    ]
    return AuditPage(entries, total, page, pages, actions)
