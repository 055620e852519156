"""Services of 居家社区养老服务: settings and prices in force, providers and contracts, orders, service records,
confirmations and follow-up calls. ``check_*`` validates and writes nothing; the writes run in one transaction
and are audited. Settlement: huimin.homecare.settlement; alarms: huimin.homecare.alarms."""

import datetime
import functools
import random
import secrets
import zoneinfo
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from stdnum.cn import uscc as uscc_check

from huimin.core import audit, parse, regions
from huimin.core.access import BusinessRuleError, require_capability, require_region_in_scope, require_writable_region
from huimin.core.models import Region
from huimin.core.scope import subtree
from huimin.homecare import capabilities as cap
from huimin.homecare.access import access_order_by_id, access_provider_by_id, access_record_by_id
from huimin.homecare.error_codes import HomecareErrorCode as E
from huimin.homecare.models import (
    Contract,
    FollowUp,
    Order,
    Price,
    Provider,
    ServiceItem,
    ServiceRecord,
    Setting,
    Worker,
)
from huimin.registry.models import Person

CENT = Decimal("0.01")
CONFIGURE_HINT = "请市、县民政部门的养老服务审批人在「服务项目与价格」页面设置"


def today() -> datetime.date:
    return timezone.localdate()


def local(dt: datetime.datetime) -> datetime.datetime:
    return timezone.localtime(dt, zoneinfo.ZoneInfo(settings.TIME_ZONE))


def _refuse(code, message):
    raise BusinessRuleError(code, message)


# --- settings and prices (regional data, core.regions.in_force) ---------------------------------------------


def setting(key: str, region_code: str | None, day: datetime.date | None = None) -> Decimal:
    day = day or today()
    rows = Setting.objects.filter(key=key, effective_from__lte=day)
    row = regions.in_force(rows, region_code or "000000000000", region=lambda r: r.region_id,
                           effective_from=lambda r: r.effective_from)  # fmt: skip
    if row is None:
        _refuse(E.NOT_CONFIGURED, f"未设置“{Setting.Key(key).label}”，{CONFIGURE_HINT}")
    return row.value


def price(item: ServiceItem, region_code: str, day: datetime.date) -> Decimal:
    rows = Price.objects.filter(item=item, effective_from__lte=day)
    row = regions.in_force(rows, region_code, region=lambda r: r.region_id, effective_from=lambda r: r.effective_from)
    if row is None:
        _refuse(E.NOT_CONFIGURED, f"“{item.name}”在该地没有适用的单价，{CONFIGURE_HINT}")
    return row.unit_price


def _decimal(value, label: str, *, low=Decimal(0), high=None) -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        _refuse(E.INVALID, f"{label}应为数字")
    if not number.is_finite() or number < low or (high is not None and number > high):
        _refuse(E.INVALID, f"{label}超出允许范围")
    return number.quantize(CENT, ROUND_HALF_UP)


_date = functools.partial(parse.date, code=E.INVALID)


def _datetime(value, label: str) -> datetime.datetime:
    if isinstance(value, datetime.datetime):
        parsed = value
    else:
        try:
            parsed = datetime.datetime.fromisoformat(str(value or "").strip())
        except ValueError:
            _refuse(E.INVALID, f"请填写{label}（格式 YYYY-MM-DD HH:MM）")
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, zoneinfo.ZoneInfo(settings.TIME_ZONE))
    return parsed


