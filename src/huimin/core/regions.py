"""行政区划 codes: the 12-digit 统计用区划代码 (2 省 + 2 市 + 2 县 + 3 乡 + 3 村) and its GB/T 2260 prefix.

A region's subtree is every code that starts with its prefix, which is what makes scoping one index scan.
"""

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
    return code.ljust(12, "0")


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


def parent_code(code12: str) -> str | None:
    level = level_of(code12)
    if level == PROVINCE:
        return None
    return prefix_of(code12, level - 1).ljust(12, "0")


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
