"""社会组织 双随机 spot checks through the shared supervision machinery: the population and the reproducible draw
(≥ 4% rounds up), the year's spot-check and joint-check rates against 4% / 6% on each side of the line, and a
finding left unrectified past its deadline entered on the 活动异常名录 by the approver."""

import datetime

import pytest
from django.urls import reverse

from huimin.core.access import BusinessRuleError, NotInScope
from huimin.core.roles import BusinessLine
from huimin.orgs import rules, services
from huimin.orgs.models import CreditEntry
from huimin.orgs.supervision_hooks import KIND, organisation_population, resolve_organisations
from huimin.supervision import services as supervision
from huimin.supervision.models import Draw
from tests.clock import at
from tests.conftest import COUNTY, OTHER_COUNTY
from tests.orgs.conftest import make_org

pytestmark = pytest.mark.django_db
LINE = BusinessLine.ORGS


def _orgs(n, authority=COUNTY):
    return [make_org(authority) for _ in range(n)]


def _draw(staff, *, seed=2026, publish=True, **sample):
    row = supervision.draw(
        staff["approver"], purpose="社会组织年度双随机抽查", line=LINE, region=COUNTY, period="2026年度",
        population=organisation_population(COUNTY), inspectors=supervision.eligible_inspectors(LINE, COUNTY),
        seed=seed, **(sample or {"ratio": rules.SPOT_CHECK_TARGET}),
    )  # fmt: skip
    if publish:
        supervision.publish(staff["approver"], row.pk)
    return row


def test_the_population_is_the_active_organisations_of_the_authority(staff):
    mine = _orgs(3)
    ended = make_org(status="cancelled", ended_on=datetime.date(2025, 1, 1))
    other = make_org(OTHER_COUNTY)
    ids = {row[1] for row in organisation_population(COUNTY)}
    assert ids == {o.pk for o in mine}
    assert ended.pk not in ids and other.pk not in ids
    assert resolve_organisations([mine[0].pk, other.pk, 10**9]) == {
        mine[0].pk: (mine[0].name, COUNTY),
        other.pk: (other.name, OTHER_COUNTY),
    }


def test_the_draw_over_organisations_is_reproducible_and_4_percent_rounds_up(staff):
    _orgs(30)
    pool = supervision.eligible_inspectors(LINE, COUNTY)
    assert {u.username for u in pool} == {"o_reviewer", "o_approver", "o_approver2"}  # the clerk does not inspect
    first = _draw(staff, seed=777, publish=False)
    again = _draw(staff, seed=777, publish=False)
    other = _draw(staff, seed=778, publish=False)
    assert first.count == 2  # ceil(30 × 4%) = ceil(1.2)
    assert first.result == again.result and first.result_hash == again.result_hash
    assert other.result != first.result
    assert {r["kind"] for r in first.result} == {KIND}
    assert supervision.verify(first).ok


def test_exactly_4_percent_draws_one_of_25(staff):
    _orgs(25)
    assert _draw(staff, publish=False).count == 1  # 25 × 4% = 1 exactly: not rounded up to 2


def test_the_spot_check_rate_at_the_4_percent_line(staff):
    orgs = _orgs(25)
    _draw(staff, seed=1, publish=False, count=2)  # not published: not counted
    drawn = _draw(staff, seed=5, count=1)
    row = services.spot_check_rate(staff["approver"], 2026)["rows"][0]
    assert (row["total"], row["drawn"], row["pct"], row["met"]) == (25, 1, "4.00%", True)  # exactly 4%: met
    assert services.spot_check_rate(staff["approver"], 2025)["rows"][0]["drawn"] == 0  # another year
    make_org()  # a 26th organisation: 1 / 26 = 3.84%
    row = services.spot_check_rate(staff["approver"], 2026)["rows"][0]
    assert (row["total"], row["drawn"], row["pct"], row["met"]) == (26, 1, "3.84%", False)
    assert drawn.result[0]["id"] in {o.pk for o in orgs}
    assert services.spot_check_rate(staff["other_county"], 2026)["rows"] == []  # another county sees none of it


def test_the_joint_check_rate_at_the_6_percent_line(staff):
    orgs = _orgs(50)
    for org in orgs[:2]:
        supervision.record_inspection(staff["reviewer"], subject=(KIND, org.pk), line=LINE,
                                      inspected_on="2026-07-01", summary="账目、活动情况核查",
                                      joint_with="市场监管局, 税务局、市场监管局")  # fmt: skip
    supervision.record_inspection(staff["reviewer"], subject=(KIND, orgs[2].pk), line=LINE,
                                  inspected_on="2026-07-02", summary="民政单独检查")  # fmt: skip
    inspection = supervision.record_of(KIND, orgs[0].pk)["inspections"][0]
    assert inspection.joint_with == "市场监管局、税务局"  # repeats dropped, one separator
    row = services.spot_check_rate(staff["approver"], 2026)["rows"][0]
    assert (row["joint"], row["joint_pct"], row["joint_met"]) == (2, "4.00%", False)  # 2 / 50 = 4% < 6%
    supervision.record_inspection(staff["reviewer"], subject=(KIND, orgs[3].pk), line=LINE,
                                  inspected_on="2026-07-03", summary="联合检查", joint_with="公安局")  # fmt: skip
    row = services.spot_check_rate(staff["approver"], 2026)["rows"][0]
    assert (row["joint"], row["joint_pct"], row["joint_met"]) == (3, "6.00%", True)  # exactly 6%: met


