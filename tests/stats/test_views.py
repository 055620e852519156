"""The pages: scope (a county sees only its own; township users are refused), the .xlsx and PDF of the monthly
report, chart data exports, indicators and their targets."""

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from huimin.benefits.models import Standard
from huimin.core.models import AuditEntry
from huimin.stats import compute
from huimin.stats.models import Indicator, IndicatorTarget
from tests.conftest import COUNTY, OTHER_COUNTY, TOWN_A
from tests.stats.test_figures import EXPECTED_COUNTY, M, march  # noqa: F401 - the scenario fixture

MONTH = "2026-03"


def _get(client, name, **query):
    url = reverse(name) + "?" + "&".join(f"{k}={v}" for k, v in {"month": MONTH, **query}.items())
    return client.get(url)


def test_a_county_sees_its_own_area_and_not_another_county(login, users, march):  # noqa: F811
    client = login(users["approver"])
    page = _get(client, "stats:dashboard")
    assert page.status_code == 200
    html = page.content.decode()
    assert "驿城区" in html and "顺河街道" in html and "西平县" not in html
    assert _get(client, "stats:dashboard", region=OTHER_COUNTY).status_code == 404
    assert _get(client, "stats:monthly", region=OTHER_COUNTY).status_code == 404
    assert _get(client, "stats:monthly_xlsx", region="411700").status_code == 404  # the city is above the county
    assert _get(client, "stats:dashboard", region="junk").status_code == 404
    drilled = _get(client, "stats:dashboard", region=TOWN_A)
    assert drilled.status_code == 200 and "交通路社区" in drilled.content.decode()


def test_the_city_statistician_sees_every_county(login, users, march):  # noqa: F811
    html = _get(login(users["statistician"]), "stats:dashboard").content.decode()
    assert "驿城区" in html and "西平县" in html


@pytest.mark.parametrize("role", ["clerk_a", "reviewer_a", "assistant_a", "sysadmin", "auditor"])
def test_township_village_and_system_users_are_refused(login, users, role):
    client = login(users[role])
    for name in ("stats:dashboard", "stats:monthly", "stats:monthly_xlsx", "stats:indicators"):
        assert _get(client, name).status_code == 403, (role, name)


def test_monthly_xlsx_in_the_statisticians_layout(login, users, march):  # noqa: F811
    response = _get(login(users["approver"]), "stats:monthly_xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames == ["分项目", "分地区"]
    ws = wb["分地区"]
    assert ws["A1"].value == "社会救助情况统计月报表（分地区）"
    assert "填报单位：河南省驻马店市驿城区" in ws["A2"].value
    assert ws.cell(2, ws.max_column).value == "统计期：2026年3月"
    assert ws.cell(3, ws.max_column).value == "单位：户、人、元、件"
    headers = [c.value for c in ws[4]]
    assert headers[:4] == ["地区", "区划代码", "在保户次（户）", "在保人次（人）"]
    rows = {r[0]: dict(zip(headers, r, strict=True)) for r in ws.iter_rows(min_row=5, values_only=True) if r[0]}
    assert rows["顺河街道"]["在保人次（人）"] == 9 and rows["老街街道"]["在保户次（户）"] == 1
    total = rows["合计"]
    assert total["在保户次（户）"] == EXPECTED_COUNTY["households"]
    assert total["在保人次（人）"] == EXPECTED_COUNTY["persons"]
    assert Decimal(str(total["发放金额（元）"])) == EXPECTED_COUNTY["amount_paid"]
    assert total["新增预警（条）"] == 2 and total["核对符合（户次）"] == 2
    ws = wb["分项目"]
    headers = [c.value for c in ws[4]]
    rows = [dict(zip(headers, r, strict=True)) for r in ws.iter_rows(min_row=5, values_only=True) if r[0] or r[1]]
    dibao = next(r for r in rows if r["项目"] == "最低生活保障")
    assert dibao["城乡"] == "合计" and dibao["在保人数（人）"] == 9 and dibao["本月新增户数（户）"] == 1
    assert next(r for r in rows if r["项目"] == "合计")["老年人（人）"] == EXPECTED_COUNTY["elderly"]


def test_monthly_pdf_carries_the_heading_and_totals(login, users, march):  # noqa: F811
    response = _get(login(users["approver"]), "stats:monthly_pdf")
    assert response["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "社会救助情况统计月报表" in text and "河南省驻马店市驿城区" in text and "2026年3月" in text
    assert "顺河街道" in text and "1550.00" in text


def test_monthly_page_filters_urban_and_drills(login, users, march):  # noqa: F811
    client = login(users["approver"])
    html = _get(client, "stats:monthly", area="urban").content.decode()
    assert "范围：城市" in html
    assert _get(client, "stats:monthly", month="2026-13").status_code == 200  # a message, the default month
    assert "统计月份格式" in _get(client, "stats:monthly", month="2026-13").content.decode()
    assert "未来月份" in _get(client, "stats:monthly", month="2099-01").content.decode()


@pytest.mark.parametrize("chart", ["trend", "composition", "areas", "regions"])
def test_each_chart_exports_its_data(login, users, march, chart):  # noqa: F811
    response = login(users["approver"]).get(reverse("stats:chart_xlsx", args=[chart]) + f"?month={MONTH}")
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.content)).active
    values = [row for row in ws.iter_rows(min_row=4, values_only=True)]
    assert "驿城区" in ws["A2"].value
    if chart == "regions":
        assert {r[0] for r in values} == {"顺河街道", "老街街道"}
    if chart == "composition":
        assert dict((r[0], r[1]) for r in values)["最低生活保障"] == 9
    if chart == "trend":
        assert values[-1][0] == MONTH and values[-1][2] == 10  # persons in 保 in March
    assert login(users["approver"]).get(reverse("stats:chart_xlsx", args=["nope"])).status_code == 404


