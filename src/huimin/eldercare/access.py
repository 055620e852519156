"""How eldercare objects are fetched for an actor (huimin.core.access): capability 403, outside his region 404."""

from huimin.core.access import access_by_id
from huimin.eldercare import capabilities as cap
from huimin.eldercare.models import Facility, Institution, Resident, Retrofit


def access_institution_by_id(actor, pk, *, capability: str = cap.VIEW, for_update: bool = False) -> Institution:
    return access_by_id(Institution.objects.select_related("region"), actor, pk, capability=capability,
                        for_update=for_update, what="养老机构")  # fmt: skip


def access_resident_by_id(actor, pk, *, capability: str = cap.REGISTER, for_update: bool = False) -> Resident:
    return access_by_id(Resident.objects.select_related("institution", "person"), actor, pk, capability=capability,
                        region_field="institution__region", for_update=for_update, what="入住老人")  # fmt: skip


def access_facility_by_id(actor, pk, *, capability: str = cap.VIEW, for_update: bool = False) -> Facility:
    return access_by_id(Facility.objects.select_related("region"), actor, pk, capability=capability,
                        for_update=for_update, what="社区养老服务设施")  # fmt: skip


def access_retrofit_by_id(actor, pk, *, capability: str = cap.VIEW, for_update: bool = False) -> Retrofit:
    return access_by_id(Retrofit.objects.select_related("region", "person", "household"), actor, pk,
                        capability=capability, for_update=for_update, what="适老化改造申请")  # fmt: skip
