"""Reading what a person typed into a form: one parser per kind of value, shared by every business. Each refusal
is a BusinessRuleError with the caller's stable code (its app's ``error_codes.py``) and a Chinese message naming
the field."""

import datetime
from decimal import Decimal, InvalidOperation

from django.utils import timezone

from huimin.core.access import BusinessRuleError

CENT = Decimal("0.01")


def date_or_none(value) -> datetime.date | None:
    """An ISO date (YYYY-MM-DD) as posted by an ``<input type=date>``; None when blank or not a date (the service
    then refuses with its own Chinese message naming the field)."""
    try:
        return datetime.date.fromisoformat(str(value or "").strip())
    except ValueError:
        return None


def date(raw, what: str, code: str, *, required: bool = True, not_future: bool = False) -> datetime.date | None:
    """The date ``what`` (a date, a datetime's day, or YYYY-MM-DD text); blank is None unless ``required``;
    ``not_future`` refuses a day after today."""
    if isinstance(raw, datetime.datetime):
        raw = raw.date()
    if isinstance(raw, datetime.date):
        day = raw
    else:
        text = str(raw or "").strip()
        if not text:
            if required:
                raise BusinessRuleError(code, f"请填写{what}")
            return None
        try:
            day = datetime.date.fromisoformat(text)
        except ValueError:
            raise BusinessRuleError(code, f"{what}“{text}”不是有效日期（格式：2026-01-31）") from None
    if not_future and day > timezone.localdate():
        raise BusinessRuleError(code, f"{what}不能晚于今天（{timezone.localdate():%Y-%m-%d}）")
    return day


def money(
    raw, what: str, code: str, *, minimum: Decimal = Decimal(0), above: bool = False, maximum: Decimal | None = None,
    blank_is_zero: bool = False,
) -> Decimal:  # fmt: skip
    """An amount in 元 with at most two decimals (thousands separators allowed), at least ``minimum`` (more than
    it when ``above``) and at most ``maximum``."""
    text = str(raw if raw is not None else "").strip().replace(",", "").replace("，", "")
    if not text and blank_is_zero:
        text = "0"
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise BusinessRuleError(code, f"{what}须为金额（元，最多两位小数）") from None
    if not value.is_finite():
        raise BusinessRuleError(code, f"{what}须为金额（元，最多两位小数）")
    if value != value.quantize(CENT):
        raise BusinessRuleError(code, f"{what}最多两位小数（元、角、分）")
    if value < minimum or (above and value == minimum):
        raise BusinessRuleError(code, f"{what}须{'大于' if above else '不小于'} {minimum} 元")
    if maximum is not None and value > maximum:
        raise BusinessRuleError(code, f"{what}不能超过 {maximum} 元")
    return value.quantize(CENT)
