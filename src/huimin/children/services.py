"""Every state change of 儿童福利. Each ``check_*`` validates and writes nothing; the action then writes in one
transaction with its audit entry. A refused request raises BusinessRuleError (a code of ChildrenErrorCode and a
Chinese message) or ServiceError and changes nothing."""

import datetime
import secrets
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from huimin.children import capabilities as cap
from huimin.children import rules
from huimin.children.error_codes import ChildrenErrorCode as E
from huimin.children.models import (
    Assignment,
    Case,
    CaseAssessment,
    Category,
    Evidence,
    FollowUp,
    Guardian,
    GuardianshipAction,
    GuardianStatus,
    Intervention,
    Parameter,
    Plan,
    Referral,
    RegisterEntry,
    RegisterVisit,
    RiskItem,
    RiskLevel,
)
from huimin.core import audit, idempotency, offline, regions
from huimin.core.access import BusinessRuleError, require_capability, require_region_in_scope
from huimin.core.roles import BusinessLine, has_capability
from huimin.core.scope import in_scope, scoped

LINE = BusinessLine.CHILDREN
CONFIGURE_WHERE = "请由系统管理员运行数据迁移（python -m huimin migrate）载入儿童福利默认设置"


def today() -> datetime.date:
    return timezone.localdate()


def parameter(code: str) -> int:
    row = Parameter.objects.filter(code=code).first()
    if row is None:
        raise BusinessRuleError(
            E.NOT_CONFIGURED, f"未设置儿童福利参数“{Parameter.Code(code).label}”，{CONFIGURE_WHERE}"
        )
    return row.value


def _required(value, label: str) -> str:
    text = str(value or "").strip()
    if not text:
        raise BusinessRuleError(E.REQUIRED, f"请填写{label}")
    return text


def _by(actor) -> str:
    return getattr(actor, "username", "") or "system"


def check_child(person, day: datetime.date) -> None:
    """A child: alive, not merged, with a birth date, under the adult age on ``day``."""
    adult = parameter("adult_age")
    if getattr(person, "is_deceased", False) or getattr(person, "merged_into_id", None):
        raise BusinessRuleError(E.NOT_A_CHILD, f"{person.name}已死亡或已合并，不能办理儿童福利业务")
    if person.birth_date is None:
        raise BusinessRuleError(E.NOT_A_CHILD, f"{person.name}的出生日期未登记，请先在人员信息中登记出生日期")
    age = rules.age_on(person.birth_date, day)
    if age >= adult:
        raise BusinessRuleError(E.NOT_A_CHILD, f"{person.name}已满 {adult} 周岁（{age} 岁），不是未成年人")


# --- registers --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GuardianInput:
    relation: str
    status: str
    name: str = ""
    person_id: int | None = None
    since: datetime.date | None = None
    note: str = ""


def _users_on_line(capability: str):
    """Users holding ``capability`` on the 儿童福利 line (the generic roles given it in ChildrenConfig.ready)."""
    from huimin.core.roles import LINE_CAPABILITIES

    roles_with = [role for (role, line), caps in LINE_CAPABILITIES.items() if line == LINE and capability in caps]
    return (
        get_user_model()
        .objects.filter(is_active=True, role_assignments__line=LINE, role_assignments__role__in=roles_with)
        .distinct()
    )


def directors_for(region_code: str):
    """The 儿童主任 who may be responsible for a child of ``region_code``: 儿童福利 assistants of that village."""
    from huimin.core.roles import Role

    return (
        get_user_model()
        .objects.filter(is_active=True, region_id=region_code, role_assignments__line=LINE,
                        role_assignments__role=Role.ASSISTANT)
        .distinct()
        .order_by("username")
    )  # fmt: skip


