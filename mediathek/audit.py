"""The audit log: overrides, deletions, role changes … written in the same transaction."""

from __future__ import annotations

from typing import Any

from mediathek.core_tables import AuditLog


async def record(
    action: str,
    *,
    actor_id: int | None = None,
    actor_label: str = "",
    object_type: str = "",
    object_id: int | str = "",
    **detail: Any,
) -> None:
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
