"""Departmental files as departments really send them (issue 25 §5), built with openpyxl: dates in the forms people
type, full-width digits, a title above the header, ID numbers Excel stored as numbers, the spreadsheet's own line
numbers, values as typed, refused files in the history, and rows whose ID number nobody in the registry holds."""

import datetime
import io
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from openpyxl import Workbook

from huimin.core import crypto
from huimin.core.spreadsheets import ExcelNumber, cell_text
from huimin.registry import idnumbers
from huimin.verification import ingest, services
from huimin.verification.models import Snapshot, Upload
from tests.conftest import VILLAGE_A1
from tests.sheets import store_all_digits
from tests.verification.factories import AS_OF, make_household

ID = idnumbers.make("411702", datetime.date(1980, 5, 1), 11)
FULL_WIDTH = ID.translate({c: c + 0xFEE0 for c in range(0x30, 0x3A)} | {ord("X"): ord("Ｘ")})
TITLE = ["驿城区卫生健康委员会 2026年6月 死亡人员信息"]
FILLER = ["填报单位：驿城区卫健委", None, "填报日期：2026-06-30"]


def xlsx(rows: list[list]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def deaths(*rows, above=(TITLE, FILLER, [])) -> bytes:
    return xlsx([*above, ["身份证号", "死亡日期", "来源"], *rows])


def load(users, content: bytes, name="deaths.xlsx", source="deaths", **kw) -> Upload:
    return services.ingest_file(users["approver"], source, content, name, AS_OF, **kw)


def dates_of(upload: Upload) -> list:
    return pq.read_table(upload.snapshot.path)["death_date"].to_pylist()


# --- dates ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed", ["2026年6月5日", "2026年06月05日", "2026/06/05", "2026/6/5", "2026-06-05", "20260605", "2026.6.5"]
)
def test_a_date_is_read_in_the_forms_people_type(typed):
    assert ingest.parse_date(typed) == datetime.date(2026, 6, 5)


def test_an_excel_date_cell_is_a_date(users):
    upload = load(users, deaths([ID, datetime.datetime(2026, 6, 5), "火化"], [ID, "2026年6月5日", "火化"]))
    assert upload.status == Upload.Status.ACCEPTED, upload.errors
    assert dates_of(upload) == [datetime.date(2026, 6, 5)] * 2


@pytest.mark.parametrize("typed", ["2026年2月29日", "2026/13/05", "2026-06-31", "2026年6月", "6/5/2026", "1899-12-31"])
def test_a_date_that_does_not_exist_is_refused_with_the_forms_it_may_take(typed):
    with pytest.raises(ValueError, match="日期"):
        ingest.parse_date(typed)


def test_the_last_and_first_day_of_a_month_both_sides():
    assert ingest.parse_date("2028年2月29日") == datetime.date(2028, 2, 29)  # a leap year
    assert ingest.parse_date("2026/12/31") == datetime.date(2026, 12, 31)
    assert ingest.parse_date("1900-01-01") == datetime.date(1900, 1, 1)
    with pytest.raises(ValueError, match="早于 1900 年"):
        ingest.parse_date("1899/12/31")


@pytest.mark.parametrize("typed", ["2026年11月", "2026/11", "2026-11", "202611", "２０２６－１１"])
def test_a_month_is_read_in_the_forms_people_type(typed):
    assert ingest.parse_month(typed) == "2026-11"


@pytest.mark.parametrize("typed", ["2026年13月", "2026/0", "2026-11-05x"])
def test_a_month_that_does_not_exist_is_refused(typed):
    with pytest.raises(ValueError, match="月份应写成"):
        ingest.parse_month(typed)


# --- full-width characters -----------------------------------------------------------------------------------------


def test_full_width_digits_and_letters_are_the_same_id_number(users):
    assert FULL_WIDTH != ID
    upload = load(users, deaths([FULL_WIDTH, "２０２６年６月５日", "火化"], [ID.lower(), "2026-06-05", "火化"]))
    assert upload.status == Upload.Status.ACCEPTED, upload.errors
    keys = set(pq.read_table(upload.snapshot.path)["person_key"].to_pylist())
    assert keys == {crypto.blind_index("id_number", ID)}