def check_register(actor, person, category_code: str, guardians: list[GuardianInput], director, day) -> Category:
    require_capability(actor, cap.REGISTER, "登记儿童名册", line=LINE)
    require_region_in_scope(actor, person.region_id, "儿童")
    check_child(person, day)
    category = Category.objects.filter(code=category_code).first()
    if category is None:
        raise BusinessRuleError(E.CATEGORY_UNKNOWN, "名册类别不存在")
    if RegisterEntry.objects.filter(person=person, category=category, status=RegisterEntry.Status.ACTIVE).exists():
        raise BusinessRuleError(E.ALREADY_REGISTERED, f"{person.name}已在{category.name}名册中")
    for g in guardians:
        if g.person_id is not None and g.person_id == person.pk:
            raise BusinessRuleError(E.GUARDIAN_IS_CHILD, "监护人不能是儿童本人")
        if g.relation not in Guardian.Relation.values or g.status not in GuardianStatus.values:
            raise BusinessRuleError(E.REQUIRED, "请为每位监护人选择关系和状况")
        if g.person_id is None and not g.name.strip():
            raise BusinessRuleError(E.REQUIRED, "请填写监护人姓名")
    reasons = rules.check(category.criteria, person, [g.__dict__ for g in guardians], day)
    if reasons:
        raise BusinessRuleError(E.CRITERIA, f"不符合{category.name}认定条件：" + "；".join(reasons))
    if director is None or not directors_for(person.region_id).filter(pk=director.pk).exists():
        raise BusinessRuleError(
            E.DIRECTOR,
            "儿童主任须为儿童所在村（社区）儿童福利条线的协理员；如无，请由安全保密员在“用户管理”页面为其分配角色",
        )
    return category


@transaction.atomic
def register_child(actor, person, category_code: str, *, guardians: list[GuardianInput], director,
                   evidence: list[dict] = (), placement: str = RegisterEntry.Placement.KIN, note: str = "",
                   day: datetime.date | None = None) -> RegisterEntry:  # fmt: skip
    day = day or today()
    category = check_register(actor, person, category_code, guardians, director, day)
    if placement not in RegisterEntry.Placement.values:
        raise BusinessRuleError(E.REQUIRED, "安置方式不正确")
    from huimin.registry.models import Person

    ids = [g.person_id for g in guardians if g.person_id]
    names = dict(Person.objects.filter(pk__in=ids).values_list("pk", "name")) if ids else {}
    entry = RegisterEntry.objects.create(
        person=person, household_id=person.household_id, category=category, region_id=person.region_id,
        placement=placement, director=director, entered_on=day,
        next_visit_due=day + datetime.timedelta(days=parameter("visit_days")), note=note[:300],
        created_by=_by(actor),
    )  # fmt: skip
    Guardian.objects.bulk_create(
        Guardian(entry=entry, person_id=g.person_id, name=g.name.strip() or names.get(g.person_id, ""),
                 relation=g.relation, status=g.status, since=g.since, note=g.note[:200])
        for g in guardians
    )  # fmt: skip
    Evidence.objects.bulk_create(
        Evidence(entry=entry, name=_required(e.get("name"), "证明材料名称")[:100],
                 reference=str(e.get("reference") or "")[:100], issued_on=e.get("issued_on"))
        for e in evidence
    )  # fmt: skip
    audit.record("children.register.enter", entry, after={"category": category.code, "person": person.pk})
    from huimin.children.adoption import place
    from huimin.children.models import PlacementRecord

    current = PlacementRecord.objects.filter(child=person, ended_on__isnull=True).first()
    if current is None:
        place(actor, person, placement, day, f"纳入{category.name}名册")
    elif current.kind != placement:
        entry.placement = current.kind  # the history is the truth: the entry shows the current placement
        entry.save(update_fields=["placement"])
    return entry


@transaction.atomic
def end_entry(actor, entry: RegisterEntry, reason: str, day: datetime.date | None = None) -> RegisterEntry:
    require_capability(actor, cap.REGISTER, "办理名册退出", line=LINE)
    require_region_in_scope(actor, entry.region_id, "名册记录")
    reason = _required(reason, "退出原因")
    entry = RegisterEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.status != RegisterEntry.Status.ACTIVE:
        raise BusinessRuleError(E.CASE_STATE, "该名册记录已退出")
    _end(entry, day or today(), reason)
    return entry


def _end(entry: RegisterEntry, day: datetime.date, reason: str) -> None:
    entry.status, entry.ended_on, entry.end_reason = RegisterEntry.Status.ENDED, day, reason[:200]
    entry.save(update_fields=["status", "ended_on", "end_reason"])
    audit.record("children.register.end", entry, after={"ended_on": str(day), "reason": reason[:200]})


VISIT_SUBMISSION = "children.visit"


class VisitConflict(offline.EditConflict):
    """Someone recorded a visit of the child after the 儿童主任's form was loaded (offline, hours before): the
    record is held for him to read the other visit and decide, never added silently."""

    def __init__(self, latest: RegisterVisit):
        super().__init__(
            E.VISIT_CONFLICT,
            f"{latest.entry.person.name}在您打开表单后已由{latest.by.full_name or latest.by.username}于 "
            f"{latest.visited_on:%Y-%m-%d} 走访（{latest.note[:60]}）。请核对后选择「仍然提交」或放弃本条记录",
            latest,
        )


