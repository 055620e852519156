"""待遇资格's to-dos on the 工作台 (registered in EligibilityConfig.ready): the township's certificate-change
notices not yet taken note of, and the recipients past their 生存认证 due date."""

from django.urls import reverse

from huimin.core.roles import has_capability
from huimin.core.scope import scoped
from huimin.core.todos import Todo
from huimin.eligibility import capabilities as cap
from huimin.eligibility import services
from huimin.eligibility.models import CertificateChange


def certificate_notices(actor, day):
    if not has_capability(actor, cap.CONFIRM):  # a to-do for who acts on it (takes note), not every reader
        return []
    count = scoped(CertificateChange.objects.filter(acknowledged_at__isnull=True), actor, "region", cap.VIEW).count()
    return [Todo("eligibility", "残疾人证变更待知悉", count, reverse("eligibility:certificates"), overdue=count)]


def survival_overdue(actor, day):
    if not has_capability(actor, cap.CONFIRM):
        return []
    rows = services.overdue_list(actor, day=day)
    late = sum(1 for r in rows if r.past_grace(day))
    return [Todo("eligibility", "生存认证逾期", len(rows), reverse("eligibility:survival"), overdue=late)]
