"""The demo city's older people: the data's 特殊困难老年人 suggestions for the whole city, some of them confirmed
by the townships, a 计划生育特殊家庭 认定, and a few ability assessments (GB/T 42195-2022) at several levels —
all through huimin.elderly.services, as the staff would have done it."""

import datetime

from django.utils import timezone

from huimin.core.context import acting_as, actor_for
from huimin.core.models import User
from huimin.core.roles import BusinessLine, Role
from huimin.elderly import services
from huimin.elderly.models import CategoryMark, Item

CONFIRMED = 40  # suggestions a county's townships confirmed (at most half of them: the rest still waits)
ASSESSED_TOTALS = (90, 78, 66, 60, 50, 45, 38, 29, 12)  # one older person assessed at each of these totals


def _scores(items: list[Item], total: int) -> dict[str, int]:
    scores = {i.code: i.max_score for i in items}
    surplus = sum(scores.values()) - total
    for item in items:
        cut = min(surplus, scores[item.code])
        scores[item.code] -= cut
        surplus -= cut
    return scores


def load_elderly(as_of: datetime.date) -> dict[str, int]:
    day = min(as_of, timezone.localdate())
    counts = {"suggested": 0, "confirmed": 0, "assessed": 0}
    # each county's 养老服务 approver derives and decides in his county
    for approver in User.objects.with_role(Role.APPROVER, BusinessLine.ELDERLY).order_by("region_id"):
        with acting_as(actor_for(approver)):
            counts["suggested"] += services.do_derive(approver).proposed
            proposed = (CategoryMark.objects.filter(status=CategoryMark.Status.PROPOSED,
                                                    person__region__code__startswith=approver.region_id[:6])
                        .order_by("person_id", "category__order").values_list("pk", flat=True))  # fmt: skip
            proposed = list(proposed)
            for pk in proposed[: min(CONFIRMED, (len(proposed) + 1) // 2)]:  # the rest still waits
                services.do_decide(approver, pk, "confirm", "演示：乡镇入户核实")
                counts["confirmed"] += 1
            older = list(
                services.register(approver, day - datetime.timedelta(days=400))
                .order_by("pk")
                .values_list("pk", flat=True)[:40]
            )
            if older:
                services.do_add(approver, older[-1], "family_planning", "演示：计生部门出具的特殊家庭证明", day)
            items = list(Item.objects.select_related("domain").order_by("domain__order", "order"))
            for pk in older[: len(ASSESSED_TOTALS)]:
                n = counts["assessed"]
                total = ASSESSED_TOTALS[n % len(ASSESSED_TOTALS)]
                services.do_assessment(approver, pk, {
                    "assessed_on": day - datetime.timedelta(days=30 * (n % 12)), "scores": _scores(items, total),
                    "adjustments": ["care_risk"] if total == 60 else [], "second_assessor": "演示评估员",
                })  # fmt: skip
                counts["assessed"] += 1
    return counts
