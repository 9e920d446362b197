"""Business facts that stop an action. No HTTP here: ``web.errors`` maps them in one place.

Each error carries a German message meant for the person in front of the screen.
"""

from __future__ import annotations

from mediathek.i18n import _


class DomainError(Exception):
    """Base of all business errors. ``message`` is plain German for the UI and the API."""

    status = 409  # the HTTP status the web layer uses unless a subclass says otherwise
    code = "domain_error"

    def __init__(self, message: str, **detail: object) -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


class InvalidInput(DomainError):
    """Form or API input that fails validation; ``errors`` maps field name → message."""

    status = 422
    code = "invalid_input"

    def __init__(self, message: str | None = None, errors=None) -> None:
        super().__init__(message or _("Bitte prüfen Sie Ihre Eingaben."))
        self.errors: dict[str, str] = dict(errors or {})


class Conflict(DomainError):
    """The action clashes with the current state (already exists, already done …)."""

    status = 409
    code = "conflict"