def _text(value, label: str, limit: int, *, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        _refuse(E.INVALID, f"请填写{label}")
    if len(value) > limit:
        _refuse(E.INVALID, f"{label}过长（最多 {limit} 字）")
    return value


def _region(actor, code, label="区划") -> Region:
    region = Region.objects.filter(code=(code or "").strip()).first()
    if region is None:
        _refuse(E.INVALID, f"请选择{label}")
    require_region_in_scope(actor, region.code, label)
    return region


@transaction.atomic
def set_price(actor, item_code: str, region_code: str | None, effective_from, unit_price, source: str = "") -> Price:
    require_capability(actor, cap.MANAGE, "设置服务单价")
    item = ServiceItem.objects.filter(code=item_code).first()
    if item is None:
        _refuse(E.INVALID, "请选择服务项目")
    region = Region.objects.filter(code=region_code).first() if region_code else None
    require_writable_region(actor, region, "该区划的单价")
    day = _date(effective_from, "起始日期")
    value = _decimal(unit_price, "单价", high=Decimal("100000"))
    fields = {"unit_price": value, "source": _text(source, "依据", 200, required=False), "created_by": actor.username}
    row, _ = Price.objects.update_or_create(item=item, region=region, effective_from=day, defaults=fields)
    audit.record("homecare.price.set", row, after={"item": item.code, "region": region_code or "", "from": day,
                 "price": value}, region_code=region_code or "")  # fmt: skip
    return row


# --- providers, contracts, workers ---------------------------------------------------------------------------


def check_uscc(value: str) -> str:
    value = (value or "").strip().upper()
    if not value:
        _refuse(E.INVALID, "请填写统一社会信用代码")
    if not uscc_check.is_valid(value):
        _refuse(E.USCC, f"统一社会信用代码“{value}”不合法（18 位，校验位不符）")
    return uscc_check.compact(value)


def check_provider(actor, data: dict) -> dict:
    require_capability(actor, cap.MANAGE, "登记服务商")
    kind = data.get("kind", "")
    if kind not in Provider.Kind.values:
        _refuse(E.INVALID, "请选择服务商类型")
    code = check_uscc(data.get("uscc", ""))
    if Provider.objects.filter(uscc=code).exists():
        _refuse(E.INVALID, f"统一社会信用代码“{code}”已登记")
    return {
        "name": _text(data.get("name"), "名称", 100), "kind": kind, "uscc": code,
        "legal_person": _text(data.get("legal_person"), "负责人", 50, required=False),
        "phone": _text(data.get("phone"), "联系电话", 30, required=False),
        "address": _text(data.get("address"), "地址", 200, required=False),
        "region": _region(actor, data.get("region"), "所在区划"),
    }  # fmt: skip


@transaction.atomic
def register_provider(actor, data: dict) -> Provider:
    provider = Provider.objects.create(**check_provider(actor, data))
    audit.record("homecare.provider.register", provider, after={"uscc": provider.uscc, "kind": provider.kind})
    return provider


@transaction.atomic
def add_contract(actor, provider_id, data: dict) -> Contract:
    provider = access_provider_by_id(actor, provider_id, capability=cap.MANAGE)
    region = _region(actor, data.get("region"), "服务区域")
    starts, ends = _date(data.get("starts_on"), "起始日期"), _date(data.get("ends_on"), "截止日期")
    if ends < starts:
        _refuse(E.INVALID, "合同截止日期不能早于起始日期")
    number = _text(data.get("number"), "合同编号", 40)
    if Contract.objects.filter(number=number).exists():
        _refuse(E.INVALID, f"合同编号“{number}”已存在")
    contract = Contract.objects.create(provider=provider, region=region, number=number, starts_on=starts,
                                       ends_on=ends, created_by=actor.username)  # fmt: skip
    audit.record("homecare.contract.add", contract, after={"provider": provider.pk, "region": region.code,
                 "from": starts, "to": ends}, region_code=region.code)  # fmt: skip
    return contract


@transaction.atomic
def add_worker(actor, provider_id, code: str, name: str) -> Worker:
    provider = access_provider_by_id(actor, provider_id, capability=cap.MANAGE)
    code, name = _text(code, "工号", 30), _text(name, "姓名", 50)
    if Worker.objects.filter(provider=provider, code=code).exists():
        _refuse(E.INVALID, f"工号“{code}”已存在")
    worker = Worker.objects.create(provider=provider, code=code, name=name)
    audit.record("homecare.worker.add", worker, region_code=provider.region_id)
    return worker


def clients() -> list:
    """The active API clients granted the device-event operation (the API clients app, read through the
    provider's foreign key, not imported; a handful of rows, filtered here since SQLite has no JSON contains)."""
    model = Provider._meta.get_field("api_client").related_model
    return [c for c in model.objects.filter(is_active=True).order_by("name") if set(OPERATIONS) & set(c.operations)]


OPERATIONS = ("report_device_event", "report_device_events")  # one event a call, or a batch


@transaction.atomic
def link_client(actor, provider_id, client_id) -> Provider:
    """关联 the provider's system: its API client's token then reports the provider's device events."""
    provider = access_provider_by_id(actor, provider_id, capability=cap.MANAGE, for_update=True)
    client = next((c for c in clients() if str(c.pk) == str(client_id or "")), None)
    if client is None:
        _refuse(E.INVALID, "请选择已授权“设备事件上报（服务商）”或其批量接口的客户端"
                           "（由安全保密员在「接口客户端」页面签发）")  # fmt: skip
    before = {"api_client": provider.api_client_id}
    provider.api_client = client
    provider.save(update_fields=["api_client"])
    audit.record("homecare.provider.link_client", provider, before=before, after={"api_client": client.pk})
    return provider


def contract_for(provider: Provider, region_code: str, day: datetime.date) -> Contract | None:
    """The provider's contract covering the place on the day (the most specific region, the latest start)."""
    rows = Contract.objects.filter(provider=provider, starts_on__lte=day, ends_on__gte=day)
    return regions.in_force(rows, region_code, region=lambda c: c.region_id, effective_from=lambda c: c.starts_on)


# --- orders --------------------------------------------------------------------------------------------------


def subsidy_allowance(person: Person, day: datetime.date) -> Decimal | None:
    """HOOK for the 经济困难老年人养老服务补贴 programme: the person's monthly service-subsidy entitlement on
    ``day``, or None while no programme supplies it (the order's allowance is then entered by hand).
    Functions appended to ``ALLOWANCE_HOOKS`` (fn(person, day) -> Decimal | None) are asked in turn."""
    for hook in ALLOWANCE_HOOKS:
        found = hook(person, day)
        if found is not None:
            return found
    return None


ALLOWANCE_HOOKS: list = []


def check_order(actor, data: dict) -> dict:
    require_capability(actor, cap.MANAGE, "登记服务订单")
    person = Person.objects.select_related("region").filter(pk=data.get("person") or 0).first()
    if person is None or not person.region_id:
        _refuse(E.INVALID, "请选择老年人")
    require_region_in_scope(actor, person.region_id, "老年人")
    day = _date(data.get("starts_on"), "起始日期")
    age = int(setting(Setting.Key.ELDERLY_AGE, person.region_id, day))
    if person.is_deceased or person.merged_into_id:
        _refuse(E.NOT_ELDERLY, f"{person.name} 已死亡或已合并，不能登记服务订单")
    if person.birth_date is None or person.age_on(day) < age:
        _refuse(E.NOT_ELDERLY, f"{person.name} 在 {day} 未满 {age} 周岁，不是居家养老服务对象")
    item = ServiceItem.objects.filter(code=data.get("item", ""), is_active=True).first()
    if item is None:
        _refuse(E.INVALID, "请选择服务项目")
    provider = Provider.objects.filter(pk=data.get("provider") or 0, is_active=True).first()
    if provider is None:
        _refuse(E.INVALID, "请选择服务商")
    contract = contract_for(provider, person.region_id, day)
    if contract is None:
        _refuse(E.CONTRACT, f"{provider.name} 在 {day} 没有覆盖{person.region.name}的服务合同，"
                            "请先在「服务商与合同」页面登记合同")  # fmt: skip
    funding = data.get("funding", "")
    if funding not in Order.Funding.values:
        _refuse(E.INVALID, "请选择资金来源")
    percent = {"subsidy": Decimal(100), "self": Decimal(0)}.get(funding)
    if percent is None:
        percent = _decimal(data.get("subsidy_percent"), "补贴比例", low=Decimal(1), high=Decimal(99))
    allowance = subsidy_allowance(person, day)
    if allowance is None:
        allowance = _decimal(data.get("monthly_allowance") or 0, "每月补贴额度", high=Decimal("100000"))
    if funding != "self" and allowance <= 0:
        _refuse(E.INVALID, "政府补贴的订单须填写每月补贴额度（大于 0）")
    return {
        "person": person, "region_id": person.region_id, "provider": provider, "contract": contract, "item": item,
        "funding": funding, "subsidy_percent": int(percent), "monthly_allowance": allowance if funding != "self"
        else Decimal(0), "unit_price": price(item, person.region_id, day), "starts_on": day,
    }  # fmt: skip


@transaction.atomic
def create_order(actor, data: dict) -> Order:
    order = Order.objects.create(**check_order(actor, data), created_by=actor.username)
    audit.record("homecare.order.create", order, after={"person": order.person_id, "item": order.item.code,
                 "provider": order.provider_id, "funding": order.funding}, region_code=order.region_id)  # fmt: skip
    return order


# --- service records -----------------------------------------------------------------------------------------


def amounts(order: Order, minutes: int) -> tuple[Decimal, Decimal, Decimal]:
    """Units, amount and the subsidy share of one record (per visit: 1; per hour: the hours, at least 0)."""
    units = Decimal(1) if order.item.unit == ServiceItem.Unit.VISIT else (Decimal(max(minutes, 0)) / 60).quantize(CENT)
    amount = (order.unit_price * units).quantize(CENT, ROUND_HALF_UP)
    return units, amount, (amount * order.subsidy_percent / 100).quantize(CENT, ROUND_HALF_UP)


def check_record(actor, order_id, data: dict) -> dict:
    """A record as the worker reports it: nothing impossible is refused here (the settlement flags it, so that
    it is seen), only what is missing or malformed."""
    order = access_order_by_id(actor, order_id, capability=cap.MANAGE)
    worker = Worker.objects.filter(provider=order.provider, pk=data.get("worker") or 0).first()
    if worker is None:
        _refuse(E.INVALID, "请选择本服务商的服务人员")
    started, ended = _datetime(data.get("started_at"), "开始时间"), _datetime(data.get("ended_at"), "结束时间")
    checkin = _datetime(data["checkin_at"], "签到时间") if data.get("checkin_at") else None
    minutes = int((ended - started).total_seconds() // 60)
    units, amount, subsidy = amounts(order, minutes)
    start = local(started)
    return {
        "order": order, "provider_id": order.provider_id, "region_id": order.region_id, "worker": worker,
        "service_date": start.date(), "started_at": started, "ended_at": ended, "minutes": minutes,
        "start_minute": start.hour * 60 + start.minute, "units": units, "amount": amount, "subsidy_amount": subsidy,
        "checkin_at": checkin, "checkin_location": _text(data.get("checkin_location"), "签到位置", 100, required=False),
    }  # fmt: skip


@transaction.atomic
def add_record(actor, order_id, data: dict) -> ServiceRecord:
    record = ServiceRecord.objects.create(**check_record(actor, order_id, data), created_by=actor.username)
    audit.record("homecare.record.add", record, after={"order": record.order_id, "minutes": record.minutes,
                 "amount": record.amount}, region_code=record.region_id)  # fmt: skip
    return record


@transaction.atomic
def confirm_record(actor, record_id, by: str) -> ServiceRecord:
    record = access_record_by_id(actor, record_id, capability=cap.MANAGE, for_update=True)
    if by not in ServiceRecord.ConfirmedBy.values:
        _refuse(E.INVALID, "请选择确认人（老年人本人或家属）")
    if record.confirmed_at is not None:
        _refuse(E.STATE, "该服务记录已确认")
    record.confirmed_at, record.confirmed_by = timezone.now(), by
    record.save(update_fields=["confirmed_at", "confirmed_by"])
    audit.record("homecare.record.confirm", record, after={"by": by}, region_code=record.region_id)
    return record


# --- quality follow-up calls ---------------------------------------------------------------------------------


def month_bounds(month: datetime.date) -> tuple[datetime.date, datetime.date]:
    first = month.replace(day=1)
    return first, (first + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)


@transaction.atomic
def draw_followups(actor, region_code: str, month: datetime.date, seed: str | None = None) -> list[FollowUp]:
    """Draw the month's sample of confirmed records in a region for follow-up calls: the setting's percent,
    rounded up, reproducible from the recorded seed. Records already drawn are kept, not drawn again."""
    require_capability(actor, cap.MANAGE, "抽取回访样本")
    require_region_in_scope(actor, region_code, "区划")
    first, last = month_bounds(month)
    percent = setting(Setting.Key.FOLLOWUP_PERCENT, region_code, last)
    ids = list(ServiceRecord.objects.filter(subtree("region", regions.prefix_of(region_code)),
               service_date__range=(first, last), confirmed_at__isnull=False, followup__isnull=True)
               .order_by("pk").values_list("pk", flat=True))  # fmt: skip
    size = min(len(ids), int((len(ids) * percent / 100).to_integral_value(rounding="ROUND_CEILING")))
    seed = seed or secrets.token_hex(8)
    chosen = random.Random(seed).sample(ids, size)
    drawn = FollowUp.objects.bulk_create([FollowUp(record_id=pk, seed=seed) for pk in sorted(chosen)])
    audit.record("homecare.followup.draw", detail=f"{region_code} {first:%Y-%m} 抽取 {size}/{len(ids)}，种子 {seed}",
                 region_code=region_code)  # fmt: skip
    return drawn


@transaction.atomic
def record_followup(actor, followup_id, satisfied: bool, note: str) -> FollowUp:
    followup = FollowUp.objects.select_related("record").filter(pk=followup_id).first()
    if followup is None:
        _refuse(E.INVALID, "回访任务不存在")
    access_record_by_id(actor, followup.record_id, capability=cap.MANAGE)
    if followup.called_at is not None:
        _refuse(E.STATE, "该回访已登记")
    followup.called_at, followup.called_by = timezone.now(), actor.username
    followup.satisfied, followup.note = satisfied, _text(note, "回访记录", 300, required=not satisfied)
    followup.save()
    audit.record("homecare.followup.record", followup, after={"satisfied": satisfied},
                 region_code=followup.record.region_id)  # fmt: skip
    return followup
