"""儿童福利 API: a partner's system — a school, a hospital, the police — sends a 发现报告 (强制报告) of a child at
risk with the bearer token of its API client (huimin.apiclients), limited to the client's regions. The report goes
through ``children.reports.receive``, the portal's path: a child found in the registry by his ID number opens a case
at once, otherwise the report waits for the township 督导员 to identify him. The answer is a receipt number only:
nothing here reads a case back. An ``Idempotency-Key`` header makes a resend return the first receipt, writing
nothing."""

import datetime

from ninja import Field, Router, Schema

from huimin.apikit import ERRORS, api_auth
from huimin.children import capabilities as cap
from huimin.children import reports
from huimin.children.error_codes import ChildrenErrorCode as E
from huimin.core.access import BusinessRuleError
from huimin.core.idempotency import HEADER

router = Router(tags=["儿童福利"])


class ReportIn(Schema):
    source: str = Field(
        "other", description="报告来源：school（学校）、hospital（医疗机构）、police（公安机关）、other（其他）"
    )
    village: str = Field(
        max_length=12, description="儿童所在村（社区）的 12 位统计用区划代码（须在客户端获准的区划内）"
    )
    concern: str = Field(max_length=2000, description="发现的情况")
    child_name: str = Field("", max_length=50, description="儿童姓名（知道的话）")
    child_age: int | None = Field(None, ge=0, le=150, description="大致年龄（周岁）；与身份证号至少填一项")
    child_id_number: str = Field("", max_length=20, description="儿童身份证号（知道的话）")
    address: str = Field("", max_length=200, description="具体地点")
    reporter_name: str = Field("", max_length=50, description="报告人（缺省为客户端所属单位）")
    reporter_contact: str = Field("", max_length=50, description="报告人联系方式")


class ReportOut(Schema):
    number: str = Field(description="受理回执号")
    received_at: datetime.datetime
    duplicate: bool = Field(description="同一 Idempotency-Key 已提交过：返回首次的回执，未重复登记")


def _channel(caller) -> tuple[str, str]:
    """(channel, the default reporter): the client's name and unit, or the staff member's account."""
    client = getattr(caller, "client", None)
    if client is not None:
        return f"接口：{client.name}", f"{client.department}"[:50]
    return f"接口：{caller.username}", (getattr(caller, "full_name", "") or caller.username)[:50]


@router.post("/reports", response={200: ReportOut, **ERRORS}, auth=api_auth(cap.CASE_REPORT),
             summary="报送困境儿童/侵害未成年人线索（学校、医院、公安等）")  # fmt: skip
def report_child_case(request, payload: ReportIn):
    if payload.source not in reports.PARTNER_SOURCES:
        raise BusinessRuleError(
            E.INVALID, "报告来源须为 school（学校）、hospital（医疗机构）、police（公安机关）或 other（其他）"
        )
    channel, unit = _channel(request.auth)
    report, created = reports.receive(
        request.auth, source=payload.source, channel=channel, village_code=payload.village, concern=payload.concern,
        child_name=payload.child_name, child_age=payload.child_age, child_id_number=payload.child_id_number,
        address=payload.address, reporter_name=payload.reporter_name.strip() or unit,
        reporter_contact=payload.reporter_contact, key=(request.META.get(HEADER) or "").strip(),
    )  # fmt: skip
    return {"number": report.number, "received_at": report.received_at, "duplicate": not created}
