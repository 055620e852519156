"""Cells for the spreadsheets Huimin writes. Text that a spreadsheet would run as a formula (it starts with
= + - @, a tab or a carriage return) gets a leading apostrophe, so Excel shows it and never executes it.

Reading: ``check_xlsx`` refuses a workbook that would unpack to more than a limit (a zip bomb) before
openpyxl or calamine expands it; every xlsx reader calls it first."""

import datetime
import io
import os
import struct
import zipfile
import zlib
from decimal import Decimal
from pathlib import Path

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    if value is None or isinstance(value, (bool, int, float, Decimal, datetime.date, datetime.time)):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


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
