"""社会组织 filings, annual reports, credit lists, volunteers: the rules a registration authority relies on, each
refusal changing nothing."""

import datetime

import pytest
import time_machine

from huimin.core.access import BusinessRuleError, NotInScope
from huimin.core.models import AuditEntry
from huimin.orgs import services
from huimin.orgs.models import AnnualReport, CreditEntry, Filing, Organisation, ServiceHours
from tests.clock import BEIJING
from tests.conftest import COUNTY, OTHER_COUNTY, VILLAGE_A1
from tests.orgs.conftest import credit_code, make_org

DOCS = ["登记申请书", "章程草案", "验资报告", "住所使用证明", "法定代表人身份证明"]
FIGURES = {"income": "120000", "expenditure": "100000", "net_assets": "50000", "staff": "3", "activities": "年会"}


def _register_data(n=901, **over):
    return {
        "name": "驿城区新协会",
        "kind": "social_group",
        "credit_code": credit_code(n),
        "legal_rep": "李四",
        "capital": "3",
        "domicile": "驿城区某路",
        "scope": "服务",
        "region": VILLAGE_A1,
        "supervisor": "",
    } | over


# --- filings ------------------------------------------------------------------------------------------------------


def test_a_registration_is_decided_by_a_second_officer_and_creates_the_organisation(staff):
    filing = services.submit_filing(staff["approver"], "register", COUNTY, _register_data(), DOCS)
    with pytest.raises(BusinessRuleError) as refused:
        services.decide_filing(staff["approver"], filing.pk, True)
    assert refused.value.code == "core.duty_conflict" and "受理登记申请" in str(refused.value)
    filing = services.decide_filing(staff["approver2"], filing.pk, True)
    org = Organisation.objects.get(credit_code=credit_code(901))
    assert filing.org == org and org.registered_on == datetime.date(2026, 7, 15) and org.authority_id == COUNTY
    with pytest.raises(BusinessRuleError, match="已准予登记"):
        services.decide_filing(staff["approver2"], filing.pk, False, "重复")


@pytest.mark.parametrize(
    ("data", "docs", "message"),
    [
        (
            _register_data(credit_code=credit_code(901)[:-1] + ("0" if credit_code(901)[-1] != "0" else "1")),
            DOCS,
            "校验位错误",
        ),
        (_register_data(capital="2.99"), DOCS, "不得少于 3 万元"),
        (_register_data(kind="foundation", capital="199"), DOCS, "不得少于 200 万元"),
        (_register_data(name=" "), DOCS, "请填写：名称"),
        (_register_data(), DOCS[:-1], "缺少：法定代表人身份证明"),
        (_register_data(region="411721001001"), DOCS, "不在您的管辖范围内"),
    ],
)
def test_a_bad_registration_is_refused_with_its_reason_and_nothing_written(staff, data, docs, message):
    with pytest.raises((BusinessRuleError, NotInScope), match=message):
        services.submit_filing(staff["clerk"], "register", COUNTY, data, docs)
    assert not Filing.objects.exists()


def test_a_credit_code_registered_or_pending_is_refused(staff, org):
    with pytest.raises(BusinessRuleError, match="已登记或已有待决定"):
        services.submit_filing(staff["clerk"], "register", COUNTY, _register_data(credit_code=org.credit_code), DOCS)
    services.submit_filing(staff["clerk"], "register", COUNTY, _register_data(), DOCS)
    with pytest.raises(BusinessRuleError, match="已登记或已有待决定"):
        services.submit_filing(staff["clerk2"], "register", COUNTY, _register_data(), DOCS)


def test_a_change_applies_only_what_changed_and_a_cancellation_ends_the_organisation(staff, org):
    with pytest.raises(BusinessRuleError, match="至少变更一项"):
        services.submit_filing(
            staff["clerk"],
            "change",
            "",
            {"legal_rep": org.legal_rep},
            ["变更登记申请书", "会员（代表）大会或理事会决议", "变更事项证明"],
            org_pk=org.pk,
        )
    change = services.submit_filing(
        staff["clerk"],
        "change",
        "",
        {"legal_rep": "王五", "domicile": org.domicile},
        ["变更登记申请书", "会员（代表）大会或理事会决议", "变更事项证明"],
        org_pk=org.pk,
    )
    assert change.data == {"legal_rep": "王五"}
    services.decide_filing(staff["approver"], change.pk, True)
    org.refresh_from_db()
    assert org.legal_rep == "王五"
    cancel = services.submit_filing(staff["clerk"], "cancel", "", {}, ["注销登记申请书", "清算报告"], org_pk=org.pk)
    with pytest.raises(BusinessRuleError, match="须填写理由"):
        services.decide_filing(staff["approver"], cancel.pk, False, "")
    services.decide_filing(staff["approver"], cancel.pk, True)
    org.refresh_from_db()
    assert org.status == Organisation.Status.CANCELLED and org.ended_on == datetime.date(2026, 7, 15)


