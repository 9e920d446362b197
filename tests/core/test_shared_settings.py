from mediathek.circulation.tables import CategoryLimit, LoanRule
from mediathek.loan_rules import Limits, Rule, category_limits, checkout_terms, loan_rule
from mediathek.site_settings import get_setting, set_setting


async def test_settings_fall_back_to_defaults_and_keep_what_an_admin_sets(db):
    assert await get_setting("hold_pickup_days") == 7
    await set_setting("hold_pickup_days", 10)
    await set_setting("hold_pickup_days", 12)
    assert await get_setting("hold_pickup_days") == 12
    await set_setting("overdue_level_days", [5, 10, 20])
    assert await get_setting("overdue_level_days") == [5, 10, 20]


async def test_loan_rules_default_to_28_days_2_renewals_20_loans_5_holds(db):
    assert (await loan_rule("paid_teacher", "book")).loan_days == 28
    limits = await category_limits("volunteer_teacher")
    assert (limits.max_loans, limits.max_holds) == (20, 5)
    await LoanRule.insert(
        LoanRule(patron_category="institution", media_type="kit", loan_days=42, max_renewals=0)
    )
    rule = await loan_rule("institution", "kit")
    assert (rule.loan_days, rule.max_renewals) == (42, 0)


async def test_checkout_terms_are_the_rule_and_the_limits_with_their_defaults(db):
    assert await checkout_terms("paid_teacher", "kit") == (Rule(), Limits())
    await LoanRule.insert(
        LoanRule(patron_category="institution", media_type="kit", loan_days=42, max_renewals=0)
    )
    await CategoryLimit.insert(
        CategoryLimit(patron_category="institution", max_loans=0, max_holds=2)
    )
    assert await checkout_terms("institution", "kit") == (Rule(42, 0), Limits(0, 2))
    assert await checkout_terms("institution", "book") == (Rule(), Limits(0, 2))
    assert await checkout_terms("paid_teacher", "kit") == (Rule(), Limits())
