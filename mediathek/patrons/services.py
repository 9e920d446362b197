"""Patrons as staff manage them: register, edit, search, block; each gets a library card code."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from mediathek import audit, i18n
from mediathek.addresses import AddressInvalid, normalise_address
from mediathek.catalogue.barcodes import code_number, is_valid_code, make_code, normalise_code
from mediathek.clock import now
from mediathek.db import current_engine, is_sqlite, write_transaction
from mediathek.errors import InvalidInput, NotFound
from mediathek.i18n import _
from mediathek.patrons.email_change import request_email_change
from mediathek.patrons.inputs import PatronInput
from mediathek.patrons.tables import Account, Patron, PatronStatus
from mediathek.vocab import PatronCategory

# Every language the site speaks; each notice is written in all of them.
EMAIL_LANGUAGES = {code: language.name for code, language in i18n.LANGUAGES.items()}
# A registration runs two years unless staff set another date.
REGISTRATION_YEARS = 2
# Any constant: serialises card number allocation between app instances on PostgreSQL.
CARD_LOCK_ID = 7_340_001

PATRON_FIELDS = (
    "first_name",
    "last_name",
    "category",
    "institution",
    "email",
    "phone",
    "street",
    "postcode",
    "city",
    "preferred_language",
    "expires_on",
    "notes",
)
LIMITS = {
    "first_name": 100,
    "last_name": 100,
    "institution": 200,
    "email": 254,
    "phone": 50,
    "street": 200,
    "postcode": 10,
    "city": 100,
    "notes": 5000,
}


def parse_date(value: Any) -> date | None:
    """ISO (from <input type=date> and the API) or German TT.MM.JJJJ; None when empty."""
    if isinstance(value, date):
        return value
    text = str(value or "").strip()
    if not text:
        return None
    m = re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.(\d{4})", text)
    try:
        if m:
            return date(int(m[3]), int(m[2]), int(m[1]))
        return date.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(text) from exc


def clean_patron(entry: PatronInput, *, staff: bool = True) -> dict[str, Any]:
    """Checked, trimmed values of the fields given; raises InvalidInput."""
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    given = entry.given()
    for name in PATRON_FIELDS:
        if name not in given:
            continue
        value = given[name]
        if name == "expires_on":
            try:
                out[name] = parse_date(value)
            except ValueError:
                errors[name] = _("Bitte geben Sie das Datum als TT.MM.JJJJ an.")
            continue
        text = "" if value is None else str(value).strip()
        if "\x00" in text:
            errors[name] = _("Die Eingabe enthält ungültige Zeichen.")
            continue
        if name in LIMITS and len(text) > LIMITS[name]:
            errors[name] = _("Höchstens %(num)s Zeichen.") % {"num": LIMITS[name]}
            continue
        out[name] = text
    if "last_name" in out and not out["last_name"]:
        errors["last_name"] = _(
            "Bitte geben Sie einen Nachnamen (oder den Namen der Einrichtung) an."
        )
    if "category" in out:
        allowed = set(PatronCategory) if staff else set(PatronCategory) - {PatronCategory.staff}
        if out["category"] not in allowed:
            errors["category"] = _("Bitte wählen Sie eine Nutzergruppe.")
    if out.get("email"):
        try:
            out["email"] = normalise_address(out["email"])
        except AddressInvalid as exc:
            errors["email"] = exc.message
    if "preferred_language" in out and out["preferred_language"] not in EMAIL_LANGUAGES:
        errors["preferred_language"] = _("Bitte wählen Sie eine der angebotenen Sprachen.")
    if errors:
        raise InvalidInput(errors=errors)
    return out


async def audit_patron(action: str, actor, patron_id: int, **detail: Any) -> None:
    await audit.record(
        action,
        actor_id=actor.account_id,
        actor_label=actor.display_name,
        object_type="patron",
        object_id=patron_id,
        **detail,
    )


def default_expiry(today: date) -> date:
    try:
        return today.replace(year=today.year + REGISTRATION_YEARS)
    except ValueError:  # 29 February
        return today + timedelta(days=365 * REGISTRATION_YEARS)


async def _lock_cards() -> None:
    # SQLite's BEGIN IMMEDIATE already serialises writers; PostgreSQL needs a lock so two
    # registrations at the same moment do not compute the same next number.
    if not is_sqlite(current_engine()):
        await Patron.raw("SELECT pg_advisory_xact_lock({})", CARD_LOCK_ID)


async def next_card_barcode(prefix: str) -> str:
    """The next free card code (call inside a write transaction)."""
    await _lock_cards()
    rows = await Patron.select(Patron.card_barcode).where(Patron.card_barcode.like(f"{prefix}%"))
    numbers = [
        code_number(r["card_barcode"], prefix)
        for r in rows
        if is_valid_code(r["card_barcode"], prefix)
    ]
    return make_code(prefix, max(numbers, default=0) + 1)


async def create_patron(
    entry: PatronInput,
    *,
    today: date,
    card_prefix: str,
    actor=None,
    status: PatronStatus = PatronStatus.active,
    privacy_consent_at=None,
    staff: bool = True,
) -> int:
    # A new borrower needs a group and a name: missing ones are empty, and refused.
    entry = replace(entry, category=entry.category or "", last_name=entry.last_name or "")
    fields = clean_patron(entry, staff=staff)
    fields.setdefault("expires_on", None)
    if fields["expires_on"] is None:
        fields["expires_on"] = default_expiry(today)
    async with write_transaction():
        card = await next_card_barcode(card_prefix) if status == PatronStatus.active else None
        row = await Patron.insert(
            Patron(
                **fields,
                card_barcode=card,
                status=status,
                registered_on=today,
                privacy_consent_at=privacy_consent_at,
            )
        ).returning(Patron.id)
        patron_id = row[0]["id"]
        if actor is not None:
            await audit_patron("patron.created", actor, patron_id, card=card)
    return patron_id


async def get_patron(patron_id: int) -> dict[str, Any]:
    row = await Patron.select().where(Patron.id == patron_id).first()
    if row is None:
        raise NotFound(_("Diese Person gibt es nicht (mehr)."))
    account = (
        await Account.select(Account.id, Account.email, Account.is_active, Account.role)
        .where(Account.patron == patron_id)
        .first()
    )
    row["account"] = account
    row["name"] = display_name(row)
    row["blocked"] = bool(row["blocked_reason"])
    return row


def display_name(row: dict[str, Any]) -> str:
    return " ".join(p for p in (row.get("first_name"), row.get("last_name")) if p)


async def update_patron(patron_id: int, entry: PatronInput, *, actor=None) -> str | None:
    """Save changed fields. ``actor`` None: the patron herself (Mein Konto).

    The address of a patron with a login is the login's: it changes only when the owner
    confirms (``email_change``). Returns the new address waiting for that, if any."""
    fields = clean_patron(entry)
    if not fields:
        return None
    pending = None
    async with write_transaction():
        current = (
            await Patron.select(Patron.email, Patron.first_name, Patron.last_name)
            .where(Patron.id == patron_id)
            .first()
        )
        if current is None:
            raise NotFound(_("Diese Person gibt es nicht (mehr)."))
        new_email = fields.get("email")
        if new_email is not None and new_email != current["email"]:
            account = (
                await Account.select(Account.id, Account.email, Account.role, Account.patron)
                .where(Account.patron == patron_id)
                .first()
            )
            if account is not None:
                del fields["email"]
                if not new_email:
                    raise InvalidInput(
                        errors={
                            "email": _(
                                "Diese Person hat ein Benutzerkonto: die E-Mail-Adresse "
                                "kann nicht leer sein."
                            )
                        }
                    )
                await request_email_change(
                    account, new_email, name=display_name(current), actor=actor
                )
                pending = new_email
        if fields:
            await Patron.update({Patron.updated_at: now()}, **fields).where(Patron.id == patron_id)
        if actor is not None:
            await audit_patron("patron.updated", actor, patron_id, fields=sorted(fields))
    return pending


async def set_blocked(patron_id: int, reason: str | None, *, actor) -> None:
    """Block with a reason (``reason`` text) or unblock (``reason`` None)."""
    if reason is not None:
        reason = reason.strip()
        if not reason:
            raise InvalidInput(
                errors={"reason": _("Bitte geben Sie einen Grund für die Sperre an.")}
            )
        if len(reason) > 500:
            raise InvalidInput(errors={"reason": _("Höchstens %(num)s Zeichen.") % {"num": 500}})
    async with write_transaction():
        if not await Patron.exists().where(Patron.id == patron_id):
            raise NotFound(_("Diese Person gibt es nicht (mehr)."))
        await Patron.update({Patron.blocked_reason: reason or "", Patron.updated_at: now()}).where(
            Patron.id == patron_id
        )
        await audit_patron(
            "patron.blocked" if reason else "patron.unblocked",
            actor,
            patron_id,
            reason=reason or "",
        )


async def search_patrons(query: str = "", *, status: str = "", limit: int = 50) -> list[dict]:
    """Every word must match name, email, institution or card code (case-insensitive)."""
    q = Patron.select(
        Patron.id,
        Patron.first_name,
        Patron.last_name,
        Patron.category,
        Patron.institution,
        Patron.email,
        Patron.card_barcode,
        Patron.status,
        Patron.blocked_reason,
        Patron.expires_on,
    )
    # SQLite's LIKE is case-insensitive already (and piccolo warns on ILIKE there).
    like = "like" if is_sqlite(current_engine()) else "ilike"
    words = [w for w in query.replace("\x00", "").split() if w][:5]
    for word in words:
        pattern = f"%{word.replace('%', '').replace('_', '')}%"
        q = q.where(
            getattr(Patron.first_name, like)(pattern)
            | getattr(Patron.last_name, like)(pattern)
            | getattr(Patron.email, like)(pattern)
            | getattr(Patron.institution, like)(pattern)
            | getattr(Patron.card_barcode, like)(f"%{normalise_code(word)}%")
        )
    if status in set(PatronStatus):
        q = q.where(Patron.status == status)
    rows = await q.order_by(Patron.last_name).order_by(Patron.first_name).limit(limit)
    for row in rows:
        row["name"] = display_name(row)
    return rows


async def find_by_card(code: str) -> dict[str, Any] | None:
    return await Patron.select().where(Patron.card_barcode == normalise_code(code)).first()
