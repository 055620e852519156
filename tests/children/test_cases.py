"""一人一案: a case from the report to the approved closure; the refusals; who sees a case; tasks and KPIs."""

import datetime

import pytest
from django.urls import reverse

from huimin.children import services
from huimin.children.access import access_case_by_id
from huimin.children.models import Case, Plan
from huimin.core.access import BusinessRuleError, Forbidden, NotInScope
from huimin.core.models import AuditEntry
from tests.children.conftest import make_person
from tests.clock import at
from tests.conftest import VILLAGE_A1, VILLAGE_B1

pytestmark = pytest.mark.django_db
LOW = {"safety": 0, "care": 2, "guardian": 2, "health": 1, "education": 0, "psychology": 1}  # 6: 中风险
STEPS = [{"service": "送医就诊", "provider": "乡镇卫生院", "goal": "完成体检", "due_on": "2026-12-10",
          "success_measure": "体检报告"}]  # fmt: skip


def _report(staff, **kw):
    child = kw.pop("child", None) or make_person(VILLAGE_A1, datetime.date(2016, 4, 1))
    return services.report_case(staff["director"], child, source="school", concern="孩子长期无人照看",
                                reporter_name="张老师", supervisor=staff["supervisor"], **kw)  # fmt: skip


def test_a_case_from_report_to_closure(staff):
    case = _report(staff)
    assert case.status == "emergency" and case.emergency_due - case.reported_at == datetime.timedelta(hours=24)
    assert {a.user_id: a.role for a in case.assignments.all()} == {staff["director"].pk: "worker",
                                                                   staff["supervisor"].pk: "supervisor"}  # fmt: skip
    services.respond(staff["director"], case, "已联系亲属临时照料")
    services.assess(staff["director"], case, LOW, "需要就医")
    case.refresh_from_db()
    assert case.status == "planning" and case.risk_level.code == "medium"
    plan = services.submit_plan(staff["director"], case, "保障生活与健康", STEPS)
    with pytest.raises(Forbidden):  # the 儿童主任 is not a supervisor
        services.decide_plan(staff["director"], plan, True)
    services.decide_plan(staff["supervisor"], plan, True, "同意")
    referral = services.refer(staff["director"], case, agency="education", agency_name="区教育局", reason="复学")
    services.answer_referral(staff["director"], referral, accepted=True, response="已安排复学")
    services.complete_intervention(staff["director"], plan.interventions.get(), "已体检")
    services.intervene(staff["director"], case, kind="warning", note="督促父亲履责")
    services.follow_up(staff["director"], case, visited_on=datetime.date(2026, 11, 20), note="情况稳定")
    services.request_closure(staff["director"], case, "风险消除")
    with pytest.raises(Forbidden):
        services.decide_closure(staff["director"], case, True)  # not his to approve
    services.decide_closure(staff["supervisor"], case, True, "同意结案")
    case.refresh_from_db()
    assert case.status == "closed" and case.closed_by == staff["supervisor"]
    actions = set(AuditEntry.objects.filter(object_id=str(case.pk), action__startswith="children.case.")
                  .values_list("action", flat=True))  # fmt: skip
    assert {"children.case.report", "children.case.respond", "children.case.plan_decide",
            "children.case.closure_decide"} <= actions  # fmt: skip


def test_bad_input_is_refused_with_nothing_written(staff):
    adult = make_person(VILLAGE_A1, datetime.date(2000, 1, 1))
    with pytest.raises(BusinessRuleError) as exc:
        _report(staff, child=adult)
    assert exc.value.code == "children.not_a_child" and not Case.objects.exists()
    case = _report(staff)
    services.respond(staff["director"], case, "已处置")
    services.assess(staff["director"], case, LOW)
    with pytest.raises(BusinessRuleError) as exc:
        services.submit_plan(staff["director"], case, "目标", [])
    assert exc.value.code == "children.plan_empty" and not Plan.objects.exists()
    with pytest.raises(BusinessRuleError, match="缺少：完成时限"):
        services.submit_plan(staff["director"], case, "目标", [{**STEPS[0], "due_on": ""}])
    # the supervisor writes the plan himself: he may not approve it, the county office may
    services.assign(staff["county"], case, staff["supervisor"], "worker")
    plan = services.submit_plan(staff["supervisor"], case, "目标", STEPS)
    with pytest.raises(BusinessRuleError) as exc:
        services.decide_plan(staff["supervisor"], plan, True)
    assert exc.value.code == "children.self_approval"
    plan.refresh_from_db()
    assert plan.status == "submitted"
    services.decide_plan(staff["county"], plan, True)
    services.request_closure(staff["supervisor"], case, "风险消除")
    with pytest.raises(BusinessRuleError) as exc:
        services.decide_closure(staff["supervisor"], case, True)
    assert exc.value.code == "children.self_approval"


def test_only_assigned_staff_and_the_county_office_see_a_case_and_every_read_is_audited(staff, client):
    case = _report(staff)
    for who in ("director", "supervisor", "county"):
        assert access_case_by_id(staff[who], case.pk) == case
    with pytest.raises(NotInScope):
        access_case_by_id(staff["other"], case.pk)  # same township, not assigned
    assert list(services.visible_cases(staff["other"])) == []
    client.force_login(staff["other"])
    assert client.get(reverse("children:case", args=[case.pk])).status_code == 404
    client.force_login(staff["clerk_b"])
    assert client.get(reverse("children:case", args=[case.pk])).status_code == 404
    client.force_login(staff["supervisor"])
    reads = AuditEntry.objects.filter(action="children.case.read", object_id=str(case.pk), actor="ch_supervisor")
    before = reads.count()
    page = client.get(reverse("children:case", args=[case.pk]))
    assert page.status_code == 200 and "张老师" in page.content.decode()
    assert reads.count() == before + 1


def test_an_anonymous_report_keeps_no_reporter(staff):
    case = services.report_case(staff["county"], make_person(VILLAGE_B1, datetime.date(2017, 1, 1)),
                                source="neighbour", concern="夜里常听到孩子哭喊", anonymous=True,
                                reporter_name="邻居王某", reporter_contact="13800000000")  # fmt: skip
    assert case.anonymous and case.reporter_name == "" and case.reporter_contact == ""
    assert not case.assignments.exists()  # the county office assigns
    with pytest.raises(BusinessRuleError, match="报告人姓名"):
        services.report_case(staff["county"], case.child, source="neighbour", concern="x", anonymous=False)


def test_overdue_steps_are_on_the_workers_and_supervisors_lists_and_kpis_count(staff):
    case = _report(staff)
    assert [t.what for t in services.task_list(staff["director"], overdue_only=True)] == []
    with at(2026, 11, 22):
        tasks = services.task_list(staff["supervisor"], overdue_only=True)
        assert [(t.case.pk, t.what) for t in tasks] == [(case.pk, "应急处置")]
        assert services.task_list(staff["other"], overdue_only=True) == []
        services.respond(staff["director"], case, "已处置")
        k = services.kpis(staff["county"])
    assert k["townships"][0]["cases"] == 1 and k["townships"][0]["response_hours"] == 48.0
    assert k["caseload"] == {"王主任": 1}
