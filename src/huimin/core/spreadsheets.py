"""The spreadsheets Huimin writes and reads, and the downloads it answers with.

``safe_cell``: text that a spreadsheet would run as a formula (it starts with = + - @, a tab or a carriage return)
gets a leading apostrophe, so Excel shows it and never executes it. ``table_bytes`` writes a list (a header row
and rows of safe cells, optionally a bold title row and heading lines above it, frozen panes below the header,
column widths) with openpyxl's write-only mode, so a long list streams. ``xlsx_response`` does that and answers
with the download; ``download`` answers with any file under a Chinese file name (RFC 6266
``filename*=utf-8''…``).

Reading: ``check_xlsx`` refuses a workbook that would unpack to more than a limit (a zip bomb) before
openpyxl or calamine expands it; every xlsx reader calls it first. ``read_xlsx`` and ``read_csv`` are the one reader
of uploaded tables (departmental feeds, the registry's 台账): the header found below title rows, the spreadsheet's own
line numbers, full-width characters normalised, ``cell_text`` (values as typed), ``parse_date``/``parse_month`` (the
forms people type) and ``ExcelNumber`` (an ID number Excel stored as a number)."""

import datetime
import io
import os
import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.http import HttpResponse
from django.utils.http import content_disposition_header

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe_cell(value):
    if value is None or isinstance(value, (bool, int, float, Decimal, datetime.date, datetime.time)):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def safe_row(values: Iterable) -> list:
    return [safe_cell(v) for v in values]


def header_widths(headers: Sequence[str]) -> list[float]:
    """Column widths that fit Chinese headers (two units a character), at least 10."""
    return [max(10, len(str(h)) * 2 + 2) for h in headers]


def write_table(
    sheet,
    headers: Sequence[str],
    rows: Iterable[Iterable],
    *,
    title: str = "",
    lines: Sequence[Sequence] = (),
    freeze: bool = False,
    widths: Sequence[float] | None = None,
    blank_none: bool = False,
) -> int:
    """Write onto ``sheet`` (a write-only or ordinary worksheet): ``title`` as a bold first row, ``lines`` (heading
    lines such as 填报单位/统计期) below it, the header row, then ``rows`` as safe cells (None as an empty cell
    when ``blank_none``). ``freeze`` keeps everything down to the header in view; ``widths`` sets the columns'
    widths. Returns how many rows were written."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    for i, width in enumerate(widths or (), start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    above = (1 if title else 0) + len(lines)
    if freeze:
        sheet.freeze_panes = f"A{above + 2}"
    if title:
        cell = WriteOnlyCell(sheet, value=safe_cell(title))
        cell.font = Font(size=13, bold=True)
        sheet.append([cell])
    for line in lines:
        sheet.append(safe_row(line))
    sheet.append(safe_row(headers))
    count = 0
    for row in rows:
        sheet.append([("" if v is None else safe_cell(v)) for v in row] if blank_none else safe_row(row))
        count += 1
    return count


def workbook_bytes(workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def table_bytes(sheet_name: str, headers: Sequence[str], rows: Iterable[Iterable], **options) -> bytes:
    """A workbook of one sheet named ``sheet_name`` holding the list (options: those of ``write_table``)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    write_table(workbook.create_sheet(sheet_name[:31]), headers, rows, **options)
    return workbook_bytes(workbook)


