"""动态监测 API: warnings of the low-income population — list by region, status, direction, category and rule
with pagination, read one with its triage history (scoped: out of scope = 404). Triage (confirm, handle, close)
is a staff member's own decision (``clients=False``) and goes through huimin.monitoring.services."""

import datetime
from typing import Any, Literal

from django.utils import timezone
from ninja import Field, File, Router, Schema
from ninja.files import UploadedFile

from huimin.apikit import ERRORS, api_auth, paginate
from huimin.core import scope
from huimin.core.scope import scoped
from huimin.core.services import ServiceError
from huimin.monitoring import capabilities as cap
from huimin.monitoring import services
from huimin.monitoring.access import access_warning_by_id
from huimin.monitoring.models import Category, Direction, Warning

router = Router(tags=["动态监测"])


class WarningOut(Schema):
    id: int
    rule: str = Field(description="预警规则代码")
    rule_name: str
    household: str = Field(description="户编号")
    household_id: int
    person: int | None = Field(description="人员 id（按户的预警为空）")
    region: str = Field(description="所在村（社区）")
    township: str = Field(description="责任乡镇")
    category: Category
    direction: Direction
    direction_label: str
    severity: str
    status: Warning.Status
    status_label: str
    action: str
    occurred_on: datetime.date | None
    due_on: datetime.date = Field(description="处置时限")
    overdue: bool
    raised_at: datetime.datetime


class WarningEventOut(Schema):
    from_status: str
    to_status: str
    action: str
    note: str
    actor: str
    at: datetime.datetime


class WarningDetail(WarningOut):
    rule_description: str
    record_key: str = Field(description="来源记录")
    detail: dict[str, Any]
    note: str
    handled_at: datetime.datetime | None
    handled_by: str
    closed_at: datetime.datetime | None
    change: int | None = Field(description="处置所依据的在保变更编号")
    evidence_report: int | None = Field(description="证明：核对报告编号")
    evidence_visit: dict[str, Any] = Field(description="证明：入户核实（日期、人员）")
    evidence_file: bool = Field(description="是否上传了证明材料")
    reraised_from: int | None = Field(description="重新预警所承接的前次预警")
    events: list[WarningEventOut]


class WarningPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[WarningOut]


class TriageIn(Schema):
    action: str = Field(
        "",
        description="handle 时必填：application、adjusted、stopped、grace、referred、false（不属实）、none（无需处理）",
    )
    note: str = Field("", description="处置说明（handle 必填；不属实、无需处理须说明理由）")
    change_id: int | None = Field(None, description="stopped / adjusted / grace：已办理的在保变更编号（不填则现办）")
    monthly_amount: str | None = Field(None, description="adjusted 且现在办理时：调整后的月保障金额（元）")
    report_id: int | None = Field(None, description="false / none 的证明：该家庭的核对报告编号")
    visit_on: datetime.date | None = Field(None, description="false / none 的证明：入户核实日期")
    visit_by: str = Field("", description="false / none 的证明：入户核实人员")


def warning_out(w: Warning, today: datetime.date | None = None) -> dict:
    today = today or timezone.localdate()
    return {
        "id": w.pk, "rule": w.rule.code, "rule_name": w.rule.name, "household": w.household.number,
        "household_id": w.household_id, "person": w.person_id, "region": w.region_id, "township": w.township_id,
        "category": w.category, "direction": w.direction, "direction_label": w.get_direction_display(),
        "severity": w.severity, "status": w.status, "status_label": w.get_status_display(), "action": w.action,
        "occurred_on": w.occurred_on, "due_on": w.due_on, "overdue": w.is_open and w.due_on < today,
        "raised_at": w.raised_at,
    }  # fmt: skip


def warning_detail_out(w: Warning) -> dict:
    return {
        **warning_out(w),
        "rule_description": w.rule.description, "record_key": w.record_key, "detail": w.detail, "note": w.note,
        "handled_at": w.handled_at, "handled_by": w.handled_by, "closed_at": w.closed_at,
        "change": w.change_id, "evidence_report": w.evidence_report_id, "evidence_visit": w.evidence_visit or {},
        "evidence_file": bool(w.evidence_file), "reraised_from": w.reraised_from_id,
        "events": [
            {"from_status": e.from_status, "to_status": e.to_status, "action": e.action, "note": e.note,
             "actor": e.actor, "at": e.at}
            for e in w.events.all()
        ],
    }  # fmt: skip


def _warnings(principal):
    return scoped(Warning.objects.select_related("rule", "household"), principal, capability=cap.VIEW)


def _warning(request, pk: int) -> Warning:
    return access_warning_by_id(request.auth, pk)


