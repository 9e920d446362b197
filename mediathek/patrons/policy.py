"""Who may change whose login: pure rules over roles, no database."""

from __future__ import annotations

from mediathek.vocab import Role

ROLE_RANK = {Role.teacher: 0, Role.staff: 1, Role.admin: 2}


def may_change_login(
    actor_role: str, actor_account_id: int | None, target_role: str, target_account_id: int
) -> bool:
    """The owner may ask to change her own login; anyone else only a login of a lower role.

    Staff can never change the login of staff or an admin: whoever controls a login's
    address can reset its password."""
    if actor_account_id == target_account_id:
        return True
    return ROLE_RANK[Role(actor_role)] > ROLE_RANK[Role(target_role)]
