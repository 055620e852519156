"""入户调查 and 民主评议. The visit is saved (``record_visit``, as often as needed: photos added, the record
completed) and submitted apart (``submit_visit``), which moves the case to the programme's next stage."""

import datetime

from django.db import transaction
from django.utils import timezone

from huimin.assistance import workflow
from huimin.assistance.actions.common import (
    authority_for,
    check_upload,
    locked_application,
    record_event,
    required_text,
    set_stage,
    today,
)
from huimin.assistance.error_codes import AssistanceErrorCode
from huimin.assistance.models import Application, CareGrade, HomeVisit, Stage, VisitPhoto
from huimin.core import idempotency, offline
from huimin.core.access import BusinessRuleError
from huimin.core.services import ServiceError

SUBMISSION_KIND = "assistance.visit"


class VisitConflict(offline.EditConflict):
    """The case's 入户调查 record was saved by someone after the form was loaded (offline, hours before): the
    submission is held until the person decides, never written over the other record silently."""

    def __init__(self, application: Application, latest: HomeVisit):
        super().__init__(
            AssistanceErrorCode.VISIT_CONFLICT,
            f"{application.applicant.name}的入户调查记录在您打开表单后已由{latest.recorded_by}修改"
            f"（调查日期 {latest.visit_date:%Y-%m-%d}）。请核对后选择「仍然提交」（以本条覆盖）或放弃本条记录",
            latest,
        )


def visit_version(app: Application) -> str:
    """What the form remembers of the case's present record when it is loaded: the id of the latest saved
    record-visit event ('' when none), so a later submission sees whether the record changed meanwhile."""
    latest = app.events.filter(action="record_visit").order_by("-id").values_list("id", flat=True).first()
    return str(latest or "")


def visitor_names(visitors: str) -> list[str]:
    """The visitors of a record, as entered with 顿号 or commas between them."""
    return [v.strip() for v in (visitors or "").replace("，", ",").replace("、", ",").split(",") if v.strip()]


def current_visit(app: Application) -> HomeVisit | None:
    """The visit record of the application's present 入户调查 stage: the latest one saved and not yet submitted
    (an upheld 公示 objection sends the case back for a new visit), or None."""
    return app.visits.filter(submitted_at__isnull=True).order_by("-recorded_at", "-id").first()


def visit_problems(app: Application, visit: HomeVisit | None) -> list[str]:
    """What keeps the 入户调查 of ``app`` from being submitted (empty when it is complete)."""
    if visit is None:
        return ["尚未保存入户调查记录"]
    problems = []
    needed, named = app.programme.min_visitors, len(visitor_names(visit.visitors))
    if named < needed:
        problems.append(f"入户调查应由 {needed} 名以上工作人员进行，现只填写了 {named} 名（用顿号分隔）")
    if not visit.findings.strip():
        problems.append("尚未填写调查情况")
    return problems


@transaction.atomic
def record_visit(
    actor, application: Application, *, visit_date, visitors: str, findings: str, photos=(), members=None,
    care_grade: str = "", key: str = "", known_version: str | None = None, confirm_conflict: bool = False,
) -> HomeVisit:  # fmt: skip
    """Save the 入户调查 record (a new one, or the present stage's record completed and more photos added); the
    case stays at 入户调查 until ``submit_visit``. ``members`` (the household members found living together) and
    ``care_grade`` (生活自理能力等级) are what the approval's calculation takes from the visit; both optional.

    A record entered offline carries ``key`` (core.idempotency: a second submit of it is refused, never saved
    twice) and ``known_version`` (``visit_version`` when its form was loaded): when the record changed since, the
    save is refused as ``VisitConflict`` unless ``confirm_conflict``."""
    idempotency.check_key(SUBMISSION_KIND, key)
    app = locked_application(application)
    visitors, findings = check_visit(actor, app, visit_date=visit_date, visitors=visitors, findings=findings,
                                     photos=photos)  # fmt: skip
    members, care_grade = check_visit_figures(members, care_grade)
    if known_version is not None and not confirm_conflict and visit_version(app) != known_version.strip():
        latest = current_visit(app)
        if latest is not None:
            raise VisitConflict(app, latest)
    received = idempotency.remember(SUBMISSION_KIND, key, actor)
    visit = do_record_visit(actor, app, visit_date=visit_date, visitors=visitors, findings=findings, photos=photos,
                            members=members, care_grade=care_grade)  # fmt: skip
    idempotency.attach(received, visit)
    return visit


def check_visit_figures(members, care_grade: str) -> tuple[int | None, str]:
    """The visit's member count (blank: not recorded) and care grade, or a Chinese refusal."""
    text = str(members if members is not None else "").strip()
    count = None
    if text:
        if not text.isdigit() or not 1 <= int(text) <= 99:
            raise ServiceError("核实的家庭成员人数须为 1 至 99 的整数")
        count = int(text)
    care_grade = (care_grade or "").strip()
    if care_grade and care_grade not in CareGrade.values:
        raise ServiceError("生活自理能力等级不正确（全自理、半护理、全护理）")
    return count, care_grade


