"""Getting a login: self-registration with staff approval, invites, password reset links.

Every emailed link carries a random token minted when the e-mail is written
(``patrons.links``); only its SHA-256 digest is stored, it expires and works once. Emails are
queued in the same transaction (``notifications.outbox.enqueue``).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from mediathek.clock import now
from mediathek.db import lock_rows, lock_value, write_transaction
from mediathek.errors import Conflict, InvalidInput, NotFound
from mediathek.i18n import _
from mediathek.notifications.outbox import enqueue, notice_key
from mediathek.notifications.tables import NotificationKind
from mediathek.passwords import hash_password, password_problem
from mediathek.patrons import services
from mediathek.patrons.inputs import PatronInput, Registration
from mediathek.patrons.links import LinkInvalid, check_link, create_link
from mediathek.patrons.logins import normalise_email
from mediathek.patrons.sessions import end_all_sessions
from mediathek.patrons.tables import Account, OneTimeToken, Patron, PatronStatus, TokenPurpose
from mediathek.site_settings import get_setting
from mediathek.vocab import Role

INVITE_LIFETIME = timedelta(days=7)
RESET_LIFETIME = timedelta(hours=2)


def _password_errors(password: str, repeat: str | None) -> dict[str, str]:
    if problem := password_problem(password):
        return {"password": problem}
    if repeat is not None and repeat != password:
        return {"password_repeat": _("Die beiden Passwörter sind nicht gleich.")}
    return {}


async def register(entry: Registration, *, today: date) -> int | None:
    """A person registers online: a pending patron and an inactive login, until staff approve.

    Returns the patron id, or None when the email has a login already: the page then looks
    the same, so the form does not tell strangers which addresses are registered."""
    errors: dict[str, str] = {}
    email = normalise_email(entry.email or "")
    if not email:
        errors["email"] = _("Bitte geben Sie Ihre E-Mail-Adresse an.")
    errors |= _password_errors(entry.password, entry.password_repeat)
    if not entry.privacy_consent:
        errors["privacy_consent"] = _("Bitte stimmen Sie der Datenschutzerklärung zu.")
    # The person as she entered herself: notes and the card's expiry are the staff's.
    person = PatronInput(
        **{k: v for k, v in entry.given().items() if k in services.PATRON_FIELDS},
    )
    person = replace(person, notes=None, expires_on=None)
    fields = person.given()
    try:
        cleaned = services.clean_patron(
            replace(person, category=person.category or "", last_name=person.last_name or ""),
            staff=False,
        )
        email = cleaned.get("email", email)
    except InvalidInput as exc:
        errors = exc.errors | errors
    if errors:
        raise InvalidInput(errors=errors)
    password_hash = hash_password(entry.password)
    async with write_transaction():
        # Two registrations of one address at once: the second waits, then finds the first.
        await lock_value("account_email", email)
        if await Account.exists().where(Account.email == email):
            return None
        patron_id = await services.create_patron(
            replace(person, email=email),
            today=today,
            card_prefix="",
            status=PatronStatus.pending,
            privacy_consent_at=now(),
            staff=False,
        )
        await Account.insert(
            Account(
                email=email,
                password_hash=password_hash,
                role=Role.teacher,
                patron=patron_id,
                display_name=services.display_name(fields),
                is_active=False,
            )
        )
        # Waiting should not be an empty room: what happens next, how long, where the card is.
        await enqueue(
            NotificationKind.registration_received,
            key=notice_key(NotificationKind.registration_received, patron_id, today),
            patron_id=patron_id,
            payload={"name": services.display_name(fields), "approval_days": await approval_days()},
        )
    return patron_id


async def approval_days() -> int:
    """Working days staff take at most to approve an online registration (a site setting)."""
    return int(await get_setting("approval_days"))


async def pending_registrations() -> list[dict]:
    rows = (
        await Patron.select()
        .where(Patron.status == PatronStatus.pending)
        .order_by(Patron.created_at)
    )
    for row in rows:
        row["name"] = services.display_name(row)
    return rows


async def _pending(patron_id: int) -> dict:
    # Decided once: a second approval or rejection waits here and then finds it decided.
    await lock_rows("patron", patron_id)
    row = await Patron.select().where(Patron.id == patron_id).first()
    if row is None:
        raise NotFound("Diese Anmeldung gibt es nicht (mehr).")
    if row["status"] != PatronStatus.pending:
        raise Conflict("Über diese Anmeldung wurde schon entschieden.")
    return row


async def approve(patron_id: int, *, actor, today: date, card_prefix: str, base_url: str) -> str:
    """Activate patron and login, give a card number, email the person. Returns the card."""
    async with write_transaction():
        row = await _pending(patron_id)
        card = await services.next_card_barcode(card_prefix)
        await Patron.update(
            {
                Patron.status: PatronStatus.active,
                Patron.card_barcode: card,
                Patron.updated_at: now(),
            }
        ).where(Patron.id == patron_id)
        await Account.update({Account.is_active: True}).where(Account.patron == patron_id)
        await enqueue(
            NotificationKind.account_approved,
            key=notice_key(NotificationKind.account_approved, patron_id, today),
            patron_id=patron_id,
            payload={
                "link": base_url.rstrip("/") + "/anmelden",
                "name": services.display_name(row),
                "card": card,
            },
        )
        await services.audit_patron("patron.approved", actor, patron_id, card=card)
    return card


async def reject(patron_id: int, *, actor, today: date, reason: str = "") -> None:
    """Refuse a registration: the login is removed, the person is told by email."""
    async with write_transaction():
        row = await _pending(patron_id)
        await Patron.update({Patron.status: PatronStatus.rejected, Patron.updated_at: now()}).where(
            Patron.id == patron_id
        )
        await Account.delete().where(Account.patron == patron_id)
        await enqueue(
            NotificationKind.account_rejected,
            key=notice_key(NotificationKind.account_rejected, patron_id, today),
            patron_id=patron_id,
            payload={"name": services.display_name(row), "reason": reason.strip()[:500]},
        )
        await services.audit_patron("patron.rejected", actor, patron_id, reason=reason)


async def invite(patron_id: int, *, actor, today: date) -> None:
    """Email a patron registered at the desk a link to choose a password (a new login)."""
    async with write_transaction():
        patron = await Patron.select().where(Patron.id == patron_id).first()
        if patron is None:
            raise NotFound("Diese Person gibt es nicht (mehr).")
        if not patron["email"]:
            raise Conflict("Für eine Einladung braucht die Person eine E-Mail-Adresse.")
        account = await Account.select().where(Account.patron == patron_id).first()
        if account is not None and account["password_hash"]:
            raise Conflict("Diese Person hat schon ein Benutzerkonto.")
        if account is None:
            if await Account.exists().where(Account.email == patron["email"]):
                raise Conflict(f"Die E-Mail-Adresse {patron['email']} gehört schon zu einem Konto.")
            rows = await Account.insert(
                Account(
                    email=patron["email"],
                    role=Role.teacher,
                    patron=patron_id,
                    display_name=services.display_name(patron),
                )
            ).returning(Account.id)
            account_id = rows[0]["id"]
        else:
            account_id = account["id"]
        token_id = await create_link(account_id, TokenPurpose.invite, INVITE_LIFETIME)
        # The notice knows only which link to mint: the link itself is written into the
        # e-mail at delivery and is never stored or shown (``patrons.links``).
        await enqueue(
            NotificationKind.invite,
            key=notice_key(NotificationKind.invite, patron_id, today, token_id),
            patron_id=patron_id,
            payload={"token_id": token_id, "name": services.display_name(patron)},
        )
        await services.audit_patron("patron.invited", actor, patron_id)


async def request_password_reset(email: str, *, today: date) -> None:
    """Email a reset link when an active login has this address; otherwise do nothing.
    The caller shows the same message either way."""
    email = normalise_email(email)
    async with write_transaction():
        account = (
            await Account.select(Account.id, Account.patron, Account.is_active)
            .where(Account.email == email)
            .first()
        )
        if account is None or not account["is_active"]:
            return
        token_id = await create_link(account["id"], TokenPurpose.password_reset, RESET_LIFETIME)
        await enqueue(
            NotificationKind.password_reset,
            key=notice_key(NotificationKind.password_reset, email, today, token_id),
            patron_id=account["patron"],
            recipient=email,
            language=None if account["patron"] else "de",
            payload={"token_id": token_id},
        )


async def set_password_with_link(token: str, password: str, repeat: str | None = None) -> int:
    """Use an invite/reset link once: set the password, end all other sessions."""
    if errors := _password_errors(password, repeat):
        raise InvalidInput(errors=errors)
    password_hash = hash_password(password)
    async with write_transaction():
        row = await check_link(token)
        used = (
            await OneTimeToken.update({OneTimeToken.used_at: now()})
            .where(OneTimeToken.id == row["id"], OneTimeToken.used_at.is_null())
            .returning(OneTimeToken.id)
        )
        if not used:  # a second click at the same moment
            raise LinkInvalid(_("Dieser Link wurde schon benutzt."))
        await Account.update({Account.password_hash: password_hash}).where(
            Account.id == row["account_id"]
        )
        await end_all_sessions(row["account_id"])
    return row["account_id"]
