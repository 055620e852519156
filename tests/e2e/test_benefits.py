"""County staff build, review, approve and lock a month through the real pages (three people: 职责分离), then
the approver downloads the bank 代发 file."""

import pytest

from huimin.benefits.models import BankTemplate, PayrollMonth
from tests.benefits.conftest import county_staff, make_enrolment
from tests.conftest import COUNTY


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_approver_pays_a_month(page, log_in, users):
    make_enrolment(users, amount="612.30")
    BankTemplate.objects.create(
        name="邮储代发", bank_name="邮储银行", region_id=COUNTY, format="csv",
        columns=[{"field": "account", "header": "账号"}, {"field": "amount", "header": "金额"},
                 {"field": "reference", "header": "流水号"}],
    )  # fmt: skip
    log_in(users["approver"])
    page.click("aside >> text=月度发放")
    page.fill("input[name=month]", "2026-03")
    page.click("button:has-text('生成')")
    page.wait_for_selector("text=已生成 1 笔")
    assert "612.30 元" in page.inner_text("table")
    month_url = page.url
    page.click("button:has-text('复核通过')")
    page.wait_for_selector("text=职责分离")  # the builder may not review the month
    staff = county_staff(users)
    for who, labels in ((staff["reviewer"], ("复核通过",)), (staff["approver"], ("审批", "锁定"))):
        page.click("button:has-text('退出')")
        log_in(who)
        page.goto(month_url)
        for label in labels:
            page.click(f"button:has-text('{label}')")
            page.wait_for_selector("text=已办理")
    assert PayrollMonth.objects.get().status == "locked"
    with page.expect_download() as download:
        page.click("button:has-text('生成代发文件')")
    content = download.value.path().read_text(encoding="utf-8")
    assert "6222020200112233445" in content and "612.30" in content
