"""How 核对 objects are fetched for an actor (huimin.core.access): households, reports, batch runs, 协查
requests, authorisations and departmental uploads — capability 403, outside his region 404."""

from huimin.core.access import access_by_id, visible_configuration
from huimin.registry.models import Household
from huimin.verification.capabilities import VERIFY_BATCH, VERIFY_DATA, VERIFY_REPORTS, VERIFY_RUN
from huimin.verification.models import AssistRequest, Authorisation, BatchRun, Report, Threshold, Upload


def access_household_by_id(actor, pk, *, capability: str = VERIFY_RUN, for_update: bool = False) -> Household:
    queryset = Household.objects.select_related("region", "head")
    return access_by_id(queryset, actor, pk, capability=capability, for_update=for_update, what="家庭")


def access_report_by_id(actor, pk, *, capability: str = VERIFY_REPORTS, for_update: bool = False) -> Report:
    queryset = Report.objects.select_related("household", "region")
    return access_by_id(queryset, actor, pk, capability=capability, for_update=for_update, what="核对报告")


def access_batch_by_id(actor, pk, *, capability: str = VERIFY_BATCH, for_update: bool = False) -> BatchRun:
    queryset = BatchRun.objects.select_related("region")
    return access_by_id(queryset, actor, pk, capability=capability, for_update=for_update, what="批量复核")


def access_assist_request_by_id(actor, pk, *, capability: str = VERIFY_RUN, for_update=False) -> AssistRequest:
    return access_by_id(AssistRequest.objects.select_related("household"), actor, pk, capability=capability,
                        for_update=for_update, what="协查请求")  # fmt: skip


def access_authorisation_by_id(actor, pk, *, capability: str = VERIFY_RUN) -> Authorisation:
    return access_by_id(Authorisation.objects.select_related("household"), actor, pk, capability=capability,
                        region_field="household__region", what="授权书")  # fmt: skip


def visible_uploads(actor):
    """Departmental uploads an actor sees: a department's (no uploader), and those of staff whose region holds
    for him (his own subtree or a region above it) — never another county's."""
    return visible_configuration(Upload.objects.all(), actor, "uploaded_by__region")


def access_upload_by_id(actor, pk, *, capability: str = VERIFY_DATA) -> Upload:
    queryset = visible_uploads(actor).select_related("snapshot")
    return access_by_id(queryset, actor, pk, capability=capability, region_field=None, what="导入记录")


def visible_thresholds(actor):
    """The thresholds that hold for the actor and those set inside his subtree (huimin.core.access)."""
    return visible_configuration(Threshold.objects.all(), actor)
