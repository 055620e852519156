"""残疾人两项补贴 from the window to the bank, through the real pages, one person at each step (职责分离): the
township's 残疾人福利 clerk registers 困难残疾人生活补贴 and 重度残疾人护理补贴 for the certificate holder of a 低保
household and accepts them; the township reviewer passes the 初审; the county 残联审核人 verifies the certificate and
passes them; the county 民政 approver approves the amounts the standards give. The county's 发放经办 builds March:
both subsidies stand beside 低保 in the per-programme totals; another person reviews, a third approves and locks;
the 代发 file (combined, a 项目 column) carries the three lines and the bank's answer is imported. The holder logs
into the portal with the text-message code and sees one line per allowance, 已到账.

With HUIMIN_DOC_SHOTS=<dir> the walk also saves the screenshots docs/disability.md shows (docs/img)."""

import csv
import datetime
import io
import os
from pathlib import Path

import pytest

from huimin.assistance.models import Application, Enrolment, Stage
from huimin.benefits.models import BankTemplate, PayrollLine, PayrollMonth, Standard
from huimin.core.roles import BusinessLine, Role
from tests.benefits.conftest import county_staff, make_enrolment
from tests.clock import at
from tests.conftest import COUNTY, TOWN_A
from tests.e2e.conftest import DESKTOP, log_in_as, log_out
from tests.portal.conftest import sms  # noqa: F401 (fixture)

LIVING, CARE = "困难残疾人生活补贴", "重度残疾人护理补贴"
ACCOUNT = "6222020200112233401"
SHOTS = os.environ.get("HUIMIN_DOC_SHOTS")


def _shot(page, name: str):
    """A screenshot for the docs, only when HUIMIN_DOC_SHOTS names a directory."""
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        path = Path(SHOTS) / f"disability-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        from PIL import Image

        with Image.open(path) as image:  # a palette of 256 colours: a third of the size, no visible loss
            image.convert("RGB").quantize(256).save(path, optimize=True)


@pytest.fixture
def chain(users, make_user):
    """A 低保 household (March paid 600 元) whose head holds a 第二代残疾人证 (肢体 1 级); the county's two standards;
    the 残疾人福利 staff of the township and the county; the payroll staff; a combined 代发 template."""
    household = make_enrolment(users, amount="600.00", start=datetime.date(2026, 3, 1), members=2, account=ACCOUNT)
    head = household.persons[0]
    head.name = "张建国"
    head.disability_category, head.disability_grade = "4", 1
    head.disability_cert_no = f"{head.id_number}41"
    head.save()
    for kind, value in (("disability_living", "80.00"), ("severe_care", "100.00")):
        Standard.objects.create(
            kind=kind, region_id=COUNTY, area="all", period="month", value=value,
            effective_from=datetime.date(2020, 1, 1), source="县民政局 县财政局 县残联 关于残疾人两项补贴标准的通知",
        )  # fmt: skip
    line = BusinessLine.DISABILITY
    staff = {
        "clerk": make_user("cz_clerk", Role.CLERK, TOWN_A, line=line, full_name="刘经办"),
        "reviewer": make_user("cz_reviewer", Role.REVIEWER, TOWN_A, line=line, full_name="陈审核"),
        "federation": make_user("cl_county", Role.FEDERATION_REVIEWER, COUNTY, line=line, full_name="周残联"),
        "approver": make_user("cz_approver", Role.APPROVER, COUNTY, line=line, full_name="吴审批"),
    }
    payroll = county_staff(users)
    BankTemplate.objects.create(
        name="邮储代发（合并报盘）", bank_name="邮储银行", region_id=COUNTY, format="csv",
        columns=[{"field": "account", "header": "账号"}, {"field": "name", "header": "户名"},
                 {"field": "amount", "header": "金额"}, {"field": "programme", "header": "项目"},
                 {"field": "reference", "header": "流水号"}],
    )  # fmt: skip
    return head, staff, payroll


