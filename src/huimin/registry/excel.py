"""Excel 台账: the import template, checking a file (dry run), committing it all at once, error reports and
masked exports. Reading uses python-calamine (fast on 100,000 rows); writing uses openpyxl's write-only mode.

One row is one person; rows with the same 户编号 form a household (docs/registry-import.md)."""

import datetime
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from openpyxl import Workbook

from huimin.core import audit, crypto, masking, regions, spreadsheets
from huimin.core.models import Region
from huimin.core.roles import PEOPLE_EDIT, PII_UNMASK, has_capability
from huimin.core.scope import in_scope
from huimin.core.spreadsheets import header_widths, safe_cell, workbook_bytes, write_table
from huimin.registry import bulk, codes, dedup, idnumbers, persons
from huimin.registry.models import Household, Person

MAX_ROWS = 100_000
SHEET_NAME = "台账"


@dataclass(frozen=True)
class Column:
    header: str
    key: str
    required: bool
    help: str


COLUMNS = [
    Column("户编号", "household_number", True, "同一户的各成员填写相同的户编号；本系统中尚未登记的编号"),
    Column(
        "与户主关系", "relation", True, "户主、配偶、子、女、父母…（GB/T 4761 名称或代码 01、02、10…）；每户一名户主"
    ),
    Column("姓名", "name", True, "居民身份证上的姓名"),
    Column("身份证号", "id_number", False, "18 位（15 位旧号自动升位）；请把该列设为“文本”格式，否则 Excel 会损坏号码"),
    Column("无身份证号原因", "no_id_reason", False, "没有身份证号时必填，如“婴儿未办证”“流浪乞讨人员”"),
    Column("性别", "sex", False, "男／女；有身份证号时可不填，填写则须与身份证号一致"),
    Column("出生日期", "birth_date", False, "如 1990-01-31；有身份证号时可不填，填写则须与身份证号一致"),
    Column("民族", "ethnicity", False, "如 汉族、回族（GB 3304）；不填为汉族"),
    Column("居住地区划代码", "region", True, "村（社区）的 12 位统计用区划代码，须在您的管辖范围内；同户相同"),
    Column("户籍地区划代码", "hukou_region", False, "户籍所在地的区划代码（可为 6 或 12 位）；不填视为与居住地相同"),
    Column("住址", "address", False, "户主所在行的住址作为家庭住址"),
    Column("联系电话", "phone", False, "手机或固定电话"),
    Column("婚姻状况", "marital_status", False, "未婚、已婚、丧偶、离婚"),
    Column("文化程度", "education", False, "小学、初中、高中/中专、大学专科、大学本科、研究生、其他（含未上学）"),
    Column("劳动能力", "labour_ability", False, "有劳动能力、部分丧失劳动能力、无劳动能力；不填为有劳动能力"),
    Column("健康状况", "health", False, "健康、患慢性病、患重病、残疾；患重病须填重病诊断"),
    Column("重病诊断", "serious_illness", False, "如“尿毒症”"),
    Column("残疾类别", "disability_category", False, "视力、听力、言语、肢体、智力、精神、多重残疾"),
    Column("残疾等级", "disability_grade", False, "1–4（一级最重）"),
    Column("残疾人证号", "disability_cert_no", False, ""),
    Column("开户银行", "bank_name", False, ""),
    Column("银行账号", "bank_account", False, "请设为“文本”格式"),
]
BY_HEADER = {c.header: c for c in COLUMNS}
PROTECTED_HEADERS = frozenset(c.header for c in COLUMNS if c.key in persons.PROTECTED)
TEXT_MUST_COLUMNS = ("id_number", "bank_account", "phone")


class ImportFileError(Exception):
    """The file as a whole cannot be read; the message says why in Chinese."""


def _choice_map(choices, aliases=None) -> dict[str, str]:
    out = {}
    for code, label in choices:
        out[str(code)] = str(code)
        out[str(label)] = str(code)
    out.update(aliases or {})
    return out


