"""The pages: each renders for the county approver, refusals are messages, other counties' months are 404."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from huimin.benefits.models import BankBatch, PayrollMonth, Standard
from tests.benefits.conftest import county_staff
from tests.benefits.matrix_targets import benefits_targets
from tests.conftest import COUNTY


@pytest.mark.django_db
def test_approver_runs_a_month_end_to_end_through_the_pages(users, enrol, login):
    enrol(amount="432.10")
    client = login(users["approver"])
    r = client.post(
        reverse("benefits:standard_add"),
        {
            "kind": "dibao",
            "region": COUNTY,
            "area": "urban",
            "value": "740",
            "period": "month",
            "effective_from": "2026-01-01",
        },
    )
    assert r.status_code == 302 and Standard.objects.count() == 1
    r = client.post(
        reverse("benefits:standard_add"),
        {
            "kind": "tekun_basic",
            "region": COUNTY,
            "area": "urban",
            "value": "10000",
            "period": "year",
            "effective_from": "2026-01-01",
            "base_kind": "dibao",
            "factor_num": "1.3",
        },
    )
    page = client.get(reverse("benefits:standards")).content.decode()
    assert "低于按规则计算的 11544.00" in page
    r = client.post(reverse("benefits:payroll_build"), {"region": COUNTY, "month": "2026-03"})
    payroll = PayrollMonth.objects.get()
    assert r.url == reverse("benefits:payroll_detail", args=[payroll.pk])
    page = client.get(r.url).content.decode()
    assert "432.10 元" in page and "按月发放" in page
    r = client.post(reverse("benefits:payroll_act", args=[payroll.pk, "review"]), follow=True)
    assert "职责分离" in r.content.decode()  # the builder may not review the month
    staff = county_staff(users)
    for who, action in ((staff["reviewer"], "review"), (staff["approver"], "approve"), (staff["approver"], "lock")):
        login(who).post(reverse("benefits:payroll_act", args=[payroll.pk, action]))
    payroll.refresh_from_db()
    assert payroll.status == "locked"
    client = login(users["approver"])
    client.post(
        reverse("benefits:template_create"),
        {
            "name": "邮储",
            "bank_name": "邮储银行",
            "format": "csv",
            "encoding": "utf-8",
            "header_row": "1",
            "columns": '[{"field":"account"},{"field":"name"},{"field":"amount"},{"field":"reference"}]',
        },
    )
    template_id = client.get(reverse("benefits:templates")).context["rows"][0].pk
    r = client.post(reverse("benefits:bank_export", args=[payroll.pk]), {"template": template_id})
    assert (
        r.status_code == 200 and r["Content-Disposition"].startswith("attachment") and r["Cache-Control"] == "no-store"
    )
    body = r.content.decode()
    assert "6222020200112233445" in body and "432.10" in body
    reference = body.splitlines()[1].split(",")[3]
    batch = BankBatch.objects.get()
    upload = SimpleUploadedFile("r.csv", f"流水号,结果,原因\n{reference},失败,户名不符\n".encode())
    client.post(reverse("benefits:bank_return", args=[batch.pk]), {"file": upload})
    page = client.get(reverse("benefits:payroll_detail", args=[payroll.pk])).content.decode()
    assert "重发清单" in page and "户名不符" in page
    report = client.get(reverse("benefits:report"), {"from": "2026-01-01", "to": "2026-12-31"}, follow=True)
    assert "432.10 元" in report.content.decode()  # the 资金发放 report now lives in the statistics


@pytest.mark.django_db
def test_bad_input_is_a_message_not_an_error(users, login):
    client = login(users["approver"])
    r = client.post(reverse("benefits:payroll_build"), {"region": COUNTY, "month": "March"}, follow=True)
    assert "月份格式不正确" in r.content.decode() and not PayrollMonth.objects.exists()
    r = client.post(
        reverse("benefits:standard_add"), {"kind": "dibao", "value": "x", "effective_from": "2026-01-01"}, follow=True
    )
    assert "格式不正确" in r.content.decode() and not Standard.objects.exists()


@pytest.mark.django_db
def test_other_counties_months_do_not_exist_for_the_approver(users, login):
    targets = benefits_targets(users)
    client = login(users["approver"])
    out_month = targets["benefits_payroll"][1]["kwargs"]["pk"]
    out_batch = targets["benefits_batch"][1]["kwargs"]["pk"]
    assert client.get(reverse("benefits:payroll_detail", args=[out_month])).status_code == 404
    assert client.post(reverse("benefits:payroll_act", args=[out_month, "review"])).status_code == 404
    assert client.post(reverse("benefits:bank_export", args=[out_month])).status_code == 404
    assert client.post(reverse("benefits:bank_return", args=[out_batch])).status_code == 404
    months = client.get(reverse("benefits:payroll_months")).context["page"]
    assert {m.region_id for m in months} == {COUNTY}
    assert datetime.date(2026, 1, 1) in {m.month for m in months}


@pytest.mark.django_db
def test_calculator_uses_the_standards_in_force_and_explains(users, login):
    Standard.objects.create(
        kind="dibao", region_id=COUNTY, area="urban", value="740", effective_from=datetime.date(2026, 1, 1)
    )
    Standard.objects.create(kind="dibao_floor", region_id=COUNTY, value="74", effective_from=datetime.date(2026, 1, 1))
    Standard.objects.create(kind="dibao_extra_rate", region_id=COUNTY, period="rate", value="0.1",
                            effective_from=datetime.date(2026, 1, 1))  # fmt: skip
    client = login(users["approver"])
    query = {"kind": "dibao", "region": "411702001001", "area": "urban", "day": "2026-03-01", "income": "300",
             "members": "3", "elderly": "1"}  # fmt: skip
    page = client.get(reverse("benefits:calculator"), query).content.decode()
    assert "1,394.00 元" in page and "分类施保" in page  # (740 − 300) × 3 + 74
    assert "740 元/月（依据：「保障标准」页面第" in page and "（month" not in page
    page = client.get(reverse("benefits:calculator"), query | {"income": ""}).content.decode()
    assert "请填写家庭月人均收入（没有收入的家庭填 0）" in page and "2,960" not in page  # never taken as 0
    page = client.get(reverse("benefits:calculator"), query | {"region": "411721000000"}).content.decode()
    assert "管辖范围" in page
    page = client.get(reverse("benefits:calculator"), query | {"kind": "tekun"}).content.decode()
    assert "未设置特困人员基本生活标准" in page