def latest_visit_id(entry: RegisterEntry) -> str:
    """What a visit form remembers of the child's visits when it is loaded ('' for none)."""
    found = RegisterVisit.objects.filter(entry=entry).order_by("-id").values_list("id", flat=True).first()
    return str(found or "")


@transaction.atomic
def record_register_visit(actor, entry: RegisterEntry, visited_on: datetime.date, note: str, *, key: str = "",
                          known_last: str | None = None, confirm_conflict: bool = False) -> RegisterVisit:  # fmt: skip
    """A visit of a registered child. Entered offline it carries ``key`` (recorded once however often it is sent)
    and ``known_last`` (``latest_visit_id`` when the form was loaded): a visit recorded by someone else since is a
    ``VisitConflict`` unless ``confirm_conflict``."""
    idempotency.check_key(VISIT_SUBMISSION, key)
    require_capability(actor, cap.VIEW, "登记走访", line=LINE)
    require_region_in_scope(actor, entry.region_id, "名册记录")
    note = _required(note, "走访情况")
    if visited_on is None or visited_on > today():
        raise BusinessRuleError(E.REQUIRED, "请填写走访日期（不能晚于今天）")
    if known_last is not None and not confirm_conflict and latest_visit_id(entry) != known_last.strip():
        latest = RegisterVisit.objects.filter(entry=entry).select_related("entry__person", "by").order_by("-id").first()
        if latest is not None:
            raise VisitConflict(latest)
    received = idempotency.remember(VISIT_SUBMISSION, key, actor)
    visit = RegisterVisit.objects.create(entry=entry, visited_on=visited_on, by=actor, note=note[:500])
    idempotency.attach(received, visit)
    entry.next_visit_due = max(entry.next_visit_due, visited_on + datetime.timedelta(days=parameter("visit_days")))
    entry.save(update_fields=["next_visit_due"])
    audit.record("children.register.visit", entry, after={"visited_on": str(visited_on)})
    return visit


def register(actor):
    """The register entries an actor sees."""
    return scoped(RegisterEntry.objects.all(), actor, "region", cap.VIEW)


def transitions(actor, day: datetime.date | None = None):
    """(entry, 18th birthday) of the active entries whose child comes of age in the next ``transition_days``
    days (continuing education, adult assistance to be arranged), soonest first."""
    day = day or today()
    adult, horizon = parameter("adult_age"), parameter("transition_days")
    last = day + datetime.timedelta(days=horizon)
    # born in (last − adult years, day − adult years]: a coarse filter in SQL, the exact birthday in Python
    earliest = datetime.date(last.year - adult - 1, 1, 1)
    rows = register(actor).filter(status=RegisterEntry.Status.ACTIVE, person__birth_date__gte=earliest)
    found = []
    for entry in rows.select_related("person", "category", "region", "director"):
        coming = rules.birthday(entry.person.birth_date, adult)
        if day < coming <= last:
            found.append((entry, coming))
    return sorted(found, key=lambda t: (t[1], t[0].pk))


ALLOWANCE_KINDS = ("orphan", "orphan_institution", "de_facto_child")


def daily(day: datetime.date | None = None) -> dict:
    """The daily job (idempotent): every child who has turned 18 by ``day`` leaves the registers on his birthday,
    and his 基本生活费 enrolments stop from the month after the birthday."""
    from huimin.assistance.actions.enrol import do_stop
    from huimin.assistance.models import Enrolment

    day = day or today()
    adult = parameter("adult_age")
    born_by = datetime.date(day.year - adult, 12, 31)
    ended = stopped = 0
    ids = list(RegisterEntry.objects.filter(status=RegisterEntry.Status.ACTIVE, person__birth_date__lte=born_by)
               .values_list("pk", flat=True))  # fmt: skip
    for pk in ids:
        with transaction.atomic():
            entry = RegisterEntry.objects.select_for_update().select_related("person").get(pk=pk)
            coming = rules.birthday(entry.person.birth_date, adult)
            if entry.status != RegisterEntry.Status.ACTIVE or coming > day:
                continue
            _end(entry, coming, f"年满 {adult} 周岁")
            ended += 1
    enrolments = Enrolment.objects.filter(
        programme__kind__in=ALLOWANCE_KINDS, person__birth_date__lte=born_by,
        status__in=(Enrolment.Status.ACTIVE, Enrolment.Status.GRACE, Enrolment.Status.SUSPENDED),
    ).values_list("pk", flat=True)  # fmt: skip
    for pk in list(enrolments):
        with transaction.atomic():
            enr = Enrolment.objects.select_for_update(of=("self",)).select_related("person", "programme").get(pk=pk)
            coming = rules.birthday(enr.person.birth_date, adult)
            if enr.status == Enrolment.Status.STOPPED or coming > day:
                continue
            do_stop(None, enr, f"年满 {adult} 周岁（{coming:%Y-%m-%d}），自次月起停发{enr.programme.name}", day=coming)
            stopped += 1
    return {"ended": ended, "stopped": stopped}


