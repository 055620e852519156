"""Workbooks as tools other than Excel write them, for the tests of the shared reader (core.spreadsheets)."""

import io
import re
import zipfile


def store_all_digits(content: bytes, number: str) -> bytes:
    """``content`` (an openpyxl workbook holding ``float(number)`` in a cell, written to 16 digits) with that
    cell's stored text holding every digit of ``number``, as some exporting tools write it; Excel itself keeps
    only 15 significant digits."""

    def exact(match):
        return b"<v>" + number.encode() + b"</v>" if abs(float(match[1]) - float(number)) < 1e3 else match[0]

    source, out = zipfile.ZipFile(io.BytesIO(content)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename.startswith("xl/worksheets/"):
                data = re.sub(rb"<v>([0-9.eE+]+)</v>", exact, data)
            target.writestr(info, data)
    return out.getvalue()
