import datetime
import io
from decimal import Decimal

import openpyxl
import pytest

from huimin.core.spreadsheets import safe_cell


@pytest.mark.parametrize("text", ["=1+1", '=HYPERLINK("http://x","点我")', "+86", "-3", "@SUM(A1)", "\tx", "\rx"])
def test_formula_like_text_is_shown_never_run(text):
    assert safe_cell(text) == "'" + text


def test_other_values_pass_unchanged():
    for value in (None, 5, 2.5, Decimal("612.30"), datetime.date(2026, 1, 1), True, "张三", "4117"):
        assert safe_cell(value) == value


def test_the_bank_xlsx_file_neutralises_a_hostile_name(regions, tmp_path):
    from huimin.benefits import bank
    from huimin.benefits.models import BankTemplate
    from tests.conftest import COUNTY

    template = BankTemplate(
        name="x", bank_name="邮储银行", region_id=COUNTY, format="xlsx", header_row=True,
        columns=[{"field": "name", "header": "户名"}, {"field": "amount", "header": "金额"},
                 {"field": "account", "header": "账号"}],
    )  # fmt: skip
    row = ("6228480018889990001", "=HYPERLINK(1)", "612.30", "R1", "dibao", "2026-03")
    path = tmp_path / "b.xlsx"
    path.write_bytes(bank.render(template, [row]))
    sheet = openpyxl.load_workbook(path).active
    assert sheet["A2"].value == "'=HYPERLINK(1)"
    assert sheet["B2"].value == 612.3 and sheet["C2"].value == "6228480018889990001"


def test_a_list_download_has_its_header_safe_rows_and_a_chinese_file_name():
    from urllib.parse import unquote

    from huimin.core.spreadsheets import XLSX, xlsx_response

    rows = ([n, "=1+1" if n == 2 else "张三", datetime.date(2026, 3, n)] for n in range(1, 4))  # a generator streams
    response = xlsx_response("救助申请", "救助申请", ["序号", "姓名", "日期"], rows)
    assert response["Content-Type"] == XLSX
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; filename*=utf-8''")
    assert unquote(disposition.split("''", 1)[1]) == "救助申请.xlsx"
    assert disposition.isascii()  # percent-encoded, never a raw or MIME-encoded header
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet.title == "救助申请" and sheet.freeze_panes == "A2"
    assert list(sheet.values) == [
        ("序号", "姓名", "日期"),
        (1, "张三", datetime.datetime(2026, 3, 1)),
        (2, "'=1+1", datetime.datetime(2026, 3, 2)),
        (3, "张三", datetime.datetime(2026, 3, 3)),
    ]
    assert sheet.column_dimensions["B"].width == 10


def test_a_table_with_a_title_and_heading_lines():
    from huimin.core.spreadsheets import table_bytes

    content = table_bytes(
        "低保", ["地区", "人数"], [["顺河街道", None], ["@老街", 3]], title="在保人数", lines=[["填报单位：驿城区"]],
        freeze=True, blank_none=True,
    )  # fmt: skip
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    assert sheet["A1"].value == "在保人数" and sheet["A1"].font.bold
    assert sheet.freeze_panes == "A4"  # title, heading line and header stay in view
    assert list(sheet.values)[1:] == [("填报单位：驿城区", None), ("地区", "人数"), ("顺河街道", None), ("'@老街", 3)]


def test_an_ascii_name_stays_a_plain_quoted_file_name():
    from huimin.core.spreadsheets import download

    response = download(b"%PDF-", "report-1.pdf", "application/pdf", inline=True)
    assert response["Content-Disposition"] == 'inline; filename="report-1.pdf"'
