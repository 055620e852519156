"""发放项目与资金来源: which programmes a county's monthly payroll pays and out of which fund, as data
(``ProgrammeFund``). A programme is in a month's payroll where a row for it is in force; an allowance added later
(高龄津贴, 孤儿基本生活费, 经济困难老年人补贴 …) plugs in by a programme (assistance) and a row here, no code.

The page is 待遇发放 › 发放项目与资金来源 (``benefits:funds``); rows are added by the county or city civil-affairs
approver (capability ``benefits.standards``, 设置保障标准)."""

import datetime
from decimal import Decimal, InvalidOperation

from django.db import connection, transaction
from django.db.models import Q

from huimin.benefits import capabilities as caps
from huimin.benefits import payroll_engine
from huimin.benefits.models import ProgrammeFund
from huimin.core import audit, regions
from huimin.core.access import NotInScope, can_write_region, require_capability
from huimin.core.models import Region
from huimin.core.scope import sql_starting_with
from huimin.core.services import ServiceError

WHERE_CONFIGURED = "请由县级或市级民政审批人员在“待遇发放 › 发放项目与资金来源”页面配置"

# The national defaults: 低保 and 特困 out of 困难群众救助补助资金 (中央财政 subsidy + local budgets), the two
# disability subsidies out of 残疾人两项补贴资金 (local budgets). Regions add their own rows (with the shares).
ASSISTANCE_FUND = "困难群众救助补助资金"
DISABILITY_FUND = "残疾人两项补贴资金"
DEFAULTS = [
    ("dibao", ASSISTANCE_FUND),
    ("dibao_single", ASSISTANCE_FUND),
    ("tekun_scattered", ASSISTANCE_FUND),
    ("tekun_central", ASSISTANCE_FUND),
    ("disability_living", DISABILITY_FUND),
    ("severe_care", DISABILITY_FUND),
    ("aged_allowance", "高龄津贴资金"),
    ("elderly_service", "经济困难老年人养老服务补贴资金"),
    ("elderly_care", "经济困难失能老年人护理补贴资金"),
]
DEFAULT_FROM = datetime.date(2000, 1, 1)
DEFAULT_SOURCE = "国家默认（各地按本地资金渠道另行配置）"


def load_defaults(programme_model=None, fund_model=None) -> int:
    """A nationwide row for each default programme that exists and has no row yet (migrations pass their
    historical models). Returns how many rows were added."""
    if programme_model is None:
        from huimin.assistance.models import Programme as programme_model  # noqa: N813
    fund_model = fund_model or ProgrammeFund
    added = 0
    for code, fund in DEFAULTS:
        programme = programme_model.objects.filter(code=code).first()
        if programme is None or fund_model.objects.filter(programme_id=programme.pk).exists():
            continue
        fund_model.objects.create(
            programme_id=programme.pk, region=None, fund_name=fund, effective_from=DEFAULT_FROM, source=DEFAULT_SOURCE
        )
        added += 1
    return added


def rows_in_force(month: datetime.date, prefix: str = "") -> list[ProgrammeFund]:
    """The rows in force on some day of ``month`` that can apply inside the subtree ``prefix``: set everywhere, above
    it or inside it."""
    last = payroll_engine.add_months(month, 1) - datetime.timedelta(days=1)
    rows = (
        ProgrammeFund.objects.filter(effective_from__lte=last)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=month))
        .select_related("programme")
    )
    return [r for r in rows if r.region_id is None or r.region_id.startswith(prefix) or prefix.startswith(_prefix(r))]


def _prefix(row: ProgrammeFund) -> str:
    return regions.prefix_of(row.region_id) if row.region_id else ""


def payroll_table(month: datetime.date, prefix: str) -> list[dict]:
    """For ``payroll_engine``: each row in force in ``month`` under ``prefix`` as (programme code, region prefix,
    fund id, rank) — the engine takes, for each enrolment, the row of its programme whose prefix covers its region
    with the greatest rank (``regions.precedence``: the most specific region, then the latest effective date)."""
    rows = [r for r in rows_in_force(month, prefix) if not r.programme.one_off]
    ordered = sorted(rows, key=lambda r: regions.precedence(len(_prefix(r)), r.effective_from, (), (r.pk,)))
    table, covered = [], set()
    for rank, row in reversed(list(enumerate(ordered))):  # greatest rank first
        code, inside = row.programme.code, len(_prefix(row)) > len(prefix)
        if inside:  # set for a part of the subtree: decided per enrolment
            table.append({"programme_code": code, "prefix": _prefix(row), "fund_id": row.pk, "rank": rank})
        elif code not in covered:  # covers the whole subtree: only the strongest such row can win
            covered.add(code)
            table.append({"programme_code": code, "prefix": "", "fund_id": row.pk, "rank": rank})
    return table


def unfunded(prefix: str, month: datetime.date, funded_codes) -> list[tuple[str, int]]:
    """(programme name, active enrolments) of the periodic programmes with enrolments under ``prefix`` that no row
    pays in ``month``: they are left out of the payroll, and the month page says so (and where to configure)."""
    codes = sorted(set(funded_codes))
    where = "AND pr.code <> ALL(%s)" if connection.vendor == "postgresql" else ""
    in_region, region_params = sql_starting_with("e.region_id", prefix)
    params = [*region_params, month, *([codes] if where else [])]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pr.name, pr.code, COUNT(*) FROM assistance_enrolment e"  # noqa: S608 - fixed text
            " JOIN assistance_programme pr ON pr.id = e.programme_id"
            f" WHERE {in_region} AND e.start_month <= %s AND e.status <> 'stopped' AND e.monthly_amount > 0"
            f" AND pr.one_off = {'false' if connection.vendor == 'postgresql' else '0'} {where}"
            " GROUP BY pr.name, pr.code ORDER BY pr.name",
            params,
        )
        return [(name, n) for name, code, n in cursor.fetchall() if code not in codes]


