"""State changes of the statistics app: each checks the capability and the scope and writes the audit entry."""

import datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from huimin.core import audit
from huimin.core.access import require_capability, require_writable_region
from huimin.core.models import Region
from huimin.core.services import ServiceError
from huimin.stats import capabilities as caps
from huimin.stats import compute, indicators
from huimin.stats.models import Indicator, IndicatorTarget, MonthRun


def recompute(actor, month: datetime.date, region: Region | None = None) -> MonthRun:
    """Recompute a month's figures now (they are computed from dated data, so a past month gives the same
    figures unless data dated in it arrived since), and the indicator board of ``region``."""
    require_capability(actor, caps.MANAGE, "管理统计数据")
    if month > compute.month_start(timezone.localdate()):
        raise ServiceError("不能计算未来月份的统计数据")
    run = compute.materialise(month, actor=actor.username)
    if region is not None:
        indicators.compute_run(region, month)
    audit.record("stats.month.recompute", detail=f"重新计算 {month:%Y年%m月} 统计数据（{run.rows} 行）")
    return run


@transaction.atomic
def set_target(actor, indicator: Indicator, region: Region, value) -> IndicatorTarget | None:
    """Sets (or, with an empty value, removes) the region's own target for an indicator."""
    require_capability(actor, caps.MANAGE, "管理统计数据")
    require_writable_region(actor, region, "区划")
    current = IndicatorTarget.objects.select_for_update().filter(indicator=indicator, region=region).first()
    before = {"target": str(current.target)} if current else None
    text = str(value or "").strip()
    if not text:
        if current is None:
            raise ServiceError("本区划没有单独设置该指标的目标值")
        current.delete()
        audit.record("stats.target.remove", indicator, before=before, region_code=region.code)
        return None
    try:
        target = Decimal(text)
    except InvalidOperation as exc:
        raise ServiceError("目标值应为数字") from exc
    if not target.is_finite() or target < 0 or target >= Decimal("1000000"):
        raise ServiceError("目标值应为不小于 0 的数字")
    if current is None:
        current = IndicatorTarget(indicator=indicator, region=region)
    current.target = target.quantize(Decimal("0.0001"))
    current.updated_by = actor.username
    current.save()
    audit.record("stats.target.set", indicator, before=before, after={"target": str(current.target)},
                 region_code=region.code)  # fmt: skip
    return current