# --- cases: who sees one ---------------------------------------------------------------------------------------


def sees_all(actor) -> bool:
    """The county (or city) children's office: every case in its region."""
    level = getattr(getattr(actor, "region", None), "level", None)
    return has_capability(actor, cap.CASE_ALL, LINE) and level is not None and level <= regions.COUNTY


def visible_cases(actor):
    qs = scoped(Case.objects.all(), actor, "region", cap.CASE_REPORT)
    if sees_all(actor):
        return qs
    mine = Assignment.objects.filter(user_id=actor.pk, ended_at__isnull=True).values("case_id")
    return qs.filter(pk__in=mine)


def role_on(actor, case: Case) -> str | None:
    row = Assignment.objects.filter(case=case, user_id=actor.pk, ended_at__isnull=True).first()
    return row.role if row else None


def _assign(case: Case, user, role: str) -> None:
    if user is not None and not Assignment.objects.filter(case=case, user=user, ended_at__isnull=True).exists():
        Assignment.objects.create(case=case, user=user, role=role)
        audit.record("children.case.assign", case, after={"user": user.username, "role": role})


def check_assignee(case_region: str, user, capability: str, what: str) -> None:
    if user is None:
        return
    if not (user.is_active and has_capability(user, capability, LINE) and in_scope(user, case_region)):
        raise BusinessRuleError(E.REQUIRED, f"{what}须为该儿童所在地儿童福利条线的工作人员")


def _number(day: datetime.date) -> str:
    return f"ET{day:%Y%m%d}-{secrets.token_hex(3).upper()}"


def check_report(actor, child, *, source: str, concern: str, anonymous: bool, reporter_name: str, day) -> str:
    require_capability(actor, cap.CASE_REPORT, "登记发现报告", line=LINE)
    require_region_in_scope(actor, child.region_id, "儿童")
    check_child(child, day)
    if source not in Case.Source.values:
        raise BusinessRuleError(E.REQUIRED, "请选择报告来源")
    if not anonymous and not (reporter_name or "").strip():
        raise BusinessRuleError(E.REQUIRED, "请填写报告人姓名，或勾选“匿名报告”")
    return _required(concern, "报告情况")


@transaction.atomic
def report_case(
    actor,
    child,
    *,
    source: str,
    concern: str,
    anonymous: bool = False,
    reporter_name: str = "",
    reporter_contact: str = "",
    worker=None,
    supervisor=None,
    at: datetime.datetime | None = None,
) -> Case:
    """发现报告: opens a case with its 应急处置 deadline. The worker is the reporting 儿童主任 (or the one named, or
    the child's register 儿童主任); the supervisor is the one named (otherwise the county office assigns one)."""
    at = at or timezone.now()
    day = timezone.localtime(at).date()
    concern = check_report(actor, child, source=source, concern=concern, anonymous=anonymous,
                           reporter_name=reporter_name, day=day)  # fmt: skip
    check_assignee(child.region_id, worker, cap.CASE_WORK, "个案工作者")
    check_assignee(child.region_id, supervisor, cap.CASE_SUPERVISE, "督导员")
    if worker is None and has_capability(actor, cap.CASE_WORK, LINE) and actor.region.level == regions.VILLAGE:
        worker = actor
    return open_case(child, source=source, concern=concern, anonymous=anonymous, reporter_name=reporter_name,
                     reporter_contact=reporter_contact, worker=worker, supervisors=[supervisor], at=at,
                     created_by=_by(actor))  # fmt: skip


