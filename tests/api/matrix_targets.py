"""Objects inside and outside township A that the authorisation matrix and the token test (tests/security) open
the monitoring API operations with (the monitoring pages keep their own targets)."""

import datetime

from huimin.monitoring.models import MonitoringRun, Warning, WarningRule
from huimin.registry.models import Household
from tests.conftest import TOWN_A, TOWN_B, VILLAGE_A1, VILLAGE_B1


def make_warning(household: Household, township: str, *, status="pending", rule=None, direction="exit") -> Warning:
    rule = rule or WarningRule.objects.get_or_create(
        code="api_matrix", defaults={"name": "接口测试规则", "description": "测试", "kind": "test",
                                     "direction": direction},
    )[0]  # fmt: skip
    run = MonitoringRun.objects.create(kind="full", as_of=datetime.date(2026, 6, 30), status="done")
    return Warning.objects.create(
        rule=rule, run=run, fact_key=f"api:{household.pk}:{Warning.objects.count()}", household=household,
        region_id=household.region_id, township_id=township, category="dibao", direction=direction,
        severity="high", status=status, due_on=datetime.date(2026, 7, 14), detail={"说明": "测试"},
    )  # fmt: skip


def api_targets(users) -> dict:
    a = make_warning(Household.objects.create(number="WA1", region_id=VILLAGE_A1), TOWN_A)
    b = make_warning(Household.objects.create(number="WB1", region_id=VILLAGE_B1), TOWN_B)
    return {
        "api_warning": ({"kwargs": {"pk": a.pk}}, {"kwargs": {"pk": b.pk}}),
        # close a pending warning: refused (400) inside, 404 outside — nothing changes
        "api_warning_act": (
            {"kwargs": {"pk": a.pk, "step": "close"}},
            {"kwargs": {"pk": b.pk, "step": "close"}},
        ),
    }