def _open_todo(page, todo: str, number: str):
    page.locator("a.navbar-brand").click()  # the 工作台
    page.locator("[data-testid=todos]").get_by_role("link", name=todo).click()
    page.get_by_role("link", name=number).click()
    page.get_by_role("heading", name=number).wait_for()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_two_subsidies_from_the_window_to_the_bank_and_the_portal(open_page, chain, sms, settings, tmp_path):  # noqa: F811
    settings.HUIMIN_DEMO_SMS_ON_PAGE = True
    head, staff, payroll = chain
    stage = "[data-testid=stage]"
    with at(2026, 3, 20), open_page(DESKTOP) as page:
        # 乡镇受理: the 残疾人福利 clerk finds the household and registers both subsidies for the certificate holder
        log_in_as(page, staff["clerk"].username)
        numbers = {}
        for programme in (LIVING, CARE):
            page.get_by_role("complementary").get_by_role("link", name="救助申请").click()
            page.get_by_role("link", name="登记申请").click()
            page.get_by_label("查找家庭").fill(head.name)
            page.get_by_role("button", name="查找家庭").click()
            page.get_by_role("link", name="选择").click()
            page.get_by_label("救助项目").select_option(label=programme)
            page.get_by_label("保障对象").select_option(label=head.name)
            page.get_by_label("申请理由").fill("肢体一级残疾，家庭享受低保，生活困难，需长期照护")
            for box in page.get_by_role("group", name="已交材料").get_by_role("checkbox").all():
                if box.is_visible():
                    box.check()
            page.get_by_role("button", name="登记申请").click()
            page.get_by_text("已登记申请").wait_for()
            assert page.locator(stage).inner_text() == "待受理"
            assert "肢体残疾1级（待县残联审核）" in page.locator("[data-testid=certificate]").inner_text()
            page.get_by_role("button", name="受理", exact=True).click()
            page.get_by_text("已受理").wait_for()
            page.locator(stage, has_text="乡镇审核").wait_for()
            numbers[programme] = page.get_by_role("heading", level=1).locator("small").inner_text()
        log_out(page)

        # 乡镇初审, then 残联审核 (the certificate as recorded), then 民政审批 at the amounts of the standards
        log_in_as(page, staff["reviewer"].username)
        for number in numbers.values():
            _open_todo(page, "申请待乡镇审核", number)
            page.get_by_label("审核意见").fill("初审：情况属实，同意上报")
            page.get_by_role("button", name="审核通过").click()
            page.locator(stage, has_text="残联审核").wait_for()
        log_out(page)

        log_in_as(page, staff["federation"].username)
        for programme, number in numbers.items():
            _open_todo(page, "申请待残联审核", number)
            form = page.get_by_test_id("agency-review")
            assert form.get_by_label("残疾等级（1–4）").input_value() == "1"
            if programme == CARE:
                _shot(page, "agency-review")
            form.get_by_label("审核意见").fill("残疾人证有效，肢体残疾一级属实")
            page.get_by_role("button", name="残联审核通过").click()
            page.locator(stage, has_text="待审批/确认").wait_for()
            assert "县残联审核：肢体残疾1级" in page.locator("[data-testid=certificate]").inner_text()
        log_out(page)

        log_in_as(page, staff["approver"].username)
        for programme, number in numbers.items():
            _open_todo(page, "申请待审批", number)
            amount = {LIVING: "80.00", CARE: "100.00"}[programme]
            assert page.get_by_label("月保障金额（元）").input_value() == amount
            calculation = page.get_by_role("main").inner_text()
            assert "肢体残疾" in calculation  # the category by its name
            assert ("低保或低收入家庭" in calculation) == (programme == LIVING)  # the care subsidy needs no 低保
            page.get_by_label("审批意见").fill("符合条件，同意")
            if programme == CARE:
                _shot(page, "approval")
            page.get_by_role("button", name="批准", exact=True).click()
            page.locator(stage, has_text="已批准").wait_for()
            assert f"月保障金额 {amount}" in page.get_by_role("main").inner_text()
            assert "自 2026年3月 起" in page.get_by_role("main").inner_text()  # from the month of application
        log_out(page)
        enrolments = Enrolment.objects.filter(person=head).exclude(programme__code="dibao")
        assert sorted(enrolments.values_list("programme__code", "monthly_amount")) == [
            ("disability_living", 80),
            ("severe_care", 100),
        ]
        assert set(Application.objects.filter(number__in=numbers.values()).values_list("stage", flat=True)) == {
            Stage.ENROLLED
        }

        # March's payroll: built by one, reviewed by another, approved and locked by a third
        log_in_as(page, payroll["builder"].username)
        page.get_by_role("complementary").get_by_role("link", name="月度发放").click()
        page.get_by_label("发放月份").fill("2026-03")
        page.get_by_role("button", name="生成").click()
        page.get_by_text("已生成 3 笔").wait_for()
        totals = page.locator("table", has=page.get_by_role("columnheader", name="资金来源")).first
        rows = {r.locator("td").first.inner_text(): r.inner_text() for r in totals.locator("tbody tr").all()}
        assert "600.00" in rows["最低生活保障"] and "困难群众救助补助资金" in rows["最低生活保障"]
        assert "80.00" in rows[LIVING] and "残疾人两项补贴资金" in rows[LIVING]
        assert "100.00" in rows[CARE] and "残疾人两项补贴资金" in rows[CARE]
        assert "780.00" in rows["合计"]
        _shot(page, "payroll-totals")
        log_out(page)
        for who, steps in ((payroll["reviewer"], ("复核通过",)), (payroll["approver"], ("审批", "锁定"))):
            log_in_as(page, who.username)
            page.get_by_role("complementary").get_by_role("link", name="月度发放").click()
            page.get_by_role("link", name="驿城区").first.click()
            page.get_by_role("heading", name="驿城区 2026年3月发放").wait_for()
            for label in steps:
                page.get_by_role("button", name=label).click()
                page.get_by_text("已办理").wait_for()
            log_out(page)
        assert PayrollMonth.objects.get().status == "locked"

        # the bank file: one line per allowance, each naming its programme; the bank's answer: all paid
        log_in_as(page, payroll["builder"].username)
        page.get_by_role("complementary").get_by_role("link", name="月度发放").click()
        page.get_by_role("link", name="驿城区").first.click()
        with page.expect_download() as download:
            page.get_by_role("button", name="生成代发文件").click()
        content = download.value.path().read_text(encoding="utf-8-sig")
        sent = list(csv.DictReader(io.StringIO(content)))
        assert sorted((r["项目"], r["金额"], r["账号"]) for r in sent) == [
            (LIVING, "80.00", ACCOUNT),
            ("最低生活保障", "600.00", ACCOUNT),
            (CARE, "100.00", ACCOUNT),
        ]
        answer = tmp_path / "回盘.csv"
        answer.write_text("流水号,结果,原因\r\n" + "".join(f"{r['流水号']},成功,\r\n" for r in sent), encoding="utf-8")
        page.reload()  # the batch row appears once the file is made
        page.get_by_label("回盘文件").set_input_files(str(answer))
        page.get_by_role("button", name="导入回盘").click()
        page.get_by_text("已确认成功 780.00 元").wait_for()
        log_out(page)
    assert PayrollLine.objects.filter(payee=head).count() == 3

    # the holder on the portal: verified by the text-message code, one line per allowance
    with at(2026, 3, 25), open_page(DESKTOP) as portal:
        portal.goto("/portal/")
        portal.get_by_role("link", name="开始办理").click()
        portal.get_by_label("姓名").fill(head.name)
        portal.get_by_label("身份证号").fill(head.id_number)
        portal.get_by_label("手机号码").fill("13900139000")
        portal.get_by_role("button", name="获取验证码").click()
        notice = portal.get_by_test_id("demo-sms")
        assert "演示环境" in notice.inner_text()
        portal.get_by_label("6 位验证码").fill(notice.locator("strong").inner_text())
        portal.get_by_role("button", name="确认").click()
        portal.get_by_role("heading", name=f"{head.name}，您好").wait_for()
        payments = portal.locator("section[aria-labelledby=pay-h] tbody tr")
        shown = sorted(tuple(c.inner_text() for c in row.locator("td").all()[:4]) for row in payments.all())
        assert shown == [
            ("2026年3月", LIVING, "80.00", "已到账\n3月20日"),
            ("2026年3月", "最低生活保障", "600.00", "已到账\n3月20日"),
            ("2026年3月", CARE, "100.00", "已到账\n3月20日"),
        ]
        _shot(portal, "portal")