def open_case(child, *, source: str, concern: str, anonymous: bool, reporter_name: str, reporter_contact: str,
              worker, supervisors, at: datetime.datetime, created_by: str) -> Case:  # fmt: skip
    """Writes a case whose report was checked (``report_case`` for staff, ``reports`` for a report received from
    the portal or the API): the case, its 应急处置 deadline from the moment of the report, its assignments (the
    worker, else the child's register 儿童主任; the supervisors) and the audit entry. The reporter is not stored
    when anonymous."""
    case = Case.objects.create(
        number=_number(timezone.localtime(at).date()), child=child, region_id=child.region_id, source=source,
        anonymous=anonymous, reporter_name="" if anonymous else reporter_name.strip()[:50],
        reporter_contact="" if anonymous else reporter_contact.strip()[:50], concern=concern, reported_at=at,
        emergency_due=at + datetime.timedelta(hours=parameter("emergency_hours")), created_by=created_by,
    )  # fmt: skip
    if worker is None:
        entry = RegisterEntry.objects.filter(person=child, status=RegisterEntry.Status.ACTIVE).first()
        worker = entry.director if entry else None
    _assign(case, worker, Assignment.Role.WORKER)
    for supervisor in supervisors:
        _assign(case, supervisor, Assignment.Role.SUPERVISOR)
    audit.record("children.case.report", case, after={"source": source, "anonymous": anonymous})
    return case


def _locked(case: Case) -> Case:
    return Case.objects.select_for_update(of=("self",)).get(pk=case.pk)


def _require_worker(actor, case: Case, what: str) -> None:
    require_capability(actor, cap.CASE_WORK, what, line=LINE)
    if not (role_on(actor, case) or sees_all(actor)):
        raise BusinessRuleError(E.CASE_STATE, f"您不是该个案的工作人员，不能{what}")


def _require_supervisor(actor, case: Case, what: str) -> None:
    require_capability(actor, cap.CASE_SUPERVISE, what, line=LINE)
    if not (role_on(actor, case) == Assignment.Role.SUPERVISOR or sees_all(actor)):
        raise BusinessRuleError(E.CASE_STATE, f"只有该个案的督导员或县级儿童福利工作人员可以{what}")


def _require_status(case: Case, *statuses, what: str) -> None:
    if case.status not in statuses:
        raise BusinessRuleError(E.CASE_STATE, f"个案当前为“{case.get_status_display()}”，不能{what}")


@transaction.atomic
def assign(actor, case: Case, user, role: str) -> Case:
    case = _locked(case)
    require_capability(actor, cap.CASE_SUPERVISE, "指派个案", line=LINE)
    if not (sees_all(actor) or role_on(actor, case) == Assignment.Role.SUPERVISOR):
        raise BusinessRuleError(E.CASE_STATE, "只有该个案的督导员或县级儿童福利工作人员可以指派")
    if role not in Assignment.Role.values or user is None:
        raise BusinessRuleError(E.REQUIRED, "请选择被指派人和职责")
    need = cap.CASE_WORK if role == Assignment.Role.WORKER else cap.CASE_SUPERVISE
    check_assignee(case.region_id, user, need, Assignment.Role(role).label)
    _require_status(case, *[s for s in Case.Status.values if s != Case.Status.CLOSED], what="指派")
    _assign(case, user, role)
    return case


@transaction.atomic
def respond(actor, case: Case, action: str, at: datetime.datetime | None = None) -> Case:
    """应急处置: the first response; the assessment is due within ``assessment_days``."""
    case = _locked(case)
    _require_worker(actor, case, "登记应急处置")
    _require_status(case, Case.Status.EMERGENCY, what="登记应急处置")
    action = _required(action, "应急处置情况")
    at = at or timezone.now()
    case.first_response_at, case.emergency_action = at, action
    case.assessment_due = timezone.localtime(at).date() + datetime.timedelta(days=parameter("assessment_days"))
    case.status = Case.Status.ASSESSMENT
    case.save()
    audit.record("children.case.respond", case, after={"at": at.isoformat(), "overdue": at > case.emergency_due})
    return case


def level_for(total: int) -> RiskLevel:
    level = RiskLevel.objects.filter(min_total__lte=total).order_by("-min_total").first()
    if level is None:
        raise BusinessRuleError(E.NOT_CONFIGURED, f"未设置监护风险等级，{CONFIGURE_WHERE}")
    return level


def check_assessment(answers: dict) -> int:
    items = list(RiskItem.objects.all())
    if not items:
        raise BusinessRuleError(E.NOT_CONFIGURED, f"未设置监护风险评估项目，{CONFIGURE_WHERE}")
    total = 0
    for item in items:
        value = answers.get(item.code)
        try:
            score = int(value)
        except (TypeError, ValueError):
            raise BusinessRuleError(E.ASSESSMENT_ITEMS, f"请为“{item.name}”选择评估结果") from None
        if score not in item.scores():
            raise BusinessRuleError(E.ASSESSMENT_ITEMS, f"“{item.name}”的评估结果不是可选项之一")
        total += score
    return total