def download(content: bytes, filename: str, content_type: str, *, inline: bool = False) -> HttpResponse:
    """A file to save (or, ``inline``, to show in the browser) under ``filename``, which may be Chinese."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(not inline, filename)
    return response


def xlsx_download(content: bytes, filename: str) -> HttpResponse:
    """An .xlsx to save as ``filename`` (the extension is added when missing)."""
    return download(content, filename if filename.endswith(".xlsx") else f"{filename}.xlsx", XLSX)


def xlsx_response(filename: str, sheet_name: str, headers: Sequence[str], rows: Iterable[Iterable], **options):
    """A list as an .xlsx download: ``headers`` and ``rows`` on one sheet, the header row frozen and columns as
    wide as their headers unless ``freeze`` or ``widths`` say otherwise (options: those of ``write_table``)."""
    options.setdefault("widths", header_widths(headers))
    options.setdefault("freeze", True)
    return xlsx_download(table_bytes(sheet_name, headers, rows, **options), filename)


# --- reading: a guard against zip bombs ---------------------------------------------------------------------------

XLSX_MAX_UNPACKED_BYTES = int(os.environ.get("HUIMIN_XLSX_MAX_UNPACKED_MB", "512")) * 1024 * 1024
XLSX_MAX_ENTRIES = 10_000
_LOCAL_HEADER = struct.Struct("<4s5H3L2H")
_CHUNK = 1024 * 1024


class UnsafeWorkbook(ValueError):
    """The .xlsx cannot be opened safely; the message says why in Chinese."""


def check_xlsx(source: bytes | str | Path, limit: int | None = None) -> None:
    """Refuse an .xlsx whose parts would unpack to more than ``limit`` bytes, before any reader expands it.

    The sizes a zip declares can lie, so every part is really inflated here, in bounded chunks that are counted
    and thrown away: memory stays at a few MB and the work stops as soon as the limit is passed."""
    limit = XLSX_MAX_UNPACKED_BYTES if limit is None else limit
    limit_mb = limit // 1024 // 1024
    bomb = UnsafeWorkbook(f"工作簿解压后超过 {limit_mb} MB，疑似“压缩炸弹”或数据过多：请拆分后分批上传")
    handle = io.BytesIO(source) if isinstance(source, bytes) else Path(source).open("rb")  # noqa: SIM115
    with handle:
        try:
            book = zipfile.ZipFile(handle)
            infos = book.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as exc:
            raise UnsafeWorkbook("文件已损坏或不是有效的 Excel 工作簿（.xlsx）") from exc
        if len(infos) > XLSX_MAX_ENTRIES:
            raise UnsafeWorkbook("工作簿内部文件过多，无法安全打开")
        if sum(info.file_size for info in infos) > limit:
            raise bomb
        total = 0
        for info in infos:
            if info.flag_bits & 0x1:
                raise UnsafeWorkbook("工作簿已加密：请取消密码保护后再上传")
            total += _unpacked_size(handle, info, limit - total)
            if total > limit:
                raise bomb


def _unpacked_size(handle, info: zipfile.ZipInfo, budget: int) -> int:
    """Bytes the part really inflates to, counting at most ``budget`` + 1 of them."""
    handle.seek(info.header_offset)
    header = handle.read(_LOCAL_HEADER.size)
    if len(header) < _LOCAL_HEADER.size or header[:4] != b"PK\x03\x04":
        raise UnsafeWorkbook("文件已损坏或不是有效的 Excel 工作簿（.xlsx）")
    fields = _LOCAL_HEADER.unpack(header)
    handle.seek(fields[-2] + fields[-1], io.SEEK_CUR)  # file name and extra field
    if info.compress_type == zipfile.ZIP_STORED:
        return info.compress_size
    if info.compress_type != zipfile.ZIP_DEFLATED:
        raise UnsafeWorkbook("工作簿使用了不支持的压缩方式")
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    left, produced = info.compress_size, 0
    try:
        while left > 0 and not inflater.eof and produced <= budget:
            chunk = handle.read(min(_CHUNK, left))
            if not chunk:
                break
            left -= len(chunk)
            data = inflater.decompress(chunk, _CHUNK)
            produced += len(data)
            while inflater.unconsumed_tail and produced <= budget:
                data = inflater.decompress(inflater.unconsumed_tail, _CHUNK)
                produced += len(data)
    except zlib.error as exc:
        raise UnsafeWorkbook("工作簿已损坏，无法读取") from exc
    return produced


# --- reading: files as departments send them ----------------------------------------------------------------------
# One reader for every uploaded table (verification/ingest.py, registry/excel.py): the header row may sit below
# title rows, every row keeps the spreadsheet's own line number, text is normalised (full-width digits and
# letters), values are shown as typed, dates come in the forms people type, and a text column that Excel stored as
# a number is read from the cell's stored text when the digits are all there, or named as Excel's problem.

HEADER_SEARCH_LINES = 20
DATE_FORMS = "2026-11-05、2026/11/05 或 2026年11月5日"
MONTH_FORMS = "2026-11、2026/11 或 2026年11月"
_FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_MONTH = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$")
_INTEGER = re.compile(r"^-?\d+$")


class SheetError(ValueError):
    """The table as a whole cannot be read; the message says why in Chinese."""


class ExcelNumber:
    """A cell of a text column (ID number, bank account, phone) that Excel stored as a number. ``digits`` holds the
    digits when the cell's stored text has them all (a plain integer), else ``""``: Excel keeps 15 significant
    digits, so an 18-digit ID number typed into a number cell has already lost its last ones. ``shown`` is the
    value as Excel shows it (4.11702198005011E+17)."""

    __slots__ = ("digits", "shown")

    def __init__(self, digits: str, shown: str):
        self.digits, self.shown = digits, shown

    def problem(self, label: str) -> str:
        return (
            f"{label}被 Excel 存成了数字（{self.shown}），末几位可能已丢失：请把该列设置为文本格式后重新填写"
            if not self.digits
            else f"{label}被 Excel 存成了数字（{self.shown}）且号码有误：请把该列设置为文本格式后重新填写"
        )

    def __str__(self):
        return self.digits or self.shown

    def __repr__(self):
        return f"ExcelNumber({self.digits!r}, {self.shown!r})"


def normalise(text: str) -> str:
    """Full-width digits, letters and punctuation (１２３Ｘ，－) as their ASCII forms, the ideographic space as a
    space, outer spaces stripped. Chinese characters are left alone."""
    return text.translate(_FULL_WIDTH).strip()


def blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def cell_text(value) -> str:
    """A cell as the person typed it: 5 not 5.0, a date as 2026-11-05, text normalised."""
    if blank(value):
        return ""
    if isinstance(value, ExcelNumber):
        return value.shown
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return _excel_float(value)
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return normalise(str(value))


def _excel_float(value: float) -> str:
    """A float the way Excel's General format shows it: at most 15 significant digits, E+ for large numbers."""
    if abs(value) >= 1e15:
        mantissa, exponent = f"{value:.14E}".split("E")
        return f"{mantissa.rstrip('0').rstrip('.')}E+{int(exponent)}"
    return format(Decimal(f"{value:.15g}"), "f")


