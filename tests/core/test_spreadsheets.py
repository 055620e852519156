import datetime
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
