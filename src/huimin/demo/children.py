"""The demo city's children: in each county a few children in each register (孤儿, 事实无人抚养儿童, 困境儿童, 农村留守
儿童) with their guardians and evidence, the orphans and 事实无人抚养儿童 receiving their 基本生活费 on the monthly
payroll (驻马店: 散居孤儿 950 元/月, 集中养育 1350 元/月; 事实无人抚养儿童 as 散居孤儿), and protection cases at every
stage — all through huimin.children.services as the staff would have done it (the allowance enrolments are
historical, as the other programmes' are)."""

import datetime
from decimal import Decimal

from django.utils import timezone

from huimin.children import services
from huimin.children.models import Case
from huimin.children.services import GuardianInput as G
from huimin.core.context import Actor, acting_as, actor_for
from huimin.core.models import User
from huimin.core.roles import BusinessLine, Role
from huimin.registry.models import Person

LINE = BusinessLine.CHILDREN
DIRECTOR_PREFIX = "ez"  # a village's 儿童主任 (an assistant of the 儿童福利 line): prefix + village code
OFFICE_PREFIX = "et"  # the county's 儿童福利科 (approver of the 儿童福利 line): prefix + county code
STANDARDS = {"orphan_scattered": "950", "orphan_institution": "1350", "de_facto_child": "950", "foster_care": "1200"}
REGISTRAR_PREFIX = "sy"  # the county's 收养登记员 (approver of the 儿童福利 line): 登记审查, the office approves
SOURCE = "驻马店市“十四五”民政事业发展规划：社会散居孤儿每人每月950元，集中养育孤儿每人每月1350元（演示数据）"
PER_REGISTER = 3  # children per register and county
GUARDIANS = {
    "orphan": [G("father", "dead", "（已故）"), G("mother", "dead", "（已故）")],
    "de_facto": [G("father", "imprisoned", "（服刑）"), G("mother", "missing", "（失踪）")],
    "distressed": [G("father", "severe_disability", "（重残）"), G("mother", "normal", "（母）")],
    "left_behind": [G("father", "migrant", "（外出）"), G("mother", "migrant", "（外出）")],
}
EVIDENCE = {
    "orphan": [{"name": "父母死亡证明", "reference": "演示"}],
    "de_facto": [{"name": "服刑人员在押证明", "reference": "演示"}, {"name": "失踪宣告判决书", "reference": "演示"}],
    "distressed": [{"name": "残疾人证（父）", "reference": "演示"}],
    "left_behind": [{"name": "务工证明", "reference": "演示"}],
}
ASSESSMENT = {"safety": 3, "care": 2, "guardian": 2, "health": 0, "education": 1, "psychology": 1}
STEPS = [{"service": "委托照护协议与生活照料", "provider": "村民委员会", "goal": "落实照护人",
          "success_measure": "签订委托照护协议"}]  # fmt: skip
# the stage each demo case is left at, in order
STAGES = ("emergency", "assessment", "planning", "plan_review", "services", "closure_review", "closed")


def load_standards(counties) -> int:
    from django.apps import apps

    standard = apps.get_model("benefits", "Standard")
    rows = [standard(kind=kind, region_id=county, area="all", period="month", value=Decimal(value),
                     effective_from=datetime.date(2021, 1, 1), source=SOURCE, created_by="演示数据")
            for county in counties for kind, value in STANDARDS.items()]  # fmt: skip
    standard.objects.bulk_create(rows)
    return len(rows)


def _children_of(villages: list[str], as_of: datetime.date, taken: set[int]) -> list[Person]:
    young = datetime.date(as_of.year - 2, 1, 1)
    old = datetime.date(as_of.year - 17, 6, 1)  # some turn 18 within the transitions' 90 days
    return list(
        Person.objects.filter(region_id__in=villages, birth_date__gt=old, birth_date__lt=young, is_deceased=False,
                              merged_into__isnull=True, is_urban=False)
        .exclude(pk__in=taken).order_by("birth_date", "pk")[:200]
    )  # fmt: skip


