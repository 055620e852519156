"""A resident's day on the portal, on a 390 × 844 phone and at 1366 × 768: verifying with name, ID number and the
text-message code (read from the demo's notice on the page), seeing the household's 低保 paid for March (the bank's
answer: 已到账), applying for 临时救助 with a photo of a document and the 核对 authorisation of each adult, and
reporting a neighbour's child at risk anonymously (a receipt, no name kept); a
township clerk then finds the application in the 受理 queue (checked once, after the phone's walk)."""

import pytest

from huimin.assistance.models import Application, ApplicationDocument
from huimin.children.models import ReceivedReport
from tests.conftest import VILLAGE_A1
from tests.e2e.conftest import DESKTOP, PHONE, log_in_as
from tests.portal.conftest import photo_bytes, programmes, sms  # noqa: F401 (fixtures)
from tests.portal.test_payments import paid_month  # noqa: F401 (fixture)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_resident_sees_payments_and_applies(open_page, users, paid_month, sms, settings, viewport):  # noqa: F811
    settings.HUIMIN_DEMO_SMS_ON_PAGE = True
    mine, _, _ = paid_month
    resident, spouse = mine.persons
    with open_page(PHONE if viewport == "phone" else DESKTOP) as phone:
        phone.goto("/portal/")
        phone.get_by_role("link", name="开始办理").click()
        phone.get_by_label("姓名").fill(resident.name)
        phone.get_by_label("身份证号").fill(resident.id_number)
        phone.get_by_label("手机号码").fill("13900139000")
        phone.get_by_role("button", name="获取验证码").click()
        phone.get_by_text("验证码已发送到 139****9000").wait_for()
        notice = phone.locator("[data-testid=demo-sms]")
        assert "演示环境" in notice.inner_text()
        phone.get_by_label("6 位验证码").fill(notice.locator("strong").inner_text())
        phone.get_by_role("button", name="确认").click()
        phone.get_by_role("heading", name=f"{resident.name}，您好").wait_for()
        payments = phone.locator("section[aria-labelledby=pay-h]").inner_text()
        assert "2026年3月" in payments and "620.00" in payments and "已到账" in payments
        assert "480.00" not in payments  # another household's payment

        phone.get_by_role("link", name="申请临时救助（急难型）").click()
        phone.get_by_label("申请理由").fill("家中失火，衣物被褥烧毁")
        phone.get_by_label("申请金额").fill("2000")
        phone.locator("input[type=file]").first.set_input_files(
            files=[{"name": "身份证.jpg", "mimeType": "image/jpeg", "buffer": photo_bytes()}]
        )
        for person in (resident, spouse):
            phone.get_by_label(f"{person.name} 已阅读并同意上述授权").check()
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= phone.viewport_size["width"], f"the form scrolls sideways ({width}px)"
        phone.get_by_role("button", name="提交申请").click()
        phone.get_by_text("申请已提交").wait_for()
        app = Application.objects.get(household=mine.household, channel="online")
        shown = phone.get_by_role("main").inner_text()
        assert app.number in shown and "待受理" in shown
        assert ApplicationDocument.objects.filter(application=app).count() == 1

        # she reports, anonymously, a neighbour's child left alone: a receipt, nothing read back, no name kept
        phone.goto("/portal/me/")
        phone.get_by_role("link", name="报告困境儿童/侵害未成年人线索（可匿名）").click()
        phone.get_by_label("大致年龄（周岁）").fill("6")
        phone.get_by_label("儿童所在村（社区）").select_option(VILLAGE_A1)
        phone.get_by_label("发现的情况").fill("邻居家孩子连续几天独自在家，无人做饭")
        phone.get_by_label("匿名报告（不记录我的姓名和联系方式）").check()
        phone.get_by_role("button", name="提交报告").click()
        receipt = phone.locator("[data-testid=child-report-receipt]").inner_text()
        report = ReceivedReport.objects.get()
        assert report.number in receipt and report.anonymous and report.reporter_name == report.reporter_contact == ""

    if viewport == "desktop":
        return
    with open_page(DESKTOP) as page:  # once: the application lands in the township's queue
        log_in_as(page, users["clerk_a"].username)
        page.locator("[data-testid=todos]").get_by_role("link", name="申请待受理").click()
        page.get_by_role("link", name=app.number).click()
        page.get_by_text("网上申请").first.wait_for()
        assert resident.name in page.get_by_role("main").inner_text()