def check_visit(actor, app: Application, *, visit_date, visitors: str, findings: str, photos=()) -> tuple[str, str]:
    """Refuse saving an 入户调查 record for ``app`` (locked) that the rules do not allow; return the visitors and
    the findings as they are kept. An incomplete record may be saved (``submit_visit`` refuses it). Writes
    nothing."""
    authority_for(actor, app, workflow.ACTIONS["record_visit"])
    if not isinstance(visit_date, datetime.date):
        raise ServiceError("请填写调查日期")
    if visit_date > today():
        raise ServiceError("调查日期不能晚于今天")
    if visit_date < timezone.localdate(app.created_at):
        raise ServiceError("调查日期不能早于申请日期")
    for photo in photos:
        check_upload(photo, "现场照片")
    visitors, findings = "、".join(visitor_names(visitors)), (findings or "").strip()
    if len(visitors) > HomeVisit._meta.get_field("visitors").max_length:
        raise ServiceError("调查人员过长：请只填写参加调查的工作人员姓名")
    return visitors, findings


def do_record_visit(
    actor, app: Application, *, visit_date, visitors: str, findings: str, photos=(), members=None, care_grade=""
) -> HomeVisit:
    action = workflow.ACTIONS["record_visit"]
    visit = current_visit(app)
    if visit is None:
        visit = HomeVisit.objects.create(
            application=app, visit_date=visit_date, visitors=visitors, findings=findings, recorded_by=actor.username,
            members=members, care_grade=care_grade,
        )  # fmt: skip
        label = action.label
    else:
        visit.visit_date, visit.visitors, visit.findings = visit_date, visitors, findings
        visit.members, visit.care_grade = members, care_grade
        visit.recorded_by = actor.username
        visit.save(update_fields=["visit_date", "visitors", "findings", "members", "care_grade", "recorded_by"])
        label = "修改入户调查记录"
    for photo in photos:
        VisitPhoto.objects.create(visit=visit, image=photo)
    record_event(
        app, actor, "record_visit", label, app.stage, reasons=findings,
        data={"date": str(visit_date), "by": visitors, "visit": visit.pk, "photos": len(photos)}
        | ({"members": members} if members else {})
        | ({"care_grade": care_grade} if care_grade else {}),
    )  # fmt: skip
    return visit


@transaction.atomic
def submit_visit(actor, application: Application) -> Application:
    """Submit the saved 入户调查 record and move the case to the programme's next stage (民主评议 or 乡镇审核)."""
    app = locked_application(application)
    visit = check_submit_visit(actor, app)
    return do_submit_visit(actor, app, visit)


def check_submit_visit(actor, app: Application) -> HomeVisit:
    """Refuse submitting the 入户调查 of ``app`` (locked) while its record is missing or incomplete; return the
    record. Writes nothing."""
    action = workflow.ACTIONS["submit_visit"]
    authority_for(actor, app, action)
    visit = current_visit(app)
    problems = visit_problems(app, visit)
    if problems:
        following = Stage(workflow.target(action, app.programme.stages, app.stage)).label
        raise BusinessRuleError(
            AssistanceErrorCode.VISIT_INCOMPLETE,
            f"入户调查记录不完整，不能提交{following}：" + "；".join(problems),
        )
    return visit


def do_submit_visit(actor, app: Application, visit: HomeVisit) -> Application:
    action = workflow.ACTIONS["submit_visit"]
    visit.submitted_at = timezone.now()
    visit.save(update_fields=["submitted_at"])
    before = app.stage
    set_stage(app, workflow.target(action, app.programme.stages, app.stage), today())
    app.save()
    record_event(
        app, actor, "submit_visit", action.label, before, reasons=visit.findings,
        data={"visit": visit.pk, "date": str(visit.visit_date), "by": visit.visitors},
    )  # fmt: skip
    return app


@transaction.atomic
def record_appraisal(actor, application: Application, *, held_on, participants: str, result: str) -> Application:
    app = locked_application(application)
    action = workflow.ACTIONS["record_appraisal"]
    authority_for(actor, app, action)
    participants = required_text(participants, "参加评议人员")
    result = required_text(result, "评议意见")
    if not isinstance(held_on, datetime.date) or held_on > today():
        raise ServiceError("评议日期不合法")
    before = app.stage
    set_stage(app, workflow.target(action, app.programme.stages, app.stage), today())
    app.save()
    record_event(
        app, actor, "record_appraisal", action.label, before, reasons=result,
        data={"held_on": str(held_on), "participants": participants},
    )  # fmt: skip
    return app