@router.get(
    "/warnings",
    response={200: WarningPage, **ERRORS},
    summary="查询预警（status=open 为未办结；overdue=true 为已超处置时限）",
    auth=api_auth(cap.VIEW),
)
def list_warnings(
    request,
    region: str = "",
    status: Literal["", "open", "pending", "verifying", "handled", "closed"] = "",
    direction: Direction | None = None,
    category: Category | None = None,
    rule: str = "",
    overdue: bool = False,
    page: int = 1,
    page_size: int = 30,
):

    qs = _warnings(request.auth)
    if (named := scope.named_region(request.auth, region, "region", "township")) is not None:
        qs = qs.filter(named)
    if status == "open":
        qs = qs.filter(status__in=Warning.OPEN)
    elif status:
        qs = qs.filter(status=status)
    if direction:
        qs = qs.filter(direction=direction)
    if category:
        qs = qs.filter(category=category)
    if rule:
        qs = qs.filter(rule__code=rule)
    if overdue:
        qs = services.overdue(qs)
    today = timezone.localdate()
    return paginate(qs.order_by("due_on", "id"), page, page_size, lambda w: warning_out(w, today))


@router.get(
    "/warnings/{pk}",
    response={200: WarningDetail, **ERRORS},
    summary="预警详情（含来源记录与处置记录）",
    auth=api_auth(cap.VIEW),
)
def get_warning(request, pk: int):
    return warning_detail_out(_warning(request, pk))


TRIAGE = ("confirm", "confirm_death", "handle", "close")


@router.post(
    "/warnings/{pk}/actions/{step}",
    response={200: WarningDetail, **ERRORS},
    summary="处置预警：confirm 转入核实、confirm_death 确认死亡（登记对象库）、handle 登记处置结果、close 办结",
    auth=api_auth(cap.HANDLE, clients=False),
)
def act_on_warning(request, pk: int, step: str, payload: TriageIn):
    warning = _warning(request, pk)
    if step not in TRIAGE:
        raise ServiceError("未知的处置操作：应为 " + "、".join(TRIAGE) + " 之一")
    if step == "confirm":
        services.confirm(request.auth, warning, payload.note)
    elif step == "confirm_death":
        services.confirm_death(request.auth, warning, payload.note)
    elif step == "handle":
        services.handle(request.auth, warning, payload.action, payload.note, change_id=payload.change_id,
                        monthly_amount=payload.monthly_amount, report_id=payload.report_id,
                        visit_on=payload.visit_on, visit_by=payload.visit_by)  # fmt: skip
    else:
        services.close(request.auth, warning, payload.note)
    return warning_detail_out(_warning(request, pk))


class DiscoveryIn(Schema):
    programme: str = Field(description="建议启动的救助项目代码（预警规则的 propose 参数之一）")
    applicant: int = Field(description="申请人（本户在世成员的人员 id）")
    consent_by: int = Field(description="同意申请的家庭成员（人员 id）")
    consent_on: datetime.date = Field(description="同意日期")
    consent_note: str = Field(description="同意方式与说明")
    reason: str = ""
    requested_amount: str | None = Field(None, description="申请金额（元，临时救助）")
    beneficiary: int | None = Field(None, description="保障对象（按人保障的项目）")


class DiscoveryOut(Schema):
    warning: WarningDetail
    application: str = Field(description="救助申请编号")
    application_id: int
    report_id: int = Field(description="发起前的核对报告")
    conclusion: str = Field(description="核对结论")


@router.post(
    "/warnings/{pk}/discovery",
    response={200: DiscoveryOut, **ERRORS},
    summary="主动发现：经家庭同意，从应保预警先核对、再登记建议的救助申请",
    auth=api_auth(cap.HANDLE, clients=False),
)
def start_discovery(request, pk: int, payload: DiscoveryIn):
    from huimin.monitoring import discovery

    found = discovery.start_application(
        request.auth, _warning(request, pk), programme_code=payload.programme, applicant_id=payload.applicant,
        consent_by_id=payload.consent_by, consent_on=payload.consent_on, consent_note=payload.consent_note,
        reason=payload.reason, requested_amount=payload.requested_amount, beneficiary_id=payload.beneficiary,
    )  # fmt: skip
    return {
        "warning": warning_detail_out(_warning(request, pk)),
        "application": found.application.number,
        "application_id": found.application_id,
        "report_id": found.report_id,
        "conclusion": found.report.conclusion,
    }


@router.post(
    "/warnings/{pk}/evidence",
    response={200: WarningDetail, **ERRORS},
    summary="上传预警的证明材料（multipart，PDF、JPG 或 PNG；供不属实、无需处理的处置结果）",
    auth=api_auth(cap.HANDLE, clients=False),
)
def attach_warning_evidence(request, pk: int, file: File[UploadedFile] = None):
    warning = _warning(request, pk)
    services.attach_evidence(request.auth, warning, file)
    return warning_detail_out(_warning(request, pk))
