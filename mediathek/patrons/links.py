"""One-time links (invite, password reset, e-mail change): made at delivery, seen only by
their recipient.

Creating a link stores a row with the account, the purpose, the expiry and the digest of a
throwaway value that was never shown anywhere. The token itself is minted by the mailer at the
moment it writes the e-mail (``mint``): a fresh random value whose SHA-256 digest replaces
the stored one, put into the outgoing message and nowhere else. So the database and every page
(the outbox shows a redacted body) hold nothing a staff member could follow; a copy of the
database or the secret key does not help either. Minting again (a retry, "erneut senden")
makes the previous e-mail's link stop working: the newest e-mail always carries the live one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from mediathek.clock import now
from mediathek.errors import Gone
from mediathek.i18n import _
from mediathek.passwords import new_token, token_digest
from mediathek.patrons.tables import Account, OneTimeToken, TokenPurpose

LINK_PATHS = {
    TokenPurpose.invite: "/passwort-setzen/",
    TokenPurpose.password_reset: "/passwort-setzen/",
    TokenPurpose.email_change: "/email-bestaetigen/",
}


@dataclass(frozen=True)
class MintedLink:
    url: str
    recipient: str  # where it must go: the login's address, or the new one to be confirmed


async def create_link(
    account_id: int, purpose: TokenPurpose, lifetime: timedelta, *, new_email: str = ""
) -> int:
    """A link row without a usable token yet; returns its id (the notice's payload)."""
    rows = await OneTimeToken.insert(
        OneTimeToken(
            account=account_id,
            purpose=purpose,
            token_hash=token_digest(new_token()),
            expires_at=now() + lifetime,
            new_email=new_email,
        )
    ).returning(OneTimeToken.id)
    return rows[0]["id"]


async def mint(token_id: int, base_url: str, at: datetime) -> MintedLink | None:
    """A fresh token for the link row; None when it was used, ran out or is gone."""
    token = new_token()
    rows = (
        await OneTimeToken.update({OneTimeToken.token_hash: token_digest(token)})
        .where(
            (OneTimeToken.id == token_id)
            & OneTimeToken.used_at.is_null()
            & (OneTimeToken.expires_at > at)
        )
        .returning(OneTimeToken.account, OneTimeToken.purpose, OneTimeToken.new_email)
    )
    if not rows:
        return None
    row = rows[0]
    if row["purpose"] == TokenPurpose.email_change:
        recipient = row["new_email"]
    else:
        # Always the login's own address: never one that someone else could have typed in.
        account = await Account.select(Account.email).where(Account.id == row["account"]).first()
        recipient = account["email"] if account else ""
    path = LINK_PATHS[TokenPurpose(row["purpose"])]
    return MintedLink(url=f"{base_url.rstrip('/')}{path}{token}", recipient=recipient)


class LinkInvalid(Gone):
    code = "link_invalid"


PASSWORD_PURPOSES = (TokenPurpose.invite, TokenPurpose.password_reset)


async def check_link(token: str, purposes=PASSWORD_PURPOSES) -> dict:
    """The live link row of ``token`` for one of ``purposes``; raises LinkInvalid."""
    row = (
        await OneTimeToken.select(
            OneTimeToken.id,
            OneTimeToken.purpose,
            OneTimeToken.expires_at,
            OneTimeToken.used_at,
            OneTimeToken.account.id.as_alias("account_id"),
            OneTimeToken.account.email.as_alias("email"),
            OneTimeToken.new_email,
        )
        .where(
            (OneTimeToken.token_hash == token_digest(token))
            & OneTimeToken.purpose.is_in(list(purposes))
        )
        .first()
    )
    if row is None or row["used_at"] is not None or row["expires_at"] < now():
        raise LinkInvalid(
            _(
                "Dieser Link ist abgelaufen oder wurde schon benutzt. "
                "Bitte fordern Sie einen neuen an („Passwort vergessen?“)."
            )
        )
    return row
