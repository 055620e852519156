"""The spreadsheets Huimin writes and reads, and the downloads it answers with.

``safe_cell``: text that a spreadsheet would run as a formula (it starts with = + - @, a tab or a carriage return)
gets a leading apostrophe, so Excel shows it and never executes it. ``table_bytes`` writes a list (a header row
and rows of safe cells, optionally a bold title row and heading lines above it, frozen panes below the header,
column widths) with openpyxl's write-only mode, so a long list streams. ``xlsx_response`` does that and answers
with the download; ``download`` answers with any file under a Chinese file name (RFC 6266
``filename*=utf-8''…``).

Reading: ``check_xlsx`` refuses a workbook that would unpack to more than a limit (a zip bomb) before
openpyxl or calamine expands it; every xlsx reader calls it first."""

import datetime
import io
import os
import struct
import zipfile
import zlib
from collections.abc import Iterable, Sequence
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