@transaction.atomic
def assess(actor, case: Case, answers: dict, needs: str = "", day: datetime.date | None = None) -> CaseAssessment:
    case = _locked(case)
    _require_worker(actor, case, "登记评估")
    _require_status(case, Case.Status.ASSESSMENT, Case.Status.PLANNING, Case.Status.SERVICES, what="登记评估")
    day = day or today()
    total = check_assessment(answers)
    level = level_for(total)
    row = CaseAssessment.objects.create(
        case=case,
        assessed_on=day,
        by=actor,
        total=total,
        level=level,
        answers={k: int(v) for k, v in answers.items()},
        needs=needs[:2000],
    )
    case.risk_level = level
    if case.status == Case.Status.ASSESSMENT:
        case.status = Case.Status.PLANNING
        case.plan_due = day + datetime.timedelta(days=parameter("plan_days"))
    case.save()
    audit.record("children.case.assess", case, after={"total": total, "level": level.code})
    return row


def check_plan(goal: str, interventions: list[dict]) -> tuple[str, list[dict]]:
    goal = _required(goal, "计划总体目标")
    if not interventions:
        raise BusinessRuleError(E.PLAN_EMPTY, "帮扶计划至少要有一项帮扶措施（服务内容、提供方、目标、时限、成效标准）")
    clean = []
    for n, i in enumerate(interventions, 1):
        row = {k: str(i.get(k) or "").strip() for k in ("service", "provider", "goal", "success_measure")}
        missing = [label for k, label in (("service", "服务内容"), ("provider", "提供方"), ("goal", "目标"),
                                          ("success_measure", "成效标准")) if not row[k]]  # fmt: skip
        due = i.get("due_on")
        if isinstance(due, str):
            try:
                due = datetime.date.fromisoformat(due)
            except ValueError:
                due = None
        if due is None:
            missing.append("完成时限")
        if missing:
            raise BusinessRuleError(E.REQUIRED, f"第 {n} 项帮扶措施缺少：{'、'.join(missing)}")
        clean.append(row | {"due_on": due})
    return goal, clean


@transaction.atomic
def submit_plan(actor, case: Case, goal: str, interventions: list[dict], at=None) -> Plan:
    case = _locked(case)
    _require_worker(actor, case, "提交帮扶计划")
    _require_status(case, Case.Status.PLANNING, what="提交帮扶计划")
    goal, clean = check_plan(goal, interventions)
    at = at or timezone.now()
    plan = Plan.objects.create(case=case, goal=goal[:300], author=actor, submitted_at=at,
                               approval_due=timezone.localtime(at).date()
                               + datetime.timedelta(days=parameter("approval_days")))  # fmt: skip
    Intervention.objects.bulk_create(
        Intervention(plan=plan, service=r["service"][:200], provider=r["provider"][:100], goal=r["goal"][:200],
                     due_on=r["due_on"], success_measure=r["success_measure"][:200])
        for r in clean
    )  # fmt: skip
    case.status = Case.Status.PLAN_REVIEW
    case.save(update_fields=["status"])
    audit.record("children.case.plan_submit", case, after={"plan": plan.pk, "interventions": len(clean)})
    return plan


@transaction.atomic
def decide_plan(actor, plan: Plan, approve: bool, note: str = "", at=None) -> Plan:
    case = _locked(plan.case)
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    _require_supervisor(actor, case, "审批帮扶计划")
    if plan.status != Plan.Status.SUBMITTED or case.status != Case.Status.PLAN_REVIEW:
        raise BusinessRuleError(E.CASE_STATE, "该帮扶计划不在待审批状态")
    if plan.author_id == actor.pk:
        raise BusinessRuleError(
            E.SELF_APPROVAL, "帮扶计划的制定人不能审批自己制定的计划，请由督导员或县级儿童福利工作人员审批"
        )
    if not approve:
        note = _required(note, "退回理由")
    at = at or timezone.now()
    plan.status = Plan.Status.APPROVED if approve else Plan.Status.RETURNED
    plan.decided_by, plan.decided_at, plan.decision_note = actor, at, note[:300]
    plan.save()
    if approve:
        case.status = Case.Status.SERVICES
        case.next_visit_due = timezone.localtime(at).date() + datetime.timedelta(days=parameter("followup_days"))
    else:
        case.status = Case.Status.PLANNING
    case.save()
    audit.record("children.case.plan_decide", case, after={"plan": plan.pk, "status": plan.status})
    return plan