def test_the_target_line_without_rounding():
    assert rules.target_met(1, 25, rules.SPOT_CHECK_TARGET) and not rules.target_met(1, 26, rules.SPOT_CHECK_TARGET)
    assert rules.target_met(3, 50, rules.JOINT_CHECK_TARGET) and not rules.target_met(2, 34, rules.JOINT_CHECK_TARGET)
    assert rules.percent(1, 26) == "3.84%" and rules.percent(0, 0) == "0.00%"


def _overdue_finding(staff, org):
    inspection = supervision.record_inspection(staff["reviewer"], subject=(KIND, org.pk), line=LINE,
                                               inspected_on="2026-07-01", summary="财务制度执行情况检查")  # fmt: skip
    return supervision.add_finding(staff["reviewer"], inspection.pk, description="未按章程召开理事会",
                                   severity="general", deadline="2026-07-15")  # fmt: skip


def test_a_finding_left_unrectified_past_its_deadline_goes_on_the_abnormal_list(staff, org):
    finding = _overdue_finding(staff, org)
    with pytest.raises(BusinessRuleError, match="期限届满后仍未整改"):  # the deadline day itself is in time
        services.enter_for_finding(staff["approver"], org.pk, finding.pk)
    with pytest.raises(BusinessRuleError, match="须在组织页面的监督检查记录中"):
        services.enter_credit(staff["approver"], org.pk, services.OVERDUE_FINDING, "2026-07-15")
    other = make_org()
    with at(2026, 7, 16):
        assert [f.pk for f in services.overdue_findings(org)] == [finding.pk]
        with pytest.raises(NotInScope):  # a finding of another organisation
            services.enter_for_finding(staff["approver"], other.pk, finding.pk)
        with pytest.raises(NotInScope):  # another county's authority
            services.enter_for_finding(staff["other_county"], org.pk, finding.pk)
        entry = services.enter_for_finding(staff["approver"], org.pk, finding.pk, decision_no="驿民社〔2026〕3号")
        assert (entry.list, entry.rule.code, entry.finding_id) == ("abnormal", "inspection_overdue", finding.pk)
        assert "未按章程召开理事会" in entry.note and not entry.late
        with pytest.raises(BusinessRuleError, match="已因“抽查发现问题逾期未整改”列入"):
            services.enter_for_finding(staff["approver"], org.pk, finding.pk)
        with pytest.raises(BusinessRuleError, match="尚未整改验收销号"):
            services.exit_credit(staff["approver"], entry.pk, "已整改")
        supervision.record_rectification(staff["clerk"], finding.pk, rectified_on="2026-07-16", note="已召开理事会")
        supervision.close_finding(staff["approver"], finding.pk)
        services.exit_credit(staff["approver"], entry.pk, "问题已整改并验收销号")
    assert CreditEntry.objects.get(pk=entry.pk).exited_on == datetime.date(2026, 7, 16)


def test_the_organisation_page_shows_its_inspections_and_enters_the_overdue_finding(client, staff, org):
    finding = _overdue_finding(staff, org)
    with at(2026, 7, 20):
        client.force_login(staff["clerk"])
        page = client.get(reverse("orgs:org", args=[org.pk])).content.decode()
        assert "监督检查（双随机抽查）" in page and "未按章程召开理事会" in page and "逾期未整改" in page
        assert "列入活动异常名录</button>" not in page  # the clerk does not decide
        client.force_login(staff["approver"])
        page = client.get(reverse("orgs:org", args=[org.pk])).content.decode()
        assert "列入活动异常名录</button>" in page
        client.post(reverse("orgs:org_act", args=[org.pk, "finding"]), {"finding": finding.pk, "decision_no": ""})
    assert CreditEntry.objects.filter(org=org, rule__code="inspection_overdue", finding_id=finding.pk).exists()


def test_the_county_draws_organisations_from_the_supervision_page_and_stats_show_it(client, staff):
    _orgs(30)
    client.force_login(staff["approver"])
    page = client.get(reverse("supervision:draws")).content.decode()
    assert f'<option value="{KIND}">社会组织</option>' in page and "年度抽查比例不低于 4%" in page
    assert "eldercare.institution" not in page  # not his line
    response = client.post(reverse("supervision:draw_create"), {
        "purpose": "社会组织年度双随机抽查", "kind": KIND, "region": COUNTY, "period": "2026年度", "ratio": "0.04",
        "per_subject": "2", "seed": "99"})  # fmt: skip
    row = Draw.objects.get()
    assert response.url == reverse("supervision:draw", args=[row.pk]) and row.count == 2 and row.line == LINE
    client.post(reverse("supervision:draw_publish", args=[row.pk]))
    stats = client.get(reverse("orgs:stats")).content.decode()
    assert "6.66%" in stats and "达标" in stats
