"""Local policy figures and the working-day calendar."""

import datetime
from decimal import Decimal

from django.db import transaction

from huimin.assistance import workflow
from huimin.assistance.actions.common import actor_level, money, required_text
from huimin.assistance.models import Programme, RegionPolicy, WorkdayOverride
from huimin.core import audit
from huimin.core.access import require_capability, require_writable_region
from huimin.core.services import ServiceError

POLICY_LIMITS = {"grace_months": (Decimal(0), Decimal(24)), "death_stop_months": (Decimal(1), Decimal(12))}
WHOLE_MONTHS = ("grace_months", "death_stop_months")


def _config_region(actor, region_code: str) -> str:
    require_capability(actor, workflow.CONFIGURE, "设置政策参数")
    if not region_code:
        raise ServiceError("请选择您管辖范围内的区划")
    require_writable_region(actor, region_code, "区划")
    if actor_level(actor) > workflow.COUNTY:
        raise ServiceError("政策参数须由县级以上民政部门设置")
    return region_code


@transaction.atomic
def set_policy(
    actor, *, key: str, value, region_code: str, effective_from, programme: Programme | None = None, source: str = ""
):
    """A new policy figure for a region from a date; earlier rows stay as history (the latest date wins)."""
    region_code = _config_region(actor, region_code)
    if key not in dict(RegionPolicy.KEYS):
        raise ServiceError("未知的政策参数")
    if not isinstance(effective_from, datetime.date):
        raise ServiceError("请填写生效日期")
    amount = money(value, dict(RegionPolicy.KEYS)[key], allow_zero=key == "grace_months")
    low, high = POLICY_LIMITS.get(key, (Decimal("0.01"), Decimal("10000000")))
    if not low <= amount <= high or (key in WHOLE_MONTHS and amount != amount.to_integral_value()):
        raise ServiceError(f"{dict(RegionPolicy.KEYS)[key]}的取值不合理")
    row = RegionPolicy.objects.create(
        key=key, value=amount, region_id=region_code, programme=programme, effective_from=effective_from,
        source=source.strip()[:200],
    )  # fmt: skip
    audit.record("assistance.policy.set", row, after={"key": key, "value": str(amount)}, region_code=region_code)
    return row


@transaction.atomic
def set_workday(actor, *, day, is_workday: bool, region_code: str, note: str = ""):
    """A local change to the working-day calendar (a local holiday, or an extra working day)."""
    region_code = _config_region(actor, region_code)
    if not isinstance(day, datetime.date):
        raise ServiceError("请填写日期")
    note = required_text(note, "说明")
    row, created = WorkdayOverride.objects.update_or_create(
        region_id=region_code, day=day, defaults={"is_workday": is_workday, "note": note[:100]}
    )
    audit.record(
        "assistance.workday.set", row, after={"day": str(day), "is_workday": is_workday}, region_code=region_code
    )
    return row
