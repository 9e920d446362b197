"""Accounts: creating logins and checking passwords."""

from __future__ import annotations

from mediathek.errors import Conflict, InvalidInput
from mediathek.patrons.tables import Account
from mediathek.vocab import Role
from mediathek.web.security import hash_password, password_problem, verify_password

# Verifying against a fixed hash when the email is unknown keeps the response time alike,
# so timing does not tell whether an address has an account.
_DUMMY_HASH = hash_password("dummy-password-for-timing")


def normalise_email(email: str) -> str:
    return email.strip().lower()


def email_problem(email: str) -> str | None:
    local, at, domain = email.partition("@")
    if not at or not local or "." not in domain or " " in email or len(email) > 254:
        return "Bitte geben Sie eine gültige E-Mail-Adresse an."
    return None


async def authenticate(email: str, password: str) -> int | None:
    """The account id for a correct email/password of an active account, else None."""
    row = (
        await Account.select(Account.id, Account.password_hash, Account.is_active)
        .where(Account.email == normalise_email(email))
        .first()
    )
    if row is None:
        verify_password(_DUMMY_HASH, password)
        return None
    if not verify_password(row["password_hash"], password) or not row["is_active"]:
        return None
    return row["id"]


async def create_account(
    email: str,
    password: str | None,
    role: Role,
    patron_id: int | None = None,
    display_name: str = "",
    password_hash: str | None = None,
) -> int:
    email = normalise_email(email)
    errors = {}
    if problem := email_problem(email):
        errors["email"] = problem
    if password is not None and (problem := password_problem(password)):
        errors["password"] = problem
    if errors:
        raise InvalidInput(errors=errors)
    if await Account.exists().where(Account.email == email):
        raise Conflict(f"Für {email} gibt es bereits ein Benutzerkonto.")
    if password_hash is None:
        password_hash = hash_password(password) if password else ""
    row = await Account.insert(
        Account(
            email=email,
            password_hash=password_hash,
            role=role,
            patron=patron_id,
            display_name=display_name,
        )
    ).returning(Account.id)
    return row[0]["id"]