CHOICE_MAPS = {
    "relation": _choice_map(
        codes.RELATION_CHOICES,
        {
            "本人": "01",
            "妻": "02",
            "妻子": "02",
            "夫": "02",
            "丈夫": "02",
            "儿子": "10",
            "长子": "10",
            "次子": "10",
            "女儿": "20",
            "长女": "20",
            "次女": "20",
            "孙子": "30",
            "孙女": "30",
            "外孙": "30",
            "外孙女": "30",
            "父亲": "40",
            "母亲": "40",
            "父": "40",
            "母": "40",
            "兄弟姐妹": "60",
            "兄": "60",
            "弟": "60",
            "姐": "60",
            "妹": "60",
            "其他": "80",
        },
    ),  # fmt: skip
    "sex": _choice_map(codes.Sex.choices),
    "ethnicity": _choice_map(codes.ETHNICITY_CHOICES, {n.removesuffix("族"): c for c, n in codes.ETHNICITY_CHOICES}),
    "marital_status": _choice_map(codes.MaritalStatus.choices),
    "education": _choice_map(codes.Education.choices, {"高中": "60", "中专": "60", "未上学": "90", "文盲": "90"}),
    "labour_ability": _choice_map(codes.LabourAbility.choices),
    "health": _choice_map(codes.Health.choices),
    "disability_category": _choice_map(
        codes.DisabilityCategory.choices, {n.removesuffix("残疾"): c for c, n in codes.DisabilityCategory.choices}
    ),
}
DEFAULTS = {"ethnicity": "01", "labour_ability": codes.LabourAbility.ABLE, "health": codes.Health.HEALTHY,
            "marital_status": codes.MaritalStatus.UNSPECIFIED, "sex": codes.Sex.UNKNOWN}  # fmt: skip


# --- reading -----------------------------------------------------------------------------------------------


def _sniff(path: Path) -> None:
    try:
        with path.open("rb") as f:
            head = f.read(8)
    except OSError as exc:
        raise ImportFileError("上传的文件已不存在或无法读取，请重新上传") from exc
    if not head:
        raise ImportFileError("文件为空")
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError("这是旧版 Excel（.xls）文件：请在 Excel 或 WPS 中“另存为” .xlsx 格式后再上传")
    if not head.startswith(b"PK\x03\x04"):
        raise ImportFileError("文件不是 Excel 工作簿（.xlsx）：请下载模板，按模板填写后上传")


def _text_column(header: str) -> bool:
    column = BY_HEADER.get(header)
    return column is not None and column.key in TEXT_MUST_COLUMNS


def read_sheet(path: Path) -> spreadsheets.Sheet:
    """The 台账 sheet (or the first sheet) through the shared reader: the header row may sit below title rows,
    every row keeps its Excel line number, ID numbers and accounts Excel stored as numbers are read from the cells'
    stored text where every digit is there (``ExcelNumber``)."""
    _sniff(path)
    try:
        sheet = spreadsheets.read_xlsx(
            path, recognise=lambda text: text in BY_HEADER, text_columns=_text_column, sheet_name=SHEET_NAME
        )
    except spreadsheets.SheetError as exc:
        message = str(exc)
        if message == "工作表为空":
            message = "工作表为空：第一行应为列名，从第二行起每行一名人员"
        raise ImportFileError(message) from exc
    return sheet


_blank = spreadsheets.blank


def check_headers(headers: list[str]) -> list[str]:
    errors = []
    missing = [c.header for c in COLUMNS if c.required and c.header not in headers]
    if missing:
        errors.append(f"缺少必需的列：{'、'.join(missing)}（请使用下载的模板，不要修改第一行列名）")
    unknown = [h or f"第 {i + 1} 列（无列名）" for i, h in enumerate(headers) if h not in BY_HEADER]
    if unknown:
        errors.append(f"无法识别的列：{'、'.join(unknown)}（模板中的列名见“说明”工作表）")
    dupes = sorted({h for h in headers if h and headers.count(h) > 1})
    if dupes:
        errors.append(f"列名重复：{'、'.join(dupes)}")
    return errors


# --- checking ----------------------------------------------------------------------------------------------


@dataclass
class PlannedHousehold:
    number: str
    region: Region
    address: str = ""
    members: list = field(default_factory=list)  # [(row, relation, clean person data)]