def parse_date(value) -> datetime.date:
    """A date typed as 2026-11-05, 2026/11/05, 2026/11/5, 2026.11.05, 2026年11月5日 or 20261105, or an Excel date
    cell. Raises ValueError naming the accepted forms."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = cell_text(value)
    if len(text) == 8 and text.isdigit():
        text = f"{text[:4]}-{text[4:6]}-{text[6:]}"
    match = _DATE.match(text)
    try:
        if not match:
            raise ValueError
        day = datetime.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError as exc:
        raise ValueError(f"日期“{text}”无法识别：日期应写成 {DATE_FORMS}") from exc
    if day.year < 1900:
        raise ValueError(f"日期“{text}”不合理（早于 1900 年）")
    return day


def parse_month(value) -> str:
    """A month typed as 2026-11, 2026/11, 2026年11月, 202611, or a date (its month), as ``YYYY-MM``."""
    if isinstance(value, datetime.date):
        return f"{value:%Y-%m}"
    text = cell_text(value)
    if len(text) == 6 and text.isdigit():
        text = f"{text[:4]}-{text[4:]}"
    match = _MONTH.match(text)
    if not match or not 1 <= int(match[2]) <= 12 or int(match[1]) < 1900:
        raise ValueError(f"月份“{text}”无法识别：月份应写成 {MONTH_FORMS}")
    return f"{int(match[1]):04d}-{int(match[2]):02d}"


@dataclass
class Sheet:
    """A table read from a file: the header (normalised text) on the spreadsheet's line ``header_line`` and the
    non-blank rows below it, each with its own line number as the spreadsheet shows it."""

    header: list[str]
    header_line: int = 1
    rows: list[list] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)


def locate_header(rows: Sequence[Sequence], recognise: Callable[[str], bool]) -> int:
    """The index of the header row: among the first non-blank rows (title rows, 填报单位 lines, blank lines may come
    first), the first with the most cells that ``recognise`` accepts; the first non-blank row when none does."""
    best, best_count, first = None, 0, None
    for index, row in enumerate(rows[: HEADER_SEARCH_LINES * 5]):
        texts = [cell_text(v) for v in row]
        if not any(texts):
            continue
        first = index if first is None else first
        count = sum(1 for t in texts if t and recognise(t))
        if count > best_count:
            best, best_count = index, count
        if first is not None and index - first >= HEADER_SEARCH_LINES:
            break
    if first is None:
        raise SheetError("工作表为空")
    return best if best is not None else first


def _table(rows: list[list], lines: list[int], recognise, text_columns) -> Sheet:
    at = locate_header(rows, recognise)
    header = [cell_text(v) for v in rows[at]]
    while header and header[-1] == "":
        header.pop()
    sheet = Sheet(header=header, header_line=lines[at])
    text_positions = [i for i, name in enumerate(header) if name and text_columns(name)]
    for row, line in zip(rows[at + 1 :], lines[at + 1 :], strict=True):
        if all(blank(v) for v in row):
            continue
        row = [normalise(v) if isinstance(v, str) else v for v in row]
        for i in text_positions:
            if i < len(row) and isinstance(row[i], (int, float)) and not isinstance(row[i], bool):
                row[i] = ExcelNumber("", _excel_float(float(row[i])) if isinstance(row[i], float) else str(row[i]))
        sheet.rows.append(row)
        sheet.lines.append(line)
    return sheet


def read_csv(content: bytes, *, recognise: Callable[[str], bool] = bool, text_columns=lambda name: False) -> Sheet:
    """A CSV in UTF-8 (with or without BOM) or GB18030; line numbers are the file's own lines."""
    import csv

    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise SheetError("CSV 文件编码无法识别：请使用 UTF-8 或 GB18030 编码")
    reader = csv.reader(io.StringIO(text))
    rows, lines = [], []
    start = 1
    for row in reader:
        rows.append(row)
        lines.append(start)
        start = reader.line_num + 1
    if not rows:
        raise SheetError("文件为空")
    return _table(rows, lines, recognise, text_columns)


