import datetime
import io

import pytest
from openpyxl import load_workbook

from huimin.core.models import AuditEntry
from huimin.registry import codes, excel
from huimin.registry.models import Household, LifeEvent, Membership, Person
from tests.registry.conftest import VILLAGE_A1, VILLAGE_A2, VILLAGE_B1, id_for, row, xlsx

pytestmark = pytest.mark.django_db
B = datetime.date(1966, 6, 6)


def good_rows():
    return [
        row(household_number="T001", relation="户主", name="张三", id_number=id_for(B, 11), region=VILLAGE_A1,
            address="交通路 1 号", phone="13800000001"),
        row(household_number="T001", relation="配偶", name="李四", id_number=id_for(B, 22), region=VILLAGE_A1),
        row(household_number="T001", relation="子", name="张宝", no_id_reason="婴儿未办证", birth_date="2025-01-01",
            region=VILLAGE_A1),
        row(household_number="T002", relation="01", name="王五", id_number=id_for(B, 33), region=VILLAGE_A2,
            ethnicity="回族", disability_category="肢体", disability_grade=2, health="残疾"),
    ]  # fmt: skip


def write(tmp_path, content: bytes, name="t.xlsx"):
    path = tmp_path / name
    path.write_bytes(content)
    return path


def nothing_written():
    return Person.objects.count() == 0 and Household.objects.count() == 0 and Membership.objects.count() == 0


def test_good_file_checks_then_commits_everything(tmp_path, users):
    path = write(tmp_path, xlsx(good_rows()))
    result = excel.check(path, users["clerk_a"])
    assert result.ok, result.error_list()
    assert (result.rows, len(result.households), result.persons) == (4, 2, 4)
    assert nothing_written()  # a dry run writes nothing
    excel.commit(path, users["clerk_a"], file_name="t.xlsx")
    household = Household.objects.get(number="T001")
    assert household.head.name == "张三" and household.address == "交通路 1 号"
    assert household.memberships.count() == 3
    wang = Person.objects.get(name="王五")
    assert wang.ethnicity == "03" and wang.disability_grade == 2 and wang.name_initials == "ww"
    zhang = Person.objects.get(name="张三")
    assert zhang.phone == "13800000001"
    assert Person.objects.get(**Person.suffix_lookup("id_number", zhang.id_number[-6:])) == zhang  # COPY indexes it
    assert LifeEvent.objects.filter(kind=codes.EventKind.IMPORT).count() == 2
    assert AuditEntry.objects.filter(action="registry.import.commit").count() == 1


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        ({"id_number": "411702196606060111"}, "身份证号校验位错误"),
        ({"name": ""}, "姓名不能为空"),
        ({"relation": "表哥"}, "不在 GB/T 4761 代码表中"),
        ({"birth_date": "1966-13-01", "id_number": "", "no_id_reason": "未办证"}, "出生日期“1966-13-01”无法识别"),
        ({"region": VILLAGE_B1}, "不在您的管辖范围内"),
        ({"region": "411702001999"}, "不存在"),
        ({"sex": "女"}, "与身份证号不符"),
        ({"id_number": "", "no_id_reason": ""}, "无身份证号原因"),
    ],
)
def test_bad_rows_are_reported_in_chinese_and_nothing_is_written(tmp_path, users, cells, message):
    rows = good_rows()
    first = dict(zip([c.key for c in excel.COLUMNS], rows[0], strict=True)) | cells
    rows[0] = row(**first)
    path = write(tmp_path, xlsx(rows))
    result = excel.check(path, users["clerk_a"])
    assert not result.ok
    assert any(r == 2 and message in m for r, _, m in result.errors), result.errors
    excel.commit(path, users["clerk_a"])
    assert nothing_written()


def test_duplicate_rows_and_heads(tmp_path, users):
    rows = good_rows()
    rows.append(rows[1])  # the same person twice
    rows.append(row(household_number="T002", relation="户主", name="赵", id_number=id_for(B, 44), region=VILLAGE_A2))
    result = excel.check(write(tmp_path, xlsx(rows)), users["clerk_a"])
    messages = [(r, m) for r, _, m in result.errors]
    assert (6, "身份证号与第 3 行重复（同一人不能出现两次）") in messages
    assert any("2 名户主" in m for _, m in messages)


def test_wrong_columns(tmp_path, users):
    headers = [c.header for c in excel.COLUMNS if c.key != "name"] + ["备注"]
    result = excel.check(write(tmp_path, xlsx([], headers=headers)), users["clerk_a"])
    assert any("缺少必需的列：姓名" in m for m in result.file_errors)
    assert any("无法识别的列：备注" in m for m in result.file_errors)


def test_id_number_stored_as_excel_number(tmp_path, users):
    rows = good_rows()
    rows[0][3] = 411702196606060111
    result = excel.check(write(tmp_path, xlsx(rows)), users["clerk_a"])
    assert any("被 Excel 存成了数字" in m for _, _, m in result.errors)


