"""A day at the 婚姻登记处: a resident books a 结婚登记 appointment on the portal (phone) and gets the
confirmation with its QR code; at the window the officer refuses a 21-year-old groom in writing, registers the
couple of the appointment, and the e-certificate's public page says it is valid without naming anyone; a divorce
application received shows its two windows and registration on the day of receipt is refused with the dates.
(The day-30/31/60/61 checks with the clock moved are unit tests: tests/marriage/test_services.py.)"""

import datetime

import pytest

from huimin.core.roles import BusinessLine, Role
from huimin.marriage.models import Appointment, Office, Record
from huimin.registry import idnumbers
from huimin.registry.models import Person
from tests.clock import at
from tests.conftest import COUNTY, VILLAGE_A1
from tests.e2e.conftest import DESKTOP, PHONE, log_in_as
from tests.portal.conftest import last_code, programmes, sms  # noqa: F401 (fixtures)

D = datetime.date


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_marriage_day(open_page, make_user, regions, sms, settings):  # noqa: F811
    with at(2026, 5, 11, 9):  # a Monday
        office = Office.objects.create(
            code="411702-01", name="驿城区婚姻登记处", region_id=COUNTY, address="民政局一楼"
        )
        clerk = make_user("hy_e2e", Role.CLERK, COUNTY, line=BusinessLine.MARRIAGE, full_name="婚姻登记员")
        groom_id = idnumbers.make("411702", D(1995, 3, 1), 601)
        bride_id = idnumbers.make("411702", D(1996, 4, 2), 602)
        groom = Person.objects.create(
            name="赵强",
            id_number=groom_id,
            phone="13900139001",
            region_id=VILLAGE_A1,
            birth_date=D(1995, 3, 1),
            sex="1",
            marital_status="10",
        )
        with open_page(PHONE) as phone:
            phone.goto("/portal/verify/")
            phone.get_by_label("姓名").fill(groom.name)
            phone.get_by_label("身份证号").fill(groom_id)
            phone.get_by_label("手机号码").fill("13900139001")
            phone.get_by_role("button", name="获取验证码").click()
            phone.get_by_label("6 位验证码").fill(last_code(sms))
            phone.get_by_role("button", name="确认").click()
            phone.get_by_role("link", name="婚姻登记预约、我的婚姻登记记录").click()
            phone.get_by_label("事项").select_option("marriage")
            phone.get_by_label("另一方姓名（可选）").fill("钱丽")
            phone.get_by_role("button", name="提交预约").click()
            confirmation = phone.locator("[data-testid=portal-marriage-confirmation]")
            appointment = Appointment.objects.get()
            assert appointment.number in confirmation.inner_text()
            assert confirmation.get_by_role("img", name=f"预约号二维码：{appointment.number}").is_visible()

        with open_page(DESKTOP) as page:
            log_in_as(page, clerk.username)
            page.goto(f"/marriage/offices/{office.pk}/register/")
            page.get_by_label("姓名").first.fill("周小")
            page.locator("#male_id_number").fill(idnumbers.make("411702", D(2004, 12, 1), 603))
            page.locator("#female_name").fill("李娜")
            page.locator("#female_id_number").fill(idnumbers.make("411702", D(2000, 1, 1), 604))
            page.get_by_label("双方已签署《申请结婚登记声明书》", exact=False).check()
            page.get_by_role("button", name="登记并发证").click()
            reasons = page.locator("[data-testid=marriage-reasons]").inner_text()
            assert "男方周小未达法定婚龄" in reasons and "21 周岁" in reasons and "第一千零四十七条" in reasons
            page.get_by_role("button", name="不予登记，出具告知书").click()
            assert "未达法定婚龄" in page.locator("[data-testid=marriage-refusal]").inner_text()

            page.goto(f"/marriage/offices/{office.pk}/register/?appointment={appointment.pk}")
            page.locator("#male_name").fill("赵强")
            page.locator("#male_id_number").fill(groom_id)
            page.locator("#female_name").fill("钱丽")
            page.locator("#female_id_number").fill(bride_id)
            page.get_by_label("双方已签署《申请结婚登记声明书》", exact=False).check()
            page.get_by_role("button", name="登记并发证").click()
            page.get_by_text("结婚登记完成").wait_for()
            record = Record.objects.get()
            assert record.number == "J411702-2026-000001"
            assert "赵强" in page.locator("[data-testid=marriage-record]").inner_text()
            groom.refresh_from_db()
            assert groom.marital_status == "20"

            page.goto(f"/marriage/offices/{office.pk}/divorce/")
            page.get_by_label("结婚证字号").fill(record.number)
            page.get_by_label("离婚协议", exact=False).fill("双方自愿离婚；无子女；各自财产归各自所有，无共同债务。")
            page.get_by_role("button", name="受理").click()
            windows = page.locator("[data-testid=marriage-divorce]").inner_text()
            assert "2026年5月12日 至 2026年6月10日" in windows and "2026年6月11日 至 2026年7月10日" in windows
            page.get_by_role("button", name="办理离婚登记").click()
            assert "冷静期未满" in page.get_by_role("alert").first.inner_text()

        with open_page(DESKTOP) as public:  # no login
            public.goto(f"/marriage/verify/{record.verify_token}/")
            shown = public.locator("[data-testid=marriage-verify]").inner_text()
            assert "该证照真实有效" in shown and record.number in shown and "赵强" not in shown
