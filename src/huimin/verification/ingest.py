"""Reading and validating departmental files (CSV, Parquet, .xlsx) into normalised Parquet snapshots.

Every row is checked against its source's schema (sources.py): columns, ID numbers (GB 11643), dates, months,
amounts (元, at most 2 decimals, not negative), coded values. The result lists every bad row with a Chinese
message. A file with errors is rejected whole by default; the operator may choose "import valid rows only", and
then the bad rows are left out and listed in the error report. ID numbers are replaced by ``person_key`` (the
blind index); money is stored as integer 分 and rows are sorted by person_key so a single check reads little.
"""

import csv
import datetime
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from huimin.core import crypto, masking
from huimin.engine.sources import CHOICES, DATE, DECIMAL, INT, INT_RANGES, MONEY, MONTH, SOURCES, Source
from huimin.engine.tables import ROW_GROUP_ROWS, source_schema
from huimin.registry import idnumbers

FORMATS = (".csv", ".xlsx", ".parquet")
MAX_ERRORS_KEPT = 1000
MAX_MONEY = Decimal("1000000000000")
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


class FileFormatError(ValueError):
    """The file as a whole cannot be read (format, encoding, header)."""


@dataclass
class RowError:
    row: int  # the row number as the operator sees it (header is row 1)
    column: str
    value: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "value": self.value, "message": self.message}


@dataclass
class Validation:
    source: Source
    total: int = 0
    table: pa.Table | None = None
    errors: list[RowError] = field(default_factory=list)
    error_rows: int = 0

    @property
    def ok(self) -> bool:
        return self.error_rows == 0


# --- reading ---------------------------------------------------------------------------------------------------


def read_table(content: bytes, filename: str) -> tuple[list[str], list[list]]:
    """The header and the data rows of a CSV, .xlsx or Parquet file."""
    suffix = Path(filename).suffix.lower()
    try:
        if suffix == ".csv":
            return _read_csv(content)
        if suffix == ".xlsx":
            return _read_xlsx(content)
        if suffix == ".parquet":
            table = pq.read_table(io.BytesIO(content))
            return list(table.column_names), [list(r.values()) for r in table.to_pylist()]
    except FileFormatError:
        raise
    except Exception as exc:  # noqa: BLE001 - any reader failure is a bad file for the operator
        raise FileFormatError(f"文件无法读取（{suffix or '未知格式'}）：请确认文件完整且格式正确") from exc
    raise FileFormatError(f"不支持的文件格式 {suffix or '（无扩展名）'}：请上传 CSV、Excel（.xlsx）或 Parquet 文件")


def _read_csv(content: bytes):
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise FileFormatError("CSV 文件编码无法识别：请使用 UTF-8 或 GB18030 编码")
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        raise FileFormatError("文件为空")
    return rows[0], rows[1:]


def _read_xlsx(content: bytes):
    from python_calamine import CalamineWorkbook

    from huimin.core.spreadsheets import UnsafeWorkbook, check_xlsx

    try:
        check_xlsx(content)
    except UnsafeWorkbook as exc:
        raise FileFormatError(f"文件无法读取：{exc}") from exc
    book = CalamineWorkbook.from_filelike(io.BytesIO(content))
    rows = book.get_sheet_by_index(0).to_python(skip_empty_area=True)
    if not rows:
        raise FileFormatError("工作表为空")
    return [str(h) for h in rows[0]], [list(r) for r in rows[1:]]


# --- validating ------------------------------------------------------------------------------------------------


def _header_map(source: Source, header: list[str]) -> tuple[dict[str, int], list[str]]:
    """Column name → position; the header may use the column names or their Chinese labels."""
    aliases = {}
    for column in source.columns:
        for alias in (column.name, column.label, column.label.split("（")[0]):
            aliases[alias.strip().lower()] = column.name
    positions, problems = {}, []
    for i, raw in enumerate(header):
        name = aliases.get(str(raw or "").strip().lower())
        if name is None:
            if str(raw or "").strip():
                problems.append(f"未知的列“{raw}”")
            continue
        if name in positions:
            problems.append(f"列“{raw}”重复")
        positions[name] = i
    for column in source.columns:
        if column.required and column.name not in positions:
            problems.append(f"缺少必填列“{column.label}”（{column.name}）")
    return positions, problems


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def parse_money(value) -> Decimal:
    if isinstance(value, float):
        value = repr(value)
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation as exc:
        raise ValueError("金额不是数字") from exc
    if not amount.is_finite():
        raise ValueError("金额不是数字")
    if amount < 0:
        raise ValueError("金额不能为负数")
    if amount.as_tuple().exponent < -2 and amount != amount.quantize(Decimal("0.01")):
        raise ValueError("金额最多保留 2 位小数")
    if amount >= MAX_MONEY:
        raise ValueError("金额超出合理范围")
    return amount.quantize(Decimal("0.01"))


