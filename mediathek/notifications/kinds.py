"""What each kind of notice is about, and the payload other areas put into the outbox.

``enqueue(kind, key=…, patron_id=…, payload={…})`` stores the payload; the kind's text
(``notifications.texts``, in the reader's language) renders it. Every field is
optional for rendering (a missing one is left out), but the fields below are the contract.

- ``due_soon`` / ``overdue`` (created by ``notifications.reminders``, level 0 resp. 1–3):
  ``{"name", "items": [{"loan_id", "title", "barcode", "due_on" (ISO date), "level"}]}``
  (``level`` 0 = due soon, 1–3 = overdue level). Items returned before delivery are dropped.
  Each item is also recorded in ``loan_notice`` (loan, due date, level): told once.
- ``hold_ready``: ``{"title", "pickup_until" (ISO date), "barcode"}``
- ``hold_expired``: ``{"title"}``
- ``booking_confirmed`` / ``booking_ready``: ``{"title", "start_on", "end_on", "barcode"?}``
- ``loan_receipt``: ``{"items": [{"title", "barcode", "due_on", "parts", "due_reason"}],
  "returned": [{"title", "barcode", "returned_on", "parts", "missing"}]}`` (lent and
  returned today; either list may be empty)
- ``registration_received``: ``{"name", "approval_days"}`` (what happens until the approval)
- ``account_approved`` / ``account_rejected``: ``{"name", "reason"?}``
- ``invite``: ``{"token_id", "name"}``
- ``password_reset``: ``{"token_id"}``
- ``email_change_confirm``: ``{"token_id", "name"}`` (to the new address)
- ``email_change_notice``: ``{"name", "new_email"}`` (to the old address; masked there)
- ``login_warning``: ``{"minutes"}`` (how long the guessing device is locked out)
- ``test``: ``{}`` (the staff page's "Test-E-Mail senden")
- ``card_expiry``: ``{"name", "expires_on" (ISO date)}`` (14 days ahead, once per expiry date)
- ``dates_moved``: ``{"closure", "items": [{"title", "what", "old", "new"}]}`` (a closure
  moved her dates to the next opening day; ``what``: due_on, pickup_until or booking_start)
- ``pickup_reminder`` (created by ``notifications.pickup``): ``{"name", "pickup_on" (ISO
  date), "items": [{"booking_id", "title", "start_on", "end_on"}]}`` — the
  opening day before the pickup day, one per borrower and pickup day; carries an .ics file.
  Bookings cancelled before delivery are dropped.

The secret kinds carry only the id of their one-time link row: the link itself is minted
while the e-mail is written and reaches the recipient alone (``patrons.links``). What is
stored and shown to staff says ``REDACTED_LINK`` instead.
"""

from __future__ import annotations

from mediathek import i18n
from mediathek.i18n import N_
from mediathek.notifications.tables import NotificationKind, NotificationStatus

KIND_LABELS: dict[str, str] = {
    NotificationKind.due_soon: N_("Erinnerung: bald fällig"),
    NotificationKind.overdue: N_("Mahnung (überfällig)"),
    NotificationKind.hold_ready: N_("Vormerkung abholbereit"),
    NotificationKind.hold_expired: N_("Abholfrist abgelaufen"),
    NotificationKind.booking_confirmed: N_("Reservierung bestätigt"),
    NotificationKind.booking_ready: N_("Reservierung abholbereit"),
    NotificationKind.loan_receipt: N_("Ausleihquittung"),
    NotificationKind.registration_received: N_("Registrierung eingegangen"),
    NotificationKind.account_approved: N_("Konto freigeschaltet"),
    NotificationKind.account_rejected: N_("Registrierung abgelehnt"),
    NotificationKind.invite: N_("Einladung"),
    NotificationKind.password_reset: N_("Passwort zurücksetzen"),
    NotificationKind.email_change_confirm: N_("E-Mail-Änderung bestätigen"),
    NotificationKind.email_change_notice: N_("E-Mail-Änderung (Hinweis an alte Adresse)"),
    NotificationKind.login_warning: N_("Warnung: fehlgeschlagene Anmeldungen"),
    NotificationKind.test: N_("Test-E-Mail"),
    NotificationKind.card_expiry: N_("Ausweis läuft bald ab"),
    NotificationKind.dates_moved: N_("Termine verschoben (Schließzeit)"),
    NotificationKind.pickup_reminder: N_("Erinnerung: Reservierung abholen"),
}

STATUS_LABELS: dict[str, str] = {
    NotificationStatus.queued: N_("wartet"),
    NotificationStatus.sent: N_("gesendet"),
    NotificationStatus.failed: N_("fehlgeschlagen"),
}

