"""Another department inside the workflow, and 跨县通办: the 县残联's review of a 残疾人证 (stage
``agency_review``, role 残联审核人 of the county) and the forwarding of an application to the county of the
person's 户籍."""

from django.db import transaction
from django.utils import timezone

from huimin.assistance import overlaps, workflow
from huimin.assistance.actions.common import (
    authority_for,
    locked_application,
    record_event,
    required_text,
    set_stage,
    today,
)
from huimin.assistance.error_codes import AssistanceErrorCode
from huimin.assistance.models import CERTIFICATE_KINDS, Application, Forwarding, Stage
from huimin.core import audit, regions
from huimin.core.access import BusinessRuleError
from huimin.core.models import Region
from huimin.core.scope import in_scope
from huimin.core.services import ServiceError
from huimin.registry.certificates import CertificateError, check_grade, parse_certificate
from huimin.registry.codes import DisabilityCategory
from huimin.registry.models import Person


def county_name(code12: str) -> str:
    county = regions.ancestor_code(code12, regions.COUNTY)
    return Region.objects.filter(code=county).values_list("name", flat=True).first() or county


def check_same_county(actor, app: Application, what: str) -> None:
    """A county department acts only on the applications of its own county: a clear refusal (not a 404), so the
    reviewer of another county knows to whom the application belongs."""
    if not in_scope(actor, app.region_id):
        raise BusinessRuleError(
            AssistanceErrorCode.OTHER_COUNTY,
            f"该申请属于{county_name(app.region_id)}，{what}须由该县（区）办理，您所在的"
            f"{getattr(actor.region, 'name', '')}不能办理",
        )


def certificate_of(person: Person, cert_no: str = "") -> tuple[str, int]:
    """(category, grade) of ``person``'s 第二代残疾人证 (``cert_no`` as presented, else the registry's); refuses a
    number that is not the holder's, and one that contradicts the category and grade on his record."""
    cert_no = (cert_no or "").strip() or (person.disability_cert_no or "")
    if not cert_no:
        raise BusinessRuleError(
            AssistanceErrorCode.CERTIFICATE_INVALID,
            f"{person.name}没有登记残疾人证号：请先在「人员」页面登记其第二代残疾人证（类别、等级、证号）",
        )
    try:
        return parse_certificate(cert_no, person.id_number)
    except CertificateError as exc:
        raise BusinessRuleError(AssistanceErrorCode.CERTIFICATE_INVALID, str(exc)) from exc


def check_certificate_matches(person: Person, category: str, grade: int) -> None:
    if person.disability_grade and (person.disability_category, person.disability_grade) != (category, grade):
        recorded = f"{person.get_disability_category_display()}{person.disability_grade}级"
        raise BusinessRuleError(
            AssistanceErrorCode.CERTIFICATE_INVALID,
            f"残疾人证号显示为{DisabilityCategory(category).label}{grade}级，与人员信息登记的{recorded}不一致："
            "请核实残疾人证后更正人员信息",
        )


@transaction.atomic
def agency_review(
    actor, application: Application, *, passed: bool, opinion: str, grade=None, category: str = "", cert_no: str = ""
) -> Application:
    """残联审核: the 县残联 verifies the 残疾人证 (number, category, grade) and passes the application on to the
    县民政 审批, or refuses it with written reasons. The verified category and grade are what the approval and
    its rules read."""
    app = locked_application(application)
    verified = check_agency_review(actor, app, passed=passed, opinion=opinion, grade=grade, category=category,
                                   cert_no=cert_no)  # fmt: skip
    return do_agency_review(actor, app, passed=passed, opinion=opinion.strip(), verified=verified)