def _share(value, label: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).strip()).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError) as exc:
        raise ServiceError(f"{label}分担比例须为 0 至 100 之间的数字") from exc
    if not number.is_finite() or not 0 <= number <= 100:
        raise ServiceError(f"{label}分担比例须为 0 至 100 之间的数字")
    return number


@transaction.atomic
def add_fund(
    actor,
    *,
    programme_code: str,
    region_code: str,
    fund_name: str,
    effective_from,
    effective_to=None,
    shares: dict | None = None,
    source: str = "",
) -> ProgrammeFund:
    """A new row (earlier rows stay: the later ``effective_from`` wins where both apply)."""
    from huimin.assistance.models import Programme

    require_capability(actor, caps.STANDARDS, "配置发放项目与资金来源")
    region = Region.objects.filter(code=(region_code or "").strip()).first()
    if region is None or not can_write_region(actor, region):
        raise NotInScope("区划不存在或不在您的管辖范围内")
    programme = Programme.objects.filter(code=programme_code or "", is_active=True).first()
    if programme is None:
        raise ServiceError("请选择救助项目")
    if programme.one_off:
        raise ServiceError(f"“{programme.name}”是一次性救助，不按月发放")
    fund_name = (fund_name or "").strip()
    if not fund_name or len(fund_name) > 60:
        raise ServiceError("请填写资金来源（60 字以内），例如“困难群众救助补助资金”")
    if not isinstance(effective_from, datetime.date):
        raise ServiceError("请填写生效日期")
    if effective_to is not None and effective_to < effective_from:
        raise ServiceError("失效日期不能早于生效日期")
    shares = shares or {}
    values = {field: _share(shares.get(field), label) for field, label in ProgrammeFund.SHARES}
    given = [v for v in values.values() if v is not None]
    if given and sum(given) != 100:
        raise ServiceError(f"各级财政分担比例合计须为 100%，现为 {sum(given)}%")
    row = ProgrammeFund.objects.create(
        programme=programme,
        region=region,
        fund_name=fund_name,
        effective_from=effective_from,
        effective_to=effective_to,
        source=(source or "").strip()[:200],
        created_by=getattr(actor, "username", ""),
        **values,
    )
    audit.record(
        "benefits.fund.add",
        row,
        after={"programme": programme.code, "fund": fund_name, "from": str(effective_from),
               **{k: str(v) for k, v in values.items() if v is not None}},
        region_code=region.code,
    )  # fmt: skip
    return row


def month_totals(payroll) -> list[dict]:
    """The per-programme totals of a payroll month, as built (``PayrollMonth.programme_totals``; a month built
    before they were kept is summed from its lines): one row per programme and fund — ``programme`` (Chinese
    name), ``fund`` (资金来源), ``count``, ``total`` (元), ``kinds`` [(类别, count, 元)], ``shares`` [(level, %,
    元)] — in the programmes' order."""
    from django.db.models import Count, Sum

    from huimin.assistance.models import Programme
    from huimin.benefits.models import LineKind, PayrollLine

    items = payroll.programme_totals
    if not items and payroll.line_count:
        rows = (
            PayrollLine.objects.filter(payroll=payroll)
            .values("programme_code", "fund_id", "kind")
            .annotate(n=Count("id"), total=Sum("amount"))
            .order_by()
        )
        items = [{"programme": r["programme_code"], "fund": r["fund_id"], "kind": r["kind"], "count": r["n"],
                  "cents": int(r["total"] * 100)} for r in rows]  # fmt: skip
    programmes = {p.code: p for p in Programme.objects.all()}
    order = {code: i for i, code in enumerate(programmes)}
    fund_rows = ProgrammeFund.objects.in_bulk({item["fund"] for item in items if item["fund"]})
    kinds = dict(LineKind.choices)
    grouped: dict[tuple, dict] = {}
    for item in items:
        key = (item["programme"], item["fund"])
        fund = fund_rows.get(item["fund"])
        row = grouped.setdefault(
            key,
            {"code": item["programme"], "fund_id": item["fund"],
             "programme": programmes[item["programme"]].name if item["programme"] in programmes else item["programme"],
             "fund": fund.fund_name if fund else "（未标注资金来源）", "fund_row": fund, "count": 0, "cents": 0,
             "kinds": []},
        )  # fmt: skip
        row["count"] += item["count"]
        row["cents"] += item["cents"]
        row["kinds"].append((kinds.get(item["kind"], item["kind"]), item["count"], Decimal(item["cents"]).scaleb(-2)))
    out = sorted(grouped.values(), key=lambda r: (order.get(r["code"], len(order)), r["code"], r["fund"]))
    for row in out:
        row["total"] = Decimal(row["cents"]).scaleb(-2)
        fund = row["fund_row"]
        row["shares"] = [
            (label, pct, (row["total"] * pct / 100).quantize(Decimal("0.01"))) for label, pct in (fund.shares() if fund
                                                                                                  else [])
        ]  # fmt: skip
    return out
