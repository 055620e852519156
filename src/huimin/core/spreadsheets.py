"""The spreadsheets Huimin writes, and the downloads it answers with.

``safe_cell``: text that a spreadsheet would run as a formula (it starts with = + - @, a tab or a carriage return)
gets a leading apostrophe, so Excel shows it and never executes it. ``table_bytes`` writes a list (a header row
and rows of safe cells, optionally a bold title row and heading lines above it, frozen panes below the header,
column widths) with openpyxl's write-only mode, so a long list streams. ``xlsx_response`` does that and answers
with the download; ``download`` answers with any file under a Chinese file name (RFC 6266
``filename*=utf-8''…``)."""

import datetime
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal

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
