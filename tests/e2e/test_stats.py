"""The city statistician opens the dashboard: the charts render (pixels on their canvases), the statistician
drills into a county and exports a chart's data and the monthly report as .xlsx."""

import io

import pytest
from openpyxl import load_workbook

from tests.stats.conftest import build  # noqa: F401 - fixtures of the scenario
from tests.stats.test_figures import march  # noqa: F401

CANVAS_PIXELS = """(id) => {
  const canvas = document.querySelector('#' + id + ' canvas');
  if (!canvas) return 0;
  const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let i = 3; i < data.length; i += 4) if (data[i] > 0) painted++;
  return painted;
}"""


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_dashboard_renders_drills_and_exports(page, log_in, users, march):  # noqa: F811
    log_in(users["statistician"])
    page.click("aside >> text=决策看板")
    page.fill("input[name=month]", "2026-03")
    page.click("main form button:has-text('查看')")
    page.wait_for_selector("h1:has-text('2026年3月')")
    for chart in ("trend", "composition", "areas", "regions"):
        page.wait_for_selector(f"#chart-{chart}[data-rendered='1'] canvas")
        assert page.evaluate(CANVAS_PIXELS, f"chart-{chart}") > 500, chart
        assert page.evaluate(
            "(id) => !!echarts.getInstanceByDom(document.getElementById(id))"
            ".getOption().toolbox[0].feature.saveAsImage",
            f"chart-{chart}",
        )
    table = page.inner_text("[data-testid=children]")
    assert "驿城区" in table and "西平县" in table

    page.click("[data-testid=children] >> text=驿城区")
    page.wait_for_selector("h1:has-text('驿城区')")
    table = page.inner_text("[data-testid=children]")
    assert "顺河街道" in table and "老街街道" in table and "西平县" not in table
    page.wait_for_selector("#chart-regions[data-rendered='1'] canvas")
    assert page.evaluate(CANVAS_PIXELS, "chart-regions") > 500

    with page.expect_download() as download:
        page.click("[data-testid=xlsx-regions]")
    ws = load_workbook(io.BytesIO(download.value.path().read_bytes())).active
    rows = {r[0]: r for r in ws.iter_rows(min_row=4, values_only=True)}
    assert rows["顺河街道"][3] == 9 and rows["老街街道"][3] == 1  # persons in 保 in March
    assert "驿城区" in ws["A2"].value

    page.click("text=月报表")
    page.wait_for_selector("[data-testid=by-programme]")
    with page.expect_download() as download:
        page.click("[data-testid=monthly-xlsx]")
    assert load_workbook(io.BytesIO(download.value.path().read_bytes())).sheetnames == ["分项目", "分地区"]
