"""The month's settlement with a funeral home (three people: 制表, 审核, 审批), cemetery inspections, illegal burial
reports, statistics, configuration and the pages."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from huimin.core.access import NotInScope
from huimin.core.services import ServiceError
from huimin.funeral import services
from huimin.funeral.models import BurialReport, Facility, Record, Settlement, WaiverPolicy
from tests.conftest import COUNTY, OTHER_COUNTY, TOWN_A, VILLAGE_A1, VILLAGE_B1
from tests.funeral.conftest import make_policies, record_data
from tests.funeral.test_records import resident

D = datetime.date


@pytest.fixture
def november(staff, policies, home):
    """Two cremations in November (1000 元 each), one on 1 December."""
    a = services.do_record(staff["clerk"], record_data(home, resident(20)))
    b = services.do_record(staff["clerk"], record_data(home, resident(21), disposed_on="2026-11-01",
                                                       death_date="2026-11-01", received_on="2026-11-01"))  # fmt: skip
    c = services.do_record(staff["clerk"], record_data(home, resident(22), disposed_on="2026-12-01",
                                                       death_date="2026-12-01", received_on="2026-12-01"))  # fmt: skip
    return a, b, c


def test_a_settlement_takes_three_people_and_a_return_releases_its_records(staff, home, november):
    a, b, c = november
    s = services.prepare_settlement(staff["clerk"], home.pk, "2026-11")
    assert s.records == 2 and s.total == Decimal("2000.00") and s.status == "draft"
    assert set(Record.objects.filter(settlement=s).values_list("pk", flat=True)) == {a.pk, b.pk}
    with pytest.raises(ServiceError, match="已有结算单"):
        services.prepare_settlement(staff["clerk"], home.pk, "2026-11")
    with pytest.raises(ServiceError, match="只能结算已结束的月份"):
        services.prepare_settlement(staff["clerk"], home.pk, "2026-12")
    with pytest.raises(ServiceError, match="没有待结算的减免"):
        services.prepare_settlement(staff["clerk"], home.pk, "2026-10")
    with pytest.raises(ServiceError, match="只有已审核的结算单可以审批"):
        services.act_on_settlement(staff["approver"], s, "approve")
    services.act_on_settlement(staff["reviewer"], s, "review", "单据齐全")
    from huimin.core.access import Forbidden
    from huimin.core.models import RoleAssignment, User
    from huimin.core.roles import BusinessLine, Role

    with pytest.raises(Forbidden):
        services.act_on_settlement(staff["reviewer"], s, "approve")  # a 审核人 holds no approval
    RoleAssignment.objects.create(user=staff["reviewer"], role=Role.APPROVER, line=BusinessLine.FUNERAL)
    with pytest.raises(ServiceError, match="审批人不能是制表人或审核人"):
        services.act_on_settlement(User.objects.get(pk=staff["reviewer"].pk), s, "approve")
    s.refresh_from_db()
    assert s.status == "reviewed"
    services.act_on_settlement(staff["approver"], s, "approve")
    s.refresh_from_db()
    assert s.status == "approved" and s.approved_by == "funeral_approver"
    assert services.paid_total(staff["approver"], 2026) == Decimal("2000.00")
    with pytest.raises(ServiceError, match="已审批的结算单不能退回"):
        services.act_on_settlement(staff["reviewer"], s, "return", "错")


def test_the_preparer_cannot_review_and_a_returned_month_can_be_prepared_again(users, make_user, staff, home,
                                                                                november):  # fmt: skip
    from huimin.core.models import RoleAssignment
    from huimin.core.roles import BusinessLine, Role

    both = staff["reviewer"]
    RoleAssignment.objects.create(user=both, role=Role.CLERK, line=BusinessLine.FUNERAL)
    s = services.prepare_settlement(both, home.pk, "2026-11")
    with pytest.raises(ServiceError, match="同一人不能既制表又审核"):
        services.act_on_settlement(both, s, "review")
    with pytest.raises(ServiceError, match="退回须说明理由"):
        services.act_on_settlement(both, s, "return")
    services.act_on_settlement(both, s, "return", "金额有误")
    assert not Record.objects.filter(settlement=s).exists()
    again = services.prepare_settlement(staff["clerk"], home.pk, "2026-11")
    assert again.records == 2 and Settlement.objects.count() == 2


def test_inspections_and_burial_reports(staff, cemetery, home):
    data = {"facility": cemetery.pk, "inspected_on": "2026-11-10", "result": "rectify", "findings": "超规格墓位 3 个"}
    with pytest.raises(ServiceError, match="请填写整改期限"):
        services.record_inspection(staff["approver"], data)
    services.record_inspection(staff["approver"], {**data, "rectify_by": "2027-02-01"})
    with pytest.raises(ServiceError, match="2026 年度已年检"):
        services.record_inspection(staff["approver"], {**data, "rectify_by": "2027-02-01"})
    with pytest.raises(ServiceError, match="年检只适用于公墓"):
        services.record_inspection(staff["approver"], {**data, "facility": home.pk})
    report = {"region": VILLAGE_A1, "location": "小王庄村北地", "reported_on": "2026-12-01", "reporter": "群众来电",
              "description": "耕地内新建硬化大墓"}  # fmt: skip
    r = services.report_burial(staff["clerk_a"], report)
    with pytest.raises(NotInScope):
        services.report_burial(staff["clerk_a"], {**report, "region": VILLAGE_B1})
    with pytest.raises(ServiceError, match="请填写处理结果"):
        services.handle_report(staff["clerk_a"], r, "rectified", "")
    services.handle_report(staff["clerk_a"], r, "rectified", "已责令平坟复耕")
    assert BurialReport.objects.get().status == "rectified"
    with pytest.raises(ServiceError, match="该举报已处理"):
        services.handle_report(staff["clerk_a"], r, "unfounded", "再次")


def test_statistics_count_deaths_cremations_and_waivers_by_county(staff, home, november):
    a, b, c = november
    other = resident(23, region=VILLAGE_B1)
    other.__class__.objects.filter(pk=other.pk).update(is_deceased=True, death_date=D(2026, 10, 2))  # buried elsewhere
    rows = services.statistics(staff["approver"], 2026)
    assert [(r["county"], r["deaths"], r["cremations"], r["waived"]) for r in rows] == [
        (COUNTY, 4, 3, Decimal("3000.00"))
    ]
    assert rows[0]["rate"] == Decimal("75.0")
    assert services.statistics(staff["approver"], 2025) == []


def test_policies_are_rows_from_a_date_and_the_most_specific_region_wins(staff, regions, home):
    make_policies(COUNTY, D(2026, 1, 1))
    WaiverPolicy.objects.create(region_id=TOWN_A, group="general", services=["cremation"], cap=Decimal("400"),
                                effective_from=D(2026, 12, 1))  # fmt: skip
    before = services.check_record(staff["clerk"], record_data(home, resident(24)))  # cremated 30 November
    assert before.waiver.amount == Decimal("1000.00")
    after = services.check_record(staff["clerk"], record_data(home, resident(25), disposed_on="2026-12-01"))
    assert after.waiver.amount == Decimal("400.00")


def test_configuration_writes_stay_in_the_subtree(staff, regions):
    with pytest.raises(NotInScope):
        services.add_policy(staff["approver"], {"region": OTHER_COUNTY, "group": "general", "services": ["cremation"],
                                                "cap": "500", "effective_from": "2027-01-01"})  # fmt: skip
    with pytest.raises(ServiceError, match="请至少选择一项"):
        services.add_policy(staff["approver"], {"region": COUNTY, "group": "general", "services": [], "cap": "500",
                                                "effective_from": "2027-01-01"})  # fmt: skip
    p = services.add_policy(staff["approver"], {"region": COUNTY, "group": "dibao", "services": ["cremation", "x"],
                                                "cap": "500", "effective_from": "2027-01-01"})  # fmt: skip
    assert p.services == ["cremation"] and p.programmes == ["assistance:dibao", "assistance:dibao_single"]
    f = services.add_facility(staff["approver"], {"name": "新殡仪馆", "kind": "funeral_home", "region": COUNTY,
                                                  "licence_no": "X1", "capacity": "100"})  # fmt: skip
    assert f.capacity == 100
    with pytest.raises(NotInScope):
        services.add_facility(staff["approver"], {"name": "外县", "kind": "funeral_home", "region": OTHER_COUNTY,
                                                  "licence_no": "X2"})  # fmt: skip
    assert Facility.objects.count() == 1


def test_the_pages_render_for_the_line_and_refuse_other_lines(users, staff, home, november, login):
    a, b, c = november
    client = login(staff["approver"])
    for name, args in (("funeral:records", []), ("funeral:record", [a.pk]), ("funeral:facilities", []),
                       ("funeral:policies", []), ("funeral:settlements", []), ("funeral:supervision", []),
                       ("funeral:stats", []), ("funeral:record_new", [])):  # fmt: skip
        response = client.get(reverse(name, args=args))
        assert response.status_code == (403 if name == "funeral:record_new" else 200), name
    page = client.get(reverse("funeral:record", args=[a.pk])).content.decode()
    assert "身后事联办清单" in page and "户口注销" in page and "1000.00" in page
    export = client.get(reverse("funeral:records"), {"export": "xlsx"})
    assert export.status_code in (200, 404)  # 404 without 数据导出
    assert login(users["approver"]).get(reverse("funeral:records")).status_code == 403  # 社会救助 line only
    # a township clerk of the line sees his township's records only
    assert login(staff["clerk_a"]).get(reverse("funeral:record", args=[a.pk])).status_code == 200
    outside = services.do_record(staff["clerk"], record_data(home, resident(26, region=VILLAGE_B1)))
    assert login(staff["clerk_a"]).get(reverse("funeral:record", args=[outside.pk])).status_code == 404


def test_the_record_form_previews_then_saves(staff, policies, home, login):
    person = resident(27)
    client = login(staff["clerk"])
    data = record_data(home, person, step="preview")
    page = client.post(reverse("funeral:record_new"), data).content.decode()
    assert "减免计算" in page and "按上限减免 1000.00 元" in page and not Record.objects.exists()
    bad = client.post(reverse("funeral:record_new"), {**data, "step": "save", "death_date": ""})
    assert bad.status_code == 400 and "请填写死亡日期" in bad.content.decode() and not Record.objects.exists()
    saved = client.post(reverse("funeral:record_new"), {**data, "step": "save"}, follow=True).content.decode()
    assert "已推送动态监测" in saved and Record.objects.get().person_id == person.pk
