"""E-mail addresses: one check for every way an address gets in, and the form mail goes to.

An address ends up in a mail header and in the SMTP envelope. A line break there adds
headers (``bcc:``), a comma adds a recipient, and a header the mail library cannot parse
stops the message. So an address is checked by a kept library (``email-validator``, the
syntax of RFC 5322/6531 without a DNS look-up) wherever it enters: registration, staff
forms, Mein Konto, the API, the command line. Delivery checks again, because rows stored
before this check existed may hold anything.
"""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email

from mediathek.i18n import N_, _

MAX_LENGTH = 254
NOT_ONE_ADDRESS = N_(
    "Bitte geben Sie genau eine gültige E-Mail-Adresse an, ohne Leerzeichen, "
    "Zeilenumbrüche, Kommas oder Semikolons."
)
NOT_AN_ADDRESS = N_(
    "Bitte geben Sie eine gültige E-Mail-Adresse an (zum Beispiel name@beispiel.de)."
)
EMPTY = N_("Bitte geben Sie eine E-Mail-Adresse an.")


class AddressInvalid(ValueError):
    """The text is not exactly one deliverable address; ``message`` says why, in German."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _validated(text: str):
    if not text:
        raise AddressInvalid(_(EMPTY))
    # Said separately: the library's own reason would be English and less plain.
    if any(ch in ",;" or ch.isspace() or not ch.isprintable() for ch in text):
        raise AddressInvalid(_(NOT_ONE_ADDRESS))
    if len(text) > MAX_LENGTH:
        raise AddressInvalid(_(NOT_AN_ADDRESS))
    try:
        # No SMTPUTF8: a local part in non-Latin letters needs a mail server that supports
        # it, and the Mediathek's may not. Internationalised domains are fine (punycode).
        return validate_email(text, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError as exc:
        raise AddressInvalid(_(NOT_AN_ADDRESS)) from exc


def normalise_address(text: str) -> str:
    """The address as stored (lower case, domain in Unicode); raises AddressInvalid."""
    return _validated(str(text or "").strip()).normalized.lower()


def address_problem(text: str) -> str | None:
    """A German message when ``text`` is not one valid address, else None."""
    try:
        normalise_address(text)
    except AddressInvalid as exc:
        return exc.message
    return None


def delivery_address(stored: str) -> str:
    """The ASCII form for the SMTP envelope and the ``To`` header; raises AddressInvalid.

    No stripping here: a stored address with a stray line break is broken, not fixable."""
    return _validated(str(stored or "")).ascii_email.lower()
