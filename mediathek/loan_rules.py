"""Loan rules from the policy tables, with the defaults of DESIGN §3 where no row exists."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from mediathek.circulation.tables import CategoryLimit, LoanRule
from mediathek.db import write_transaction
from mediathek.errors import InvalidInput
from mediathek.i18n import _
from mediathek.vocab import MediaType, PatronCategory

DEFAULT_LOAN_DAYS = 28
DEFAULT_MAX_RENEWALS = 2
DEFAULT_MAX_LOANS = 20
DEFAULT_MAX_HOLDS = 5


@dataclass(frozen=True)
class Rule:
    loan_days: int = DEFAULT_LOAN_DAYS
    max_renewals: int = DEFAULT_MAX_RENEWALS


@dataclass(frozen=True)
class Limits:
    max_loans: int = DEFAULT_MAX_LOANS
    max_holds: int = DEFAULT_MAX_HOLDS


async def loan_rule(patron_category: str, media_type: str) -> Rule:
    row = (
        await LoanRule.select(LoanRule.loan_days, LoanRule.max_renewals)
        .where(LoanRule.patron_category == patron_category, LoanRule.media_type == media_type)
        .first()
    )
    return _rule(row)


async def category_limits(patron_category: str) -> Limits:
    row = (
        await CategoryLimit.select(CategoryLimit.max_loans, CategoryLimit.max_holds)
        .where(CategoryLimit.patron_category == patron_category)
        .first()
    )
    return _limits(row)


async def checkout_terms(patron_category: str, media_type: str) -> tuple[Rule, Limits]:
    """``loan_rule`` and ``category_limits`` in one query: every checkout needs both."""
    [row] = await LoanRule.raw(
        "SELECT r.loan_days, r.max_renewals, l.max_loans, l.max_holds FROM (SELECT 1 AS one) x "
        "LEFT JOIN loan_rule r ON r.patron_category = {} AND r.media_type = {} "
        "LEFT JOIN category_limit l ON l.patron_category = {}",
        patron_category,
        media_type,
        patron_category,
    )
    return rule_and_limits(row)


def rule_and_limits(row: dict) -> tuple[Rule, Limits]:
    """From a row with the columns of ``checkout_terms`` (joined into a caller's own query)."""
    return _rule(row), _limits(row)


# No row (or, joined, its columns empty): the defaults. A 0 in a row is a rule, kept.
def _rule(row: dict | None) -> Rule:
    if row is None or row["loan_days"] is None:
        return Rule()
    return Rule(row["loan_days"], row["max_renewals"])


def _limits(row: dict | None) -> Limits:
    if row is None or row["max_loans"] is None:
        return Limits()
    return Limits(row["max_loans"], row["max_holds"])


async def policy_table() -> tuple[dict[tuple[str, str], Rule], dict[str, Limits]]:
    """Every (category, media type) rule and every category limit, defaults filled in."""
    rules = {
        (r["patron_category"], r["media_type"]): Rule(r["loan_days"], r["max_renewals"])
        for r in await LoanRule.select()
    }
    limits = {
        r["patron_category"]: Limits(r["max_loans"], r["max_holds"])
        for r in await CategoryLimit.select()
    }
    table: dict[tuple[str, str], Rule] = {
        (c, m): rules.get((c, m), Rule()) for c in PatronCategory for m in MediaType
    }
    return table, {c: limits.get(c, Limits()) for c in PatronCategory}


async def save_policy_table(rules: dict[tuple[str, str], Rule], limits: dict[str, Limits]) -> None:
    """Replace the whole policy table in one transaction (the admin form sends all of it)."""
    async with write_transaction():
        await LoanRule.delete(force=True)
        await CategoryLimit.delete(force=True)
        await LoanRule.insert(
            *[
                LoanRule(
                    patron_category=c,
                    media_type=m,
                    loan_days=r.loan_days,
                    max_renewals=r.max_renewals,
                )
                for (c, m), r in rules.items()
            ]
        )
        await CategoryLimit.insert(
            *[
                CategoryLimit(patron_category=c, max_loans=lim.max_loans, max_holds=lim.max_holds)
                for c, lim in limits.items()
            ]
        )


def _number(form: Mapping[str, str], name: str, low: int, high: int, errors: dict) -> int:
    raw = str(form.get(name, "")).strip()
    if raw.isascii() and raw.isdigit() and low <= int(raw) <= high:
        return int(raw)
    errors[name] = _("Bitte eine ganze Zahl von %(low)s bis %(high)s.") % {"low": low, "high": high}
    return 0


def parse_policy_form(
    form: Mapping[str, str],
) -> tuple[dict[tuple[str, str], Rule], dict[str, Limits]]:
    """The loan rule table from the admin's form; ``InvalidInput`` names every field that is
    not a whole number in its range (days 1–365, renewals 0–20, limits 0–999)."""
    errors: dict[str, str] = {}
    table = {
        (c.value, m.value): Rule(
            _number(form, f"days-{c.value}-{m.value}", 1, 365, errors),
            _number(form, f"renewals-{c.value}-{m.value}", 0, 20, errors),
        )
        for c in PatronCategory
        for m in MediaType
    }
    limits = {
        c.value: Limits(
            _number(form, f"loans-{c.value}", 0, 999, errors),
            _number(form, f"holds-{c.value}", 0, 999, errors),
        )
        for c in PatronCategory
    }
    if errors:
        raise InvalidInput(errors=errors)
    return table, limits
