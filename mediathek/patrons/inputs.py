"""What staff, a teacher or a script enter about a borrower: the patrons services' input.

The pages parse their forms into these, the JSON API's bodies are these (the date as a date)
and go straight through. ``None`` leaves a field as it is (a new borrower: empty).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date
from typing import Any


@dataclass
class PatronInput:
    """A borrower's fields; ``expires_on`` a date or as typed (TT.MM.JJJJ or ISO)."""

    first_name: str | None = None
    last_name: str | None = None
    category: str | None = None
    institution: str | None = None
    email: str | None = None
    phone: str | None = None
    street: str | None = None
    postcode: str | None = None
    city: str | None = None
    preferred_language: str | None = None
    expires_on: date | str | None = None
    notes: str | None = None

    def given(self) -> dict[str, Any]:
        """The fields given (not None), by name."""
        return {
            f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) is not None
        }


def patron_input(values: Mapping[str, str]) -> PatronInput:
    """A page's form values as a ``PatronInput``: the fields the form has, others left out."""
    names = {f.name for f in fields(PatronInput)}
    return PatronInput(**{k: v for k, v in values.items() if k in names})


def registration_input(values: Mapping[str, str]) -> Registration:
    """The registration form's values as a ``Registration``."""
    return Registration(
        **patron_input(values).given(),
        password=values.get("password", ""),
        password_repeat=values.get("password_repeat", ""),
        privacy_consent=bool(values.get("privacy_consent")),
    )


@dataclass
class Registration(PatronInput):
    """An online registration: the person, and for the login the password twice and the
    consent to the privacy policy."""

    password: str = ""
    password_repeat: str = ""
    privacy_consent: bool = False
