"""Assistance API: programmes, applications and their stages (history), and the workflow actions. Reads are
scoped (out of scope = 404) and may be granted to API clients; registering an application and acting on it need
a staff member's own authority (``clients=False``) and go through huimin.assistance.services."""

import datetime
from decimal import Decimal

from django.db.models import Q
from ninja import Field, Router, Schema, Status

from huimin.apikit import ERRORS, api_auth, paginate
from huimin.assistance import services, workflow
from huimin.assistance.access import access_application_by_id, of_my_lines
from huimin.assistance.models import OPEN_STAGES, Application, Channel, Programme, Stage
from huimin.assistance.verification_link import verification_history
from huimin.core import scope
from huimin.core.scope import scoped
from huimin.core.services import ServiceError
from huimin.registry.models import Household, Membership, Person

router = Router(tags=["社会救助"])

STAGE_LABELS = dict(Stage.choices)


class DocumentOut(Schema):
    code: str
    name: str


class ProgrammeOut(Schema):
    code: str
    name: str
    kind: str
    kind_label: str
    scope: str
    scope_label: str = Field(description="按户 / 按人")
    one_off: bool
    stages: list[str]
    stage_labels: list[str]
    required_documents: list[DocumentOut]


class ApplicationOut(Schema):
    id: int
    number: str
    programme: str
    programme_name: str
    household: str
    applicant: int
    applicant_name: str
    beneficiary: int | None
    region: str
    channel: str
    channel_label: str
    stage: str
    stage_label: str
    stage_entered_on: datetime.date
    stage_due_on: datetime.date | None
    requested_amount: Decimal | None
    approved_amount: Decimal | None
    near_relative_flag: bool
    created_at: datetime.datetime


class EventOut(Schema):
    action: str
    label: str
    from_stage: str
    from_stage_label: str
    to_stage: str
    to_stage_label: str
    reasons: str
    actor: str
    at: datetime.datetime


class NotificationOut(Schema):
    kind: str
    kind_label: str
    title: str
    body: str
    created_at: datetime.datetime


class VerificationOut(Schema):
    source: str = Field(description="engine 核对系统报告 / manual 人工录入")
    record_id: int | None = Field(description="核对报告或人工核对记录的 id（check_verification 用后者）")
    report_number: str
    report_date: datetime.date
    conclusion: str
    conclusion_label: str
    source_label: str
    income_per_head: str | None = Field(description="报告载明的家庭月人均收入（元）；未载明为空")
    status: str = Field(description="现行依据 / 已被取代 / 待复核确认 / 复核不予确认")
    current: bool
    by: str
    at: datetime.datetime


class ApplicationDetail(ApplicationOut):
    reason: str
    documents: list[str]
    missing_documents: list[str]
    decision_reasons: str
    verifications: list[VerificationOut]
    events: list[EventOut]
    notifications: list[NotificationOut]


class ApplicationPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[ApplicationOut]


class ApplicationIn(Schema):
    programme: str = Field(description="救助项目代码，如 dibao、temporary")
    household: str = Field(description="户编号")
    applicant: int = Field(description="申请人（家庭现有成员）的人员 id")
    beneficiary: int | None = Field(None, description="按人保障的项目须填写保障对象")
    channel: Channel = Channel.WINDOW
    reason: str
    requested_amount: Decimal | None = Field(None, max_digits=12, decimal_places=2)
    documents: list[str] = []


class ActionIn(Schema):
    reasons: str = Field("", description="不予受理、不予批准、核对结论说明、审批意见")
    opinion: str = Field("", description="乡镇审核意见")
    documents: list[str] | None = Field(None, description="受理时补充登记的已交材料代码")
    report_number: str = ""
    report_date: datetime.date | None = None
    conclusion: str = Field("", description="eligible / not_eligible / needs_visit")
    monthly_amount: Decimal | None = Field(None, max_digits=12, decimal_places=2)
    basis: dict[str, str] = Field(
        {},
        description="核定依据。低保/特困按标准计算时，家庭月人均收入（income_per_head）取自核对报告，保障人数"
        "（members）与特困自理能力等级（grade：full 全护理/half 半护理/self 全自理）取自入户调查；填写不同的值"
        "须同时填写修改理由 input_reason。分类施保人数：elderly、minor、severe_disability、serious_illness",
    )
    income_per_head: Decimal | None = Field(
        None, max_digits=12, decimal_places=2, description="record_verification：报告载明的家庭月人均收入（元）"
    )
    income_unstable: bool = False
    override_reason: str = Field("", description="审批金额与按标准计算的金额不同时的理由")
    verification: int | None = Field(None, description="check_verification：待复核的人工核对记录 id")
    confirmed: bool = Field(True, description="check_verification：true 确认，false 不予确认")
    visit_date: datetime.date | None = Field(None, description="record_visit：调查日期，缺省为今天")
    visitors: str = Field("", description="record_visit：调查人员，用顿号分隔")
    findings: str = Field("", description="record_visit：调查情况")


