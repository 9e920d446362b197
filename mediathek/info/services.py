"""The Mediathek's own facts for every page: contact block, opening hours, the live lending
rules; and saving what an admin changes about them."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from mediathek import audit
from mediathek import loan_rules as rules
from mediathek.circulation import policy as circulation_policy
from mediathek.db import write_transaction
from mediathek.i18n import N_
from mediathek.info import policy
from mediathek.notifications.messages import open_days
from mediathek.opening_calendar import coming_closed_days, load_calendar
from mediathek.site_settings import DEFAULTS, get_setting, set_setting
from mediathek.vocab import MediaType, PatronCategory

# Every page's footer shows the contact block and opening hours. Reading them for each
# request would cost a query per page; each app process keeps them this many seconds (a
# change made in this process shows at once, one made in another within this time).
SITE_INFO_SECONDS = 60.0
# German msgids: the contact page shows them in the reader's language.
WEEKDAY_NAMES = [
    N_("Montag"),
    N_("Dienstag"),
    N_("Mittwoch"),
    N_("Donnerstag"),
    N_("Freitag"),
    N_("Samstag"),
    N_("Sonntag"),
]


@dataclass(frozen=True)
class SiteInfo:
    contact: dict[str, str]
    hours: list[tuple[str, str]]  # (weekday name, hours) of the opening days
    hours_short: str


def default_site_info() -> SiteInfo:
    return SiteInfo(dict(DEFAULTS["contact"]), [], "")


async def load_site_info() -> SiteInfo:
    contact = {**DEFAULTS["contact"], **(await get_setting("contact") or {})}
    days = await open_days()
    short = await get_setting("opening_hours_text") or policy.opening_hours_short(days)
    return SiteInfo(contact, [(WEEKDAY_NAMES[d], h) for d, h in days], short)


@dataclass
class SiteInfoCache:
    """Per app (``app.state.site_info``): the value, when it was read, and how often it has
    changed (pages kept for visitors are kept per value, see ``web.page_cache``)."""

    value: SiteInfo = field(default_factory=default_site_info)
    read_at: float = float("-inf")
    changes: int = 0

    async def refresh(self, force: bool = False) -> SiteInfo:
        if force or time.monotonic() - self.read_at > SITE_INFO_SECONDS:
            value = await load_site_info()
            if value != self.value:
                self.value = value
                self.changes += 1
            self.read_at = time.monotonic()
        return self.value

    def forget(self) -> None:
        self.read_at = float("-inf")


async def contact_settings() -> dict[str, Any]:
    contact = {**DEFAULTS["contact"], **(await get_setting("contact") or {})}
    return {
        **contact,
        "opening_hours_text": await get_setting("opening_hours_text") or "",
        "approval_days": int(await get_setting("approval_days")),
    }


async def save_contact(
    contact: dict[str, str], numbers: dict[str, int], *, actor_id: int, actor_label: str
) -> None:
    """Contact block, short opening hours and the approval time, with an audit entry."""
    hours = contact.pop("opening_hours_text")
    async with write_transaction():
        await set_setting("contact", contact)
        await set_setting("opening_hours_text", hours)
        for key, value in numbers.items():
            await set_setting(key, value)
        await audit.record(
            "contact_changed",
            actor_id=actor_id,
            actor_label=actor_label,
            object_type="site_setting",
            **contact,
            opening_hours_text=hours,
            **numbers,
        )


async def deadline_settings() -> dict[str, int]:
    return {key: int(await get_setting(key)) for key in policy.DEADLINES}


async def save_deadlines(values: dict[str, int], *, actor_id: int, actor_label: str) -> None:
    async with write_transaction():
        for key, value in values.items():
            await set_setting(key, value)
        await audit.record(
            "deadlines_changed",
            actor_id=actor_id,
            actor_label=actor_label,
            object_type="site_setting",
            **values,
        )


# Groups a teacher may belong to; staff borrow by other rules and are left out of the page.
TEACHER_CATEGORIES = [c for c in PatronCategory if c != PatronCategory.staff]


async def lending_rules() -> dict[str, Any]:
    """The live rules for "So funktioniert die Ausleihe": loan rules per group and media type,
    limits, hold and booking deadlines, reminder days."""
    table, limits = await rules.policy_table()
    deadlines = await deadline_settings()
    return {
        "categories": TEACHER_CATEGORIES,
        "rows": policy.rule_rows(
            table, [c.value for c in TEACHER_CATEGORIES], [m.value for m in MediaType]
        ),
        "limits": limits,
        **deadlines,
        "due_soon_days": int(await get_setting("due_soon_days")),
        "overdue_level_days": [int(d) for d in await get_setting("overdue_level_days")],
        "no_online_renewal_level": circulation_policy.NO_ONLINE_RENEWAL_LEVEL,
        "card_notice_days": circulation_policy.CARD_EXPIRY_NOTICE_DAYS,
    }


class SiteInfoMiddleware:
    """Keeps ``app.state.site_info`` fresh for the pages' footer (error pages included)."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http" and not scope.get("path", "").startswith("/static/"):
            await scope["app"].state.site_info.refresh()
        await self.app(scope, receive, send)


async def closed_days_ahead(
    today: date, days: int = 120, limit: int = 6
) -> list[tuple[date, date, str]]:
    """The next public holidays and closures on opening weekdays, as (first day, last day,
    why): holiday names in the reader's language, closures as staff named them."""
    return coming_closed_days(await load_calendar(today), today, days)[:limit]