@dataclass
class CheckResult:
    rows: int = 0
    file_errors: list[str] = field(default_factory=list)
    errors: list[tuple[int, str, str]] = field(default_factory=list)  # (Excel row, column header, message)
    households: dict[str, PlannedHousehold] = field(default_factory=dict)
    # rows whose ID number a person outside the user's region holds: (holder, planned region, name) for dedup.route
    registered_elsewhere: list[tuple[Person, Region, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.file_errors and not self.errors

    @property
    def persons(self) -> int:
        return sum(len(h.members) for h in self.households.values())

    def error_list(self) -> list[list]:
        return [[0, "", m] for m in self.file_errors] + [list(e) for e in self.errors]


def _text(value) -> str:
    """A cell as typed (5 not 5.0, full-width digits as ASCII); an ID number or account Excel stored as a number
    whose digits are all there, as those digits."""
    if isinstance(value, spreadsheets.ExcelNumber):
        return value.digits or value.shown
    return spreadsheets.cell_text(value)


def _date(value) -> datetime.date:
    return spreadsheets.parse_date(value)


def _regions_for(raw_codes: set[str]) -> dict[str, Region]:
    wanted = set()
    for code in raw_codes:
        if code.isdigit() and len(code) in (6, 12):
            wanted.add(regions.full_code(code))
    found: dict[str, Region] = {}
    chunk = list(wanted)
    for i in range(0, len(chunk), 5000):
        found.update({r.code: r for r in Region.objects.filter(code__in=chunk[i : i + 5000])})
    return found


def check(path: Path, user, progress: Callable[[str, int, int], None] | None = None) -> CheckResult:
    """Read and check every row; nothing is written. ``result.households`` is the plan a commit writes."""
    result = CheckResult()
    sheet = read_sheet(path)
    headers, rows = sheet.header, sheet.rows
    result.file_errors = check_headers(headers)
    if len(rows) > MAX_ROWS:
        result.file_errors.append(f"数据行过多：{len(rows)} 行，一次最多导入 {MAX_ROWS} 行，请分批导入")
    if result.file_errors:
        return result
    if not has_capability(user, PEOPLE_EDIT):
        result.file_errors.append("您的角色无权导入人员和家庭")
        return result
    keys = [BY_HEADER[h].key for h in headers]
    header_of = {c.key: c.header for c in COLUMNS}
    records = []
    for line, raw in zip(sheet.lines, rows, strict=True):
        cells = dict(zip(keys, list(raw) + [None] * (len(keys) - len(raw)), strict=False))
        if all(_blank(v) for v in cells.values()):
            continue
        records.append((line, cells))
    result.rows = len(records)
    if not records:
        result.file_errors.append("工作表中没有数据行（第一行为列名，从第二行起每行一名人员）")
        return result
    region_map = _regions_for(
        {_text(c.get("region")) for _, c in records} | {_text(c.get("hukou_region")) for _, c in records}
    )
    seen_ids: dict[str, int] = {}
    seen_rows: dict[tuple, int] = {}
    by_id_number: dict[str, int] = {}
    for done, (row, cells) in enumerate(records):
        if progress and done % 5000 == 0:
            progress("检查", done, len(records))
        errs: list[tuple[str, str]] = []
        data: dict = {}
        stored = cells.get("id_number")
        excel_id = stored if isinstance(stored, spreadsheets.ExcelNumber) and stored.digits else None
        id_lost = isinstance(stored, spreadsheets.ExcelNumber) and not stored.digits
        for key in TEXT_MUST_COLUMNS:
            value = cells.get(key)
            if isinstance(value, spreadsheets.ExcelNumber) and not value.digits:
                errs.append((key, value.problem(header_of[key])))
                cells[key] = None
        number = _text(cells.get("household_number"))
        relation_raw = _text(cells.get("relation"))
        for key in ("household_number", "relation", "name", "region"):
            if not _text(cells.get(key)):
                errs.append((key, f"{header_of[key]}不能为空"))
        relation = CHOICE_MAPS["relation"].get(relation_raw) if relation_raw else None
        if relation_raw and relation is None:
            errs.append(("relation", f"与户主关系“{relation_raw}”不在 GB/T 4761 代码表中"))
        for key, mapping in CHOICE_MAPS.items():
            if key == "relation":
                continue
            text = _text(cells.get(key))
            if not text:
                data[key] = DEFAULTS.get(key, "")
            elif text in mapping:
                data[key] = mapping[text]
            else:
                errs.append((key, f"{header_of[key]}“{text}”不在代码表中"))
        for key in ("name", "id_number", "no_id_reason", "serious_illness", "disability_cert_no", "bank_name",
                    "phone", "bank_account"):  # fmt: skip
            data[key] = _text(cells.get(key))
        grade = _text(cells.get("disability_grade"))
        data["disability_grade"] = grade or None
        if not _blank(cells.get("birth_date")):
            try:
                data["birth_date"] = _date(cells["birth_date"])
            except ValueError as exc:
                errs.append(("birth_date", f"出生{exc}"))
        code = _text(cells.get("region"))
        region = None
        if code:
            region = region_map.get(code) if len(code) == 12 and code.isdigit() else None
            if len(code) != 12 or not code.isdigit():
                errs.append(("region", f"居住地区划代码“{code}”应为 12 位数字"))
            elif region is None:
                errs.append(("region", f"居住地区划代码“{code}”不存在"))
            elif not in_scope(user, region.code):
                errs.append(("region", f"居住地区划“{region.name}（{code}）”不在您的管辖范围内"))
                region = None
            elif region.level != 5:
                errs.append(("region", f"居住地区划“{region.name}”不是村（社区）级：请填写村（社区）的 12 位代码"))
                region = None
        data["region"] = region
        hukou = _text(cells.get("hukou_region"))
        if hukou:
            known = hukou.isdigit() and len(hukou) <= 12
            data["hukou_region"] = region_map.get(regions.full_code(hukou)) if known else None
            if data["hukou_region"] is None:
                errs.append(("hukou_region", f"户籍地区划代码“{hukou}”不存在"))
        else:
            data["hukou_region"] = region
        try:
            clean = persons.clean(data) if region is not None else None
        except persons.PersonDataError as exc:
            clean = None
            known = {m for _, m in errs}
            messages = [excel_id.problem(header_of["id_number"]) if excel_id and m.startswith("身份证号") else m
                        for m in exc.messages]  # fmt: skip
            messages = [m for m in messages if not (id_lost and m.startswith("身份证号为空"))]
            errs.extend((_column_of(m), m) for m in dict.fromkeys(messages) if m not in known)
        if clean is None and region is not None and not errs:
            errs.append(("name", "人员信息不完整"))
        if clean is not None and clean["id_number"]:
            first = seen_ids.get(clean["id_number"])
            if first:
                errs.append(("id_number", f"身份证号与第 {first} 行重复（同一人不能出现两次）"))
            else:
                seen_ids[clean["id_number"]] = row
                by_id_number[clean["id_number"]] = row
        elif clean is not None:
            signature = (number, clean["name"], clean.get("birth_date"))
            first = seen_rows.get(signature)
            if first:
                errs.append(("name", f"与第 {first} 行重复（同户、同姓名、同出生日期）"))
            else:
                seen_rows[signature] = row
        for key, message in errs:
            result.errors.append((row, header_of.get(key, ""), message))
        if errs or clean is None:
            continue
        household = result.households.get(number)
        if household is None:
            household = result.households[number] = PlannedHousehold(number=number, region=region)
        elif household.region.code != region.code:
            result.errors.append((row, header_of["region"], f"同一户（户编号 {number}）成员的居住地区划代码应相同"))
            continue
        if relation == codes.HEAD:
            household.address = _text(cells.get("address"))
        household.members.append((row, relation, clean))
    _check_households(result, header_of)
    _check_registered(result, by_id_number, header_of, user)
    result.errors.sort(key=lambda e: e[0])
    if progress:
        progress("检查", len(records), len(records))
    return result


_MESSAGE_COLUMNS = [
    ("姓名", "name"), ("身份证号为空", "no_id_reason"), ("身份证号", "id_number"), ("性别", "sex"),
    ("出生日期", "birth_date"), ("残疾等级", "disability_grade"), ("填写残疾", "disability_category"),
    ("健康状况", "serious_illness"), ("居住地", "region"),
]  # fmt: skip


def _column_of(message: str) -> str:
    """The column a person-check message is about, for the error report."""
    return next((key for start, key in _MESSAGE_COLUMNS if message.startswith(start)), "id_number")


def _check_households(result: CheckResult, header_of: dict) -> None:
    numbers = list(result.households)
    existing = set()
    for i in range(0, len(numbers), 5000):
        existing |= set(Household.objects.filter(number__in=numbers[i : i + 5000]).values_list("number", flat=True))
    for number, household in result.households.items():
        first_row = household.members[0][0]
        heads = [m for m in household.members if m[1] == codes.HEAD]
        if number in existing:
            result.errors.append((first_row, header_of["household_number"], f"户编号 {number} 已在系统中登记"))
        if len(heads) != 1:
            result.errors.append(
                (first_row, header_of["relation"], f"户编号 {number} 有 {len(heads)} 名户主：每户须有且只有一名户主")
            )


def _check_registered(result: CheckResult, by_id_number: dict[str, int], header_of: dict, user) -> None:
    planned = {clean["id_number"]: clean for h in result.households.values() for _, _, clean in h.members}
    by_index = {crypto.blind_index("id_number", n): n for n in by_id_number}
    keys = list(by_index)
    for i in range(0, len(keys), 5000):
        found = Person.objects.filter(id_number_bidx__in=keys[i : i + 5000], merged_into__isnull=True).select_related(
            "region", "household"
        )
        for person in found:
            number = by_index[person.id_number_bidx]
            message = dedup.already_registered_message(person, user)
            result.errors.append((by_id_number[number], header_of["id_number"], message))
            if not in_scope(user, person.region_id) and number in planned:
                result.registered_elsewhere.append((person, planned[number]["region"], planned[number]["name"]))


# --- committing --------------------------------------------------------------------------------------------


def commit(
    path: Path, user, *, file_name: str = "", progress: Callable[[str, int, int], None] | None = None
) -> CheckResult:
    """Check the file again (the registry may have changed since the dry run) and, only if it has no error,
    write every household and person in one transaction: all or nothing."""
    result = check(path, user, progress)
    if not result.ok:
        return result
    today = datetime.date.today()
    planned = list(result.households.values())
    with transaction.atomic():
        written, low, high = bulk.write_plan(
            planned, today=today, username=user.username, file_name=file_name, progress=progress
        )
        listed = dedup.scan_id_range(low, high) if written else 0
        audit.record(
            "registry.import.commit",
            None,
            after={"file": file_name, "households": len(planned), "persons": written, "duplicates": listed},
            region_code=user.region_id or "",
        )
    if progress:
        progress("完成", written, written)
    return result


# --- writing workbooks -------------------------------------------------------------------------------------


def template_bytes() -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(SHEET_NAME)
    sheet.append([c.header for c in COLUMNS])
    example = {
        "household_number": "DEMO0001", "relation": "户主", "name": "张三",
        "id_number": idnumbers.make("411702", datetime.date(1980, 5, 1), 123), "sex": "男",
        "birth_date": "1980-05-01", "ethnicity": "汉族", "region": "411702001001", "address": "顺河街道交通路 1 号",
        "phone": "13800000000", "marital_status": "已婚", "education": "初中", "labour_ability": "有劳动能力",
        "health": "健康",
    }  # fmt: skip
    sheet.append([example.get(c.key, "") for c in COLUMNS])
    notes = workbook.create_sheet("说明")
    notes.append(["列名", "必填", "填写说明"])
    for column in COLUMNS:
        notes.append([column.header, "是" if column.required else "", column.help])
    notes.append([])
    notes.append(["代码表", "", ""])
    for title, choices in (("与户主关系", codes.RELATION_CHOICES), ("民族", codes.ETHNICITY_CHOICES)):
        notes.append([title, "", "、".join(f"{code} {label}" for code, label in choices)])
    notes.append(["说明", "", "示例行（张三）仅作示范，导入前请删除。一次最多 100,000 行；先检查，无误后再确认导入。"])
    return workbook_bytes(workbook)


def error_report_bytes(path: Path, errors: list[list]) -> bytes:
    """The uploaded rows with an 错误 column (first), plus the file-level errors at the top. Protected columns
    (ID number, phone, bank account, 残疾人证号) are left out: the report outlives the uploaded file."""
    by_row: dict[int, list[str]] = {}
    for row, column, message in errors:
        by_row.setdefault(row, []).append(f"{column}：{message}" if column else message)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("错误报告")
    for message in by_row.get(0, []):
        sheet.append([safe_cell(message)])
    try:
        table = read_sheet(path)
    except ImportFileError as exc:
        sheet.append([str(exc)])
        return workbook_bytes(workbook)
    headers = table.header
    kept = [i for i, h in enumerate(headers) if h not in PROTECTED_HEADERS]
    sheet.append(["错误", "行号", *(headers[i] for i in kept)])
    for row, raw in zip(table.lines, table.rows, strict=True):
        values = [raw[i] if i < len(raw) else None for i in kept]
        sheet.append(["；".join(by_row.get(row, [])), row, *(safe_cell(_text(v) if not isinstance(v, datetime.date)
                                                                          else v) for v in values)])  # fmt: skip
    return workbook_bytes(workbook)


EXPORT_COLUMNS = [
    ("姓名", lambda p, unmask: p.name),
    ("身份证号", lambda p, unmask: p.id_number if unmask else masking.mask("id_number", p.id_number)),
    ("性别", lambda p, unmask: p.get_sex_display()),
    ("出生日期", lambda p, unmask: p.birth_date),
    ("民族", lambda p, unmask: p.get_ethnicity_display()),
    ("居住地", lambda p, unmask: p.region.name),
    ("居住地区划代码", lambda p, unmask: p.region_id),
    ("城乡", lambda p, unmask: "城镇" if p.is_urban else "农村"),
    ("户编号", lambda p, unmask: p.household.number if p.household_id else ""),
    ("联系电话", lambda p, unmask: p.phone if unmask else masking.mask("phone", p.phone)),
    ("银行账号", lambda p, unmask: p.bank_account if unmask else masking.mask("bank_account", p.bank_account)),
    ("劳动能力", lambda p, unmask: p.get_labour_ability_display()),
    ("健康状况", lambda p, unmask: p.get_health_display()),
    (
        "残疾",
        lambda p, unmask: f"{p.get_disability_category_display()}{p.disability_grade}级" if p.disability_grade else "",
    ),
    ("特殊身份", lambda p, unmask: "、".join(p.special_status_labels())),
    ("状态", lambda p, unmask: f"已死亡（{p.death_date}）" if p.is_deceased else "在世"),
]


def export_persons(persons_qs: Iterable[Person], user, *, title: str = "人员名单", full: bool = False) -> bytes:
    """Any list of persons as .xlsx, masked unless the user may unmask AND asks for the full values (``full``);
    the export is audited with the ids of every person it holds."""
    unmask = full and has_capability(user, PII_UNMASK)
    workbook = Workbook(write_only=True)
    headers = [h for h, _ in EXPORT_COLUMNS]
    exported: list[int] = []

    def rows():
        for person in persons_qs:
            exported.append(person.pk)
            yield [get(person, unmask) for _, get in EXPORT_COLUMNS]

    count = write_table(workbook.create_sheet(title[:31]), headers, rows(), freeze=True, widths=header_widths(headers))
    audit.record(
        "registry.export",
        None,
        after={"persons": exported, "unmasked": unmask},
        detail=f"导出{title} {count} 人（{'含完整敏感信息' if unmask else '敏感信息已脱敏'}）",
        region_code=user.region_id or "",
    )
    return workbook_bytes(workbook)


def write_progress(path: Path, stage: str, done: int, total: int) -> None:
    path.with_suffix(".progress").write_text(json.dumps({"stage": stage, "done": done, "total": total}))


def read_progress(path: Path) -> dict:
    try:
        return json.loads(path.with_suffix(".progress").read_text())
    except (OSError, ValueError):
        return {}
