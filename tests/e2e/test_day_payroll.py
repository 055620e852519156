"""发放's day at the county, through the real pages: the 发放经办 builds March's payroll from the 月度发放 page and
may not review his own month (职责分离); the 发放复核 reviews it, the 审批人 approves and locks it; the 发放经办 then
generates the bank's 代发 file and imports the bank's answer, and the month shows what the bank confirmed."""

import csv
import io

import pytest

from huimin.benefits.models import BankTemplate, PayrollMonth
from tests.benefits.conftest import county_staff, make_enrolment
from tests.clock import at
from tests.conftest import COUNTY
from tests.e2e.conftest import DESKTOP, log_in_as, log_out


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_payroll_staff_build_review_approve_and_pay_a_month(open_page, users, tmp_path):
    with at(2026, 11, 20):
        make_enrolment(users, amount="612.30")
        BankTemplate.objects.create(
            name="邮储代发", bank_name="邮储银行", region_id=COUNTY, format="csv",
            columns=[{"field": "account", "header": "账号"}, {"field": "amount", "header": "金额"},
                     {"field": "reference", "header": "流水号"}],
        )  # fmt: skip
        staff = county_staff(users)
    with at(2026, 11, 20), open_page(DESKTOP) as page:
        log_in_as(page, staff["builder"].username)
        page.get_by_role("complementary").get_by_role("link", name="月度发放").click()
        page.get_by_label("发放月份").fill("2026-03")
        page.get_by_role("button", name="生成").click()
        page.get_by_text("已生成 1 笔").wait_for()
        assert "612.30 元" in page.locator("main table").last.inner_text()
        page.get_by_role("button", name="复核通过").click()
        page.get_by_role("alert").filter(has_text="职责分离").wait_for()  # the builder may not review the month
        log_out(page)

        for who, steps in ((staff["reviewer"], ("复核通过",)), (staff["approver"], ("审批", "锁定"))):
            log_in_as(page, who.username)
            page.get_by_role("heading", name="我的待办").wait_for()
            page.get_by_role("complementary").get_by_role("link", name="月度发放").click()
            page.get_by_role("link", name="驿城区").first.click()
            page.get_by_role("heading", name="驿城区 2026年3月发放").wait_for()
            for label in steps:
                page.get_by_role("button", name=label).click()
                page.get_by_text("已办理").wait_for()
            log_out(page)
        assert PayrollMonth.objects.get().status == "locked"

        log_in_as(page, staff["builder"].username)
        page.get_by_role("complementary").get_by_role("link", name="月度发放").click()
        page.get_by_role("link", name="驿城区").first.click()
        with page.expect_download() as download:
            page.get_by_role("button", name="生成代发文件").click()
        content = download.value.path().read_text(encoding="utf-8-sig")
        assert "6222020200112233445" in content and "612.30" in content
        reference = list(csv.DictReader(io.StringIO(content)))[0]["流水号"]
        answer = tmp_path / "回盘.csv"
        answer.write_text(f"流水号,结果,原因\r\n{reference},成功,\r\n", encoding="utf-8")
        page.reload()  # the batch row appears once the file is made
        page.get_by_label("回盘文件").set_input_files(str(answer))
        page.get_by_role("button", name="导入回盘").click()
        page.get_by_text("已确认成功 612.30 元").wait_for()
