"""婚姻登记 API: the offices' bookable days, the subsisting-marriage check of an ID number (only whether a
subsisting marriage is on record and its 登记机关 — never the spouse), a certificate's validity by its 字号, and
the officers' search of the records in their region. Reads only, through huimin.marriage.services; each call is
audited by the API (``api.call``) and the sensitive ones again by the service (the ID number masked).

The check and the verification read every region's records by law (a marriage registered anywhere bars another),
so they are ``regional=False``: a client granted only them needs no region, and what they answer says nothing of
the region. The offices' days and the record search are scoped to the caller's regions (404 / nothing found)."""

import datetime

from ninja import Field, Router, Schema

from huimin.apikit import ERRORS, api_auth, paginate
from huimin.core.masking import mask
from huimin.marriage import capabilities as cap
from huimin.marriage import services
from huimin.marriage.access import access_office_by_id
from huimin.marriage.models import Kind, Record

router = Router(tags=["婚姻登记"])


class OfficeOut(Schema):
    id: int
    code: str
    name: str
    region: str
    address: str
    hours: str


class DayOut(Schema):
    day: datetime.date
    capacity: int = Field(description="当日可预约数（0：不办公）")
    left: int = Field(description="剩余可预约数")
    special: str = Field(description="特殊日期名称（如 5月20日、七夕），或空")
    closed: bool


class SlotsOut(Schema):
    office: OfficeOut
    kinds: dict[str, str] = Field(description="可预约事项：代码 → 名称")
    days: list[DayOut]


class IdNumberIn(Schema):
    id_number: str = Field(description="身份证号（18 位）")


class SubsistingOut(Schema):
    subsisting: bool = Field(description="是否存在有效婚姻登记记录（全部登记机关、全部年份，含数字化历史档案）")
    message: str = Field(description="「存在有效婚姻登记记录（登记机关：…）」或「未发现有效婚姻登记记录」")


class CertificateOut(Schema):
    number: str
    valid: bool = Field(description="证件是否有效（结婚证：婚姻关系存续；离婚证、补领证：证件真实有效）")
    message: str


class SearchIn(Schema):
    q: str = Field("", description="身份证号（18 位，任一方）、证件字号或姓名（精确）")
    kind: str = Field("", description="marriage（结婚）或 divorce（离婚），空为全部")
    page: int = 1
    page_size: int = 30


class RecordOut(Schema):
    id: int
    number: str
    kind: str
    kind_label: str
    office_name: str
    region: str
    registered_on: datetime.date
    status: str
    status_label: str
    source: str
    male_name: str
    male_id_number: str = Field(description="男方身份证号（脱敏）")
    female_name: str
    female_id_number: str = Field(description="女方身份证号（脱敏）")


class RecordPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[RecordOut]


def _office_out(o) -> dict:
    return {"id": o.pk, "code": o.code, "name": o.name, "region": o.region_id, "address": o.address, "hours": o.hours}


def _record_out(r: Record) -> dict:
    return {"id": r.pk, "number": r.number, "kind": r.kind, "kind_label": r.get_kind_display(),
            "office_name": r.office_name, "region": r.region_id, "registered_on": r.registered_on,
            "status": r.status, "status_label": r.get_status_display(), "source": r.source,
            "male_name": r.male_name, "male_id_number": mask("id_number", r.male_id_number),
            "female_name": r.female_name, "female_id_number": mask("id_number", r.female_id_number)}  # fmt: skip


@router.get(
    "/offices/{pk}/slots",
    response={200: SlotsOut, **ERRORS},
    summary="婚姻登记机关可预约日期及剩余号源（自 start 起 days 天，最多 60 天）",
    auth=api_auth(cap.VIEW),
)
def marriage_slots(request, pk: int, start: datetime.date | None = None, days: int = 14):
    office = access_office_by_id(request.auth, pk)
    first = max(start or services.today(), services.today())
    return {"office": _office_out(office), "kinds": dict(Kind.choices),
            "days": services.days_open(office, first, max(1, min(days, 60)))}  # fmt: skip


@router.post(
    "/subsisting",
    response={200: SubsistingOut, **ERRORS},
    summary="查询身份证号是否存在有效婚姻登记记录（只答复有无及登记机关，不含配偶信息）",
    auth=api_auth(cap.REGISTER, regional=False),
)
def check_subsisting(request, payload: IdNumberIn):
    return services.subsisting_answer(request.auth, payload.id_number)


@router.get(
    "/certificates/{number}",
    response={200: CertificateOut, **ERRORS},
    summary="按证件字号核验婚姻登记证件是否有效（只答复有效性）",
    auth=api_auth(cap.VIEW, regional=False),
)
def verify_certificate(request, number: str):
    return services.certificate_validity(request.auth, number)


@router.post(
    "/records/search",
    response={200: RecordPage, **ERRORS},
    summary="检索本辖区婚姻登记档案（身份证号、证件字号或姓名；身份证号脱敏）",
    auth=api_auth(cap.VIEW),
)
def search_marriage_records(request, payload: SearchIn):
    qs = services.search(request.auth, payload.q)
    if payload.kind in ("marriage", "divorce"):
        qs = qs.filter(kind=payload.kind)
    if payload.q.strip():
        services.audit_search(payload.q)
    return paginate(qs, payload.page, payload.page_size, _record_out)