def test_a_wrong_check_digit_is_still_refused_in_full_width(users):
    wrong = FULL_WIDTH[:-1] + ("１" if not FULL_WIDTH.endswith("１") else "２")
    upload = load(users, deaths([wrong, "2026-06-05", "火化"]))
    assert upload.status == Upload.Status.REJECTED
    assert "校验位" in upload.errors[0]["message"]


# --- the header below title rows, line numbers as the spreadsheet shows them -------------------------------------


def test_the_header_is_found_below_the_title_and_bad_rows_keep_their_excel_line(users):
    # line 1 title, 2 填报单位, 3 blank, 4 header, 5 good, 6 blank, 7 bad
    content = deaths([ID, "2026-06-05", "火化"], [], [ID, "2026-06-31", "火化"])
    upload = load(users, content)
    assert upload.status == Upload.Status.REJECTED and upload.total_rows == 2
    assert [(e["row"], e["column"], e["value"]) for e in upload.errors] == [(7, "死亡日期", "2026-06-31")]
    report = Path(upload.error_report).read_text(encoding="utf-8-sig")
    assert "第7行,死亡日期,2026-06-31" in report


def test_a_header_on_the_first_line_still_counts_from_line_two(users):
    upload = load(users, deaths([ID, "2026-06-05", "火化"], [ID, "x", "火化"], above=()))
    assert upload.errors[0]["row"] == 3


def test_a_file_whose_header_matches_no_column_is_refused_by_name(users):
    upload = load(users, xlsx([TITLE, ["编号", "日期"], [ID, "2026-06-05"]]))
    assert upload.status == Upload.Status.REJECTED and upload.errors[0]["row"] == 0
    assert "缺少必填列“身份证号”" in upload.errors[0]["message"]


def test_a_gb18030_csv_with_a_title_line_is_read(users):
    text = f"驿城区 2026年6月 死亡人员\r\n身份证号,死亡日期,来源\r\n{ID},2026年6月5日,火化\r\n{ID},2026/6/31,火化\r\n"
    upload = load(users, text.encode("gb18030"), name="deaths.csv")
    assert [(e["row"], e["value"]) for e in upload.errors] == [(4, "2026/6/31")]


# --- values as typed -----------------------------------------------------------------------------------------------


def test_a_bad_number_is_shown_as_typed_not_as_a_float(users):
    header = ["身份证号", "残疾人证号", "残疾类别", "残疾等级", "发证日期", "状态"]
    upload = load(users, xlsx([header, [ID, ID + "41", "4", 5, "2026-01-15", "有效"]]), source="disability")
    assert [(e["column"], e["value"]) for e in upload.errors] == [("残疾等级（1–4）", "5")]
    assert cell_text(5.0) == "5" and cell_text(12.5) == "12.5"
    assert cell_text(datetime.datetime(2026, 6, 5)) == "2026-06-05"


# --- ID numbers Excel stored as numbers ----------------------------------------------------------------------------


def test_an_id_number_excel_stored_as_a_number_is_refused_naming_the_excel_problem(users):
    number = float(ID[:17] + "1") if ID[-1] == "X" else float(ID)
    upload = load(users, deaths([number, "2026-06-05", "火化"]))
    assert upload.status == Upload.Status.REJECTED
    (error,) = upload.errors
    assert error["row"] == 5 and "E+17" in error["value"]
    assert "被 Excel 存成了数字" in error["message"] and "设置为文本格式" in error["message"]
    assert "校验位" not in error["message"]


