"""A patron's own account: profile, password, their data as JSON, deletion (DSGVO)."""

from __future__ import annotations

from typing import Any

from mediathek import audit
from mediathek.circulation.tables import Loan
from mediathek.clock import now
from mediathek.db import write_transaction
from mediathek.errors import Conflict, InvalidInput, NotFound
from mediathek.i18n import _, ngettext
from mediathek.notifications.tables import Notification
from mediathek.passwords import hash_password, password_problem, verify_password
from mediathek.patrons import services
from mediathek.patrons.inputs import PatronInput
from mediathek.patrons.sessions import end_all_sessions
from mediathek.patrons.tables import Account, Patron
from mediathek.reports.privacy import anonymise_loans_of_patron
from mediathek.reservations.tables import Booking, Hold

# What a patron may change themselves; category stays with the staff. A new e-mail address
# counts once confirmed through the link sent to it (``email_change``).
OWN_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "phone",
    "street",
    "postcode",
    "city",
    "preferred_language",
)


async def update_own_profile(patron_id: int, entry: PatronInput) -> str | None:
    """Save the patron's own changes (of ``OWN_FIELDS``; others are ignored); returns a new
    address waiting for confirmation."""
    fields = {k: v for k, v in entry.given().items() if k in OWN_FIELDS}
    async with write_transaction():
        pending = await services.update_patron(patron_id, PatronInput(**fields))
        if "first_name" in fields or "last_name" in fields:
            # The page header greets her by the login's display name: it follows the name.
            row = (
                await Patron.select(Patron.first_name, Patron.last_name)
                .where(Patron.id == patron_id)
                .first()
            )
            assert row is not None  # updated above, in this transaction
            await Account.update({Account.display_name: services.display_name(row)}).where(
                Account.patron == patron_id
            )
        if "preferred_language" in fields:
            # One choice for her: the language of her e-mails is that of her pages too.
            await Account.update({Account.language: fields["preferred_language"]}).where(
                Account.patron == patron_id
            )
    return pending


async def change_password(account_id: int, current: str, new: str, repeat: str) -> None:
    """Check the current password, set the new one and end every session of the account."""
    row = await Account.select(Account.password_hash).where(Account.id == account_id).first()
    errors = {}
    if row is None or not verify_password(row["password_hash"], current):
        errors["current_password"] = _("Das bisherige Passwort stimmt nicht.")
    elif problem := password_problem(new):
        errors["password"] = problem
    elif new != repeat:
        errors["password_repeat"] = _("Die beiden Passwörter sind nicht gleich.")
    if errors:
        raise InvalidInput(errors=errors)
    await Account.update({Account.password_hash: hash_password(new)}).where(
        Account.id == account_id
    )
    await end_all_sessions(account_id)


def _plain(rows: list[dict]) -> list[dict]:
    return [
        {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in r.items()} for r in rows
    ]


async def export_data(patron_id: int) -> dict[str, Any]:
    """Everything stored about a patron (DSGVO Art. 15), as plain JSON values."""
    patron = await Patron.select().where(Patron.id == patron_id).first()
    if patron is None:
        raise NotFound("Diese Person gibt es nicht (mehr).")
    account = await Account.select(
        Account.email, Account.role, Account.created_at, Account.last_login_at
    ).where(Account.patron == patron_id)
    loans = await Loan.select(
        Loan.id,
        Loan.title.title.as_alias("title"),
        Loan.copy.barcode.as_alias("copy"),
        Loan.loaned_on,
        Loan.due_on,
        Loan.returned_at,
        Loan.renewals,
        Loan.reminder_level,
    ).where(Loan.patron == patron_id)
    holds = await Hold.select(
        Hold.id, Hold.title.title.as_alias("title"), Hold.status, Hold.placed_at, Hold.pickup_until
    ).where(Hold.patron == patron_id)
    bookings = await Booking.select(
        Booking.id,
        Booking.title.title.as_alias("title"),
        Booking.start_on,
        Booking.end_on,
        Booking.status,
    ).where(Booking.patron == patron_id)
    notifications = await Notification.select(
        Notification.kind,
        Notification.recipient,
        Notification.subject,
        Notification.status,
        Notification.created_at,
        Notification.sent_at,
    ).where(Notification.patron == patron_id)
    return {
        "patron": _plain([patron])[0],
        "account": _plain(account)[0] if account else None,
        "loans": _plain(loans),
        "holds": _plain(holds),
        "bookings": _plain(bookings),
        "notifications": _plain(notifications),
        "exported_at": now().isoformat(),
    }


async def request_deletion(patron_id: int) -> None:
    await Patron.update({Patron.deletion_requested_at: now()}).where(
        Patron.id == patron_id, Patron.deletion_requested_at.is_null()
    )


async def deletion_requests() -> list[dict]:
    rows = (
        await Patron.select(
            Patron.id,
            Patron.first_name,
            Patron.last_name,
            Patron.email,
            Patron.card_barcode,
            Patron.deletion_requested_at,
        )
        .where(Patron.deletion_requested_at.is_not_null())
        .order_by(Patron.deletion_requested_at)
    )
    for row in rows:
        row["name"] = services.display_name(row)
        row["open_loans"] = await Loan.count().where(
            Loan.patron == row["id"], Loan.returned_at.is_null()
        )
    return rows


async def delete_patron(patron_id: int, *, actor) -> None:
    """Delete a patron with login, holds and bookings; returned loans stay anonymous for
    statistics. Refused while loans are open (the items must come back first)."""
    async with write_transaction():
        patron = (
            await Patron.select(Patron.id, Patron.card_barcode)
            .where(Patron.id == patron_id)
            .first()
        )
        if patron is None:
            raise NotFound("Diese Person gibt es nicht (mehr).")
        open_count = await Loan.count().where(Loan.patron == patron_id, Loan.returned_at.is_null())
        if open_count:
            raise Conflict(
                ngettext(
                    "Löschen ist erst möglich, wenn alles zurückgegeben ist "
                    "(noch %(num)s offene Ausleihe).",
                    "Löschen ist erst möglich, wenn alles zurückgegeben ist "
                    "(noch %(num)s offene Ausleihen).",
                    open_count,
                )
                % {"num": open_count}
            )
        # Through the anonymisation job's own step, so the yearly borrower counts keep them.
        anonymised = await anonymise_loans_of_patron(patron_id)
        await Hold.delete().where(Hold.patron == patron_id)
        await Booking.delete().where(Booking.patron == patron_id)
        await Account.delete().where(Account.patron == patron_id)
        await Patron.delete().where(Patron.id == patron_id)
        await audit.record(
            "patron.deleted",
            actor_id=actor.account_id,
            actor_label=actor.display_name,
            object_type="patron",
            object_id=patron_id,
            anonymised_loans=anonymised,
        )