# Kinds whose payload lists loans: re-checked at delivery time (returned items are dropped).
LOAN_DIGEST_KINDS = frozenset({NotificationKind.due_soon, NotificationKind.overdue})

# The languages a notice is written in (the site's); any other falls back to German.
TEMPLATE_LANGUAGES = i18n.SUPPORTED

# Kinds whose payload lists bookings: re-checked at delivery (cancelled ones are dropped).
BOOKING_DIGEST_KINDS = frozenset({NotificationKind.pickup_reminder})

# Kinds whose e-mail carries a one-time link: composed at delivery, redacted everywhere else.
SECRET_KINDS = frozenset(
    {
        NotificationKind.invite,
        NotificationKind.password_reset,
        NotificationKind.email_change_confirm,
    }
)
REDACTED_LINK = "[Link entfernt: er steht nur in der E-Mail an die Empfängerin]"

# Written into last_error when a reminder is no longer needed at delivery time.
ALL_RETURNED = "erledigt: alles zurückgegeben"
# … and when every booking of a pickup reminder was cancelled (or collected) meanwhile.
ALL_CANCELLED = "erledigt: keine Reservierung mehr abzuholen"

# Example payloads: the template editor's preview and checks use them.
SAMPLE_ITEMS = [
    {
        "loan_id": 1,
        "title": "Bildkarten Obst und Gemüse",
        "barcode": "M000011",
        "due_on": "2026-03-13",
        "level": 0,
    },
    {
        "loan_id": 2,
        "title": "Tiptoi: Wir entdecken Wörter",
        "barcode": "M000029",
        "due_on": "2026-03-03",
        "level": 1,
    },
]
SAMPLE_PAYLOADS: dict[str, dict] = {
    NotificationKind.due_soon: {"name": "Anna Berger", "items": SAMPLE_ITEMS[:1]},
    NotificationKind.overdue: {"name": "Anna Berger", "items": SAMPLE_ITEMS},
    NotificationKind.hold_ready: {
        "title": "Memo-Spiel Tiere",
        "pickup_until": "2026-03-19",
        "barcode": "M000037",
    },
    NotificationKind.hold_expired: {"title": "Memo-Spiel Tiere"},
    NotificationKind.booking_confirmed: {
        "title": "Medienkoffer Kita",
        "start_on": "2026-04-13",
        "end_on": "2026-04-24",
    },
    NotificationKind.booking_ready: {
        "title": "Medienkoffer Kita",
        "start_on": "2026-04-13",
        "end_on": "2026-04-24",
        "barcode": "M000045",
    },
    NotificationKind.loan_receipt: {
        "items": [{k: v for k, v in i.items() if k != "level"} for i in SAMPLE_ITEMS[:1]],
        "returned": [
            {
                "title": "Medienkoffer Kita",
                "barcode": "M000045",
                "returned_on": "2026-03-10",
                "parts": ["1 × Handpuppe", "2 × Würfel"],
                "missing": "1 von 2 × Würfel",
            }
        ],
    },
    NotificationKind.registration_received: {"name": "Anna Berger", "approval_days": 3},
    NotificationKind.account_approved: {"name": "Anna Berger"},
    NotificationKind.account_rejected: {"name": "Anna Berger", "reason": "Keine Lehrtätigkeit"},
    NotificationKind.invite: {"name": "Anna Berger", "token_id": 1},
    NotificationKind.password_reset: {"token_id": 1},
    NotificationKind.email_change_confirm: {"name": "Anna Berger", "token_id": 1},
    NotificationKind.email_change_notice: {"name": "Anna Berger", "new_email": "a***@example.org"},
    NotificationKind.login_warning: {"minutes": 15},
    NotificationKind.test: {},
    NotificationKind.card_expiry: {"name": "Anna Berger", "expires_on": "2026-03-24"},
    NotificationKind.dates_moved: {
        "closure": "Fortbildung",
        "items": [
            {
                "title": "Bildkarten Obst und Gemüse",
                "what": "due_on",
                "old": "2026-03-13",
                "new": "2026-03-16",
            }
        ],
    },
    NotificationKind.pickup_reminder: {
        "name": "Anna Berger",
        "pickup_on": "2026-04-13",
        "items": [
            {
                "booking_id": 1,
                "title": "Medienkoffer Kita",
                "start_on": "2026-04-13",
                "end_on": "2026-04-24",
            },
            {
                "booking_id": 2,
                "title": "Bildkarten Obst und Gemüse",
                "start_on": "2026-04-13",
                "end_on": "2026-04-17",
            },
        ],
    },
}