def check_agency_review(actor, app: Application, *, passed: bool, opinion: str, grade, category: str, cert_no: str):
    check_same_county(actor, app, "残联审核")
    action = workflow.ACTIONS["agency_review" if passed else "refuse_agency"]
    authority_for(actor, app, action)
    required_text(opinion, "审核意见")
    if not passed:
        return {}
    person = app.beneficiary
    if person is None or app.programme.kind not in CERTIFICATE_KINDS:
        raise ServiceError("该申请不涉及残疾人证，无需残联审核")
    person = Person.objects.get(pk=person.pk)
    cert_category, cert_grade = certificate_of(person, cert_no)
    try:
        grade = check_grade(grade) if str(grade or "").strip() else cert_grade
    except CertificateError as exc:
        raise BusinessRuleError(AssistanceErrorCode.CERTIFICATE_INVALID, str(exc)) from exc
    category = (category or "").strip() or cert_category
    if category not in DisabilityCategory.values:
        raise BusinessRuleError(AssistanceErrorCode.CERTIFICATE_INVALID, "残疾类别不正确：应为 1–7 类之一")
    if (category, grade) != (cert_category, cert_grade):
        raise BusinessRuleError(
            AssistanceErrorCode.CERTIFICATE_INVALID,
            f"审核的残疾类别、等级（{DisabilityCategory(category).label}{grade}级）与残疾人证号显示的"
            f"{DisabilityCategory(cert_category).label}{cert_grade}级不一致：请以有效的残疾人证为准",
        )
    overlaps.check_eligible(
        app.programme, person, app.household, app.region_id, today(), grade=grade, category=category,
        exclude_application_id=app.pk,
    )  # fmt: skip
    return {"category": category, "grade": grade}


def do_agency_review(actor, app: Application, *, passed: bool, opinion: str, verified: dict) -> Application:
    before = app.stage
    if not passed:
        action = workflow.ACTIONS["refuse_agency"]
        app.stage = Stage.REFUSED
        app.stage_due_on = None
        app.decision_reasons = opinion
        app.decided_by = actor.username
        app.decided_at = timezone.now()
        app.save()
        record_event(app, actor, "refuse_agency", action.label, before, reasons=opinion)
        from huimin.assistance.actions.common import notify

        notify(app, "refused", "不予批准通知书",
               f"{app.applicant.name}：您提出的{app.programme.name}申请（编号 {app.number}），经县残联审核不予通过，"
               f"理由如下：{opinion}。如对本决定有异议，可依法申请行政复议或提起行政诉讼。")  # fmt: skip
        return app
    action = workflow.ACTIONS["agency_review"]
    app.details = {
        **app.details,
        "agency": {**verified, "by": actor.username, "on": str(today())},
    }
    set_stage(app, workflow.target(action, app.programme.stages, app.stage), today())
    app.save()
    record_event(app, actor, "agency_review", action.label, before, reasons=opinion, data={"verified": verified})
    return app


@transaction.atomic
def forward(actor, application: Application, reasons: str) -> Application:
    """跨县通办: the township that received the application (where the person lives) forwards it, with its file,
    to the county of the person's 户籍, which handles it from 受理 on. The forwarding is recorded; the
    application's region becomes the 户籍 village, so the receiving county sees it."""
    app = locked_application(application)
    authority_for(actor, app, workflow.ACTIONS["forward"])
    reasons = required_text(reasons, "转办说明")
    person = Person.objects.select_related("hukou_region").get(pk=(app.beneficiary_id or app.applicant_id))
    hukou = person.hukou_region
    if hukou is None:
        raise BusinessRuleError(
            AssistanceErrorCode.NOT_FORWARDABLE,
            f"{person.name}没有登记户籍地，无法转户籍地办理：请先在人员信息中登记户籍地",
        )
    here = regions.ancestor_code(app.region_id, regions.COUNTY)
    there = regions.ancestor_code(hukou.code, regions.COUNTY)
    if here == there:
        raise BusinessRuleError(
            AssistanceErrorCode.NOT_FORWARDABLE, f"{person.name}的户籍地在本县（区），由本地受理即可，无需转办"
        )
    if regions.level_of(hukou.code) < regions.TOWNSHIP:
        raise BusinessRuleError(
            AssistanceErrorCode.NOT_FORWARDABLE,
            f"{person.name}的户籍地只登记到{hukou.name}，须登记到乡镇（街道）或村（社区）才能转办",
        )
    before_region = app.region_id
    Forwarding.objects.create(
        application=app, from_region_id=before_region, to_region=hukou, reasons=reasons,
        documents=list(app.documents), actor=actor.username,
    )  # fmt: skip
    app.region = hukou
    set_stage(app, Stage.ACCEPT, today())
    app.save()
    record_event(
        app, actor, "forward", "转户籍地办理", Stage.ACCEPT, reasons=reasons,
        data={"from": before_region, "to": hukou.code, "to_county": county_name(hukou.code)},
    )  # fmt: skip
    audit.record("assistance.application.forward", app, before={"region": before_region}, after={"region": hukou.code})
    return app
