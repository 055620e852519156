"""A 低保 case through the real pages: the township clerk takes the application, records the 核对 result and the
visit; he may not review it himself (职责分离), the township reviewer does; after 公示 the county approver
approves; the household panel shows the enrolment and the 审批表 PDF carries the applicant's name."""

import io

import pytest
from django.utils import timezone
from pypdf import PdfReader

from huimin.assistance.models import Application, Enrolment, Programme
from tests.assistance.conftest import end_publicity, make_household  # noqa: F401 (fixture)

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_township_takes_county_approves(page, log_in, users, make_household, settings, tmp_path):  # noqa: F811
    settings.MEDIA_ROOT = tmp_path  # the visit photo
    household, people = make_household(names=("欧阳小明", "李四"))
    today = timezone.localdate().isoformat()

    log_in(users["clerk_a"])
    # the household is found by the last six digits of the head's ID number, read out over the phone
    page.click('aside >> text="家庭"')
    page.fill("form[role=search] input[name=q]", people[0].id_number[-6:])
    page.click("form[role=search] button:has-text('查询')")
    page.wait_for_selector("text=已按身份证号后6位查询")
    page.click(f"text={household.number}")
    page.get_by_role("link", name="申请救助").click()
    page.wait_for_load_state()
    assert "欧阳小明" in page.inner_text("[data-testid=chosen-household]")  # chosen, no 户编号 typed
    page.select_option("#programme", label="最低生活保障")
    page.select_option("#applicant", str(people[0].pk))
    page.fill("#reason", "户主患重病，家庭无稳定收入")
    dibao = Programme.objects.get(code="dibao")
    for box in page.locator(f"input[id^='doc-{dibao.pk}-']").all():
        box.check()
    page.click("button:has-text('登记申请')")
    page.wait_for_selector("text=已登记申请")
    assert page.inner_text("[data-testid=stage]") == "待受理"

    page.click("button:has-text('受理')")
    page.wait_for_selector("text=已受理")
    page.fill("input[name=report_number]", "HD-2026-0101")
    page.fill("input[name=report_date]", today)
    page.select_option("select[name=conclusion]", "eligible")
    page.fill("textarea[name=reasons]", "核对无车辆、无商品房，月人均收入 0 元")
    page.fill("input[name=income_per_head]", "0")
    page.click("button:has-text('保存核对结果')")
    page.wait_for_selector("[data-testid=verification]")
    page.click("button:has-text('核对完成')")
    page.wait_for_selector("[data-testid=stage]:has-text('入户调查')")
    assert page.input_value("#visit_date") == today
    page.fill("#visitors", "王五")
    page.fill("#findings", "房屋为土坯房，家中无大件电器")
    page.click("button:has-text('保存入户调查')")  # saved; the case stays at 入户调查
    page.wait_for_selector("text=已保存入户调查；提交前还需")
    page.click("button:has-text('提交乡镇审核')")
    page.wait_for_selector("text=入户调查记录不完整，不能提交乡镇审核")
    assert page.inner_text("[data-testid=stage]") == "入户调查"
    page.fill("#visitors", "王五、赵六")  # the record is completed and a photo added
    page.set_input_files("#photos", files=[{"name": "房屋.png", "mimeType": "image/png", "buffer": PNG}])
    page.click("button:has-text('保存入户调查')")
    page.wait_for_selector("text=已保存入户调查，可以提交")
    page.click("button:has-text('提交乡镇审核')")
    page.wait_for_selector("[data-testid=stage]:has-text('乡镇审核')")
    page.fill("#opinion", "情况属实，同意上报")
    page.click("button:has-text('审核通过')")
    page.wait_for_selector("text=同一人不能既受理申请又进行乡镇审核")
    assert page.inner_text("[data-testid=stage]") == "乡镇审核"
    app = Application.objects.get(household=household)
    page.click("button:has-text('退出')")

    log_in(users["reviewer_a"])
    page.goto(f"/assistance/applications/{app.pk}/")
    page.fill("#opinion", "情况属实，同意上报")
    page.click("button:has-text('审核通过')")
    page.wait_for_selector("[data-testid=stage]:has-text('公示')")
    end_publicity(app)  # the seven days pass
    page.click("button:has-text('退出')")

    log_in(users["approver"])
    page.goto(f"/assistance/applications/{app.pk}/")
    page.fill("#amount", "630.00")
    page.fill("#standard", "城市低保标准 630 元/月")
    # the calculator's inputs come from the file, with their source
    assert page.input_value("#income_per_head") == "0.00" and page.input_value("#members") == "2"
    assert "来自人工录入的核对报告 HD-2026-0101" in page.inner_text("[data-testid=input-income_per_head]")
    page.click("button:has-text('批准')")
    page.wait_for_selector("[data-testid=stage]:has-text('已批准')")
    assert Enrolment.objects.filter(application=app).count() == 1

    page.goto(f"/assistance/households/{household.pk}/")
    panel = page.inner_text("[data-testid=assistance-panel]")
    assert "最低生活保障" in panel and "630.00 元" in panel and "在保" in panel

    response = page.request.get(f"/assistance/applications/{app.pk}/pdf/approval/")
    assert response.ok and response.headers["content-type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.body())).pages)
    assert "欧阳小明" in text and "审批表" in text
