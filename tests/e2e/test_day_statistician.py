"""统计's day: from the 工作台 to the 决策看板 of March, where the charts render (pixels on their canvases, the
axis tooltip under the policy), a county is drilled into and a chart's data exported as .xlsx; then the monthly
report's .xlsx and the indicators' sparklines."""

import io

import pytest
from openpyxl import load_workbook

from tests.clock import at
from tests.e2e.conftest import DESKTOP, log_in_as
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
def test_statistician_reads_the_dashboard_drills_and_exports(open_page, users, march):  # noqa: F811
    with at(2026, 11, 20), open_page(DESKTOP) as page:
        log_in_as(page, users["statistician"].username)
        page.get_by_role("complementary").get_by_role("link", name="决策看板").click()
        page.get_by_label("月份").fill("2026-03")
        page.get_by_role("main").get_by_role("button", name="查看").click()
        page.get_by_role("heading", name="2026年3月").wait_for()
        for chart in ("trend", "composition", "areas", "regions"):
            page.wait_for_selector(f"#chart-{chart}[data-rendered='1'] canvas")
            assert page.evaluate(CANVAS_PIXELS, f"chart-{chart}") > 500, chart
            assert page.evaluate(
                "(id) => !!echarts.getInstanceByDom(document.getElementById(id))"
                ".getOption().toolbox[0].feature.saveAsImage",
                f"chart-{chart}",
            )
        box = page.locator("#chart-trend").bounding_box()
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)  # the axis tooltip shows
        table = page.locator("[data-testid=children]")
        assert "驿城区" in table.inner_text() and "西平县" in table.inner_text()

        table.get_by_role("link", name="驿城区").click()
        page.get_by_role("heading", name="驿城区").wait_for()
        rows = page.locator("[data-testid=children]").inner_text()
        assert "顺河街道" in rows and "老街街道" in rows and "西平县" not in rows
        page.wait_for_selector("#chart-regions[data-rendered='1'] canvas")
        assert page.evaluate(CANVAS_PIXELS, "chart-regions") > 500
        with page.expect_download() as download:
            page.locator("[data-testid=xlsx-regions]").click()
        ws = load_workbook(io.BytesIO(download.value.path().read_bytes())).active
        # a township is named with its county above county level ("驿城区 顺河街道")
        counts = {str(r[0]).split()[-1]: r for r in ws.iter_rows(min_row=4, values_only=True) if r[0]}
        assert counts["顺河街道"][3] == 9 and counts["老街街道"][3] == 1  # persons in 保 in March
        assert "驿城区" in ws["A2"].value

        page.get_by_role("main").get_by_role("link", name="月报表").click()
        page.wait_for_selector("[data-testid=by-programme]")
        with page.expect_download() as download:
            page.locator("[data-testid=monthly-xlsx]").click()
        assert load_workbook(io.BytesIO(download.value.path().read_bytes())).sheetnames == ["分项目", "分地区"]

        page.get_by_role("complementary").get_by_role("link", name="指标").click()
        page.wait_for_selector(".hm-indicator canvas")
        assert page.eval_on_selector(".hm-indicator", "el => el.getBoundingClientRect().height") == 60
