"""申请 and 受理: lodging an application, its documents, and accepting it or not."""

import uuid

from django.db import transaction
from django.utils import timezone

from huimin.assistance import enrolment_hooks, overlaps, workflow
from huimin.assistance.actions import agency
from huimin.assistance.actions.common import (
    authority_for,
    check_upload,
    current_member_ids,
    locked_application,
    money,
    notify,
    record_event,
    required_text,
    set_stage,
    today,
)
from huimin.assistance.error_codes import AssistanceErrorCode
from huimin.assistance.models import (
    CERTIFICATE_KINDS,
    Application,
    ApplicationDocument,
    NearRelative,
    Programme,
    Stage,
)
from huimin.core import audit
from huimin.core.access import BusinessRuleError, require_capability, require_region_in_scope
from huimin.core.scope import in_scope
from huimin.core.services import ServiceError
from huimin.registry.models import Household, Person


@transaction.atomic
def create_application(
    actor,
    *,
    programme: Programme,
    household: Household,
    applicant: Person,
    channel: str,
    reason: str,
    documents=(),
    requested_amount=None,
    beneficiary: Person | None = None,
) -> Application:
    require_capability(actor, workflow.APPLY, "登记救助申请", line=programme.business_line)
    require_region_in_scope(actor, household.region_id, "家庭")
    if not programme.is_active:
        raise ServiceError(f"“{programme.name}”已停用，不能申请")
    if not household.is_active:
        raise ServiceError("该家庭已注销，不能申请")
    members = current_member_ids(household)
    if applicant.pk not in members:
        raise ServiceError("申请人不是该家庭的现有成员")
    if programme.scope == "person":
        if beneficiary is None:
            raise ServiceError(f"“{programme.name}”按人保障，请选择保障对象")
        if beneficiary.pk not in members:
            raise ServiceError("保障对象不是该家庭的现有成员")
    else:
        beneficiary = None
    reason = required_text(reason, "申请理由")
    amount = money(requested_amount, "申请金额") if requested_amount not in (None, "") else None
    if programme.one_off and amount is None:
        raise ServiceError(f"“{programme.name}”须填写申请金额")
    unknown = set(documents) - set(programme.document_names())
    if unknown:
        raise ServiceError("材料清单中有本项目不需要的材料")
    duplicate = Application.objects.filter(programme=programme, household=household, stage__in=workflow.STAGE_ORDER)
    if beneficiary is not None:
        duplicate = duplicate.filter(beneficiary=beneficiary)
    if duplicate.exists():
        raise ServiceError(f"该家庭已有一件“{programme.name}”申请正在办理，不能重复申请")
    details = check_certificate_programme(programme, household, beneficiary) if beneficiary is not None else {}
    details |= enrolment_hooks.application_details(programme, household, beneficiary, today())
    covered = [beneficiary.pk] if beneficiary else members
    relatives = [  # a declaration marks only applications where the declaring staff member works
        r
        for r in NearRelative.objects.filter(
            person_id__in=[*covered, applicant.pk], withdrawn_at__isnull=True
        ).select_related("staff__region", "person")
        if in_scope(r.staff, household.region_id)
    ]
    day = today()
    application = Application(
        number=f"tmp-{uuid.uuid4().hex[:28]}",
        programme=programme,
        household=household,
        applicant=applicant,
        beneficiary=beneficiary,
        region_id=household.region_id,
        channel=channel,
        reason=reason,
        requested_amount=amount,
        documents=sorted(set(documents)),
        details=details,
        near_relative_flag=bool(relatives),
        near_relative_note="；".join(
            f"{r.person.name}系{r.staff.full_name or r.staff.username}的{r.relation}" for r in relatives
        )[:300],
        created_by=actor,
        stage_entered_on=day,
    )
    set_stage(application, Stage.ACCEPT, day)
    application.save()
    application.number = f"JZ{day:%Y%m%d}{application.pk:07d}"
    application.save(update_fields=["number"])
    record_event(application, actor, "apply", "申请", "", reasons=reason, data={"channel": channel})
    return application


