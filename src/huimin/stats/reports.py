"""The monthly social-assistance report (社会救助情况统计月报) as one structure, shown as a page, written as an
.xlsx in the layout a statistician files (title, 填报单位, 统计期, 单位, header, rows, 合计) and printed as PDF."""

import io

from django.template.loader import render_to_string
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from huimin.core.spreadsheets import safe_cell
from huimin.stats import figures
from huimin.stats.models import MonthRun

# (key, header, unit) of each table's columns
PROGRAMME_COLUMNS = [
    ("households", "在保户数", "户"),
    ("persons", "在保人数", "人"),
    ("new_households", "本月新增户数", "户"),
    ("new_persons", "本月新增人数", "人"),
    ("stopped_households", "本月退出户数", "户"),
    ("stopped_persons", "本月减少人数", "人"),
    ("elderly", "老年人", "人"),
    ("minors", "未成年人", "人"),
    ("disabled", "残疾人", "人"),
    ("amount_paid", "发放金额", "元"),
    ("per_person", "月人均", "元"),
    ("amount_approved", "临时救助批准金额", "元"),
    ("apps_received", "受理申请", "件"),
    ("apps_approved", "批准", "件"),
    ("apps_refused", "不予批准", "件"),
    ("avg_days", "平均办结天数", "天"),
]
REGION_COLUMNS = [
    ("households", "在保户次", "户"),
    ("persons", "在保人次", "人"),
    ("new_households", "新增户数", "户"),
    ("stopped_households", "退出户数", "户"),
    ("amount_paid", "发放金额", "元"),
    ("per_person", "月人均", "元"),
    ("apps_received", "受理申请", "件"),
    ("apps_approved", "批准", "件"),
    ("apps_refused", "不予批准", "件"),
    ("avg_days", "平均办结天数", "天"),
    ("verif_eligible", "核对符合", "户次"),
    ("verif_not_eligible", "核对不符合", "户次"),
    ("verif_needs_visit", "需入户核实", "户次"),
    ("warnings_raised", "新增预警", "条"),
    ("warnings_closed", "办结预警", "条"),
]
FIRST_KEYS = {"项目": "name", "城乡": "area", "地区": "name", "区划代码": "code"}
AREA_NAMES = {None: "城乡合计", True: "城市", False: "农村"}


def monthly(user, region, month, urban: bool | None = None) -> dict:
    run = MonthRun.objects.filter(month=month).first()
    return {
        "title": "社会救助情况统计月报表",
        "unit_name": region.full_name(),
        "region": region,
        "month": month,
        "period": f"{month.year}年{month.month}月",
        "area": AREA_NAMES[urban],
        "urban": urban,
        "programmes": figures.by_programme(user, region, month, urban),
        "children": figures.by_child(user, region, month, urban=urban),
        "total": figures.total(user, region, month, urban=urban),
        "programme_columns": PROGRAMME_COLUMNS,
        "region_columns": REGION_COLUMNS,
        "computed_at": run.computed_at if run else None,
    }


def _cell(value):
    return "" if value is None else safe_cell(value)


def _sheet(ws, report: dict, subtitle: str, first_headers: list[str], columns, rows, total_row) -> None:
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    width = len(first_headers) + len(columns)
    ws.append([f"{report['title']}（{subtitle}）"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws["A1"].font = Font(size=14, bold=True)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.append([f"填报单位：{report['unit_name']}", *[""] * (width - 2), f"统计期：{report['period']}"])
    ws.append([f"范围：{report['area']}", *[""] * (width - 2), "单位：户、人、元、件"])
    header = [*first_headers, *[f"{h}（{u}）" for _, h, u in columns]]
    ws.append(header)
    for row in rows:
        ws.append([_cell(row.get(FIRST_KEYS[h])) for h in first_headers] + [_cell(row.get(k)) for k, _, _ in columns])
    ws.append(["合计", *[""] * (len(first_headers) - 1), *[_cell(total_row.get(k)) for k, _, _ in columns]])
    last = ws.max_row
    for r in range(4, last + 1):
        for c in range(1, width + 1):
            ws.cell(r, c).border = border
            if r in (4, last):
                ws.cell(r, c).font = Font(bold=True)
    for c in range(1, width + 1):
        ws.column_dimensions[get_column_letter(c)].width = 16 if c <= len(first_headers) else 12
    computed = report["computed_at"]
    ws.append([f"数据计算时间：{timezone.localtime(computed):%Y-%m-%d %H:%M}" if computed else ""])
    ws.append(
        ["说明：在保户数、人数按统计月内的起止月份计；发放金额为已锁定发放月份的明细合计；跨项目合计为户次、人次。"]
    )


def xlsx(report: dict) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "分项目"
    _sheet(ws, report, "分项目", ["项目", "城乡"], report["programme_columns"], report["programmes"], report["total"])
    ws2 = wb.create_sheet("分地区")
    _sheet(ws2, report, "分地区", ["地区", "区划代码"], report["region_columns"], report["children"], report["total"])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def pdf(report: dict) -> bytes:
    from weasyprint import HTML

    html = render_to_string("stats/pdf/monthly.html", {**report, "printed_at": timezone.localtime()})
    return HTML(string=html).write_pdf()


def table_xlsx(title: str, unit_name: str, period: str, headers: list[str], rows: list[list]) -> bytes:
    """A chart's data as a small sheet with the same heading lines."""
    wb = Workbook()
    ws = wb.active
    ws.title = title[:31]
    ws.append([title])
    ws["A1"].font = Font(size=13, bold=True)
    ws.append([f"填报单位：{unit_name}", f"统计期：{period}"])
    ws.append(headers)
    for row in rows:
        ws.append([_cell(v) for v in row])
    for c in range(1, len(headers) + 1):
        ws.column_dimensions[get_column_letter(c)].width = 16
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
