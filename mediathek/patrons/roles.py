"""Accounts for admins (roles) and personal API tokens for staff scripts."""

from __future__ import annotations

from mediathek import audit
from mediathek.clock import now
from mediathek.db import write_transaction
from mediathek.errors import Conflict, InvalidInput, NotFound
from mediathek.i18n import _
from mediathek.passwords import new_token, token_digest
from mediathek.patrons.sessions import token_expires_at
from mediathek.patrons.tables import Account, ApiToken
from mediathek.vocab import Role


async def list_accounts() -> list[dict]:
    return (
        await Account.select(
            Account.id,
            Account.email,
            Account.display_name,
            Account.role,
            Account.is_active,
            Account.patron,
            Account.last_login_at,
        )
        .order_by(Account.role)
        .order_by(Account.email)
    )


async def change_role(account_id: int, role: str, *, actor) -> None:
    if role not in set(Role):
        raise InvalidInput(errors={"role": _("Bitte wählen Sie eine Rolle.")})
    async with write_transaction():
        row = (
            await Account.select(Account.role, Account.patron)
            .where(Account.id == account_id)
            .first()
        )
        if row is None:
            raise NotFound(_("Dieses Benutzerkonto gibt es nicht (mehr)."))
        if row["role"] == role:
            return
        if role == Role.teacher and row["patron"] is None:
            raise Conflict(_("Eine Lehrkraft braucht einen Eintrag als Ausleihende*r."))
        if row["role"] == Role.admin:
            admins = await Account.count().where(
                Account.role == Role.admin, Account.is_active.eq(True)
            )
            if admins <= 1:
                raise Conflict(_("Das letzte Verwaltungskonto kann seine Rolle nicht abgeben."))
        await Account.update({Account.role: role}).where(Account.id == account_id)
        await audit.record(
            "account.role_changed",
            actor_id=actor.account_id,
            actor_label=actor.display_name,
            object_type="account",
            object_id=account_id,
            old=row["role"],
            new=role,
        )


async def list_tokens(account_id: int, token_days: int) -> list[dict]:
    """The account's tokens, newest first, each with ``expires_at`` and ``expired``."""
    rows = (
        await ApiToken.select(
            ApiToken.id,
            ApiToken.name,
            ApiToken.created_at,
            ApiToken.last_used_at,
            ApiToken.revoked_at,
        )
        .where(ApiToken.account == account_id)
        .order_by(ApiToken.created_at, ascending=False)
    )
    for row in rows:
        row["expires_at"] = token_expires_at(row["created_at"], token_days)
        row["expired"] = row["expires_at"] <= now()
    return rows


async def create_token(account_id: int, name: str) -> str:
    """A new personal token; the value is shown once, only its digest is stored."""
    name = name.strip()
    if not name or len(name) > 100:
        raise InvalidInput(
            errors={"name": _("Bitte geben Sie dem Token einen Namen (höchstens 100 Zeichen).")}
        )
    token = "mt_" + new_token()
    await ApiToken.insert(ApiToken(account=account_id, name=name, token_hash=token_digest(token)))
    return token


async def revoke_token(account_id: int, token_id: int) -> None:
    """Revoke one of the account's own tokens (someone else's is 'not found')."""
    revoked = (
        await ApiToken.update({ApiToken.revoked_at: now()})
        .where(ApiToken.id == token_id, ApiToken.account == account_id)
        .returning(ApiToken.id)
    )
    if not revoked:
        raise NotFound(_("Dieses Token gibt es nicht."))
