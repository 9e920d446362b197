"""Changing the address a login uses: only with the owner's confirmation.

Whoever controls a login's address can reset its password, so the address of a login never
changes on someone's say-so. A change is requested (by the owner in Mein Konto, or by staff
for a login of a lower role), a one-time link goes to the new address and a notice to the old
one, and only when the owner uses the link, logged in with the old address, does the login
(with the patron's contact address) move. A login that never had a password has no owner
who could log in yet: for it, the link alone confirms.
"""

from __future__ import annotations

from datetime import timedelta

from mediathek import audit
from mediathek.clock import now
from mediathek.db import write_transaction
from mediathek.errors import Forbidden, InvalidInput
from mediathek.i18n import N_, _
from mediathek.notifications.outbox import enqueue, notice_key
from mediathek.notifications.tables import NotificationKind
from mediathek.patrons import policy
from mediathek.patrons.links import LinkInvalid, check_link, create_link
from mediathek.patrons.tables import Account, OneTimeToken, Patron, TokenPurpose

EMAIL_CHANGE_LIFETIME = timedelta(days=2)
TAKEN = N_("Diese E-Mail-Adresse gehört schon zu einem anderen Konto.")
NOT_YOURS = N_(
    "Die Anmelde-Adresse eines Kontos mit gleicher oder höherer Rolle können Sie nicht ändern. "
    "Die Person kann das selbst unter „Mein Konto“ tun, oder die Verwaltung hilft."
)
OTHER_LOGIN = N_(
    "Dieser Link gehört zu einem anderen Konto. Bitte melden Sie sich ab und mit der "
    "bisherigen Adresse des Kontos an, dessen Adresse geändert werden soll."
)


def _actor_label(actor) -> str:
    return getattr(actor, "display_name", "") or getattr(actor, "email", "")


async def request_email_change(
    account: dict, new_email: str, *, name: str = "", actor=None
) -> None:
    """Queue the confirmation link (new address) and the notice (old address).

    ``account``: id, email, role, patron of the login; ``actor`` None = its owner.
    Call inside a write transaction; ``new_email`` is checked and normalised already."""
    if actor is not None and not policy.may_change_login(
        actor.role, actor.account_id, account["role"], account["id"]
    ):
        raise Forbidden(_(NOT_YOURS))
    if await Account.exists().where((Account.email == new_email) & (Account.id != account["id"])):
        raise InvalidInput(errors={"email": _(TAKEN)})
    language = "de"
    if account["patron"]:
        patron = (
            await Patron.select(Patron.preferred_language)
            .where(Patron.id == account["patron"])
            .first()
        )
        language = patron["preferred_language"] if patron else "de"
    # The newest request counts: an older link would move the login somewhere else.
    await OneTimeToken.update({OneTimeToken.used_at: now()}).where(
        (OneTimeToken.account == account["id"])
        & (OneTimeToken.purpose == TokenPurpose.email_change)
        & OneTimeToken.used_at.is_null()
    )
    token_id = await create_link(
        account["id"], TokenPurpose.email_change, EMAIL_CHANGE_LIFETIME, new_email=new_email
    )
    today = now().date()
    # Both notices name their recipient: neither may follow a patron address meanwhile.
    await enqueue(
        NotificationKind.email_change_confirm,
        key=notice_key(NotificationKind.email_change_confirm, account["id"], today, token_id),
        recipient=new_email,
        language=language,
        payload={"token_id": token_id, "name": name},
    )
    await enqueue(
        NotificationKind.email_change_notice,
        key=notice_key(NotificationKind.email_change_notice, account["id"], today, token_id),
        recipient=account["email"],
        language=language,
        payload={"name": name, "new_email": new_email},
    )
    await audit.record(
        "account.email_change_requested",
        actor_id=actor.account_id if actor else account["id"],
        actor_label=_actor_label(actor) if actor else account["email"],
        object_type="account",
        object_id=account["id"],
        new_email=new_email,
    )


async def link_for(token: str) -> dict:
    """The live e-mail change link of ``token``, with whether its login has a password."""
    try:
        row = await check_link(token, (TokenPurpose.email_change,))
    except LinkInvalid as exc:
        raise LinkInvalid(
            _(
                "Dieser Link ist abgelaufen oder wurde schon benutzt. Die E-Mail-Adresse bleibt, "
                "wie sie war; Sie können die Änderung unter „Mein Konto“ neu anstoßen."
            )
        ) from exc
    account = (
        await Account.select(Account.password_hash).where(Account.id == row["account_id"]).first()
    )
    return {**row, "has_password": bool(account and account["password_hash"])}


async def confirm_email_change(token: str, account_id: int | None) -> str:
    """Use the link once: the login and the patron's contact address move to the new one.

    ``account_id``: the login of the person using it (None when not logged in)."""
    async with write_transaction():
        row = await link_for(token)
        if row["has_password"] and account_id != row["account_id"]:
            raise Forbidden(_(OTHER_LOGIN))
        used = (
            await OneTimeToken.update({OneTimeToken.used_at: now()})
            .where(OneTimeToken.id == row["id"], OneTimeToken.used_at.is_null())
            .returning(OneTimeToken.account)
        )
        if not used:
            raise LinkInvalid(_("Dieser Link wurde schon benutzt."))
        new_email = row["new_email"]
        if await Account.exists().where(
            (Account.email == new_email) & (Account.id != row["account_id"])
        ):
            raise InvalidInput(_(TAKEN), errors={"email": _(TAKEN)})
        account = (
            await Account.update({Account.email: new_email})
            .where(Account.id == row["account_id"])
            .returning(Account.patron)
        )
        if account and account[0]["patron"]:
            await Patron.update({Patron.email: new_email, Patron.updated_at: now()}).where(
                Patron.id == account[0]["patron"]
            )
        await audit.record(
            "account.email_changed",
            actor_id=row["account_id"],
            actor_label=row["email"],
            object_type="account",
            object_id=row["account_id"],
            old_email=row["email"],
            new_email=new_email,
        )
    return new_email
