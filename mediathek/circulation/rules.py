"""Loan rules from the policy tables, with the defaults of DESIGN §3 where no row exists."""

from __future__ import annotations

from dataclasses import dataclass

from mediathek.circulation.tables import CategoryLimit, LoanRule

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
    return Rule(row["loan_days"], row["max_renewals"]) if row else Rule()


async def category_limits(patron_category: str) -> Limits:
    row = (
        await CategoryLimit.select(CategoryLimit.max_loans, CategoryLimit.max_holds)
        .where(CategoryLimit.patron_category == patron_category)
        .first()
    )
    return Limits(row["max_loans"], row["max_holds"]) if row else Limits()
