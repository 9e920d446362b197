"""The audit log: overrides, deletions, role changes … written in the same transaction.

Every entry names who acted: the account (``actor``, emptied when the account is deleted)
and a label written with the entry, so the log still says who it was afterwards. Services
get the acting account's id from their caller (the handler's current user); the label is
looked up here from the account, one source for every entry. Staff and admin accounts are
named (their actions at work are what the log is for); a borrower acting on her own data is
recorded by role only, so that deleting her data does not leave her name behind.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mediathek.core_tables import AuditLog
from mediathek.patrons.tables import Account
from mediathek.vocab import Role

BORROWER_LABEL = "Ausleihende*r"
STAFF_ROLES = (Role.staff, Role.admin)


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


@dataclass(frozen=True)
class Actor:
    """Who does it, for the audit log."""

    account_id: int | None = None
    label: str = ""

    async def record(
        self, action: str, object_type: str, object_id: int | str, **detail
    ) -> None:
        """Write an audit log entry for this actor (inside the caller's transaction)."""
        await record(
            action,
            actor_id=self.account_id,
            actor_label=self.label,
            object_type=object_type,
            object_id=object_id,
            **detail,
        )
