"""The county approver builds, reviews, approves and locks a month through the real pages, then downloads the
bank 代发 file."""

import pytest

from huimin.benefits.models import BankTemplate, PayrollMonth
from tests.benefits.conftest import make_enrolment
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
    for label in ("复核通过", "审批", "锁定"):
        page.click(f"button:has-text('{label}')")
        page.wait_for_selector("text=已办理")
    assert PayrollMonth.objects.get().status == "locked"
    with page.expect_download() as download:
        page.click("button:has-text('生成代发文件')")
    content = download.value.path().read_text(encoding="utf-8")
    assert "6222020200112233445" in content and "612.30" in content