def test_an_id_number_stored_as_a_number_with_all_its_digits_is_read_from_the_cells_text(users):
    plain = idnumbers.make("411702", datetime.date(1980, 5, 1), 12)
    plain = plain if plain[-1] != "X" else idnumbers.make("411702", datetime.date(1980, 5, 1), 13)
    content = deaths([float(plain), "2026-06-05", "火化"], above=())
    content = store_all_digits(content, plain)
    upload = load(users, content)
    assert upload.status == Upload.Status.ACCEPTED, upload.errors
    assert pq.read_table(upload.snapshot.path)["person_key"].to_pylist() == [crypto.blind_index("id_number", plain)]


def _lost(number: str) -> str:
    return number[:15] + "000"


def _valid(number: str) -> bool:
    try:
        idnumbers.parse(number)
    except idnumbers.IdNumberError:
        return False
    return True


def test_digits_excel_already_lost_are_named_as_excels_problem_not_a_check_digit():
    number = next(n for n in (idnumbers.make("411702", datetime.date(1980, 5, 1), s) for s in range(100, 999))
                  if not _valid(_lost(n)))  # fmt: skip
    truncated = ExcelNumber(_lost(number), _lost(number))
    result = ingest.validate("deaths", ["身份证号", "死亡日期", "来源"], [[truncated, "2026-06-05", "火化"]], [9])
    assert result.errors[0].row == 9 and "设置为文本格式" in result.errors[0].message


# --- refused uploads in the history, rows nobody in the registry holds --------------------------------------------


def test_a_refused_file_is_in_the_history_with_its_downloadable_report(users, client):
    upload = load(users, b"\x00\x01 not a workbook", name="deaths.xlsx")
    assert Upload.objects.get().pk == upload.pk and upload.status == Upload.Status.REJECTED
    client.force_login(users["approver"])
    assert upload.filename in client.get("/verification/sources/").content.decode()
    page = client.get(f"/verification/uploads/{upload.pk}/").content.decode()
    assert "已拒收" in page and "整个文件" in page and "文件无法读取" in page
    report = client.get(f"/verification/uploads/{upload.pk}/errors.csv")
    assert report.status_code == 200 and "文件无法读取" in b"".join(report.streaming_content).decode("utf-8-sig")


def test_rows_whose_id_number_is_not_in_the_registry_are_counted_and_listed(users, client):
    _, (person,) = make_household(VILLAGE_A1, [("王大", datetime.date(1950, 3, 2))])
    stranger = idnumbers.make("411702", datetime.date(1960, 1, 1), 77)
    upload = load(users, deaths([person.id_number, "2026-06-05", "火化"], [stranger, "2026-06-06", "火化"]))
    assert upload.status == Upload.Status.ACCEPTED and upload.snapshot.row_count == 2
    assert upload.unregistered_rows == 1
    assert [(e["row"], e["value"]) for e in upload.unregistered] == [(6, e["value"]) for e in upload.unregistered]
    assert stranger not in str(upload.unregistered) and stranger[-4:] in upload.unregistered[0]["value"]
    assert "第6行" in Path(upload.error_report).read_text(encoding="utf-8-sig")
    client.force_login(users["approver"])
    page = client.get(f"/verification/uploads/{upload.pk}/").content.decode()
    assert "身份证号不在户籍登记中 1 行" in page and "第6行" in page


def test_a_file_of_registered_people_lists_nobody(users):
    _, (person,) = make_household(VILLAGE_A1, [("王大", datetime.date(1950, 3, 2))])
    upload = load(users, deaths([person.id_number, "2026-06-05", "火化"]))
    assert upload.unregistered_rows == 0 and upload.unregistered == [] and not upload.error_report
    assert Snapshot.objects.count() == 1


def test_the_api_answers_with_the_line_numbers_and_the_unregistered_rows(users, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(users["approver"])
    content = deaths([ID, "2026-06-05", "火化"], [ID, "2026/6/31", "火化"])
    response = client.post(
        "/api/verification/feeds/deaths",
        {"as_of": AS_OF.isoformat(), "file": SimpleUploadedFile("d.xlsx", content)},
    )
    assert response.status_code == 422, response.content.decode()
    body = response.json()
    assert body["errors"][0]["row"] == 6 and body["errors"][0]["value"] == "2026/6/31"
