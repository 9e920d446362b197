"""JSON API over the outbox: list notices, queue one again (staff)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from litestar import get, post
from litestar.openapi.spec import SecurityRequirement
from litestar.params import QueryParameter
from msgspec import Struct

from mediathek.api.common import problems
from mediathek.notifications import services
from mediathek.web.forms import Id
from mediathek.web.guards import Access
from mediathek.web.rendering import CurrentUser

SECURITY: list[SecurityRequirement] = [{"bearer": []}, {"session": []}]


ERRORS = problems(401, 403)


class NoticeOut(Struct):
    id: int
    patron_id: int | None
    recipient: str
    kind: str
    level: int
    language: str
    subject: str
    status: str
    attempts: int
    last_error: str
    created_at: datetime
    next_attempt_at: datetime
    sent_at: datetime | None


class NoticeList(Struct):
    items: list[NoticeOut]
    total: int
    page: int
    pages: int


class Queued(Struct):
    id: int
    status: str


def _out(row: dict) -> NoticeOut:
    return NoticeOut(
        id=row["id"],
        patron_id=row["patron"],
        recipient=row["recipient"],
        kind=row["kind"],
        level=row["level"],
        language=row["language"],
        subject=row["subject"],
        status=row["status"],
        attempts=row["attempts"],
        last_error=row["last_error"],
        created_at=row["created_at"],
        next_attempt_at=row["next_attempt_at"],
        sent_at=row["sent_at"],
    )


@get(
    "/api/v1/notifications",
    access=Access.staff,
    tags=["Benachrichtigungen"],
    security=SECURITY,
    responses=ERRORS,
)
async def list_notifications(
    status: Annotated[str, QueryParameter(description="queued, sent oder failed")] = "",
    kind: Annotated[str, QueryParameter(description="Art, z. B. overdue, hold_ready")] = "",
    q: Annotated[str, QueryParameter(description="Suche in Adresse, Betreff, Fehler")] = "",
    page: Annotated[int, QueryParameter(ge=1, le=10_000)] = 1,
) -> NoticeList:
    """The outbox, newest first (50 per page)."""
    result = await services.list_notices(services.OutboxFilter(status, kind, q, page))
    return NoticeList(
        items=[_out(r) for r in result["items"]],
        total=result["total"],
        page=result["page"],
        pages=result["pages"],
    )


@post(
    "/api/v1/notifications/{notice_id:int}/resend",
    access=Access.staff,
    tags=["Benachrichtigungen"],
    security=SECURITY,
    status_code=200,
    responses=problems(401, 403, 404),
)
async def resend_notification(user: CurrentUser, notice_id: Id) -> Queued:
    """Queue a notice again; it is sent with the next delivery round (a new Message-ID)."""
    await services.resend_notice(notice_id, actor_id=user.account_id, actor_label=user.email)
    return Queued(id=notice_id, status="queued")


ROUTES = [list_notifications, resend_notification]
