"""The rules of 社会组织管理 at their boundaries, without a database."""

import datetime
from decimal import Decimal

import pytest

from huimin.orgs import rules
from tests.orgs.conftest import credit_code

D = datetime.date


def test_a_credit_code_with_its_check_digit_is_accepted_and_a_wrong_one_refused():
    good = credit_code(1)
    assert rules.clean_credit_code(good.lower()) == good
    wrong = good[:-1] + ("0" if good[-1] != "0" else "1")
    with pytest.raises(ValueError, match="校验位错误"):
        rules.clean_credit_code(wrong)
    with pytest.raises(ValueError, match="18 位"):
        rules.clean_credit_code(good[:-1])


def test_the_report_deadline_day_is_in_time_and_the_next_day_is_overdue():
    assert rules.report_deadline(2025) == D(2026, 5, 31)
    assert not rules.overdue(2025, D(2026, 5, 31))
    assert rules.overdue(2025, D(2026, 6, 1))


def test_an_organisation_reports_from_its_registration_year_to_the_last_ended_year():
    assert list(rules.reportable_years(D(2024, 12, 31), D(2026, 1, 1))) == [2024, 2025]
    assert list(rules.reportable_years(D(2026, 1, 1), D(2026, 12, 31))) == []


@pytest.mark.parametrize(
    ("entered", "years", "moves"),
    [(D(2024, 7, 15), 2, D(2026, 7, 15)), (D(2024, 2, 29), 2, D(2026, 3, 1)), (D(2024, 2, 29), 4, D(2028, 2, 29))],
)
def test_an_abnormal_entry_moves_on_its_anniversary(entered, years, moves):
    assert rules.move_date(entered, years) == moves


def test_a_credit_decision_is_entered_within_five_working_days():
    # Friday 2026-07-10: five working days are Mon 13 … Fri 17 July
    assert rules.entry_due(D(2026, 7, 10), 5) == D(2026, 7, 17)
    # National Day week: the decision of 30 September 2026 is due after the holidays
    assert rules.entry_due(D(2026, 9, 30), 5) > D(2026, 10, 8)


@pytest.mark.parametrize(
    ("spending", "admin", "problems"),
    [("70000", "10000", 0), ("69999.99", "10000", 1), ("70000", "10000.01", 1), ("0", "20000", 2)],
)
def test_the_charity_spending_ratios_hold_at_the_line(spending, admin, problems):
    report = {"charity_spending": spending, "expenditure": "100000", "admin_costs": admin}
    assert len(rules.spending_check(report, Decimal(70), Decimal(10), base=Decimal("100000"))) == problems