ACTIONS = (
    "accept", "not_accept", "record_verification", "check_verification", "finish_verification", "record_visit",
    "submit_visit", "review", "refuse", "approve",
)  # fmt: skip


def application_out(app: Application) -> dict:
    return {
        "id": app.pk, "number": app.number, "programme": app.programme.code, "programme_name": app.programme.name,
        "household": app.household.number, "applicant": app.applicant_id, "applicant_name": app.applicant.name,
        "beneficiary": app.beneficiary_id, "region": app.region_id, "channel": app.channel,
        "channel_label": app.get_channel_display(), "stage": app.stage,
        "stage_label": app.get_stage_display(), "stage_entered_on": app.stage_entered_on,
        "stage_due_on": app.stage_due_on, "requested_amount": app.requested_amount,
        "approved_amount": app.approved_amount, "near_relative_flag": app.near_relative_flag,
        "created_at": app.created_at,
    }  # fmt: skip


def application_detail_out(app: Application) -> dict:
    return {
        **application_out(app),
        "reason": app.reason,
        "documents": app.documents,
        "missing_documents": services.missing_documents(app),
        "decision_reasons": app.decision_reasons,
        "verifications": [
            {
                "source": h.result.source,
                "record_id": h.result.record_id,
                "report_number": h.result.report_number,
                "report_date": h.result.report_date,
                "conclusion": h.result.conclusion,
                "conclusion_label": h.result.conclusion_label,
                "source_label": h.source_label,
                "income_per_head": h.result.income_per_head,
                "status": h.status,
                "current": h.is_current,
                "by": h.by,
                "at": h.at,
            }
            for h in verification_history(app)
        ],  # fmt: skip
        "events": [
            {
                "action": e.action,
                "label": e.label,
                "from_stage": e.from_stage,
                "from_stage_label": STAGE_LABELS.get(e.from_stage, e.from_stage),
                "to_stage": e.to_stage,
                "to_stage_label": STAGE_LABELS.get(e.to_stage, e.to_stage),
                "reasons": e.reasons,
                "actor": e.actor,
                "at": e.at,
            }
            for e in app.events.all()
        ],  # fmt: skip
        "notifications": [
            {"kind": n.kind, "kind_label": n.title, "title": n.title, "body": n.body, "created_at": n.created_at}
            for n in app.notifications.all()
        ],
    }


def _applications(principal):
    qs = Application.objects.select_related("programme", "household", "applicant", "region").defer(
        "applicant__id_number", "applicant__phone", "applicant__bank_account"
    )
    return of_my_lines(scoped(qs, principal, "region", capability=workflow.VIEW), principal)


def _application(request, pk: int) -> Application:
    return access_application_by_id(request.auth, pk)


@router.get(
    "/programmes", response={200: list[ProgrammeOut], **ERRORS}, summary="救助项目", auth=api_auth(workflow.VIEW)
)
def list_programmes(request):
    return [
        {"code": p.code, "name": p.name, "kind": p.kind, "kind_label": p.get_kind_display(), "scope": p.scope,
         "scope_label": p.get_scope_display(), "one_off": p.one_off, "stages": p.stages,
         "stage_labels": [STAGE_LABELS.get(s, s) for s in p.stages], "required_documents": p.required_documents}
        for p in Programme.objects.filter(is_active=True)
    ]  # fmt: skip


@router.get(
    "/applications",
    response={200: ApplicationPage, **ERRORS},
    summary="查询救助申请（stage=open 为在办）",
    auth=api_auth(workflow.VIEW),
)
def list_applications(
    request, stage: str = "", programme: str = "", region: str = "", q: str = "", page: int = 1, page_size: int = 30
):

    qs = _applications(request.auth)
    if stage == "open":
        qs = qs.filter(stage__in=OPEN_STAGES)
    elif stage:
        qs = qs.filter(stage=stage)
    if programme:
        qs = qs.filter(programme__code=programme)
    if (named := scope.named_region(request.auth, region)) is not None:
        qs = qs.filter(named)
    if q.strip():
        qs = qs.filter(Q(number=q.strip()) | Q(household__number=q.strip()))
    return paginate(qs.order_by("-created_at", "-id"), page, page_size, application_out)


