"""The monthly settlement of 居家养老 services per provider, and the rules that refuse impossible records.

``check_month`` flags the records of a county and month that break a rule (one INSERT … SELECT per rule, the
rules as queries in ``RULES``); ``build`` then sums, per provider, the subsidies of the records that are
confirmed and unflagged — one aggregate query (per order, capped at the order's monthly allowance, then per
provider). Built, reviewed and approved by three different people (职责分离, as the monthly payroll: core.duties
procedure ``homecare.settlement``); exported for payment once approved."""

import datetime
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Count, Exists, F, Max, OuterRef, Q, Window
from django.db.models.expressions import RowRange
from django.db.models.functions import Lead
from django.utils import timezone

from huimin.core import audit, duties, regions
from huimin.core.access import BusinessRuleError, require_capability, require_region_in_scope
from huimin.core.models import Region
from huimin.core.scope import sql_starting_with, subtree
from huimin.homecare import capabilities as cap
from huimin.homecare.access import access_settlement_by_id
from huimin.homecare.error_codes import HomecareErrorCode as E
from huimin.homecare.models import RecordFlag, Rule, ServiceRecord, Setting, Settlement, SettlementLine
from huimin.homecare.services import month_bounds, setting
from huimin.registry.codes import EventKind
from huimin.registry.models import LifeEvent

DAY_MINUTES = 1440
PROCEDURE = "homecare.settlement"  # core.duties: registered in HomecareConfig.ready


def records_of(region_code: str, month: datetime.date):
    first, last = month_bounds(month)
    return ServiceRecord.objects.filter(subtree("region", regions.prefix_of(region_code)),
                                        service_date__range=(first, last))  # fmt: skip


def _overlapping(qs):
    """Records of a worker that overlap another of his (sorted by start: a record starting before the latest
    end of those before it, or ending after the start of the next one). Records that end before they start are
    left to their own rule. Touching records (one ends when the next starts) do not overlap."""
    window = {"partition_by": [F("worker_id")], "order_by": [F("started_at").asc(), F("id").asc()]}
    qs = qs.filter(minutes__gt=0).annotate(
        prev_end=Window(Max("ended_at"), frame=RowRange(start=None, end=-1), **window),
        next_start=Window(Lead("started_at"), **window),
    )
    return qs.filter(Q(started_at__lt=F("prev_end")) | Q(ended_at__gt=F("next_start")))


def rules(qs, region_code: str, last: datetime.date) -> dict[str, tuple]:
    """Each rule: (the records that break it, the Chinese reason)."""
    grace = int(setting(Setting.Key.MIDNIGHT_GRACE, region_code, last))
    died = LifeEvent.objects.filter(person_id=OuterRef("order__person_id"), kind=EventKind.DEATH,
                                    occurred_on__lt=OuterRef("service_date"))  # fmt: skip
    return {
        Rule.OVERLAP: (_overlapping(qs), "同一服务人员同一时间在两处服务（与本人其他服务记录时间重叠）"),
        Rule.END_BEFORE_START: (qs.filter(minutes__lte=0), "结束时间早于或等于开始时间"),
        Rule.TOO_LONG: (qs.filter(Q(minutes__gt=F("order__item__max_minutes")) | Q(minutes__gt=DAY_MINUTES)),
                        "服务时长超过该服务项目的单次时长上限"),
        Rule.MIDNIGHT: (qs.annotate(end_minute=F("start_minute") + F("minutes"))
                        .filter(minutes__gt=0, end_minute__gt=DAY_MINUTES + grace),
                        f"服务跨越零点超过 {grace} 分钟宽限"),
        Rule.DEAD: (qs.filter(Exists(died)), "服务日期前老年人已登记死亡"),
        Rule.OUT_OF_CONTRACT: (qs.filter(Q(service_date__lt=F("order__contract__starts_on"))
                                         | Q(service_date__gt=F("order__contract__ends_on"))),
                               "服务日期不在服务商合同期内"),
        Rule.UNCONFIRMED: (qs.filter(confirmed_at__isnull=True), "服务未经老年人本人或家属确认"),
    }  # fmt: skip


def _insert_flags(qs, rule: str, reason: str) -> int:
    sql, params = qs.values("id").query.sql_with_params()
    table = RecordFlag._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} (record_id, rule, reason) SELECT t.id, %s, %s FROM ({sql}) t",  # noqa: S608
                       [rule, reason, *params])  # fmt: skip
        return cursor.rowcount


def check_month(region_code: str, month: datetime.date) -> dict[str, int]:
    """Flag (again) the records of the region and month: returns how many each rule flagged. Writes; callers
    hold a transaction."""
    qs = records_of(region_code, month)
    RecordFlag.objects.filter(record__in=qs.values("id")).delete()
    _, last = month_bounds(month)
    return {rule: _insert_flags(found, rule, reason) for rule, (found, reason) in rules(qs, region_code, last).items()}