def read_xlsx(
    source: bytes | Path,
    *,
    recognise: Callable[[str], bool] = bool,
    text_columns: Callable[[str], bool] = lambda name: False,
    sheet_name: str | None = None,
) -> Sheet:
    """The first sheet (or ``sheet_name`` when the workbook has it) of an .xlsx, read with python-calamine; the
    numbers in ``text_columns`` are looked up again in the cell's stored text (``ExcelNumber``)."""
    from python_calamine import CalamineWorkbook

    try:
        check_xlsx(source)
    except UnsafeWorkbook as exc:
        raise SheetError(str(exc)) from exc
    try:
        book = (
            CalamineWorkbook.from_filelike(io.BytesIO(source))
            if isinstance(source, bytes)
            else CalamineWorkbook.from_path(str(source))
        )
        names = book.sheet_names
        name = sheet_name if sheet_name in names else names[0]
        rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
    except Exception as exc:  # noqa: BLE001 - calamine raises several kinds for a broken zip or XML
        raise SheetError("文件已损坏或不是有效的 .xlsx 工作簿，无法读取：请重新保存后上传") from exc
    while rows and all(blank(v) for v in rows[-1]):
        rows.pop()
    if not rows:
        raise SheetError("工作表为空")
    sheet = _table(rows, list(range(1, len(rows) + 1)), recognise, text_columns)
    numbers = {
        (line, i): cell
        for row, line in zip(sheet.rows, sheet.lines, strict=True)
        for i, cell in enumerate(row)
        if isinstance(cell, ExcelNumber)
    }
    if numbers:
        _stored_digits(source, name, numbers)
    return sheet


def _stored_digits(source: bytes | Path, sheet_name: str, numbers: dict[tuple[int, int], ExcelNumber]) -> None:
    """Fill ``digits`` of the numbers whose stored text is a plain integer (a tool other than Excel wrote all the
    digits); openpyxl reads such a ``<v>`` as an exact int, where calamine gives a float."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(source) if isinstance(source, bytes) else source, read_only=True, data_only=True)
    try:
        low, high = min(line for line, _ in numbers), max(line for line, _ in numbers)
        for line, row in enumerate(book[sheet_name].iter_rows(min_row=low, max_row=high, values_only=True), low):
            for i, value in enumerate(row):
                cell = numbers.get((line, i))
                if cell is not None and isinstance(value, int) and not isinstance(value, bool):
                    cell.digits = str(value)
                    cell.shown = cell.digits if len(cell.digits.lstrip("-")) <= 15 else _excel_float(float(value))
    finally:
        book.close()