@transaction.atomic
def complete_intervention(actor, intervention: Intervention, result: str, day=None) -> Intervention:
    intervention = Intervention.objects.select_related("plan").get(pk=intervention.pk)
    case = _locked(intervention.plan.case)
    _require_worker(actor, case, "登记服务完成")
    _require_status(case, Case.Status.SERVICES, what="登记服务完成")
    if intervention.plan.status != Plan.Status.APPROVED or intervention.status != Intervention.Status.PLANNED:
        raise BusinessRuleError(E.CASE_STATE, "该措施不在已批准计划的待办状态")
    intervention.status, intervention.done_on = Intervention.Status.DONE, day or today()
    intervention.result = _required(result, "完成情况")[:300]
    intervention.save()
    audit.record("children.case.service_done", case, after={"intervention": intervention.pk})
    return intervention


@transaction.atomic
def refer(actor, case: Case, *, agency: str, agency_name: str, reason: str, day=None) -> Referral:
    case = _locked(case)
    _require_worker(actor, case, "转介")
    _require_status(case, Case.Status.ASSESSMENT, Case.Status.PLANNING, Case.Status.PLAN_REVIEW,
                    Case.Status.SERVICES, what="转介")  # fmt: skip
    if agency not in Referral.Agency.values:
        raise BusinessRuleError(E.REQUIRED, "请选择转介机构类别")
    day = day or today()
    row = Referral.objects.create(case=case, agency=agency, agency_name=_required(agency_name, "机构名称")[:100],
                                  reason=_required(reason, "转介事由")[:300], referred_on=day, by=actor,
                                  due_on=day + datetime.timedelta(days=parameter("referral_days")))  # fmt: skip
    audit.record("children.case.refer", case, after={"referral": row.pk, "agency": agency})
    return row


@transaction.atomic
def answer_referral(actor, referral: Referral, *, accepted: bool, response: str, day=None) -> Referral:
    """The agency's answer (accepted or rejected), recorded by the case's worker as the agency gave it."""
    case = _locked(referral.case)
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    _require_worker(actor, case, "登记转介答复")
    if referral.status != Referral.Status.PENDING:
        raise BusinessRuleError(E.CASE_STATE, f"该转介已{referral.get_status_display()}")
    response = _required(response, "答复意见") if not accepted else (response or "").strip()
    referral.status = Referral.Status.ACCEPTED if accepted else Referral.Status.REJECTED
    referral.responded_on, referral.response = day or today(), response[:300]
    referral.save()
    audit.record("children.case.referral_answer", case, after={"referral": referral.pk, "status": referral.status})
    return referral


@transaction.atomic
def intervene(actor, case: Case, *, kind: str, note: str, day=None) -> GuardianshipAction:
    case = _locked(case)
    _require_worker(actor, case, "登记监护干预")
    _require_status(case, *[s for s in Case.Status.values if s != Case.Status.CLOSED], what="登记监护干预")
    if kind not in GuardianshipAction.Kind.values:
        raise BusinessRuleError(E.REQUIRED, "请选择监护干预方式")
    row = GuardianshipAction.objects.create(case=case, kind=kind, taken_on=day or today(),
                                            note=_required(note, "干预情况")[:300], by=actor)  # fmt: skip
    audit.record("children.case.intervene", case, after={"kind": kind})
    return row


@transaction.atomic
def follow_up(actor, case: Case, *, visited_on: datetime.date | None, note: str) -> FollowUp:
    case = _locked(case)
    _require_worker(actor, case, "登记回访")
    _require_status(case, Case.Status.SERVICES, Case.Status.CLOSURE_REVIEW, what="登记回访")
    if visited_on is None or visited_on > today():
        raise BusinessRuleError(E.REQUIRED, "请填写回访日期（不能晚于今天）")
    row = FollowUp.objects.create(case=case, due_on=case.next_visit_due or visited_on, visited_on=visited_on,
                                  note=_required(note, "回访情况")[:500], by=actor)  # fmt: skip
    case.next_visit_due = visited_on + datetime.timedelta(days=parameter("followup_days"))
    case.save(update_fields=["next_visit_due"])
    audit.record("children.case.follow_up", case, after={"visited_on": str(visited_on)})
    return row


@transaction.atomic
def request_closure(actor, case: Case, reason: str, day=None) -> Case:
    case = _locked(case)
    _require_worker(actor, case, "申请结案")
    _require_status(case, Case.Status.SERVICES, what="申请结案")
    case.closure_reason = _required(reason, "结案原因")[:300]
    case.closure_requested_by = actor
    case.closure_due = (day or today()) + datetime.timedelta(days=parameter("approval_days"))
    case.status = Case.Status.CLOSURE_REVIEW
    case.save()
    audit.record("children.case.closure_request", case, after={"reason": case.closure_reason})
    return case