def test_another_countys_organisation_does_not_exist_for_an_officer(staff):
    other = make_org(OTHER_COUNTY)
    with pytest.raises(NotInScope):
        services.submit_filing(staff["clerk"], "cancel", "", {}, ["注销登记申请书", "清算报告"], org_pk=other.pk)
    with pytest.raises(NotInScope):
        services.enter_credit(staff["approver"], other.pk, "unreachable", "2026-07-01")


# --- annual reports -----------------------------------------------------------------------------------------------


def test_an_annual_report_goes_filed_prechecked_decided_by_two_people(staff, org):
    with pytest.raises(BusinessRuleError, match="尚未结束"):
        services.file_report(org, 2026, FIGURES)
    with pytest.raises(BusinessRuleError, match="请填写：年末净资产"):
        services.file_report(org, 2025, FIGURES | {"net_assets": ""})
    with pytest.raises(BusinessRuleError, match="不能小于 0"):
        services.file_report(org, 2025, FIGURES | {"income": "-1"})
    report = services.file_report(org, 2025, FIGURES)
    with pytest.raises(BusinessRuleError, match="不能重复报送"):
        services.file_report(org, 2025, FIGURES)
    with pytest.raises(BusinessRuleError, match="不能作出年检结论"):
        services.decide_report(staff["approver"], report.pk, "qualified")
    with pytest.raises(BusinessRuleError, match="退回年度报告须填写理由"):
        services.precheck_report(staff["reviewer"], report.pk, False, "")
    services.precheck_report(staff["reviewer"], report.pk, False, "净资产与审计报告不符")
    report = services.file_report(org, 2025, FIGURES | {"net_assets": "52000"})  # filed again after the return
    assert report.status == AnnualReport.Status.FILED and report.precheck_by is None
    services.precheck_report(staff["reviewer"], report.pk, True)
    with pytest.raises(BusinessRuleError, match="不合格结论须填写理由"):
        services.decide_report(staff["approver"], report.pk, "basic", "")
    report = services.decide_report(staff["approver"], report.pk, "qualified")
    assert report.result == "qualified" and report.decided_by == staff["approver"]


def test_the_same_person_may_not_precheck_and_decide(staff, org, make_user):
    from huimin.core.roles import BusinessLine, Role

    both = make_user("o_both", Role.REVIEWER, COUNTY, line=BusinessLine.ORGS, also=[(Role.APPROVER, BusinessLine.ORGS)])
    report = services.file_report(org, 2025, FIGURES)
    services.precheck_report(both, report.pk, True)
    with pytest.raises(BusinessRuleError, match="同一人不能既初审年度报告又作出年检结论"):
        services.decide_report(both, report.pk, "qualified")


def test_a_report_for_a_year_before_registration_is_refused(staff):
    young = make_org(registered_on=datetime.date(2026, 1, 5))
    with pytest.raises(BusinessRuleError, match="无需报送 2025 年度报告"):
        services.file_report(young, 2025, FIGURES)


def test_the_filing_rate_counts_filed_reports_against_ninety_percent(staff):
    orgs = [make_org() for _ in range(9)]
    make_org(registered_on=datetime.date(2026, 2, 1))  # registered after 2025: not required
    make_org(status=Organisation.Status.CANCELLED, ended_on=datetime.date(2025, 6, 1))  # ended during 2025
    orgs.append(make_org(status=Organisation.Status.CANCELLED, ended_on=datetime.date(2026, 1, 10)))  # lived all 2025
    for o in orgs[:8]:
        services.file_report(o, 2025, FIGURES)
    rate = services.filing_rate(staff["approver"], 2025)["rows"]
    assert [(r["required"], r["filed"], r["met"]) for r in rate] == [(10, 8, False)]
    services.file_report(orgs[8], 2025, FIGURES)  # 9 of 10: exactly the 90% line, met
    assert [(r["filed"], r["met"]) for r in services.filing_rate(staff["approver"], 2025)["rows"]] == [(9, True)]
    assert list(services.non_filers(staff["approver"], 2025)) == [orgs[9]]


# --- credit -------------------------------------------------------------------------------------------------------


def test_non_filers_enter_the_abnormal_list_only_after_the_deadline(staff, org):
    with (
        time_machine.travel(datetime.datetime(2026, 5, 31, 18, tzinfo=BEIJING), tick=False),
        pytest.raises(BusinessRuleError, match="期限届满后"),
    ):
        services.enter_non_filers(staff["approver"], 2025)
    assert services.enter_non_filers(staff["approver"], 2025) == 1  # 15 July
    assert services.enter_non_filers(staff["approver"], 2025) == 0  # already on the list
    entry = CreditEntry.objects.get(org=org)
    assert entry.list == "abnormal" and entry.report_year == 2025 and not entry.late
    with pytest.raises(BusinessRuleError, match="尚未补报 2025 年度工作报告"):
        services.exit_credit(staff["approver"], entry.pk, "已补报")
    services.file_report(org, 2025, FIGURES)
    services.exit_credit(staff["approver"], entry.pk, "已补报 2025 年度报告")
    assert CreditEntry.objects.get(pk=entry.pk).exited_on == datetime.date(2026, 7, 15)


