"""The payroll's to-dos on the 工作台 (registered in BenefitsConfig.ready)."""

from django.db.models import Count
from django.urls import reverse

from huimin.benefits import capabilities as cap
from huimin.benefits.models import PayrollMonth
from huimin.core.roles import has_capability
from huimin.core.scope import scoped
from huimin.core.todos import Todo

# A month's next step and its label: 草稿 waits for 复核, 已复核 for 审批, 已审批 for 锁定.
NEXT_STEP = {
    PayrollMonth.Status.DRAFT: "月度发放待复核",
    PayrollMonth.Status.REVIEWED: "月度发放待审批",
    PayrollMonth.Status.APPROVED: "月度发放待锁定",
}


def payroll_months(actor, day):
    if not has_capability(actor, cap.PAYROLL):
        return []
    months = scoped(PayrollMonth.objects.all(), actor, capability=cap.PAYROLL)
    counts = dict(months.filter(status__in=list(NEXT_STEP)).order_by().values_list("status").annotate(n=Count("id")))
    url = reverse("benefits:payroll_months")
    return [Todo("benefits", label, counts.get(status, 0), url) for status, label in NEXT_STEP.items()]