def check_certificate_programme(programme: Programme, household: Household, beneficiary: Person) -> dict:
    """For a programme resting on a 残疾人证 (残疾人两项补贴): the certificate must be the beneficiary's, the
    person may not already receive the programme, and the rules in force must let him have it. Returns what
    the application records of the certificate. Writes nothing."""
    if programme.kind not in CERTIFICATE_KINDS:
        return {}
    person = Person.objects.get(pk=beneficiary.pk)
    category, grade = agency.certificate_of(person)
    agency.check_certificate_matches(person, category, grade)
    current = overlaps.current_enrolments(person, household, [programme.kind]).filter(programme=programme).first()
    if current is not None:
        raise BusinessRuleError(
            AssistanceErrorCode.ALREADY_RECEIVING,
            f"{person.name}已在享受{programme.name}（自{current.start_month:%Y年%m月}起），不能重复申请",
        )
    overlaps.check_eligible(programme, person, household, household.region_id, today(), grade=grade, category=category)
    return {"certificate": {"category": category, "grade": grade}}


@transaction.atomic
def attach_document(actor, application: Application, code: str, upload) -> ApplicationDocument:
    app = locked_application(application)
    require_capability(actor, workflow.APPLY, "上传申请材料", line=app.programme.business_line)
    require_region_in_scope(actor, app.region_id, "家庭")
    if not app.is_open:
        raise ServiceError("申请已办结，不能再上传材料")
    if code not in app.programme.document_names():
        raise ServiceError("本项目不需要这种材料")
    check_upload(upload, "申请材料")
    doc = ApplicationDocument.objects.create(application=app, code=code, file=upload, uploaded_by=actor.username)
    if code not in app.documents:
        app.documents = sorted({*app.documents, code})
        app.save(update_fields=["documents", "updated_at"])
    audit.record("assistance.application.document", app, after={"document": code})
    return doc


def missing_documents(application: Application) -> list[str]:
    return _missing(application.programme, application.documents)


def _missing(programme, documents) -> list[str]:
    return [name for code, name in programme.document_names().items() if code not in documents]


@transaction.atomic
def accept(actor, application: Application, documents=None) -> Application:
    app = locked_application(application)
    documents = check_accept(actor, app, documents)
    return do_accept(actor, app, documents)


def check_accept(actor, app: Application, documents=None) -> list[str]:
    """Refuse 受理 of ``app`` (locked) unless its documents are complete, counting ``documents`` ticked now;
    return the application's documents after 受理. Writes nothing."""
    authority_for(actor, app, workflow.ACTIONS["accept"])
    held = app.documents
    if documents is not None:
        unknown = set(documents) - set(app.programme.document_names())
        if unknown:
            raise ServiceError("材料清单中有本项目不需要的材料")
        held = sorted({*app.documents, *documents})
    missing = _missing(app.programme, held)
    if missing:
        raise BusinessRuleError(
            AssistanceErrorCode.DOCUMENTS_MISSING, "申请材料不齐，不能受理。缺少：" + "、".join(missing)
        )
    return held


def do_accept(actor, app: Application, documents: list[str]) -> Application:
    action = workflow.ACTIONS["accept"]
    app.documents = documents
    before = app.stage
    set_stage(app, workflow.target(action, app.programme.stages, app.stage), today())
    app.save()
    record_event(app, actor, "accept", action.label, before)
    return app


@transaction.atomic
def not_accept(actor, application: Application, reasons: str) -> Application:
    return _refuse(actor, application, "not_accept", reasons)


@transaction.atomic
def refuse(actor, application: Application, reasons: str) -> Application:
    code = "refuse" if application.stage in (Stage.PUBLICITY, Stage.DECISION) else "refuse_town"
    if application.stage == Stage.AGENCY_REVIEW:
        code = "refuse_agency"
    return _refuse(actor, application, code, reasons)


def _refuse(actor, application, code: str, reasons: str) -> Application:
    reasons = required_text(reasons, "书面理由")
    app = locked_application(application)
    action = workflow.ACTIONS[code]
    authority_for(actor, app, action)
    before = app.stage
    app.stage = action.to
    app.stage_due_on = None
    app.decision_reasons = reasons
    app.decided_by = actor.username
    app.decided_at = timezone.now()
    app.save()
    record_event(app, actor, code, action.label, before, reasons=reasons)
    if code == "not_accept":
        title, kind = "不予受理通知书", "not_accepted"
    else:
        title, kind = "不予批准通知书", "refused"
    notify(
        app,
        kind,
        title,
        f"{app.applicant.name}：您于{app.created_at:%Y年%m月%d日}提出的{app.programme.name}申请（编号 {app.number}），"
        f"经{action.label}，理由如下：{reasons}。如对本决定有异议，可依法申请行政复议或提起行政诉讼。",
    )
    return app
