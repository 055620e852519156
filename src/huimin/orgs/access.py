"""How 社会组织管理's objects are fetched for an actor (huimin.core.access): by the registration authority's region
— capability 403, outside the actor's region 404."""

from huimin.core.access import access_by_id
from huimin.orgs import capabilities as cap
from huimin.orgs.models import Activity, AnnualReport, CreditEntry, Filing, Organisation


def access_org_by_id(actor, pk, *, capability: str = cap.VIEW, for_update: bool = False) -> Organisation:
    queryset = Organisation.objects.select_related("authority", "region")
    return access_by_id(
        queryset, actor, pk, capability=capability, region_field="authority", for_update=for_update, what="社会组织"
    )


def access_filing_by_id(actor, pk, *, capability: str = cap.VIEW, for_update: bool = False) -> Filing:
    queryset = Filing.objects.select_related("authority", "org", "submitted_by", "decided_by")
    return access_by_id(
        queryset, actor, pk, capability=capability, region_field="authority", for_update=for_update, what="登记申请"
    )


def access_report_by_id(actor, pk, *, capability: str = cap.VIEW, for_update: bool = False) -> AnnualReport:
    queryset = AnnualReport.objects.select_related("org__authority", "precheck_by", "decided_by")
    return access_by_id(
        queryset,
        actor,
        pk,
        capability=capability,
        region_field="org__authority",
        for_update=for_update,
        what="年度报告",
    )


def access_credit_by_id(actor, pk, *, capability: str = cap.VIEW, for_update: bool = False) -> CreditEntry:
    queryset = CreditEntry.objects.select_related("org__authority", "rule")
    return access_by_id(
        queryset,
        actor,
        pk,
        capability=capability,
        region_field="org__authority",
        for_update=for_update,
        what="信用记录",
    )


def access_activity_by_id(actor, pk, *, capability: str = cap.VIEW, for_update: bool = False) -> Activity:
    queryset = Activity.objects.select_related("org__authority", "region")
    return access_by_id(
        queryset,
        actor,
        pk,
        capability=capability,
        region_field="org__authority",
        for_update=for_update,
        what="志愿服务活动",
    )