def parse_date(value) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value).strip().replace("/", "-")
    try:
        day = datetime.date.fromisoformat(text)
    except ValueError as exc:
        raise ValueError("日期格式应为 YYYY-MM-DD") from exc
    if day.year < 1900:
        raise ValueError("日期不合理（早于 1900 年）")
    return day


def parse_month(value) -> str:
    if isinstance(value, datetime.date):
        return f"{value:%Y-%m}"
    match = _MONTH.match(str(value).strip().replace("/", "-"))
    if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 1900:
        raise ValueError("月份格式应为 YYYY-MM")
    return f"{int(match.group(1)):04d}-{int(match.group(2)):02d}"


def parse_int(value) -> int:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = str(value).strip()
    if not re.fullmatch(r"-?\d+", text):
        raise ValueError("应为整数")
    return int(text)


def _convert(source: Source, column, value):
    kind = column.type
    if kind == MONEY:
        return int(parse_money(value) * 100)
    if kind == DECIMAL:
        return parse_money(value)
    if kind == DATE:
        return parse_date(value)
    if kind == MONTH:
        return parse_month(value)
    if kind == INT:
        number = parse_int(value)
        low, high = INT_RANGES.get((source.code, column.name), (0, 10**9))
        if not low <= number <= high:
            raise ValueError(f"应在 {low}–{high} 之间")
        return number
    text = str(value).strip()
    if isinstance(value, float) and value.is_integer():
        text = str(int(value))
    allowed = CHOICES.get((source.code, column.name))
    if allowed and text not in allowed:
        raise ValueError(f"取值应为：{'、'.join(allowed)}")
    if len(text) > 200:
        raise ValueError("内容过长（超过 200 字）")
    return crypto.blind_index(column.protect, text) if column.protect else text


def validate(source_code: str, header: list[str], rows: list[list]) -> Validation:
    source = SOURCES[source_code]
    result = Validation(source=source, total=len(rows))
    positions, problems = _header_map(source, header)
    if problems:
        raise FileFormatError("表头不符合“" + source.name + "”的数据格式：" + "；".join(problems))
    keys: dict[str, str | Exception] = {}
    columns = {name: [] for name in source_schema(source_code).names}
    for number, raw in enumerate(rows, start=2):
        record, row_errors = {}, []
        for column in source.columns:
            pos = positions.get(column.name)
            value = raw[pos] if pos is not None and pos < len(raw) else None
            if _blank(value):
                if column.required:
                    row_errors.append(RowError(number, column.label, "", "必填项为空"))
                record[column.name] = None
                continue
            if column.name == "id_number":
                text = str(value).strip().upper()
                if text not in keys:
                    try:
                        keys[text] = crypto.blind_index("id_number", idnumbers.parse(text).number)
                    except idnumbers.IdNumberError as exc:
                        keys[text] = exc
                key = keys[text]
                if isinstance(key, Exception):
                    row_errors.append(RowError(number, column.label, masking.mask("id_number", text), str(key)))
                record["person_key"] = key
                continue
            try:
                record[column.name] = _convert(source, column, value)
            except ValueError as exc:
                shown = masking.mask(column.protect, str(value)) if column.protect else str(value)
                row_errors.append(RowError(number, column.label, shown[:50], str(exc)))
        if row_errors:
            result.error_rows += 1
            room = MAX_ERRORS_KEPT - len(result.errors)
            result.errors.extend(row_errors[: max(room, 0)])
            continue
        for name in columns:
            columns[name].append(record.get(name))
    table = pa.table(columns, schema=source_schema(source_code))
    result.table = table.sort_by("person_key") if table.num_rows else table
    return result


def write_parquet(table: pa.Table, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path, row_group_size=ROW_GROUP_ROWS, compression="zstd")


def error_report_csv(errors: list[RowError]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["行号", "列", "值", "错误"])
    for e in errors:
        writer.writerow([e.row, e.column, e.value, e.message])
    return ("\ufeff" + out.getvalue()).encode()
