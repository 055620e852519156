"""殡葬's day, through the real pages: the county funeral home's 经办员 records the cremation of a 低保 recipient —
the 惠民殡葬 waiver computed and explained per yuan before saving — and the record pushes the death to 动态监测; the
township clerk confirms the death from the warning (the registry records it from the funeral home's record); the
county approver stops the benefit from the warning page (from the month after death); the 发放经办 builds
January and the person is no longer paid; December, paid before the death was known, is on the 追缴 list."""

import datetime

import pytest

from huimin.benefits import services as payroll
from huimin.benefits.models import PayrollLine, Recovery
from huimin.core.roles import BusinessLine, Role
from huimin.funeral.models import Record
from huimin.monitoring.models import Warning
from tests.benefits.conftest import county_staff, lock_month, make_enrolment
from tests.clock import at
from tests.conftest import COUNTY
from tests.e2e.conftest import DESKTOP, log_in_as, log_out
from tests.funeral.conftest import make_policies

D = datetime.date


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_cremation_of_a_dibao_recipient_from_the_funeral_home_to_the_payroll(open_page, users, make_user):
    with at(2026, 12, 1):
        enrolment = make_enrolment(users, amount="500.00", start=D(2026, 1, 1))
        person = enrolment.persons[0]
        person.name = "王德顺"
        person.save()
        staff = county_staff(users)
        for month in ("2026-11", "2026-12"):  # December paid in advance, before the death was known
            lock_month(users, payroll.build(staff["builder"], region_code=COUNTY, month=month))
        make_policies(COUNTY, D(2026, 1, 1))
        clerk = make_user("bzg_clerk", Role.CLERK, COUNTY, line=BusinessLine.FUNERAL, full_name="殡仪馆经办")
        approver = make_user("bzg_approver", Role.APPROVER, COUNTY, line=BusinessLine.FUNERAL)
    with at(2026, 12, 3), open_page(DESKTOP) as page:
        log_in_as(page, approver.username)
        page.get_by_role("complementary").get_by_role("link", name="殡葬服务单位").click()
        page.get_by_label("名称").fill("驿城区殡仪馆")
        page.get_by_label("批准文号/许可证号").fill("驻民殡〔2010〕1号")
        page.get_by_label("所在区划").select_option(COUNTY)
        page.get_by_role("button", name="登记").click()
        page.get_by_text("已登记 驿城区殡仪馆").wait_for()
        log_out(page)

        log_in_as(page, clerk.username)
        page.get_by_role("complementary").get_by_role("link", name="登记遗体处置").click()
        page.get_by_label("殡葬服务单位").select_option(label="驿城区殡仪馆（殡仪馆）")
        page.get_by_label("逝者身份证号").fill(person.id_number)
        page.get_by_label("死亡日期").fill("2026-11-28")
        page.get_by_label("死亡地点").fill("驿城区人民医院")
        page.get_by_label("死亡证明编号").fill("A411702202611280012")
        page.get_by_label("家属姓名").fill("王小军")
        page.get_by_label("与逝者关系").fill("子")
        page.get_by_label("家属联系电话").fill("13800001111")
        page.get_by_label("接运日期").fill("2026-11-28")
        page.get_by_label("火化/安葬日期").fill("2026-11-30")
        page.get_by_label("骨灰去向").select_option("stored")
        for label, fee in (("遗体接运", "300"), ("遗体存放（冷藏）", "150"), ("遗体火化", "600"),
                           ("骨灰寄存（三年）", "200"), ("普通骨灰盒", "500"), ("告别（小厅）", "300")):  # fmt: skip
            page.get_by_label(label, exact=True).fill(fee)
        page.get_by_role("button", name="计算减免").click()
        preview = page.locator("[data-testid=waiver-preview]")
        preview.wait_for()
        text = preview.inner_text()
        assert "低保对象" in text and "所在家庭在“最低生活保障”在保" in text
        assert "普通骨灰盒 收费 500.00 元，属基本殡葬服务减免项目，减免 500.00 元" in text
        assert "减免项目合计 2050.00 元，超过本类别减免上限 2000.00 元，按上限减免 2000.00 元" in text
        assert not Record.objects.exists()  # the preview writes nothing
        page.get_by_role("button", name="确认登记").click()
        page.get_by_text("已推送动态监测，产生死亡预警 1 条").first.wait_for()
        assert page.locator("[data-testid=record-waiver-amount]").inner_text() == "2000.00"
        checklist = page.locator("[data-testid=after-death-checklist]").inner_text()
        assert "户口注销" in checklist and "待乡镇确认" in checklist
        log_out(page)

        w = Warning.objects.get(person=person)
        log_in_as(page, users["clerk_a"].username)
        page.goto(f"/monitoring/warnings/{w.pk}/")  # the 预警清单 links it; its id is what the test knows
        assert "驿城区殡仪馆推送：火化" in page.locator("[data-testid=warning-pushed-source]").inner_text()
        page.get_by_role("button", name="确认死亡").click()
        page.get_by_text("已确认死亡").first.wait_for()
        log_out(page)

        log_in_as(page, users["approver"].username)
        page.goto(f"/monitoring/warnings/{w.pk}/")
        page.get_by_label("处置结果").select_option(label="已停止保障")
        page.get_by_label("处置说明").fill("殡仪馆火化记录属实，停止保障")
        page.get_by_role("button", name="保存处置结果").click()
        page.get_by_text("已记录处置结果：已停止保障").wait_for()
        log_out(page)

        log_in_as(page, staff["builder"].username)
        page.get_by_role("complementary").get_by_role("link", name="月度发放").click()
        page.get_by_label("发放月份").fill("2027-01")
        page.get_by_role("button", name="生成").click()
        page.get_by_text("已生成").first.wait_for()
        assert "王德顺" not in page.locator("main").inner_text()
        page.get_by_role("complementary").get_by_role("link", name="追缴").click()
        listing = page.locator("main").inner_text()
        assert "王德顺" in listing and "500.00" in listing

    record = Record.objects.get()
    assert record.group == "dibao" and str(record.waiver) == "2000.00"
    person.refresh_from_db()
    assert person.is_deceased and person.death_date == D(2026, 11, 28)
    assert not PayrollLine.objects.filter(payroll__month=D(2027, 1, 1), enrolment_id=enrolment.pk).exists()
    r = Recovery.objects.get(enrolment_id=enrolment.pk)
    assert [(i.service_month, str(i.amount)) for i in r.items.all()] == [(D(2026, 12, 1), "500.00")]
