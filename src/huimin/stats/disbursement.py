"""资金发放统计: what locked payroll months paid in a region over a month or a range of months, by county, programme
and fund (资金来源), with the line kinds apart and the fund's cost split between the levels of government where its
row says so (``benefits.ProgrammeFund``). Shown as a page and written as an .xlsx."""

import datetime
from decimal import Decimal

from huimin.assistance.models import Programme
from huimin.benefits import services as benefits
from huimin.benefits.models import LineKind, ProgrammeFund
from huimin.core.models import Region
from huimin.core.spreadsheets import table_bytes

KINDS = [(k, label) for k, label in LineKind.choices]
LEVELS = [label for _, label in ProgrammeFund.SHARES]
UNTAGGED = "（未标注资金来源）"


def report(region: Region, start: datetime.date, end: datetime.date) -> dict:
    """Rows (county, programme, fund) with ``count``, ``kinds`` {kind: 元}, ``total`` and ``levels`` {level: 元}
    (None where the fund is not split), the per-programme subtotals and the grand total."""
    lines = list(benefits.funds_report(region.prefix, start, end))
    funds = ProgrammeFund.objects.in_bulk({r["fund_id"] for r in lines if r["fund_id"]})
    programmes = {p.code: p.name for p in Programme.objects.all()}
    order = {code: i for i, code in enumerate(programmes)}
    counties = dict(Region.objects.filter(code__in={f"{r['county']}000000" for r in lines}).values_list("code", "name"))
    rows: dict[tuple, dict] = {}
    for line in lines:
        fund = funds.get(line["fund_id"])
        name = fund.fund_name if fund else UNTAGGED
        key = (line["county"], line["programme_code"], name)
        row = rows.setdefault(
            key,
            {
                "county": line["county"],
                "county_name": counties.get(f"{line['county']}000000", line["county"]),
                "code": line["programme_code"],
                "programme": programmes.get(line["programme_code"], line["programme_code"]),
                "fund": name,
                "count": 0,
                "kinds": {k: Decimal(0) for k, _ in KINDS},
                "total": Decimal(0),
                "levels": {level: None for level in LEVELS},
            },
        )
        row["count"] += line["n"]
        row["kinds"][line["kind"]] = row["kinds"].get(line["kind"], Decimal(0)) + line["total"]
        row["total"] += line["total"]
        for level, pct in fund.shares() if fund else []:
            row["levels"][level] = (row["levels"][level] or Decimal(0)) + (line["total"] * pct / 100).quantize(
                Decimal("0.01")
            )
    ordered = sorted(rows.values(), key=lambda r: (r["county"], order.get(r["code"], len(order)), r["code"], r["fund"]))
    by_programme: dict[str, dict] = {}
    for row in ordered:
        sub = by_programme.setdefault(row["programme"], {"programme": row["programme"], "count": 0,
                                                         "total": Decimal(0), "funds": set()})  # fmt: skip
        sub["count"] += row["count"]
        sub["total"] += row["total"]
        sub["funds"].add(row["fund"])
    subtotals = sorted(by_programme.values(), key=lambda s: s["programme"])
    for sub in subtotals:
        sub["funds"] = "、".join(sorted(sub["funds"]))
    return {
        "region": region,
        "start": start,
        "end": end,
        "period": f"{start:%Y年%m月}" + ("" if start == end else f"至{end:%Y年%m月}"),
        "rows": ordered,
        "subtotals": subtotals,
        "count": sum(r["count"] for r in ordered),
        "total": sum((r["total"] for r in ordered), Decimal(0)),
        "kinds": KINDS,
        "levels": LEVELS,
    }


HEADERS = ["县（区）", "区划代码", "救助项目", "资金来源", "笔数", *[label for _, label in KINDS], "合计（元）",
           *[f"{level}（元）" for level in LEVELS]]  # fmt: skip


def xlsx(data: dict) -> bytes:
    rows = [
        [r["county_name"], r["county"], r["programme"], r["fund"], r["count"], *[r["kinds"][k] for k, _ in KINDS],
         r["total"], *[r["levels"][level] for level in LEVELS]]
        for r in data["rows"]
    ]  # fmt: skip
    rows += [["小计", "", s["programme"], s["funds"], s["count"], *[None] * len(KINDS), s["total"], *[None] * 4]
             for s in data["subtotals"]]  # fmt: skip
    rows.append(["合计", "", "", "", data["count"], *[None] * len(KINDS), data["total"], *[None] * 4])
    return table_bytes(
        "资金发放统计",
        HEADERS,
        rows,
        title="资金发放统计表",
        lines=[[f"填报单位：{data['region'].full_name()}"], [f"统计期：{data['period']}（按发放月份，已锁定月份）"]],
        freeze=True,
        blank_none=True,
    )
