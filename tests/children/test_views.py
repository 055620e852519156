"""The pages: a register entry through the form, the transitions list, a case walked through its actions by
posts (the browser walk is tests/e2e/test_day_children.py), the KPIs and the Excel export."""

import datetime

import pytest
from django.urls import reverse

from huimin.children.models import Case, RegisterEntry
from tests.children.conftest import make_person
from tests.conftest import VILLAGE_A1

pytestmark = pytest.mark.django_db


def test_register_form_list_entry_and_transitions(client, staff):
    child = make_person(VILLAGE_A1, datetime.date(2009, 1, 10))
    client.force_login(staff["supervisor"])
    assert client.get(reverse("children:enter")).status_code == 200
    bad = client.post(reverse("children:enter"), {"id_number": child.id_number, "category": "orphan",
                                                  "father_status": "dead", "mother_status": "normal",
                                                  "father_name": "父", "mother_name": "母",
                                                  "director": staff["director"].pk})  # fmt: skip
    assert bad.status_code == 400 and "不符合孤儿认定条件" in bad.content.decode()
    assert not RegisterEntry.objects.exists()
    ok = client.post(reverse("children:enter"), {"id_number": child.id_number, "category": "orphan",
                                                 "father_status": "dead", "mother_status": "dead",
                                                 "father_name": "父", "mother_name": "母",
                                                 "director": staff["director"].pk, "evidence_name": ["死亡证明"],
                                                 "evidence_reference": ["D-9"]})  # fmt: skip
    entry = RegisterEntry.objects.get()
    assert ok.status_code == 302 and ok.url == reverse("children:entry", args=[entry.pk])
    assert child.name in client.get(reverse("children:register")).content.decode()
    assert "死亡证明" in client.get(reverse("children:entry", args=[entry.pk])).content.decode()
    assert child.name in client.get(reverse("children:transitions")).content.decode()  # 18 on 2027-01-10
    client.post(reverse("children:entry_visit", args=[entry.pk]), {"visited_on": "2026-11-20", "note": "良好"})
    assert entry.visits.count() == 1
    export = client.get(reverse("children:register") + "?export=xlsx")
    assert export.status_code == 200 and "spreadsheet" in export["Content-Type"]


def test_a_case_walked_through_the_pages(client, staff):
    child = make_person(VILLAGE_A1, datetime.date(2016, 6, 1))
    client.force_login(staff["director"])
    assert client.get(reverse("children:report")).status_code == 200
    client.post(
        reverse("children:report"),
        {
            "id_number": child.id_number,
            "source": "school",
            "concern": "无人照看",
            "reporter_name": "张老师",
            "supervisor": staff["supervisor"].pk,
        },
    )
    case = Case.objects.get()

    def act(user, step, **data):
        client.force_login(user)
        response = client.post(reverse("children:case_act", args=[case.pk, step]), data)
        assert response.status_code == 302
        return client.get(reverse("children:case", args=[case.pk])).content.decode()

    d, s = staff["director"], staff["supervisor"]
    act(d, "respond", action="已安排亲属照料")
    act(d, "assess", **{f"item_{k}": v for k, v in {"safety": 3, "care": 2, "guardian": 2, "health": 0,
                                                      "education": 0, "psychology": 0}.items()})  # fmt: skip
    page = act(d, "plan", goal="恢复照料")
    assert "帮扶计划至少要有一项帮扶措施" in page
    act(d, "plan", goal="恢复照料", i1_service="心理辅导", i1_provider="社工站", i1_goal="情绪稳定",
        i1_due_on="2026-12-20", i1_success_measure="量表改善")  # fmt: skip
    plan = case.plans.get()
    act(s, "plan_approve", plan=plan.pk, note="同意")
    act(d, "refer", agency="health", agency_name="区妇幼保健院", reason="体检")
    act(d, "referral_accept", referral=case.referrals.get().pk, response="已接收")
    act(d, "follow_up", visited_on="2026-11-20", note="稳定")
    act(d, "closure_request", reason="风险消除")
    page = act(s, "closure_approve", note="同意")
    case.refresh_from_db()
    assert case.status == "closed" and "已结案" in page
    client.force_login(staff["county"])
    assert "区妇幼保健院" not in client.get(reverse("children:kpis")).content.decode()
    assert case.number in client.get(reverse("children:cases")).content.decode()
    client.force_login(staff["other"])
    assert case.number not in client.get(reverse("children:cases")).content.decode()
