"""How 婚姻登记 objects are fetched for an actor (huimin.core.access): capability 403, outside his region 404."""

from huimin.core.access import access_by_id
from huimin.marriage import capabilities as cap
from huimin.marriage.models import Appointment, DivorceApplication, Office, Record, Refusal, Request


def access_office_by_id(actor, pk, *, capability: str = cap.VIEW) -> Office:
    return access_by_id(Office.objects.select_related("region"), actor, pk, capability=capability, what="婚姻登记机关")


def access_appointment_by_id(actor, pk, *, capability: str = cap.REGISTER, for_update: bool = False) -> Appointment:
    queryset = Appointment.objects.select_related("office")
    return access_by_id(
        queryset, actor, pk, capability=capability, region_field="office__region", for_update=for_update, what="预约"
    )


def access_record_by_id(actor, pk, *, capability: str = cap.VIEW, for_update: bool = False) -> Record:
    return access_by_id(
        Record.objects.select_related("office"),
        actor,
        pk,
        capability=capability,
        for_update=for_update,
        what="婚姻登记档案",
    )


def access_refusal_by_id(actor, pk, *, capability: str = cap.VIEW) -> Refusal:
    return access_by_id(
        Refusal.objects.select_related("office"),
        actor,
        pk,
        capability=capability,
        region_field="office__region",
        what="不予登记记录",
    )


def access_divorce_by_id(actor, pk, *, capability: str = cap.VIEW, for_update: bool = False) -> DivorceApplication:
    queryset = DivorceApplication.objects.select_related("office", "marriage")
    return access_by_id(
        queryset,
        actor,
        pk,
        capability=capability,
        region_field="office__region",
        for_update=for_update,
        what="离婚登记申请",
    )


def access_request_by_id(actor, pk, *, capability: str = cap.APPROVE, for_update: bool = False) -> Request:
    queryset = Request.objects.select_related("record", "requested_by")
    return access_by_id(
        queryset,
        actor,
        pk,
        capability=capability,
        region_field="record__region",
        for_update=for_update,
        what="待审批事项",
    )
