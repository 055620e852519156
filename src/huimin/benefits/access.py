"""How benefits objects are fetched for an actor (huimin.core.access): payroll months and bank batches —
capability 403, outside his region 404 — and 追缴 (recoveries)."""

from huimin.benefits import capabilities as caps
from huimin.benefits.models import BankBatch, PayrollMonth, Recovery
from huimin.core.access import access_by_id


def access_payroll_month_by_id(
    actor, pk, *, capability: str = caps.VIEW, for_update: bool = False, visible=None
) -> PayrollMonth:
    """A month of the actor's subtree; ``visible`` (already scoped: the API lets a township read its share of
    the county's month) replaces the subtree rule."""
    queryset = PayrollMonth.objects.select_related("region") if visible is None else visible
    return access_by_id(queryset, actor, pk, capability=capability, for_update=for_update, what="月度发放",
                        region_field="region" if visible is None else None)  # fmt: skip


def access_bank_batch_by_id(actor, pk, *, capability: str = caps.VIEW, for_update: bool = False) -> BankBatch:
    queryset = BankBatch.objects.select_related("payroll", "template")
    return access_by_id(queryset, actor, pk, capability=capability, for_update=for_update, what="代发批次")


def access_recovery_by_id(actor, pk, *, capability: str = caps.VIEW, for_update: bool = False) -> Recovery:
    """A recovery of an enrolment in the actor's subtree."""
    queryset = Recovery.objects.select_related("region", "payee")
    return access_by_id(queryset, actor, pk, capability=capability, for_update=for_update, what="追缴")
