"""Excel (.xlsx) export of the lists. A cell that a spreadsheet would read as a formula (= + - @, tab, CR) is
neutralised with a leading apostrophe."""

import io

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from huimin.core.spreadsheets import safe_cell


def xlsx_response(filename: str, title: str, headers: list[str], rows) -> HttpResponse:
    wb = Workbook()
    ws = wb.active
    ws.title = title[:31]
    ws.append(headers)
    for row in rows:
        ws.append([safe_cell(v) for v in row])
    for i, header in enumerate(headers, start=1):
        ws.column_dimensions[get_column_letter(i)].width = max(10, len(header) * 2 + 2)
    buffer = io.BytesIO()
    wb.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}.xlsx"
    return response