def test_already_registered_id_and_household_number(tmp_path, users, household_of):
    household_of(VILLAGE_A2, [("张三", B, 11, codes.HEAD)], number="T001")
    result = excel.check(write(tmp_path, xlsx(good_rows())), users["clerk_a"])
    messages = [m for _, _, m in result.errors]
    assert any(m.startswith("该身份证号已登记：张三") for m in messages)
    assert "户编号 T001 已在系统中登记" in messages


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "旧版 Excel（.xls）"),
        ("name,id\n张三,1\n".encode(), "不是 Excel 工作簿"),
        (b"PK\x03\x04broken zip", "文件已损坏"),
        (b"", "文件为空"),
    ],
)
def test_unreadable_files(tmp_path, users, content, message):
    with pytest.raises(excel.ImportFileError, match=message):
        excel.check(write(tmp_path, content), users["clerk_a"])


def test_empty_sheet(tmp_path, users):
    result = excel.check(write(tmp_path, xlsx([])), users["clerk_a"])
    assert any("没有数据行" in m for m in result.file_errors)


def test_error_report_has_an_error_column(tmp_path, users):
    rows = good_rows()
    rows[1][2] = ""
    path = write(tmp_path, xlsx(rows))
    result = excel.check(path, users["clerk_a"])
    sheet = load_workbook(io.BytesIO(excel.error_report_bytes(path, result.error_list()))).active
    values = list(sheet.values)
    assert values[0][:2] == ("错误", "行号")
    assert "姓名不能为空" in values[2][0] and values[2][1] == 3


def test_template_has_headers_example_and_notes():
    workbook = load_workbook(io.BytesIO(excel.template_bytes()))
    assert workbook.sheetnames == ["台账", "说明"]
    rows = list(workbook["台账"].values)
    assert list(rows[0]) == [c.header for c in excel.COLUMNS] and rows[1][2] == "张三"


def test_export_masks_without_right_and_neutralises_formulas(users, household_of):
    household = household_of(VILLAGE_A1, [("=HYPERLINK(1)", B, 11, codes.HEAD)])
    people = Person.objects.filter(pk=household.head_id).select_related("region", "household")
    masked = load_workbook(io.BytesIO(excel.export_persons(people, users["assistant_a"]))).active
    header, values = list(masked.values)[:2]
    assert values[0] == "'=HYPERLINK(1)"
    assert values[1] == "4117**********" + id_for(B, 11)[-4:]
    full = load_workbook(io.BytesIO(excel.export_persons(people, users["clerk_a"], full=True))).active
    assert list(full.values)[1][1] == id_for(B, 11)
    assert AuditEntry.objects.filter(action="registry.export").count() == 2


def test_export_is_masked_unless_asked_for_and_lists_who_was_exported(users, household_of):
    """A clerk may unmask, but an export carries full values only when asked for (and only for a role that may);
    the audit entry names every exported person, not just how many."""
    household = household_of(VILLAGE_A1, [("张三", B, 11, codes.HEAD), ("张小", datetime.date(1990, 2, 2), 22, "10")])
    people = Person.objects.filter(household=household).select_related("region", "household").order_by("id")
    head = Person.objects.get(pk=household.head_id)
    head.phone, head.bank_account = "13712345678", "6222020200112233445"
    head.save()
    sheet = load_workbook(io.BytesIO(excel.export_persons(people, users["clerk_a"]))).active
    cells = [str(v) for row in list(sheet.values)[1:] for v in row if v]
    assert id_for(B, 11) not in cells and "13712345678" not in cells and "6222020200112233445" not in cells
    entry = AuditEntry.objects.filter(action="registry.export").latest("seq")
    assert entry.after == {"persons": sorted(p.pk for p in people), "unmasked": False}
    asked = load_workbook(io.BytesIO(excel.export_persons(people, users["assistant_a"], full=True))).active
    assert id_for(B, 11) not in [v for row in asked.values for v in row]  # no right: masked whatever was asked
    full = load_workbook(io.BytesIO(excel.export_persons(people, users["clerk_a"], full=True))).active
    cells = [v for row in full.values for v in row]
    assert id_for(B, 11) in cells and "6222020200112233445" in cells
    assert AuditEntry.objects.filter(action="registry.export").latest("seq").after["unmasked"] is True


def test_commit_is_all_or_nothing_when_writing_fails(tmp_path, users, monkeypatch):
    path = write(tmp_path, xlsx(good_rows()))

    def boom(low, high):
        raise RuntimeError("disk full")

    monkeypatch.setattr(excel.dedup, "scan_id_range", boom)
    with pytest.raises(RuntimeError):
        excel.commit(path, users["clerk_a"])
    assert nothing_written() and LifeEvent.objects.count() == 0


def test_commit_task_rechecks_and_writes_nothing_if_the_registry_changed(tmp_path, users, household_of, settings):
    from huimin.registry import imports
    from huimin.registry.models import ImportJob

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    path = write(tmp_path, xlsx(good_rows()))
    job = ImportJob.objects.create(
        created_by=users["clerk_a"], region=users["clerk_a"].region, original_name="t.xlsx", stored_path=str(path),
        status=ImportJob.Status.QUEUED,
    )  # fmt: skip
    household_of(VILLAGE_A2, [("王五", B, 33, codes.HEAD)])  # registered after the dry run
    imports.commit_import.call(job.pk)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED and "未写入任何数据" in job.message
    assert any("该身份证号已登记：王五" in e[2] for e in job.errors)
    assert Person.objects.count() == 1 and not Household.objects.filter(number="T001").exists()
