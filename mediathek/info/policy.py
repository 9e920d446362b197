"""Rules for the Mediathek's own facts: checking what an admin enters (contact, opening hours,
deadlines) and saying the lending rules in plain German. Pure functions over plain values."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from mediathek.errors import InvalidInput
from mediathek.i18n import N_, _, ngettext
from mediathek.patrons.logins import email_problem

SHORT_WEEKDAYS = ["Mo", "Di", "Mi", "Do", "Fr", "Sa", "So"]

# Digits with the usual separators: "0211 89-12345", "+49 (211) 123 45".
PHONE = re.compile(r"^\+?[0-9 ()/\-]{5,30}$")


@dataclass(frozen=True)
class Number:
    """An admin-editable whole number: its range and what the field is about."""

    low: int
    high: int
    label: str


# The deadlines of holds and bookings, with the range an admin may choose.
DEADLINES: dict[str, Number] = {
    "hold_pickup_days": Number(1, 30, N_("Abholfrist für Vormerkungen (Öffnungstage)")),
    "booking_buffer_days": Number(0, 14, N_("Puffer zwischen zwei Reservierungen (Tage)")),
    "booking_set_aside_days": Number(0, 14, N_("Reservierte Medien zurücklegen (Tage vorher)")),
    "booking_max_days": Number(0, 365, N_("Längste Reservierung (Tage, 0 = wie die Leihfrist)")),
}
REGISTRATION_NUMBERS: dict[str, Number] = {
    "approval_days": Number(1, 30, "Freischaltung dauert höchstens (Werktage)"),
}


def _text(form: Mapping[str, str], name: str) -> str:
    return " ".join(str(form.get(name) or "").split())


def _number(form: Mapping[str, str], name: str, rule: Number, errors: dict[str, str]) -> int:
    raw = str(form.get(name) or "").strip()
    if raw.isdigit() and rule.low <= int(raw) <= rule.high:
        return int(raw)
    errors[name] = _("Bitte eine ganze Zahl von %(low)s bis %(high)s angeben.") % {
        "low": rule.low,
        "high": rule.high,
    }
    return 0


def parse_numbers(form: Mapping[str, str], rules: Mapping[str, Number]) -> dict[str, int]:
    """Whole numbers within their ranges, or InvalidInput with a German message per field."""
    errors: dict[str, str] = {}
    values = {name: _number(form, name, rule, errors) for name, rule in rules.items()}
    if errors:
        raise InvalidInput(errors=errors)
    return values


def parse_contact(form: Mapping[str, str]) -> dict[str, str]:
    """The contact block shown in every footer, on /kontakt and in every e-mail."""
    errors: dict[str, str] = {}
    contact = {key: _text(form, key) for key in ("name", "address", "phone", "email")}
    hours = _text(form, "opening_hours_text")
    if not contact["name"]:
        errors["name"] = _("Bitte geben Sie den Namen der Mediathek an.")
    elif len(contact["name"]) > 120:
        errors["name"] = _("Der Name ist zu lang (höchstens 120 Zeichen).")
    if not contact["address"]:
        errors["address"] = _("Bitte geben Sie die Anschrift an (Straße, PLZ, Ort).")
    elif len(contact["address"]) > 200:
        errors["address"] = _("Die Anschrift ist zu lang (höchstens 200 Zeichen).")
    if contact["phone"] and not PHONE.match(contact["phone"]):
        errors["phone"] = _("Bitte eine Telefonnummer aus Ziffern angeben, z. B. 0211 89-12345.")
    if not contact["email"]:
        errors["email"] = _("Bitte geben Sie eine E-Mail-Adresse an.")
    elif problem := email_problem(contact["email"]):
        errors["email"] = problem
    if len(hours) > 120:
        errors["opening_hours_text"] = _("Bitte kürzer fassen (höchstens 120 Zeichen).")
    if errors:
        raise InvalidInput(errors=errors)
    return {**contact, "opening_hours_text": hours}


def opening_hours_short(days: Iterable[tuple[int, str]]) -> str:
    """Open weekdays with their hours, neighbours with equal hours joined:
    [(0, "9–16 Uhr"), …, (4, "9–12 Uhr")] → "Mo–Do 9–16 Uhr, Fr 9–12 Uhr"."""
    groups: list[list[Any]] = []  # [first weekday, last weekday, hours]
    for weekday, hours in sorted(days):
        hours = " ".join(hours.split())
        if groups and groups[-1][1] == weekday - 1 and groups[-1][2] == hours:
            groups[-1][1] = weekday
        else:
            groups.append([weekday, weekday, hours])
    parts = []
    for first, last, hours in groups:
        span = SHORT_WEEKDAYS[first]
        if last > first:
            span += ("–" if last > first + 1 else ", ") + SHORT_WEEKDAYS[last]
        parts.append(f"{span} {hours}".strip())
    return ", ".join(parts)


def days(n: int) -> str:
    return ngettext("%(num)s Tag", "%(num)s Tage", n) % {"num": n}


# Whole phrases, so that each language words "twice" and "renew" its own way.
_RENEWALS = {
    0: N_("nicht verlängern"),
    1: N_("einmal verlängern"),
    2: N_("zweimal verlängern"),
    3: N_("dreimal verlängern"),
}


def renewals(n: int) -> str:
    """How often a loan may be renewed, as the rules page says it: "zweimal verlängern"."""
    if n in _RENEWALS:
        return _(_RENEWALS[n])
    return _("%(num)s-mal verlängern") % {"num": n}


@dataclass(frozen=True)
class RuleRow:
    """Media types that share their rules in every group, e.g. all but kits: 28 days."""

    media_types: tuple[str, ...]
    rules: tuple[Any, ...]  # one rule (loan days, renewals) per group, in the groups' order
    same_for_all: bool  # every group has the same rule


def rule_rows(
    table: Mapping[tuple[str, str], Any], groups: list[str], media_types: list[str]
) -> list[RuleRow]:
    """The loan rule table folded for reading: media types with equal rules share a row."""
    rows: dict[tuple[Any, ...], list[str]] = {}
    for m in media_types:
        rows.setdefault(tuple(table[(g, m)] for g in groups), []).append(m)
    return [RuleRow(tuple(ms), key, len(set(key)) == 1) for key, ms in rows.items()]