@router.get(
    "/applications/{pk}",
    response={200: ApplicationDetail, **ERRORS},
    summary="救助申请详情（含办理环节记录、告知书）",
    auth=api_auth(workflow.VIEW),
)
def get_application(request, pk: int):
    return application_detail_out(_application(request, pk))


@router.post(
    "/applications",
    response={201: ApplicationDetail, **ERRORS},
    summary="登记救助申请（进入受理环节）",
    auth=api_auth(workflow.APPLY, clients=False),
)
def create_application(request, payload: ApplicationIn):
    programme = Programme.objects.filter(code=payload.programme, is_active=True).first()
    if programme is None:
        raise ServiceError("救助项目不存在或已停用")
    household = (
        scoped(Household.objects.select_related("region"), request.auth, capability=workflow.VIEW)
        .filter(number=payload.household, is_active=True)
        .first()
    )
    if household is None:
        raise ServiceError("户编号不存在，或不在您的管辖范围内")
    members = set(
        Membership.objects.filter(household=household, ended_on__isnull=True).values_list("person_id", flat=True)
    )
    applicant = Person.objects.filter(pk=payload.applicant, pk__in=members).first()
    if applicant is None:
        raise ServiceError("申请人不是该家庭的现有成员")
    beneficiary = None
    if payload.beneficiary is not None:
        beneficiary = Person.objects.filter(pk=payload.beneficiary, pk__in=members).first()
        if beneficiary is None:
            raise ServiceError("保障对象不是该家庭的现有成员")
    app = services.create_application(
        request.auth, programme=programme, household=household, applicant=applicant, beneficiary=beneficiary,
        channel=payload.channel, reason=payload.reason, documents=payload.documents,
        requested_amount=payload.requested_amount,
    )  # fmt: skip
    return Status(201, application_detail_out(_application(request, app.pk)))


@router.post(
    "/applications/{pk}/actions/{action}",
    response={200: ApplicationDetail, **ERRORS},
    summary="办理：accept 受理、not_accept 不予受理、record_verification 录入核对结果、"
    "check_verification 复核人工核对结论、finish_verification 核对完成、record_visit 保存入户调查（照片在页面上传）、"
    "submit_visit 提交入户调查（进入民主评议或乡镇审核）、review 乡镇审核通过、refuse 不予批准、"
    "approve 审批/确认",
    auth=api_auth(workflow.VIEW, clients=False),
)
def act_on_application(request, pk: int, action: str, payload: ActionIn):
    app = _application(request, pk)
    if action not in ACTIONS:
        raise ServiceError("未知的办理操作：" + "、".join(ACTIONS) + " 之一")
    user, p = request.auth, payload
    if action == "accept":
        services.accept(user, app, documents=p.documents)
    elif action == "not_accept":
        services.not_accept(user, app, p.reasons)
    elif action == "record_verification":
        services.record_verification(
            user, app, report_number=p.report_number, report_date=p.report_date, conclusion=p.conclusion,
            reasons=p.reasons, income_per_head=p.income_per_head,
        )  # fmt: skip
    elif action == "check_verification":
        services.check_verification(user, app, p.verification, confirmed=p.confirmed, note=p.reasons)
    elif action == "finish_verification":
        services.finish_verification(user, app)
    elif action == "record_visit":
        services.record_visit(
            user, app, visit_date=p.visit_date or services.today(), visitors=p.visitors, findings=p.findings
        )
    elif action == "submit_visit":
        services.submit_visit(user, app)
    elif action == "review":
        services.review(user, app, p.opinion)
    elif action == "refuse":
        services.refuse(user, app, p.reasons)
    elif action == "approve":
        if p.monthly_amount is None:
            raise ServiceError("请填写批准金额（元）")
        services.approve(
            user, app, monthly_amount=p.monthly_amount, basis=p.basis, income_unstable=p.income_unstable,
            reasons=p.reasons, override_reason=p.override_reason,
        )  # fmt: skip
    return application_detail_out(_application(request, pk))
