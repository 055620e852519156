"""How 殡葬 objects are fetched for an actor (huimin.core.access): capability 403, outside his region 404."""

from huimin.core.access import access_by_id
from huimin.funeral import capabilities as cap
from huimin.funeral.models import BurialReport, Facility, Record, Settlement


def access_facility_by_id(actor, pk, *, capability: str = cap.VIEW, for_update: bool = False) -> Facility:
    queryset = Facility.objects.select_related("region")
    return access_by_id(queryset, actor, pk, capability=capability, for_update=for_update, what="殡葬服务单位")


def access_record_by_id(actor, pk, *, capability: str = cap.VIEW, for_update: bool = False) -> Record:
    queryset = Record.objects.select_related("facility", "person", "region", "settlement")
    return access_by_id(queryset, actor, pk, capability=capability, for_update=for_update, what="遗体处置记录")


def access_settlement_by_id(actor, pk, *, capability: str = cap.VIEW, for_update: bool = False) -> Settlement:
    queryset = Settlement.objects.select_related("facility__region")
    return access_by_id(queryset, actor, pk, capability=capability, region_field="facility__region",
                        for_update=for_update, what="结算单")  # fmt: skip


def access_report_by_id(actor, pk, *, capability: str = cap.VIEW, for_update: bool = False) -> BurialReport:
    queryset = BurialReport.objects.select_related("region")
    return access_by_id(queryset, actor, pk, capability=capability, for_update=for_update, what="举报")