def load_children(as_of: datetime.date) -> dict[str, int]:
    from huimin.assistance.models import Application, Enrolment, EnrolmentChange, EnrolmentMember, Programme

    day = min(as_of, timezone.localdate())
    counts = {"registered": 0, "allowances": 0, "cases": 0, "foster_families": 0, "fostered": 0, "adoptions": 0}
    programmes = {p.code: p for p in Programme.objects.filter(code__in=STANDARDS)}
    taken: set[int] = set()
    offices = User.objects.with_role(Role.APPROVER, LINE).filter(username__startswith=OFFICE_PREFIX)
    for office in offices.order_by("region_id"):
        directors = {d.region_id: d for d in User.objects.with_role(Role.ASSISTANT, LINE)
                     .filter(region__code__startswith=office.region_id[:6])}  # fmt: skip
        supervisors = {s.region_id[:9]: s for s in User.objects.with_role(Role.CLERK, LINE)
                       .filter(region__code__startswith=office.region_id[:6])}  # fmt: skip
        children = _children_of(list(directors), day, taken)
        with acting_as(actor_for(office)):
            entries = []
            # the oldest first (some come of age within the transitions' window), the left-behind the youngest
            picked = [(c, list(GUARDIANS)[n % 3]) for n, c in enumerate(children[: PER_REGISTER * 3])]
            under_16 = datetime.date(day.year - 16, day.month, 1) + datetime.timedelta(days=31)
            picked += [(c, "left_behind") for c in children[PER_REGISTER * 3 :][::-1][:PER_REGISTER]
                       if c.birth_date > under_16]  # fmt: skip
            for n, (child, category) in enumerate(picked):
                entry = services.register_child(
                    office, child, category, guardians=GUARDIANS[category], director=directors[child.region_id],
                    evidence=EVIDENCE[category], placement="institution" if n == 0 else "kin",
                    day=day - datetime.timedelta(days=40 + n))  # fmt: skip
                taken.add(child.pk)
                entries.append(entry)
                counts["registered"] += 1
            for entry in entries:
                code = {"orphan": "orphan_institution" if entry.placement == "institution" else "orphan_scattered",
                        "de_facto": "de_facto_child"}.get(entry.category.code)  # fmt: skip
                if code is None:
                    continue
                _enrol(programmes[code], entry, office, day, Application, Enrolment, EnrolmentMember, EnrolmentChange)
                counts["allowances"] += 1
            middle = [c for c in children if c.pk not in taken]
            for child in middle[: len(STAGES)]:  # the stages cycle over the counties: every stage in the city
                stage = STAGES[counts["cases"] % len(STAGES)]
                # spread over the last three months, so the statistics' case indicators have a trend
                back = datetime.timedelta(days=35 * (counts["cases"] % 3))
                _case(office, directors[child.region_id], supervisors.get(child.region_id[:9]), child, stage,
                      day - back)  # fmt: skip
                taken.add(child.pk)
                counts["cases"] += 1
            orphan = next((e for e in entries if e.placement == "institution"), None)
            _foster_and_adopt(office, directors, orphan, day, taken, programmes.get("foster_care"), counts)
        if directors:
            _waiting_report(min(directors), day)
            counts["waiting_reports"] = counts.get("waiting_reports", 0) + 1
    return counts


def _waiting_report(village_code: str, day: datetime.date) -> None:
    """An anonymous report from the portal naming no ID number: it waits 待核实 for the township 督导员."""
    from huimin.children import reports

    with acting_as(Actor(None, "anonymous", "public", "")):
        reports.receive(
            None, source=Case.Source.PORTAL, channel=reports.PORTAL_CHANNEL, village_code=village_code,
            concern="邻居反映：一名约八岁的男孩近一周常独自在村口徘徊到深夜，衣着单薄，疑似无人照看。",
            child_name="小明（不知全名）", child_age=8, address="村口小卖部附近", anonymous=True,
            at=timezone.make_aware(datetime.datetime.combine(day, datetime.time(20, 15))),
        )  # fmt: skip