def owed(region_code: str, month: datetime.date) -> list[dict]:
    """What each provider is owed for the region and month from confirmed, unflagged records: per order the
    subsidies summed and capped at the order's monthly allowance, then per provider. One query."""
    first, last = month_bounds(month)
    record, flag, order = (ServiceRecord._meta.db_table, RecordFlag._meta.db_table,
                           ServiceRecord._meta.get_field("order").related_model._meta.db_table)  # fmt: skip
    in_region, region_params = sql_starting_with("r.region_id", regions.prefix_of(region_code))
    sql = f"""
        SELECT t.provider_id, SUM(t.n), SUM(t.a),
               SUM(CASE WHEN t.s > o.monthly_allowance THEN o.monthly_allowance ELSE t.s END)
        FROM (SELECT r.provider_id, r.order_id, COUNT(*) AS n, SUM(r.amount) AS a, SUM(r.subsidy_amount) AS s
              FROM {record} r
              WHERE {in_region} AND r.service_date BETWEEN %s AND %s AND r.confirmed_at IS NOT NULL
                AND NOT EXISTS (SELECT 1 FROM {flag} f WHERE f.record_id = r.id)
              GROUP BY r.provider_id, r.order_id) t
        JOIN {order} o ON o.id = t.order_id
        GROUP BY t.provider_id ORDER BY t.provider_id"""  # noqa: S608 - table names from the models
    with connection.cursor() as cursor:
        cursor.execute(sql, [*region_params, first, last])
        rows = cursor.fetchall()
    return [{"provider_id": p, "records": int(n), "amount": Decimal(str(a)).quantize(Decimal("0.01")),
             "subsidy": Decimal(str(s)).quantize(Decimal("0.01"))} for p, n, a, s in rows]  # fmt: skip


def _county(actor, region_code: str) -> Region:
    region = Region.objects.filter(code=(region_code or "").strip()).first()
    if region is None or region.level != regions.COUNTY:
        raise BusinessRuleError(E.INVALID, "请选择结算的区县")
    require_region_in_scope(actor, region.code, "区县")
    return region


@transaction.atomic
def build(actor, region_code: str, month: datetime.date) -> Settlement:
    """生成 (or rebuild while 待复核) the settlement of a county and month: flag the month's records, then sum."""
    require_capability(actor, cap.SETTLE, "生成服务结算")
    county = _county(actor, region_code)
    month = month.replace(day=1)
    settlement = Settlement.objects.select_for_update().filter(region=county, month=month).first()
    if settlement is not None and settlement.status != Settlement.Status.DRAFT:
        raise BusinessRuleError(E.STATE, f"{month:%Y年%m月}的结算已{settlement.get_status_display()}，不能重新生成")
    flagged_by_rule = check_month(county.code, month)
    lines = owed(county.code, month)
    flagged = dict(records_of(county.code, month).filter(flags__isnull=False).values("provider_id")
                   .annotate(n=Count("id", distinct=True)).values_list("provider_id", "n"))  # fmt: skip
    if settlement is None:
        settlement = Settlement(region=county, month=month)
    settlement.built_by, settlement.built_at = actor.username, timezone.now()
    settlement.records = sum(line["records"] for line in lines)
    settlement.flagged = sum(flagged.values())
    settlement.total = sum((line["subsidy"] for line in lines), Decimal(0))
    settlement.save()
    settlement.lines.all().delete()
    providers = {line["provider_id"] for line in lines} | set(flagged)
    by_provider = {line["provider_id"]: line for line in lines}
    SettlementLine.objects.bulk_create([
        SettlementLine(settlement=settlement, provider_id=p, records=by_provider.get(p, {}).get("records", 0),
                       flagged=flagged.get(p, 0), amount=by_provider.get(p, {}).get("amount", Decimal(0)),
                       subsidy=by_provider.get(p, {}).get("subsidy", Decimal(0)))
        for p in sorted(providers)
    ])  # fmt: skip
    audit.record("homecare.settlement.build", settlement, after={"records": settlement.records, "flagged":
                 settlement.flagged, "total": settlement.total, "rules": flagged_by_rule},
                 region_code=county.code)  # fmt: skip
    return settlement


_NEXT = {
    "review": (Settlement.Status.DRAFT, Settlement.Status.REVIEWED, "复核"),
    "approve": (Settlement.Status.REVIEWED, Settlement.Status.APPROVED, "审批"),
}


@transaction.atomic
def advance(actor, settlement_id, action: str) -> Settlement:
    if action not in _NEXT:
        raise BusinessRuleError(E.INVALID, "不支持的操作")
    before, after, label = _NEXT[action]
    require_capability(actor, cap.SETTLE, f"{label}服务结算")
    settlement = access_settlement_by_id(actor, settlement_id, capability=cap.SETTLE, for_update=True)
    if settlement.status != before:
        raise BusinessRuleError(E.STATE, f"结算当前为“{settlement.get_status_display()}”，不能{label}")
    # 职责分离 (data on 「职责分离规则」; by default as the payroll's): who built the settlement neither reviews nor
    # approves it, the reviewer does not approve it
    duties.check(actor, PROCEDURE, action, {"build": settlement.built_by, "review": settlement.reviewed_by})
    now = timezone.now()
    if action == "review":
        settlement.reviewed_by, settlement.reviewed_at = actor.username, now
    else:
        settlement.approved_by, settlement.approved_at = actor.username, now
    settlement.status = after
    settlement.save()
    audit.record(f"homecare.settlement.{action}", settlement, before={"status": before}, after={"status": after},
                 region_code=settlement.region_id)  # fmt: skip
    return settlement