@transaction.atomic
def decide_closure(actor, case: Case, approve: bool, note: str = "", at=None) -> Case:
    case = _locked(case)
    _require_supervisor(actor, case, "审批结案")
    _require_status(case, Case.Status.CLOSURE_REVIEW, what="审批结案")
    if case.closure_requested_by_id == actor.pk:
        raise BusinessRuleError(
            E.SELF_APPROVAL, "结案申请人不能审批自己的结案申请，请由督导员或县级儿童福利工作人员审批"
        )
    if approve:
        case.status, case.closed_at, case.closed_by = Case.Status.CLOSED, at or timezone.now(), actor
        case.next_visit_due = None
    else:
        _required(note, "退回理由")
        case.status, case.closure_requested_by, case.closure_due = Case.Status.SERVICES, None, None
    case.save()
    audit.record("children.case.closure_decide", case, after={"approved": approve, "note": note[:200]})
    return case


# --- tasks and deadlines --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Task:
    case: Case
    what: str
    due: datetime.date
    overdue: bool


def tasks_of(case: Case, day: datetime.date | None = None) -> list[Task]:
    """The steps a case waits for, each with its due date (overdue when past it)."""
    day = day or today()
    found = []

    def add(what, due):
        if due is not None:
            if isinstance(due, datetime.datetime):
                due = timezone.localtime(due).date()
            found.append(Task(case, what, due, due < day))

    s = Case.Status
    if case.status == s.EMERGENCY:
        found.append(Task(case, "应急处置", timezone.localtime(case.emergency_due).date(),
                          timezone.now() > case.emergency_due))  # fmt: skip
    elif case.status == s.ASSESSMENT:
        add("评估", case.assessment_due)
    elif case.status == s.PLANNING:
        add("制定帮扶计划", case.plan_due)
    elif case.status == s.PLAN_REVIEW:
        plan = case.plans.filter(status=Plan.Status.SUBMITTED).first()
        add("审批帮扶计划", plan.approval_due if plan else None)
    elif case.status == s.CLOSURE_REVIEW:
        add("审批结案", case.closure_due)
    if case.status in (s.SERVICES, s.CLOSURE_REVIEW):
        add("回访", case.next_visit_due)
        for i in Intervention.objects.filter(plan__case=case, plan__status=Plan.Status.APPROVED,
                                             status=Intervention.Status.PLANNED):  # fmt: skip
            add(f"帮扶措施：{i.service}", i.due_on)
    for r in case.referrals.filter(status=Referral.Status.PENDING):
        add(f"转介答复：{r.agency_name}", r.due_on)
    return found


def task_list(actor, *, overdue_only: bool = False, day=None) -> list[Task]:
    """The tasks of the cases an actor works or supervises (the county office: every open case it sees)."""
    found = []
    for case in visible_cases(actor).exclude(status=Case.Status.CLOSED).select_related("child", "region"):
        found += [t for t in tasks_of(case, day) if t.overdue or not overdue_only]
    return sorted(found, key=lambda t: (t.due, t.case.pk))


# --- KPIs ------------------------------------------------------------------------------------------------------


def kpis(actor, day=None) -> dict:
    """Caseload per worker, report → first response (hours), opening → closure (days), open cases with an approved
    plan, visits done vs due — over the cases the actor sees, by township, through ``day``. The same computation as
    the ``stats`` indicators (huimin.children.figures)."""
    from huimin.children import figures
    from huimin.core.models import Region

    day = day or today()
    by_town = figures.case_figures(visible_cases(actor), start=None, end=day + datetime.timedelta(days=1),
                                   level=regions.TOWNSHIP)  # fmt: skip
    names = dict(Region.objects.filter(code__in=[regions.full_code(p) for p in by_town]).values_list("code", "name"))
    rows = []
    caseload: dict[int, int] = {}
    for prefix, f in sorted(by_town.items()):
        rows.append({
            "township": names.get(regions.full_code(prefix), prefix), "cases": f.cases, "open": f.open,
            "response_hours": f.mean_response_hours, "closure_days": f.mean_closure_days,
            "with_plan": f.open_with_plan, "plan_share": f.plan_share, "visits_done": f.visits_done,
            "visits_due": f.visits_due, "caseload_per_worker": f.caseload_per_worker,
        })  # fmt: skip
        for user_id, n in f.caseload.items():
            caseload[user_id] = caseload.get(user_id, 0) + n
    users = get_user_model().objects.filter(pk__in=caseload).order_by("username")
    return {"townships": rows, "caseload": {u.full_name or u.username: caseload[u.pk] for u in users}}