def test_an_abnormal_entry_moves_to_the_serious_list_on_its_second_anniversary(staff, org):
    entry = services.enter_credit(staff["approver"], org.pk, "unreachable", "2026-07-15", "驿民社〔2026〕1号")
    with time_machine.travel(datetime.datetime(2028, 7, 14, 9, tzinfo=BEIJING), tick=False):
        assert services.move_expired() == 0
    with time_machine.travel(datetime.datetime(2028, 7, 15, 9, tzinfo=BEIJING), tick=False):
        assert services.move_expired() == 1
        assert services.move_expired() == 0  # idempotent
    serious = CreditEntry.objects.get(list="serious")
    assert serious.moved_from == entry and serious.entered_on == datetime.date(2028, 7, 15)
    assert CreditEntry.objects.get(pk=entry.pk).exited_on == datetime.date(2028, 7, 15)
    with (
        time_machine.travel(datetime.datetime(2033, 7, 14, 9, tzinfo=BEIJING), tick=False),
        pytest.raises(BusinessRuleError, match="满5年"),
    ):
        services.exit_credit(staff["approver"], serious.pk, "信用修复")
    with time_machine.travel(datetime.datetime(2033, 7, 15, 9, tzinfo=BEIJING), tick=False):
        services.exit_credit(staff["approver"], serious.pk, "信用修复")


def test_a_decision_entered_late_is_kept_and_flagged(staff, org):
    entry = services.enter_credit(staff["approver"], org.pk, "unreachable", "2026-07-07")  # Tue; due Tue 14 July
    assert entry.due_by == datetime.date(2026, 7, 14) and entry.late
    with pytest.raises(BusinessRuleError, match="已因“通过登记的住所无法与社会组织取得联系”列入"):
        services.enter_credit(staff["approver"], org.pk, "unreachable", "2026-07-15")
    with pytest.raises(BusinessRuleError, match="不能晚于今天"):
        services.enter_credit(staff["approver"], org.pk, "no_activity", "2026-07-16")
    with pytest.raises(BusinessRuleError, match="自动转入"):
        services.enter_credit(staff["approver"], org.pk, "from_abnormal", "2026-07-15")


# --- charity and volunteers -----------------------------------------------------------------------------------------


def test_online_donations_need_the_public_fundraising_qualification(staff, org):
    with pytest.raises(BusinessRuleError, match="不是慈善组织"):
        services.record_donation(staff["clerk"], org.pk, "某公司", "1000", "助学", "2026-07-01", "offline")
    services.recognise_charity(staff["approver"], org.pk, False)
    with pytest.raises(BusinessRuleError, match="不具有公开募捐资格"):
        services.record_donation(staff["clerk"], org.pk, "网友", "10", "助学", "2026-07-01", "online")
    with pytest.raises(BusinessRuleError, match="满一年"):
        services.recognise_charity(staff["approver"], org.pk, True)
    services.record_donation(staff["clerk"], org.pk, "某公司", "1000", "助学", "2026-07-01", "offline")


@pytest.mark.parametrize(("hours", "ok"), [("0.5", True), ("24", True), ("0.4", False), ("24.1", False)])
def test_service_hours_lie_between_half_an_hour_and_a_day(staff, org, hours, ok):
    from huimin.registry import idnumbers

    v = services.register_volunteer(
        staff["clerk"], org.pk, "赵六", idnumbers.make("411702", datetime.date(1990, 1, 1), 21), "", VILLAGE_A1
    )
    a = services.add_activity(staff["clerk"], org.pk, "敬老院探访", "2026-07-12", VILLAGE_A1)
    if ok:
        services.record_hours(staff["clerk"], a.pk, v.pk, hours)
    else:
        with pytest.raises(BusinessRuleError, match="0.5 至 24 小时"):
            services.record_hours(staff["clerk"], a.pk, v.pk, hours)
        assert not ServiceHours.objects.exists()


def test_hours_are_confirmed_by_someone_other_than_who_recorded_them(staff, org):
    from huimin.registry import idnumbers

    v = services.register_volunteer(
        staff["clerk"], org.pk, "赵六", idnumbers.make("411702", datetime.date(1990, 1, 1), 21), "", VILLAGE_A1
    )
    with pytest.raises(BusinessRuleError, match="已在"):
        services.register_volunteer(staff["clerk"], org.pk, "赵六", v.id_number, "", VILLAGE_A1)
    a = services.add_activity(staff["clerk"], org.pk, "敬老院探访", "2026-07-12", VILLAGE_A1)
    services.record_hours(staff["clerk"], a.pk, v.pk, "3.5")
    with pytest.raises(BusinessRuleError, match="同一人不能既登记服务时长又确认服务时长"):
        services.confirm_hours(staff["clerk"], a.pk)
    assert services.confirmed_hours(v) == 0
    assert services.confirm_hours(staff["clerk2"], a.pk) == 1
    assert str(services.confirmed_hours(v)) == "3.5"
    assert AuditEntry.objects.filter(action="orgs.hours.confirm").count() == 1
