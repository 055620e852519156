"""入户调查 and 民主评议."""

import datetime

from django.db import transaction

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
from huimin.assistance.models import Application, CareGrade, HomeVisit, VisitPhoto
from huimin.core.services import ServiceError


@transaction.atomic
def record_visit(
    actor, application: Application, *, visit_date, visitors: str, findings: str, photos=(), members=None,
    care_grade: str = "",
) -> HomeVisit:  # fmt: skip
    """``members`` (the household members found living together) and ``care_grade`` (生活自理能力等级) are what
    the approval's calculation takes from the visit; both optional."""
    app = locked_application(application)
    visitors, findings = check_visit(actor, app, visit_date=visit_date, visitors=visitors, findings=findings,
                                     photos=photos)  # fmt: skip
    members, care_grade = check_visit_figures(members, care_grade)
    return do_record_visit(actor, app, visit_date=visit_date, visitors=visitors, findings=findings, photos=photos,
                           members=members, care_grade=care_grade)  # fmt: skip


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
    """Refuse an 入户调查 record for ``app`` (locked) that the rules do not allow; return the visitors and the
    findings as they are kept. Writes nothing."""
    authority_for(actor, app, workflow.ACTIONS["record_visit"])
    visitors = required_text(visitors, "调查人员")
    findings = required_text(findings, "调查情况")
    if not isinstance(visit_date, datetime.date):
        raise ServiceError("请填写调查日期")
    if visit_date > today():
        raise ServiceError("调查日期不能晚于今天")
    if visit_date < app.created_at.date():
        raise ServiceError("调查日期不能早于申请日期")
    needed = app.programme.min_visitors
    if len([v for v in visitors.replace("，", ",").replace("、", ",").split(",") if v.strip()]) < needed:
        raise ServiceError(f"入户调查应由 {needed} 名以上工作人员进行，请填写全部调查人员（用顿号分隔）")
    for photo in photos:
        check_upload(photo, "现场照片")
    return visitors, findings


def do_record_visit(
    actor, app: Application, *, visit_date, visitors: str, findings: str, photos=(), members=None, care_grade=""
) -> HomeVisit:
    action = workflow.ACTIONS["record_visit"]
    visit = HomeVisit.objects.create(
        application=app, visit_date=visit_date, visitors=visitors, findings=findings, recorded_by=actor.username,
        members=members, care_grade=care_grade,
    )  # fmt: skip
    for photo in photos:
        VisitPhoto.objects.create(visit=visit, image=photo)
    before = app.stage
    set_stage(app, workflow.target(action, app.programme.stages, app.stage), today())
    app.save()
    record_event(
        app,
        actor,
        "record_visit",
        action.label,
        before,
        reasons=findings,
        data={"date": str(visit_date), "by": visitors}
        | ({"members": members} if members else {})
        | ({"care_grade": care_grade} if care_grade else {}),
    )
    return visit


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
