"""The 台账 import reads files as people fill them in (issue 25 §5): a title above the header, full-width digits,
dates typed the Chinese way, ID numbers Excel stored as numbers, and errors named by Excel's own line numbers."""

import datetime
import io

import pytest
from openpyxl import Workbook, load_workbook

from huimin.registry import excel
from tests.registry.conftest import VILLAGE_A1, id_for, row
from tests.sheets import store_all_digits

pytestmark = pytest.mark.django_db
B = datetime.date(1966, 6, 6)
HEADERS = [c.header for c in excel.COLUMNS]


TITLE = (["驿城区顺河街道 低保对象家庭成员台账"], ["填报单位：交通路社区", None, "填报日期：2026年11月5日"], [])


def workbook(rows, above=TITLE):
    book = Workbook()
    sheet = book.active
    sheet.title = "台账"
    for line in [*above, HEADERS, *rows]:
        sheet.append(list(line))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def check(tmp_path, users, content):
    path = tmp_path / "t.xlsx"
    path.write_bytes(content)
    return excel.check(path, users["clerk_a"]), path


def full_width(text: str) -> str:
    return text.translate({c: c + 0xFEE0 for c in range(0x21, 0x7F)})


def head(**extra):
    return row(household_number="T001", relation="户主", name="张三", id_number=id_for(B, 11), region=VILLAGE_A1,
               **extra)  # fmt: skip


def test_the_header_below_a_title_is_found_and_errors_name_excels_lines(tmp_path, users):
    # line 1 title, 2 填报单位, 3 blank, 4 header, 5 head, 6 blank, 7 a member without a name
    member = row(household_number="T001", relation="配偶", name="", id_number=id_for(B, 22), region=VILLAGE_A1)
    result, path = check(tmp_path, users, workbook([head(), [], member]))
    assert result.file_errors == []
    assert [(line, column) for line, column, _ in result.errors] == [(7, "姓名")]
    report = list(load_workbook(io.BytesIO(excel.error_report_bytes(path, result.error_list()))).active.values)
    assert [r[1] for r in report[1:]] == [5, 7] and "姓名不能为空" in report[2][0]


def test_full_width_digits_letters_and_chinese_dates_are_read(tmp_path, users):
    number = id_for(B, 11)
    cells = head(birth_date="1966年6月6日", phone=full_width("13800000001"))
    cells[3] = full_width(number)
    cells[8] = full_width(VILLAGE_A1)
    result, _ = check(tmp_path, users, workbook([cells]))
    assert result.ok, result.errors
    (member,) = result.households["T001"].members
    clean = member[2]
    assert clean["id_number"] == number and clean["phone"] == "13800000001"


@pytest.mark.parametrize("typed", ["1966/06/06", "1966-6-6", "1966年6月6日", datetime.datetime(1966, 6, 6)])
def test_a_birth_date_agreeing_with_the_id_number_in_any_typed_form(tmp_path, users, typed):
    result, _ = check(tmp_path, users, workbook([head(birth_date=typed)], above=()))
    assert result.ok, result.errors


def test_a_birth_date_a_day_off_the_id_number_is_refused(tmp_path, users):
    result, _ = check(tmp_path, users, workbook([head(birth_date="1966年6月7日")], above=()))
    assert [line for line, _, _ in result.errors] == [2]


def test_an_id_number_excel_stored_as_a_number_is_refused_on_its_line_naming_text_format(tmp_path, users):
    cells = head()
    cells[3] = float(id_for(B, 11))
    result, _ = check(tmp_path, users, workbook([cells]))
    ((line, column, message),) = result.errors
    assert (line, column) == (5, "身份证号") and "E+17" in message and "设置为文本格式" in message


def test_an_id_number_stored_as_a_number_with_every_digit_is_read(tmp_path, users):
    number = id_for(B, 13)
    assert number[-1] != "X"
    cells = head()
    cells[3] = float(number)
    content = store_all_digits(workbook([cells], above=()), number)
    result, _ = check(tmp_path, users, content)
    assert result.ok, result.errors
    assert result.households["T001"].members[0][2]["id_number"] == number