def _adults(villages, day: datetime.date, sex: str, count: int, taken: set[int]) -> list[Person]:
    return list(
        Person.objects.filter(region_id__in=villages, sex=sex, is_deceased=False, merged_into__isnull=True,
                              birth_date__gt=datetime.date(day.year - 55, 1, 1),
                              birth_date__lt=datetime.date(day.year - 36, 1, 1))
        .exclude(pk__in=taken).order_by("pk")[:count]
    )  # fmt: skip


def _foster_and_adopt(office, directors, orphan, day, taken, programme, counts) -> None:
    """In each county: an approved 寄养家庭 fostering the institution's orphan (visited, its 家庭寄养费 on the
    payroll) and a family waiting for its assessment; an adoption registered (its archive sealed) and one assessed,
    waiting for the 登记审查 — all through huimin.children.adoption."""
    from huimin.assistance.models import Application, Enrolment, EnrolmentChange, EnrolmentMember
    from huimin.children import adoption
    from huimin.children.models import FamilyAssessmentItem

    registrar = User.objects.filter(username=f"{REGISTRAR_PREFIX}{office.region_id[:6]}").first()
    villages = list(directors)
    women = _adults(villages, day, "2", 4, taken)  # two foster carers, two adopters
    taken.update(p.pk for p in women)
    items = {kind: {i.code: {"pass": "1", "note": ""} for i in FamilyAssessmentItem.objects.filter(kind=kind)}
             for kind in ("adoption", "foster")}  # fmt: skip
    for n, carer in enumerate(women[:2]):
        family = adoption.apply_family(office, carer, address=f"{carer.region.name}（演示地址）", phone="",
                                       day=day - datetime.timedelta(days=60))  # fmt: skip
        counts["foster_families"] += 1
        if n == 1 or orphan is None:
            continue  # waits for its assessment
        adoption.assess_family(office, family, items["foster"], "演示：住房宽敞，家庭和睦，照料人有育儿经验")
        start = day - datetime.timedelta(days=38)  # two days after the orphan entered the register
        placement = adoption.place_in_family(office, family, orphan.person, institution="市儿童福利院（演示）",
                                             started_on=start)  # fmt: skip
        adoption.record_foster_visit(directors[carer.region_id], placement, day - datetime.timedelta(days=10),
                                     "演示：儿童适应良好，按时就学")  # fmt: skip
        counts["fostered"] += 1
        if programme is not None:
            _enrol(
                programme,
                orphan,
                office,
                day,
                Application,
                Enrolment,
                EnrolmentMember,
                EnrolmentChange,
                applicant=carer,  # the 家庭寄养费 is applied for by the foster family, from the next month
                start=(start.replace(day=1) + datetime.timedelta(days=32)).replace(day=1),
            )
            counts["allowances"] += 1
    girls = list(
        Person.objects.filter(region_id__in=villages, sex="2", is_deceased=False, merged_into__isnull=True,
                              birth_date__gt=datetime.date(day.year - 7, 1, 1), birth_date__lt=day)
        .exclude(pk__in=taken).order_by("pk")[:2]
    )  # fmt: skip
    if registrar is None:
        return
    for n, (child, adopter) in enumerate(zip(girls, women[2:], strict=False)):
        # a single woman adopting a girl (the same sex: no age gap required), the child's parents unable to care
        taken.add(child.pk)
        case = adoption.apply(
            office,
            child,
            adopter,
            situation="hardship",
            sender="parents",
            sender_name="生父母（演示）",
            existing_children=0,
            day=day - datetime.timedelta(days=30),
        )
        adoption.assess(
            office,
            case,
            items["adoption"],
            home_visit_on=day - datetime.timedelta(days=25),
            home_visit_note="演示：入户调查，收养人住房与收入稳定",
            police_clear=True,
            police_reference="演示无犯罪记录证明",
            health_clear=True,
            health_reference="演示体检证明",
        )
        counts["adoptions"] += 1
        if n == 1:
            continue  # assessed, waiting for the 登记审查
        adoption.submit(registrar, case, day=day - datetime.timedelta(days=10))
        # registered in the adopter's household (the registry's services move the child); counted in the statistics
        adoption.decide(office, case, True, "演示：准予登记", day=day - datetime.timedelta(days=8))


