"""Reading and validating departmental files (CSV, Parquet, .xlsx) into normalised Parquet snapshots.

Every row is checked against its source's schema (sources.py): columns, ID numbers (GB 11643), dates, months,
amounts (元, at most 2 decimals, not negative), coded values. The result lists every bad row with a Chinese
message. A file with errors is rejected whole by default; the operator may choose "import valid rows only", and
then the bad rows are left out and listed in the error report. ID numbers are replaced by ``person_key`` (the
blind index); money is stored as integer 分 and rows are sorted by person_key so a single check reads little.
"""

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from huimin.core import crypto, masking, spreadsheets
from huimin.engine.counties import PREFIX as COUNTY_PREFIX
from huimin.engine.export import UNKNOWN as UNKNOWN_COUNTY
from huimin.engine.sources import CHOICES, DATE, DECIMAL, INT, INT_RANGES, MONEY, MONTH, SOURCES, Source
from huimin.engine.tables import ROW_GROUP_ROWS, source_schema
from huimin.registry import idnumbers

FORMATS = (".csv", ".xlsx", ".parquet")
MAX_ERRORS_KEPT = 1000
MAX_MONEY = Decimal("1000000000000")


class FileFormatError(ValueError):
    """The file as a whole cannot be read (format, encoding, header)."""


