"""行政区划 codes: the 12-digit 统计用区划代码 (2 省 + 2 市 + 2 县 + 3 乡 + 3 村) and its GB/T 2260 prefix.

A region's subtree is every code that starts with its prefix, which is what makes scoping one index scan.

The rule every regional setting follows (standards, policy figures, calendars, 核对 thresholds) lives here too: a
row set for a region applies to its whole subtree, and where several apply **the most specific region wins, then
the latest effective date** (``precedence``, ``in_force``).
"""

import datetime
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

Row = TypeVar("Row")

PROVINCE, CITY, COUNTY, TOWNSHIP, VILLAGE = 1, 2, 3, 4, 5
LEVEL_NAMES = {PROVINCE: "省级", CITY: "市级", COUNTY: "县级", TOWNSHIP: "乡级", VILLAGE: "村级"}
PREFIX_LENGTH = {PROVINCE: 2, CITY: 4, COUNTY: 6, TOWNSHIP: 9, VILLAGE: 12}

# 城乡分类代码 (国家统计局《统计用区划和城乡划分代码》): 1xx 城镇, 2xx 乡村.
URBAN_RURAL_CODES = {
    "111": "主城区",
    "112": "城乡结合区",
    "121": "镇中心区",
    "122": "镇乡结合区",
    "123": "特殊区域",
    "210": "乡中心区",
    "220": "村庄",
}


class RegionCodeError(ValueError):
    pass


def normalize_code(code: str) -> str:
    """Return the 12-digit form of a 2/4/6/9/12-digit region code."""
    code = str(code).strip()
    if not code.isdigit() or len(code) not in (2, 4, 6, 9, 12):
        raise RegionCodeError(f"区划代码“{code}”不合法：应为 2、4、6、9 或 12 位数字")
    return full_code(code)


def full_code(prefix: str) -> str:
    """The 12-digit code a region prefix stands for ("3301" → "330100000000"); prefixes are what scoping stores."""
    prefix = str(prefix)
    if len(prefix) > 12:
        raise RegionCodeError(f"区划代码“{prefix}”不合法：超过 12 位")
    return prefix.ljust(12, "0")


def level_of(code12: str) -> int:
    """The level a 12-digit code stands for, read from its trailing zeros."""
    if code12[9:] != "000":
        return VILLAGE
    if code12[6:9] != "000":
        return TOWNSHIP
    if code12[4:6] != "00":
        return COUNTY
    if code12[2:4] != "00":
        return CITY
    return PROVINCE


def prefix_of(code12: str, level: int | None = None) -> str:
    return code12[: PREFIX_LENGTH[level or level_of(code12)]]


def code_after(prefix: str) -> str | None:
    """The smallest code string past every code that starts with ``prefix`` (digits): 4117219 → 411722."""
    stem = prefix.rstrip("9")
    if not stem or not prefix.isdigit():
        return None
    return stem[:-1] + str(int(stem[-1]) + 1)


def parent_code(code12: str) -> str | None:
    level = level_of(code12)
    if level == PROVINCE:
        return None
    return ancestor_code(code12, level - 1)


def ancestor_code(code12: str, level: int) -> str:
    """The 12-digit code of the region at ``level`` that holds ``code12`` (itself at its own level)."""
    return full_code(prefix_of(code12, level))


# --- which regional row is in force ---------------------------------------------------------------------------


def specificity(code12: str | None) -> int:
    """How narrow the region of a row is: the length of its prefix; 0 for a row that holds everywhere (no region)."""
    return len(prefix_of(code12)) if code12 else 0


def within(target_code, prefix):
    """Whether ``target_code`` lies in the subtree of ``prefix`` ("" is everywhere). Plain strings or Ibis string
    columns alike, so the batch engine joins by this same test."""
    return target_code.startswith(prefix)


def covers(code12: str | None, target_code: str) -> bool:
    """Whether a row set for region ``code12`` (None: everywhere) applies at ``target_code``."""
    return code12 is None or within(target_code, prefix_of(code12))


def precedence(specificity: Any, effective_from: Any, narrower: tuple = (), tiebreak: tuple = ()) -> tuple:
    """The order in which rows that apply at one place give way to each other, greatest first: the most specific
    region, then a row narrower in another way (an area, a programme), then the latest effective date, then
    ``tiebreak``. Plain values compare as a tuple; the batch engine orders by the same items as Ibis columns
    (each descending), so both read this one definition."""
    return (specificity, *narrower, effective_from, *tiebreak)


def in_force(
    rows: Iterable[Row],
    target_code: str,
    *,
    region: Callable[[Row], str | None],
    effective_from: Callable[[Row], datetime.date],
    narrower: Callable[[Row], tuple] = lambda row: (),
    tiebreak: Callable[[Row], tuple] = lambda row: (),
) -> Row | None:
    """The row that governs ``target_code`` among ``rows`` (already limited to those in effect on the day): of
    those whose region covers the place, the one of greatest ``precedence``. None when no row applies."""
    best, best_key = None, None
    for row in rows:
        code = region(row)
        if not covers(code, target_code):
            continue
        key = precedence(specificity(code), effective_from(row), narrower(row), tiebreak(row))
        if best_key is None or key > best_key:
            best, best_key = row, key
    return best


def is_urban(urban_rural_code: str) -> bool | None:
    if not urban_rural_code:
        return None
    return urban_rural_code.startswith("1")


def lineage(code12: str) -> list[str]:
    """``code12`` and every code above it, nearest first: the regions whose rows hold at ``code12``."""
    codes = [code12]
    while (parent := parent_code(codes[-1])) is not None:
        codes.append(parent)
    return codes


def labels(codes: Iterable[str], *, under: str | None = None) -> dict[str, str]:
    """code → how a list names the region so that no two read alike: its name after those of its ancestors from
    the county down, leaving out what the viewer's own region (``under``) already says. On a city's page a
    township reads "驿城区 城关镇" (every county has its 城关镇), on its county's page "城关镇"; a county reads
    "驿城区". One query for the whole list; a code not in the table is shown as itself."""
    from huimin.core.models import Region

    codes = [code for code in dict.fromkeys(codes) if code]
    start = max(COUNTY, level_of(full_code(under)) + 1) if under else COUNTY
    chains = {code: [a for a in reversed(lineage(code)) if level_of(a) >= start] or [code] for code in codes}
    wanted = {a for chain in chains.values() for a in chain}
    names = dict(Region.objects.filter(code__in=wanted).values_list("code", "name"))
    return {code: " ".join(names[a] for a in chain if a in names) or code for code, chain in chains.items()}


def label(code: str, *, under: str | None = None) -> str:
    """One region's label as ``labels`` gives it."""
    return labels([code], under=under).get(code, code)
