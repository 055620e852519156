"""The rules of 社会组织管理 over plain values: the credit code, the annual-report calendar, the credit lists'
dates, and the charity spending ratios. No database."""

import datetime
from decimal import Decimal

from stdnum import exceptions as stdnum_errors
from stdnum.cn import uscc

from huimin.core import workdays

# 年报: the report on year Y is filed by 31 May of Y + 1 (民函〔2021〕16号 sets the 年检 calendar per authority;
# the deadline is a default an authority may change — REPORT_DEADLINE below is the national default).
REPORT_DEADLINE = (5, 31)
MIN_CAPITAL = {"social_group": Decimal("3"), "service_org": Decimal("0"), "foundation": Decimal("200")}  # 万元
FILING_TARGET = Decimal("0.90")  # 年检率 ≥ 90% (001)
SPOT_CHECK_TARGET = Decimal("0.04")  # 抽查 ≥ 4% a year (001)
JOINT_CHECK_TARGET = Decimal("0.06")  # 联合抽查 ≥ 6% a year


def rate(count: int, total: int) -> Decimal:
    """``count / total`` (0 of none)."""
    return Decimal(count) / Decimal(total) if total else Decimal(0)


def percent(count: int, total: int) -> str:
    """``count / total`` in per cent with two decimals, rounded down (so a rate below a target never shows as it)."""
    from decimal import ROUND_DOWN

    return f"{(rate(count, total) * 100).quantize(Decimal('0.01'), rounding=ROUND_DOWN)}%"


def target_met(count: int, total: int, target: Decimal) -> bool:
    """Whether ``count`` of ``total`` reaches ``target`` — exactly the target counts as met (compared without
    rounding: count ≥ total × target). Nothing to check (total 0) is met."""
    return Decimal(count) >= Decimal(total) * target


def clean_credit_code(raw: str) -> str:
    """A 统一社会信用代码 as stored, or ValueError with the reason in Chinese."""
    code = (raw or "").strip().upper()
    try:
        return uscc.validate(code)
    except stdnum_errors.InvalidChecksum:
        raise ValueError("统一社会信用代码校验位错误") from None
    except stdnum_errors.InvalidLength:
        raise ValueError("统一社会信用代码应为 18 位") from None
    except stdnum_errors.ValidationError:
        raise ValueError("统一社会信用代码格式不正确") from None


def report_deadline(year: int) -> datetime.date:
    return datetime.date(year + 1, *REPORT_DEADLINE)


def reportable_years(registered_on: datetime.date, today: datetime.date) -> range:
    """The years an organisation must report on by ``today``: from the year of its registration (reported on in
    the next year) up to the last ended year."""
    return range(registered_on.year, today.year)


def overdue(year: int, today: datetime.date) -> bool:
    """Whether the report on ``year`` is past its deadline on ``today`` (the deadline day itself is in time)."""
    return today > report_deadline(year)


def entry_due(decided_on: datetime.date, days: int, overrides=None) -> datetime.date:
    """The last day to enter a credit decision: ``days`` working days after the decision."""
    return workdays.add_workdays(decided_on, days, overrides)


def move_date(entered_on: datetime.date, years: int) -> datetime.date:
    """The day an abnormal-list entry not removed moves to the serious list: ``years`` full years after its entry
    (29 February moves on 1 March of a common year)."""
    try:
        return entered_on.replace(year=entered_on.year + years)
    except ValueError:
        return datetime.date(entered_on.year + years, 3, 1)


def spending_check(report: dict, ratio_min: Decimal, ratio_max_admin: Decimal, base: Decimal) -> list[str]:
    """The 慈善组织 spending ratios of a year: the problems found, in Chinese; empty when both are met."""
    spending = Decimal(str(report.get("charity_spending", 0) or 0))
    total = Decimal(str(report.get("expenditure", 0) or 0))
    admin = Decimal(str(report.get("admin_costs", 0) or 0))
    problems = []
    if base > 0 and spending * 100 < ratio_min * base:
        problems.append(f"年度慈善活动支出 {spending} 元低于基数 {base} 元的 {ratio_min}%")
    if total > 0 and admin * 100 > ratio_max_admin * total:
        problems.append(f"管理费用 {admin} 元高于年度总支出 {total} 元的 {ratio_max_admin}%")
    return problems
