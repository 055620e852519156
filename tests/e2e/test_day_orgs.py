"""A 社会组织's year in the demo city, as the three people who handle it: the organisation files its overdue annual
report online with the password its authority issued; the 业务主管单位 pre-checks it; the registration authority
decides 合格 and takes the organisation off the 活动异常名录 it was on for not filing, then draws the county's
yearly 双随机 spot checks, publishes them and records one, a joint check with the 市场监管局. Two years later (the clock
moved) the daily job has moved another organisation, never corrected, to the 严重违法失信名单, which the public page
shows."""

import pytest

from huimin.core import daily
from huimin.core.models import User
from huimin.demo.orgs import DEMO_ORG_PASSWORD
from huimin.orgs.models import AnnualReport, CreditEntry, Organisation
from huimin.supervision.models import Draw, Inspection
from tests.clock import at
from tests.e2e.conftest import DESKTOP, log_in_as, log_out
from tests.e2e.demo_city import PASSWORD

COUNTY6 = "411702"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_annual_report_from_the_portal_to_the_credit_lists(open_page, demo_city):
    org = Organisation.objects.filter(authority_id=f"{COUNTY6}000000").exclude(portal_password="").get()
    assert CreditEntry.objects.filter(org=org, list="abnormal", exited_on__isnull=True).exists()
    with at(2026, 11, 20), open_page(DESKTOP) as page:
        page.goto("/orgs/portal/login/")
        page.get_by_label("统一社会信用代码").fill(org.credit_code)
        page.get_by_label("年报填报密码").fill(DEMO_ORG_PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.get_by_role("heading", name=org.name).wait_for()
        page.get_by_role("link", name="填报").first.click()
        figures = {"年度总收入（元）": "150000", "年度总支出（元）": "120000", "年末净资产（元）": "80000",
                   "专职工作人员（人）": "3"}  # fmt: skip
        for label, value in figures.items():
            page.get_by_label(label).fill(value)
        if org.is_charity:
            for label, value in (("年度慈善活动支出（元）", "90000"), ("管理费用（元）", "9000"),
                                 ("支出比例基数（元）", "120000")):  # fmt: skip
                page.get_by_label(label).fill(value)
        page.get_by_label("年度开展的主要活动").fill("会员大会 1 次，公益培训 4 次")
        page.get_by_role("button", name="报送").click()
        page.get_by_text("2025 年度工作报告已报送，等待初审").wait_for()
        page.get_by_role("button", name="退出").click()

        log_in_as(page, f"zg{COUNTY6}", PASSWORD)  # the 业务主管单位's pre-checker
        page.goto("/orgs/reports/?year=2025&status=filed")
        page.get_by_role("link", name=org.name).click()
        page.get_by_role("button", name="初审通过").click()
        page.get_by_text("初审完成：初审通过，待年检结论").wait_for()
        log_out(page)

        log_in_as(page, f"sz{COUNTY6}", PASSWORD)  # the registration authority
        report = AnnualReport.objects.get(org=org, year=2025)
        page.goto(f"/orgs/reports/{report.pk}/")
        page.get_by_label("年检结论").select_option(label="合格")
        page.get_by_role("button", name="作出年检结论").click()
        page.get_by_text("年检结论：合格").wait_for()
        page.goto("/orgs/credit/")
        row = page.get_by_role("row").filter(has=page.get_by_role("link", name=org.name, exact=True))
        row.get_by_label("移出理由").fill("已补报 2025 年度工作报告，年检合格")
        row.get_by_role("button", name="移出").click()
        page.get_by_text(f"已将{org.name}移出活动异常名录").wait_for()

        # the same approver draws the county's yearly 双随机 spot checks (≥ 4%), publishes them, records one
        page.get_by_role("link", name="双随机抽查").click()
        page.get_by_label("抽查事项").fill("社会组织年度双随机抽查")
        page.get_by_label("抽查对象类别").select_option(label="社会组织")
        page.get_by_label("区划").select_option(f"{COUNTY6}000000")
        page.get_by_label("抽查期间").fill("2026年度（补充）")
        page.get_by_label("或抽取比例").fill("0.04")
        page.get_by_label("随机种子（可空）").fill("20261120")
        page.get_by_role("button", name="抽取").click()
        page.get_by_text("已抽取 2 个对象").wait_for()  # ceil(40 × 4%)
        page.get_by_role("button", name="公开抽查结果").click()
        page.get_by_text("抽查结果已公开").wait_for()
        draw = Draw.objects.get(period="2026年度（补充）")
        me = User.objects.get(username=f"sz{COUNTY6}")
        planned = next(i for i in draw.inspections.order_by("pk") if me.pk in (i.inspector_id, i.co_inspector_id))
        page.goto(f"/supervision/inspections/{planned.pk}/")
        page.get_by_label("检查情况").fill("章程执行和财务管理基本规范")
        page.get_by_label("联合检查部门（可空）").fill("市场监管局")
        page.get_by_role("button", name="登记", exact=True).click()
        page.get_by_text("已登记检查情况").wait_for()
        page.goto(f"/orgs/{planned.subject_id}/")
        section = page.locator("[data-testid=org-inspections]")
        section.get_by_role("cell", name="市场监管局").wait_for()
        page.goto("/orgs/stats/")
        assert "驿城区" in page.locator("[data-testid=spot-rate]").inner_text()
    assert AnnualReport.objects.get(pk=report.pk).result == "qualified"
    assert Inspection.objects.get(pk=planned.pk).joint_with == "市场监管局"

    never = CreditEntry.objects.filter(list="abnormal", exited_on__isnull=True, rule__code="not_filed").first()
    with at(2028, 6, 21):  # two years after the demo's entries of 20 June 2026
        results = daily.run_all(daily_today(), only=["orgs.credit_moves"])
        assert results[0][2], results
    serious = CreditEntry.objects.get(moved_from=never)
    assert serious.list == "serious"
    with at(2028, 6, 21), open_page(DESKTOP) as page:
        page.goto(f"/orgs/public/credit/?q={never.org.credit_code}")
        page.get_by_role("cell", name=never.org.name).wait_for()
        assert "被列入活动异常名录满2年仍未移出" in page.get_by_role("main").inner_text()


def daily_today():
    from django.utils import timezone

    return timezone.localdate()