@dataclass
class RowError:
    row: int  # the line of the row in the file as the operator's spreadsheet shows it
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
    # the accepted rows' (line, person_key, masked ID number), for listing those nobody in the registry holds
    people: list[tuple[int, str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error_rows == 0


# --- reading ---------------------------------------------------------------------------------------------------


def read_file(content: bytes, filename: str, source_code: str | None = None) -> spreadsheets.Sheet:
    """The table of a CSV, .xlsx or Parquet file, through the shared reader (core.spreadsheets): the header row is
    found below title rows by the source's column names, each row keeps its line in the file, ID numbers that
    Excel stored as numbers are read from the cell's stored text or named as Excel's problem."""
    source = SOURCES.get(source_code) if source_code else None
    aliases = _aliases(source) if source else {}
    recognise = (lambda text: text.strip().lower() in aliases) if source else bool
    protected = {alias for alias, name in aliases.items() if name == "id_number" or _column(source, name).protect}

    def text_columns(name: str) -> bool:
        return name.strip().lower() in protected

    suffix = Path(filename).suffix.lower()
    try:
        if suffix == ".csv":
            return spreadsheets.read_csv(content, recognise=recognise, text_columns=text_columns)
        if suffix == ".xlsx":
            return spreadsheets.read_xlsx(content, recognise=recognise, text_columns=text_columns)
        if suffix == ".parquet":
            table = pq.read_table(io.BytesIO(content))
            rows = [list(r.values()) for r in table.to_pylist()]
            return spreadsheets.Sheet(list(table.column_names), 1, rows, list(range(2, len(rows) + 2)))
    except spreadsheets.SheetError as exc:
        raise FileFormatError(f"文件无法读取：{exc}") from exc
    except Exception as exc:  # noqa: BLE001 - any reader failure is a bad file for the operator
        raise FileFormatError(f"文件无法读取（{suffix or '未知格式'}）：请确认文件完整且格式正确") from exc
    raise FileFormatError(f"不支持的文件格式 {suffix or '（无扩展名）'}：请上传 CSV、Excel（.xlsx）或 Parquet 文件")


def read_table(content: bytes, filename: str) -> tuple[list[str], list[list]]:
    """The header and the data rows of a CSV, .xlsx or Parquet file (without their line numbers)."""
    sheet = read_file(content, filename)
    return sheet.header, sheet.rows


# --- validating ------------------------------------------------------------------------------------------------


def _aliases(source: Source) -> dict[str, str]:
    """Every way a header may name a column (its name, its Chinese label, the label without its unit) → name."""
    aliases = {}
    for column in source.columns:
        for alias in (column.name, column.label, column.label.split("（")[0]):
            aliases[alias.strip().lower()] = column.name
    return aliases


def _column(source: Source, name: str):
    return next(c for c in source.columns if c.name == name)


def _header_map(source: Source, header: list[str]) -> tuple[dict[str, int], list[str]]:
    """Column name → position; the header may use the column names or their Chinese labels."""
    aliases = _aliases(source)
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


_blank = spreadsheets.blank


def parse_money(value) -> Decimal:
    if isinstance(value, float):
        value = repr(value)
    try:
        amount = Decimal(spreadsheets.cell_text(value).replace(",", "").replace("，", ""))
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


parse_date = spreadsheets.parse_date
parse_month = spreadsheets.parse_month


def parse_int(value) -> int:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = spreadsheets.cell_text(value)
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
    text = spreadsheets.cell_text(value)
    allowed = CHOICES.get((source.code, column.name))
    if allowed and text not in allowed:
        raise ValueError(f"取值应为：{'、'.join(allowed)}")
    if len(text) > 200:
        raise ValueError("内容过长（超过 200 字）")
    return crypto.blind_index(column.protect, text) if column.protect else text


def validate(source_code: str, header: list[str], rows: list[list], lines: list[int] | None = None) -> Validation:
    """Check every row against the source's schema. ``lines`` are the rows' line numbers in the file (the header
    on line 1 and no blank lines when not given)."""
    source = SOURCES[source_code]
    result = Validation(source=source, total=len(rows))
    positions, problems = _header_map(source, header)
    if problems:
        raise FileFormatError("表头不符合“" + source.name + "”的数据格式：" + "；".join(problems))
    keys: dict[str, str | Exception] = {}
    columns = {name: [] for name in source_schema(source_code).names}
    for number, raw in zip(lines or range(2, len(rows) + 2), rows, strict=True):
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
                record["person_key"] = _person_key(keys, value, column.label, number, row_errors)
                record["_shown_id"] = masking.mask("id_number", spreadsheets.cell_text(value).upper())
                continue
            if isinstance(value, spreadsheets.ExcelNumber) and not value.digits:
                shown = masking.mask(column.protect, value.shown) if column.protect else value.shown
                row_errors.append(RowError(number, column.label, shown[:50], value.problem(column.label)))
                continue
            try:
                record[column.name] = _convert(source, column, value)
            except ValueError as exc:
                text = spreadsheets.cell_text(value)
                shown = masking.mask(column.protect, text) if column.protect else text
                row_errors.append(RowError(number, column.label, shown[:50], str(exc)))
        if row_errors:
            result.error_rows += 1
            room = MAX_ERRORS_KEPT - len(result.errors)
            result.errors.extend(row_errors[: max(room, 0)])
            continue
        for name in columns:
            columns[name].append(record.get(name))
        if record.get("person_key"):
            result.people.append((number, record["person_key"], record.pop("_shown_id", "")))
    table = pa.table(columns, schema=source_schema(source_code))
    result.table = table.sort_by("person_key") if table.num_rows else table
    return result


def validate_sheet(source_code: str, sheet: spreadsheets.Sheet) -> Validation:
    return validate(source_code, sheet.header, sheet.rows, sheet.lines)


def _person_key(keys: dict, value, label: str, line: int, row_errors: list[RowError]) -> str | None:
    """The blind index of the row's ID number (full-width digits and a lower-case x are read as typed by a
    person), or None with the row's error; an ID number Excel stored as a number is named as Excel's problem."""
    excel = value if isinstance(value, spreadsheets.ExcelNumber) else None
    text = spreadsheets.cell_text(excel.digits if excel else value).upper()
    if excel and not text:
        row_errors.append(RowError(line, label, excel.shown, excel.problem(label)))
        return None
    if text not in keys:
        try:
            keys[text] = crypto.blind_index("id_number", idnumbers.parse(text).number)
        except idnumbers.IdNumberError as exc:
            keys[text] = exc
    key = keys[text]
    if isinstance(key, Exception):
        message = excel.problem(label) if excel else str(key)
        row_errors.append(RowError(line, label, masking.mask("id_number", text), message))
        return None
    return key


def write_parquet(table: pa.Table, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path, row_group_size=ROW_GROUP_ROWS, compression="zstd")


def write_by_county(table: pa.Table, directory: Path, counties: list[str]) -> dict[str, int]:
    """Write a snapshot partitioned by county (``huimin.engine.counties``' layout): the rows whose ``counties``
    entry is a county code under ``<directory>/county=<code>/part-0.parquet``, those whose person the registry does
    not hold (entry ``export.UNKNOWN``) under ``county=unknown/`` — kept, never dropped. Each part keeps the rows'
    order (sorted by person_key). Written beside and moved in place, so the directory is whole or absent. Returns
    the rows per directory."""
    import shutil

    import pyarrow.compute as pc

    tmp = directory.with_name(directory.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    codes = pa.array(counties, pa.string())
    rows = {}
    try:
        for county in sorted(set(counties)) or [UNKNOWN_COUNTY]:
            part = table.filter(pc.equal(codes, county)) if counties else table
            write_parquet(part, tmp / f"{COUNTY_PREFIX}{county}" / "part-0.parquet")
            rows[county] = part.num_rows
        tmp.replace(directory)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return rows


def snapshot_files(path) -> list[str]:
    """The Parquet files of a snapshot: itself, or every county's part of a county-partitioned one (a directory)."""
    path = Path(path)
    if path.is_dir():
        return sorted(str(f) for f in path.glob("*/*.parquet"))
    return [str(path)]


def read_snapshot(path, **options) -> pa.Table:
    """A snapshot's rows (every county's of a partitioned one), in its own columns (``county=`` adds none)."""
    return pq.read_table(path, partitioning=None, **options)


def remove_snapshot(path) -> None:
    import shutil

    path = Path(path)
    if path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


UNREGISTERED = "户籍登记中没有此身份证号（提示：该行已读入，但不属于任何登记人员）"


def unregistered_rows(result: Validation, registered: Callable[[list[str]], set[str]]) -> list[RowError]:
    """The accepted rows whose ID number nobody in the registry holds (``registered`` answers which keys someone
    does), in line order."""
    if not result.people:
        return []
    known = registered(sorted({key for _, key, _ in result.people}))
    return [RowError(line, "身份证号", shown, UNREGISTERED) for line, key, shown in result.people if key not in known]


def line_label(row: int) -> str:
    """How a row is named to a person: the spreadsheet's own line (第4行), or 整个文件 for the file itself."""
    return f"第{row}行" if row else "整个文件"


def error_report_csv(errors: list[RowError], unregistered: list[RowError] = ()) -> bytes:
    """The error report: every bad row (its line as the spreadsheet shows it, the column, the value as typed, the
    reason), then the rows whose ID number is not in the registry."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["行号", "列", "值", "错误"])
    for e in [*errors, *unregistered]:
        writer.writerow(spreadsheets.safe_row([line_label(e.row), e.column, e.value, e.message]))
    return ("\ufeff" + out.getvalue()).encode()