def _enrol(programme, entry, office, day, application, enrolment, member, change, applicant=None,
           start=None) -> None:  # fmt: skip
    amount = Decimal(STANDARDS[programme.code])
    start = start or (day.replace(day=1) - datetime.timedelta(days=70)).replace(day=1)
    child = entry.person
    from huimin.demo.loader import HISTORY_NOTE as note  # the demo's history is recognised by this note

    app = application.objects.create(
        number=f"{'JY' if applicant else 'ET'}{child.pk:010d}", programme=programme, household_id=child.household_id,
        applicant=applicant or child,
        beneficiary=child, region_id=child.region_id, channel="window", reason=note, stage="enrolled",
        stage_entered_on=start, approved_amount=amount, decision_reasons=note, decided_by="演示历史",
        created_by=office,
    )  # fmt: skip
    basis = {"standard": f"{programme.name}标准 {amount} 元/月（演示数据）", "note": "演示历史数据"}
    enr = enrolment.objects.create(programme=programme, household_id=child.household_id, person=child, application=app,
                                   region_id=child.region_id, monthly_amount=amount, basis=basis, start_month=start,
                                   next_review_on=start.replace(year=start.year + 1))  # fmt: skip
    member.objects.create(enrolment=enr, person=child, added_on=start)
    change.objects.create(enrolment=enr, kind="enrol", effective_month=start, after={"amount": str(amount), **basis},
                          reasons=note, actor="演示历史")  # fmt: skip


def _case(office, director, supervisor, child, stage: str, day: datetime.date) -> Case:
    at = timezone.make_aware(datetime.datetime.combine(day - datetime.timedelta(days=20), datetime.time(9)))
    concern = "演示：学校反映该儿童长期无人照看"
    case = services.report_case(office, child, source="school", concern=concern, reporter_name="演示学校老师",
                                worker=director, supervisor=supervisor, at=at)  # fmt: skip
    if stage == "emergency":
        return case
    services.respond(director, case, "演示：已联系亲属临时照料", at=at + datetime.timedelta(hours=6))
    if stage == "assessment":
        return case
    services.assess(director, case, ASSESSMENT, "演示：需落实委托照护", day=day - datetime.timedelta(days=18))
    if stage == "planning":
        return case
    due = (day + datetime.timedelta(days=30)).isoformat()
    plan = services.submit_plan(director, case, "演示：落实照护，恢复正常生活", [{**STEPS[0], "due_on": due}],
                                at=at + datetime.timedelta(days=3))  # fmt: skip
    if stage == "plan_review":
        return case
    services.decide_plan(office, plan, True, "演示：同意", at=at + datetime.timedelta(days=4))
    referral = services.refer(director, case, agency="education", agency_name="县教育局", reason="演示：协助复学",
                              day=day - datetime.timedelta(days=15))  # fmt: skip
    services.answer_referral(director, referral, accepted=True, response="演示：已安排复学",
                             day=day - datetime.timedelta(days=12))  # fmt: skip
    services.follow_up(director, case, visited_on=day - datetime.timedelta(days=5), note="演示：照料良好")
    if stage == "services":
        return case
    services.request_closure(director, case, "演示：照护落实，风险消除", day=day - datetime.timedelta(days=2))
    if stage == "closure_review":
        return case
    services.decide_closure(office, case, True, "演示：同意结案", at=at + datetime.timedelta(days=19))
    return case
