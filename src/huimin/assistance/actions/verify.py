"""核对: recording a 核对 report by hand, a second person's confirmation of one that differs from the system's,
and finishing the 核对 step."""

import datetime

from django.db import transaction
from django.utils import timezone

from huimin.assistance import workflow
from huimin.assistance.actions.common import (
    authority_for,
    check_upload,
    locked_application,
    money,
    pending_note,
    record_event,
    required_text,
    set_stage,
    today,
)
from huimin.assistance.error_codes import DutyConflict, VerificationDocumentRequired
from huimin.assistance.models import Application, Conclusion, ManualVerification
from huimin.assistance.verification_link import system_result, verification_conclusion
from huimin.core.services import ServiceError


@transaction.atomic
def record_verification(
    actor,
    application: Application,
    *,
    report_number: str,
    report_date,
    conclusion: str,
    reasons: str,
    report_file=None,
    income_per_head=None,
) -> ManualVerification:
    """A 核对 report obtained outside the system; ``income_per_head`` is the 家庭月人均收入 it states (optional
    here, but the approval of a programme calculated from income needs it: it is never taken as 0)."""
    app = locked_application(application)
    authority_for(actor, app, workflow.ACTIONS["record_verification"])
    report_number = required_text(report_number, "核对报告编号")
    reasons = required_text(reasons, "核对结论说明")
    if conclusion not in Conclusion.values:
        raise ServiceError("请选择核对结论：符合、不符合或需入户核实")
    if not isinstance(report_date, datetime.date):
        raise ServiceError("请填写核对报告日期")
    if report_date > today():
        raise ServiceError("核对报告日期不能晚于今天")
    valid_days = app.programme.report_valid_days
    if report_date < app.created_at.date() - datetime.timedelta(days=valid_days):
        raise ServiceError(f"核对报告早于申请 {valid_days} 天以上，请重新核对")
    check_upload(report_file, "核对报告")
    income = None
    if str(income_per_head if income_per_head is not None else "").strip():
        income = money(income_per_head, "家庭月人均收入", allow_zero=True)
    system = system_result(app)
    overrides = system is not None and system.conclusion != conclusion
    if overrides and report_file is None:
        raise VerificationDocumentRequired(
            f"录入的核对结论“{Conclusion(conclusion).label}”与核对系统报告 {system.report_number} 的结论"
            f"“{system.conclusion_label}”不同，须上传核对报告文件作为依据，并由另一名工作人员复核确认后生效"
        )
    record = ManualVerification.objects.create(
        application=app,
        report_number=report_number,
        report_date=report_date,
        conclusion=conclusion,
        reasons=reasons,
        income_per_head=income,
        report_file=report_file or "",
        recorded_by=actor.username,
        status=ManualVerification.Status.PENDING if overrides else ManualVerification.Status.EFFECTIVE,
        system_report=system.report_number if overrides else "",
        system_conclusion=system.conclusion if overrides else "",
    )
    data = {"report_number": report_number, "conclusion": conclusion, "report_date": str(report_date)}
    if income is not None:
        data["income_per_head"] = str(income)
    if overrides:
        data |= {"system_report": system.report_number, "system_conclusion": system.conclusion, "pending": True}
    record_event(
        app,
        actor,
        "record_verification",
        "录入核对结果（与核对系统结论不同，待复核确认）" if overrides else "录入核对结果",
        app.stage,
        reasons=reasons,
        data=data,
    )
    return record


@transaction.atomic
def check_verification(actor, application: Application, record_id, *, confirmed: bool, note: str) -> ManualVerification:
    """A second person confirms (or refuses) a manual 核对 conclusion that differs from the system's report;
    confirmed, it counts from now."""
    app = locked_application(application)
    authority_for(actor, app, workflow.ACTIONS["check_verification"])
    record = ManualVerification.objects.select_for_update().filter(pk=record_id or 0, application=app).first()
    if record is None:
        raise ServiceError("该申请没有这条人工核对记录")
    if record.status != ManualVerification.Status.PENDING:
        raise ServiceError(f"这条核对结论不需要复核确认（{record.get_status_display()}）")
    if record.recorded_by == actor.username:
        raise DutyConflict(
            "不能复核确认本人录入的核对结论（职责分离：与核对系统结论不同的人工核对结论，须由另一名工作人员复核确认）"
        )
    note = required_text(note, "复核意见")
    record.status = ManualVerification.Status.CONFIRMED if confirmed else ManualVerification.Status.REJECTED
    record.checked_by = actor.username
    record.checked_at = timezone.now()
    record.check_note = note
    record.save(update_fields=["status", "checked_by", "checked_at", "check_note"])
    record_event(
        app, actor, "check_verification", "复核确认人工核对结论" if confirmed else "复核不予确认人工核对结论",
        app.stage, reasons=note, data={"report_number": record.report_number, "status": record.status},
    )  # fmt: skip
    return record


@transaction.atomic
def finish_verification(actor, application: Application) -> Application:
    app = locked_application(application)
    action = workflow.ACTIONS["finish_verification"]
    authority_for(actor, app, action)
    result = verification_conclusion(app)
    if result is None:
        raise ServiceError("尚无家庭经济状况核对结果，请先录入核对报告" + pending_note(app))
    if result.conclusion == Conclusion.NOT_ELIGIBLE:
        raise ServiceError("核对结论为“不符合”，请作出不予批准决定并写明理由" + pending_note(app))
    before = app.stage
    set_stage(app, workflow.target(action, app.programme.stages, app.stage), today())
    app.save()
    record_event(app, actor, "finish_verification", action.label, before, data={"report_number": result.report_number})
    return app
