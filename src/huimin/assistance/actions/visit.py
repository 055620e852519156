"""入户调查 and 民主评议."""

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
from huimin.assistance.models import Application, HomeVisit, VisitPhoto
from huimin.core.services import ServiceError


@transaction.atomic
def record_visit(actor, application: Application, *, visit_date, visitors: str, findings: str, photos=()) -> HomeVisit:
    app = locked_application(application)
    visitors, findings = check_visit(actor, app, visit_date=visit_date, visitors=visitors, findings=findings,
                                     photos=photos)  # fmt: skip
    return do_record_visit(actor, app, visit_date=visit_date, visitors=visitors, findings=findings, photos=photos)


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
    if visit_date < timezone.localdate(app.created_at):
        raise ServiceError("调查日期不能早于申请日期")
    needed = app.programme.min_visitors
    if len([v for v in visitors.replace("，", ",").replace("、", ",").split(",") if v.strip()]) < needed:
        raise ServiceError(f"入户调查应由 {needed} 名以上工作人员进行，请填写全部调查人员（用顿号分隔）")
    for photo in photos:
        check_upload(photo, "现场照片")
    return visitors, findings


def do_record_visit(actor, app: Application, *, visit_date, visitors: str, findings: str, photos=()) -> HomeVisit:
    action = workflow.ACTIONS["record_visit"]
    visit = HomeVisit.objects.create(
        application=app, visit_date=visit_date, visitors=visitors, findings=findings, recorded_by=actor.username
    )
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
        data={"date": str(visit_date), "by": visitors},
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
