"""Business facts that stop an action. No HTTP here: ``web.errors`` maps them in one place.

Each error carries a German message meant for the person in front of the screen. The kind of
fact is the class: a new error subclasses the base that says what happened (not found, not
allowed, invalid input, clashes with the current state, gone, too many attempts, refused).
"""

from __future__ import annotations

from mediathek.i18n import _


class DomainError(Exception):
    """Base of all business errors. ``message`` is plain German for the UI and the API."""

    code = "domain_error"

    def __init__(self, message: str, **detail: object) -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail


class NotFound(DomainError):
    code = "not_found"


class Forbidden(DomainError):
    code = "forbidden"


class InvalidInput(DomainError):
    """Form or API input that fails validation; ``errors`` maps field name → message."""

    code = "invalid_input"

    def __init__(self, message: str | None = None, errors=None) -> None:
        super().__init__(message or _("Bitte prüfen Sie Ihre Eingaben."))
        self.errors: dict[str, str] = dict(errors or {})


class Conflict(DomainError):
    """The action clashes with the current state (already exists, already done …)."""

    code = "conflict"


class Refused(DomainError):
    """The request as a whole is not accepted (a login that does not match), without saying
    which part was wrong."""

    code = "refused"


class Gone(DomainError):
    """What the request points to existed once and is used up or expired (a one-time link)."""

    code = "gone"


class TooManyAttempts(DomainError):
    """Too many tries in a short time; the person has to wait."""

    code = "too_many_attempts"