def test_recompute_is_for_managers_and_audited(login, users, march):  # noqa: F811
    client = login(users["approver"])
    response = client.post(reverse("stats:recompute"), {"month": MONTH, "region": COUNTY})
    assert response.status_code == 302
    assert AuditEntry.objects.filter(action="stats.month.recompute").exists()
    assert client.post(reverse("stats:recompute"), {"month": "2099-01"}).status_code == 302
    assert login(users["clerk_a"]).post(reverse("stats:recompute"), {"month": MONTH}).status_code == 403


def _standard(kind, area, value, period="month"):
    Standard.objects.create(kind=kind, region_id=COUNTY, area=area, period=period, value=Decimal(value),
                            effective_from=compute.add_months(compute.month_start(M), -24))  # fmt: skip


def test_indicators_values_targets_and_editing(login, users, march):  # noqa: F811
    _standard("dibao", "urban", "600")
    _standard("dibao", "rural", "420")  # 70% of urban: below the 75% target
    _standard("tekun_basic", "urban", "9360", period="year")  # 780/month = 1.3 × 600
    _standard("tekun_basic", "rural", "546")  # 1.3 × 420
    client = login(users["approver"])
    html = _get(client, "stats:indicators").content.decode()
    assert "70.00%" in html and "1.30倍" in html
    assert "75.00%" in html  # 审核按时率: 3 of the 4 decided in March on time
    assert "66.67%" in html  # 预警办结率: of the 3 warnings raised by the end of March, 2 closed by then
    indicator = Indicator.objects.get(code="dibao_rural_urban_ratio")
    url = reverse("stats:indicator_target", args=[indicator.pk])
    assert client.post(url, {"region": COUNTY, "target": "abc"}).status_code == 302
    assert not IndicatorTarget.objects.exists()
    client.post(url, {"region": COUNTY, "target": "65"})
    assert IndicatorTarget.objects.get(indicator=indicator, region_id=COUNTY).target == Decimal("65")
    assert AuditEntry.objects.filter(action="stats.target.set").exists()
    assert client.post(url, {"region": OTHER_COUNTY, "target": "10"}).status_code == 404
    assert login(users["clerk_a"]).post(url, {"region": TOWN_A, "target": "10"}).status_code == 403
    client = login(users["approver"])
    page = _get(client, "stats:indicators").content.decode()
    assert "来源：驿城区" in page
    client.post(url, {"region": COUNTY, "target": ""})
    assert not IndicatorTarget.objects.exists()


def test_the_dashboard_opens_on_the_latest_month_with_payments_in_the_users_area(login, users, monkeypatch):
    import datetime

    from huimin.stats.models import MonthlyFigure
    from tests.clock import at
    from tests.conftest import VILLAGE_A1

    def paid(region, month, amount):
        MonthlyFigure.objects.create(month=month, region_id=region, is_urban=False, programme="dibao",
                                     households=1, persons=1, amount_paid=Decimal(amount))  # fmt: skip

    paid(VILLAGE_A1, datetime.date(2026, 8, 1), "500")
    paid(VILLAGE_A1, datetime.date(2026, 9, 1), "500")
    paid("411721001001", datetime.date(2026, 10, 1), "500")  # another county paid later
    monkeypatch.setattr(compute, "ensure", lambda months: None)  # the figures as set here, not recomputed
    with at(2026, 12, 6):
        county = login(users["approver"])
        assert county.get(reverse("stats:dashboard")).context["month"] == datetime.date(2026, 9, 1)
        chosen = county.get(reverse("stats:dashboard") + "?month=2026-11")
        assert chosen.context["month"] == datetime.date(2026, 11, 1)  # a month asked for is kept
        city = login(users["statistician"])
        assert city.get(reverse("stats:dashboard")).context["month"] == datetime.date(2026, 10, 1)
