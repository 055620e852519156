"""How a child's case and register entry are fetched for an actor (huimin.core.access). A case is sensitive: beyond
the region (404 outside it) it exists only for the workers assigned to it, their supervisors and the county
children's office (capability ``children.case_all`` at county level or above) — a same-township user who is not
assigned gets 404 too. Every case fetched is a read recorded in the audit (``children.case.read``)."""

from huimin.children import capabilities as cap
from huimin.children.models import Case, Plan, ReceivedReport, RegisterEntry
from huimin.children.services import role_on, sees_all
from huimin.core import audit
from huimin.core.access import NotInScope, access_by_id


def access_case_by_id(actor, pk, *, capability: str = cap.CASE_REPORT, for_update: bool = False) -> Case:
    queryset = Case.objects.select_related("child", "region", "risk_level")
    case = access_by_id(queryset, actor, pk, capability=capability, for_update=for_update, what="个案")
    if not (sees_all(actor) or role_on(actor, case)):
        raise NotInScope("个案不存在或不在您的管辖范围内")
    audit.record("children.case.read", case, detail=f"查阅个案 {case.number}")
    return case


def access_plan_by_id(actor, pk, *, capability: str = cap.CASE_SUPERVISE) -> Plan:
    plan = access_by_id(Plan.objects.select_related("case"), actor, pk, capability=capability,
                        region_field="case__region", what="帮扶计划")  # fmt: skip
    access_case_by_id(actor, plan.case_id, capability=capability)
    return plan


def access_entry_by_id(actor, pk, *, capability: str = cap.VIEW, for_update: bool = False) -> RegisterEntry:
    queryset = RegisterEntry.objects.select_related("person", "category", "region", "director")
    return access_by_id(queryset, actor, pk, capability=capability, for_update=for_update, what="名册记录")


def access_report_by_id(actor, pk, *, capability: str = cap.CASE_SUPERVISE, for_update: bool = False) -> ReceivedReport:
    """A 发现报告 received from the portal or the API: the township 督导员 and the county office of its village handle
    it (a 儿童主任 gets 403); every read is audited, since it may name the reporter."""
    report = access_by_id(ReceivedReport.objects.select_related("region", "case"), actor, pk, capability=capability,
                          for_update=for_update, what="发现报告")  # fmt: skip
    audit.record("children.report.read", report, detail=f"查阅发现报告 {report.number}")
    return report
