"""The audit log, its table and its writing: overrides, deletions, role changes … written in
the same transaction.

Every entry names who acted: the account (``actor``, emptied when the account is deleted)
and a label written with the entry, so the log still says who it was afterwards. Services
get the acting account's id from their caller (the handler's current user); the label is
looked up here from the account, one source for every entry. Staff and admin accounts are
named (their actions at work are what the log is for); a borrower acting on her own data is
recorded by role only, so that deleting her data does not leave her name behind.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from piccolo.columns import JSON, ForeignKey, OnDelete, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from mediathek.patrons.tables import Account
from mediathek.vocab import Role

BORROWER_LABEL = "Ausleihende*r"
STAFF_ROLES = (Role.staff, Role.admin)


class AuditLog(Table):
    """Who did what that must be traceable: overrides, deletions, role changes …"""

    id = Serial(primary_key=True)
    at = Timestamptz(default=TimestamptzNow(), index=True)
    actor = ForeignKey(references=Account, on_delete=OnDelete.set_null, null=True, index=True)
    actor_label = Varchar(length=254, default="")  # kept when the account is gone
    action = Varchar(length=50, index=True)
    object_type = Varchar(length=30, default="")
    object_id = Varchar(length=50, default="")
    detail = JSON(default={})


async def label_of(actor_id: int) -> str:
    row = (
        await Account.select(Account.display_name, Account.email, Account.role)
        .where(Account.id == actor_id)
        .first()
    )
    if row is None:
        return ""
    if row["role"] not in STAFF_ROLES:
        return BORROWER_LABEL
    return (row["display_name"] or "").strip() or row["email"]


async def record(
    action: str,
    *,
    actor_id: int | None = None,
    actor_label: str = "",
    object_type: str = "",
    object_id: int | str = "",
    **detail: Any,
) -> None:
    """Write one entry. With ``actor_id`` the label comes from that account; without one
    (a borrower online, a job) ``actor_label`` says who or what it was."""
    if actor_id is not None:
        actor_label = await label_of(actor_id) or actor_label
    await AuditLog.insert(
        AuditLog(
            actor=actor_id,
            actor_label=actor_label,
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            detail={
                k: (str(v) if not isinstance(v, int | float | bool | list | dict | None) else v)
                for k, v in detail.items()
            },
        )
    )


async def last_detail(action: str, object_type: str, object_id: int | str) -> dict[str, Any]:
    """The detail of the newest entry of this action on this object ({} when there is none):
    what an undo needs to know about the action it takes back."""
    entry = await (
        AuditLog.select(AuditLog.detail)
        .where(
            AuditLog.action == action,
            AuditLog.object_type == object_type,
            AuditLog.object_id == str(object_id),
        )
        .order_by(AuditLog.id, ascending=False)
        .output(load_json=True)
        .first()
    )
    detail = (entry or {}).get("detail") or {}
    return json.loads(detail) if isinstance(detail, str) else detail


@dataclass(frozen=True)
class Actor:
    """Who does it, for the audit log."""

    account_id: int | None = None
    label: str = ""

    async def record(self, action: str, object_type: str, object_id: int | str, **detail) -> None:
        """Write an audit log entry for this actor (inside the caller's transaction)."""
        await record(
            action,
            actor_id=self.account_id,
            actor_label=self.label,
            object_type=object_type,
            object_id=object_id,
            **detail,
        )
