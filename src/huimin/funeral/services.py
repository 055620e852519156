"""殡葬管理 services. Every state change checks capability and scope, applies the rules, runs in one transaction and
writes ``audit.record``; a ``check_*`` validates and writes nothing.

- records of bodies: ``check_record`` / ``do_record``. The record is the death signal: it pushes the death to
  动态监测 (``monitoring.services.raise_for_record``: the same death rules a departmental feed of 死亡与殡葬 would
  trigger), whose confirmation records the death in the registry and stops every benefit from the month the
  region's rule says, with the overpayment listed for 追缴 — the one death path, not a second one;
- 惠民殡葬: the waiver of each record (``rules.compute``), the deceased's group read from enrolments through the
  registry's programme hook (``registry.search.PROGRAMME_FILTERS``); monthly settlements with each funeral
  home, prepared, reviewed and approved by three different people;
- supervision: facilities, cemetery inspections, illegal burial reports, statistics.
"""

import datetime
import functools
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from huimin.core import audit, parse, regions
from huimin.core.access import BusinessRuleError, require_capability, require_region_in_scope, require_writable_region
from huimin.core.context import current_actor
from huimin.core.models import Region
from huimin.core.scope import scoped
from huimin.core.services import ServiceError
from huimin.funeral import capabilities as cap
from huimin.funeral import rules
from huimin.funeral.error_codes import FuneralErrorCode as E
from huimin.funeral.models import (
    CREMATING,
    BurialReport,
    Facility,
    FacilityKind,
    Group,
    Inspection,
    Record,
    Service,
    Settlement,
    WaiverPolicy,
)
from huimin.registry import idnumbers
from huimin.registry.models import Membership, Person

MAX_STORAGE_DAYS = 365


def today() -> datetime.date:
    return timezone.localdate()


def _who(actor=None) -> str:
    actor = actor or current_actor()
    return getattr(actor, "username", "") or "system"


_date = functools.partial(parse.date, code=E.INVALID)


def _money(value, label: str) -> Decimal:
    return parse.money(value, f"{label}", E.INVALID, maximum=Decimal("100000"), blank_is_zero=True)


def _choice(value, choices, label: str) -> str:
    value = (value or "").strip()
    if value not in choices.values:
        raise ServiceError(f"请选择{label}")
    return value


# --- the deceased's group and the waiver ---------------------------------------------------------------------


def _household_of(person: Person) -> int | None:
    """The deceased's household: the current one, or the last he belonged to (a death already registered)."""
    if person.household_id:
        return person.household_id
    last = Membership.objects.filter(person=person).order_by("-started_on", "-id").first()
    return last.household_id if last else None


def _in_programmes(household_id: int | None, codes: list[str]) -> str:
    """The name of the first programme of ``codes`` the household is currently enrolled in ('' when none),
    through the registry's programme hook (filled by assistance; 殡葬 imports nothing of it)."""
    from huimin.registry.models import Household
    from huimin.registry.search import PROGRAMME_FILTERS

    if household_id is None:
        return ""
    for f in PROGRAMME_FILTERS:
        for code, name in f.choices():
            if code in codes and Household.objects.filter(pk=household_id, pk__in=f.household_ids(code)).exists():
                return name
    return ""


def policies_in_force(region_code: str, day: datetime.date) -> list[WaiverPolicy]:
    return [p for p in WaiverPolicy.objects.select_related("region").order_by("pk")
            if regions.covers(p.region_id, region_code) and p.effective_from <= day]  # fmt: skip


def waiver_for(person: Person | None, region_code: str, fees: dict, day: datetime.date, youfu_cert_no: str = ""):
    """The waiver of a record: for each group the deceased belongs to (everyone local is 本地户籍居民; 低保 and
    特困 by a current enrolment; 重点优抚对象 by the declared 优抚证), the policy in force and its waiver; the
    largest applies. Refused, naming who configures it, when no policy is in force for 本地户籍居民."""
    rows = policies_in_force(region_code, day)
    general = rules.policy_for(rows, region_code, Group.GENERAL, day)
    if general is None:
        raise BusinessRuleError(E.NOT_CONFIGURED, "本地区尚未设置惠民殡葬减免政策（本地户籍居民），"
                                "请县级民政部门审批人在「殡葬管理 › 惠民殡葬政策」中设置")  # fmt: skip
    household = _household_of(person) if person else None
    candidates = [rules.compute(fees, general, Group.GENERAL, "户籍在本地")]
    for group in (Group.DIBAO, Group.TEKUN):
        policy = rules.policy_for(rows, region_code, group, day)
        if policy is None:
            continue
        name = _in_programmes(household, policy.programmes)
        if name:
            candidates.append(rules.compute(fees, policy, group, f"所在家庭在“{name}”在保"))
    if youfu_cert_no:
        policy = rules.policy_for(rows, region_code, Group.YOUFU, day)
        if policy is not None:
            candidates.append(rules.compute(fees, policy, Group.YOUFU, f"优抚证号 {youfu_cert_no}"))
    chosen = rules.best(candidates)
    others = [c for c in candidates if c is not chosen]
    if others:
        chosen.text.append("同时符合：" + "、".join(f"{Group(c.group).label}（可减免 {c.amount} 元）" for c in others)
                           + "，按减免最多的类别办理，不重复减免")  # fmt: skip
    return chosen


# --- records of bodies -----------------------------------------------------------------------------------------


@dataclass
class RecordInput:
    facility: Facility
    person: Person
    fields: dict
    fees: dict
    waiver: rules.Waiver


def _find_person(actor, id_number: str) -> Person | None:
    """The registry's person of the ID number, in the actor's region; None when the registry holds nobody of it
    (a deceased never in 社会救助's registry). One held in another county is refused: its own county records it,
    so that the death reaches the right township."""
    everyone = Person.objects.filter(**Person.lookup("id_number", id_number), merged_into__isnull=True)
    person = scoped(everyone, actor, "region", cap.RECORD).select_related("region").first()
    if person is None and everyone.exists():
        raise ServiceError("逝者在其他县（区）的对象库登记：请由其户籍所在地民政部门登记，或核对身份证号")
    return person


def check_record(actor, data: dict) -> RecordInput:
    """Validate a record of a body; writes nothing. ``data``: facility, id_number, cause, death_date, death_place,
    certificate, certificate_no, family_name, family_relation, family_phone, received_on, storage_days, disposal,
    disposed_on, ashes, fee_<service> for each service charged, youfu_cert_no."""
    require_capability(actor, cap.RECORD, "登记遗体处置")
    from huimin.funeral.access import access_facility_by_id

    if not str(data.get("facility") or "").strip():
        raise ServiceError("请选择殡葬服务单位")
    facility = access_facility_by_id(actor, data.get("facility"), capability=cap.RECORD)
    id_number = (data.get("id_number") or "").strip().upper()
    try:
        idnumbers.parse(id_number)
    except idnumbers.IdNumberError as exc:
        raise ServiceError(f"逝者身份证号有误：{exc}") from exc
    person = _find_person(actor, id_number)
    name = person.name if person else (data.get("name") or "").strip()[:50]
    if not name:
        raise ServiceError("对象库中没有该身份证号的人员：请填写逝者姓名（按未在对象库登记的逝者办理）")
    if Record.objects.filter(**Record.lookup("deceased_id_number", id_number)).exists():
        raise BusinessRuleError(E.ALREADY_RECORDED, f"{name} 已有遗体处置记录，不能重复登记")
    f = {
        "cause": _choice(data.get("cause"), Record.Cause, "死亡原因类别"),
        "death_date": _date(data.get("death_date"), "死亡日期"),
        "death_place": (data.get("death_place") or "").strip()[:100],
        "certificate": _choice(data.get("certificate"), Record.Certificate, "死亡证明类型"),
        "certificate_no": (data.get("certificate_no") or "").strip()[:40],
        "family_name": (data.get("family_name") or "").strip()[:50],
        "family_relation": (data.get("family_relation") or "").strip()[:20],
        "family_phone": (data.get("family_phone") or "").strip()[:20],
        "received_on": _date(data.get("received_on"), "接运日期"),
        "disposal": _choice(data.get("disposal"), Record.Disposal, "处置方式"),
        "disposed_on": _date(data.get("disposed_on"), "火化/安葬日期"),
        "ashes": (data.get("ashes") or "").strip(),
        "youfu_cert_no": (data.get("youfu_cert_no") or "").strip()[:40],
    }
    for key, label in (("death_place", "死亡地点"), ("family_name", "家属姓名"), ("family_relation", "与逝者关系"),
                       ("family_phone", "家属联系电话")):  # fmt: skip
        if not f[key]:
            raise ServiceError(f"请填写{label}")
    if not f["certificate_no"]:
        raise BusinessRuleError(E.CERTIFICATE_REQUIRED, "请填写死亡医学证明或公安机关死亡证明的编号（无证明不得火化）")
    if f["ashes"] not in Record.Ashes.values:
        raise ServiceError("请选择骨灰去向")
    try:
        f["storage_days"] = int(str(data.get("storage_days") or "0").strip())
    except ValueError as exc:
        raise ServiceError("存放天数应为整数") from exc
    if not 0 <= f["storage_days"] <= MAX_STORAGE_DAYS:
        raise ServiceError(f"存放天数应在 0 至 {MAX_STORAGE_DAYS} 天之间")
    day = today()
    death, received, disposed = f["death_date"], f["received_on"], f["disposed_on"]
    birth = person.birth_date if person else idnumbers.parse(id_number).birth_date
    if death > day or (birth and death < birth):
        raise BusinessRuleError(E.DEATH_DATE, "死亡日期不合法（不能晚于今天或早于出生日期）")
    if received < death or disposed < received or disposed > day:
        raise BusinessRuleError(E.DEATH_DATE, "日期应依次为：死亡日期 ≤ 接运日期 ≤ 火化/安葬日期 ≤ 今天")
    if person and person.is_deceased and person.death_date != death:
        raise BusinessRuleError(E.DECEASED_STATE, f"对象库登记 {person.name} 的死亡日期为 "
                                f"{person.death_date:%Y年%m月%d日}，与本记录不符，请核对死亡证明")  # fmt: skip
    if f["disposal"] == Record.Disposal.CREMATION:
        if facility.kind not in CREMATING:
            raise BusinessRuleError(E.FACILITY_KIND, f"{facility.name}（{facility.get_kind_display()}）不能火化遗体")
        if f["ashes"] == "":
            raise ServiceError("火化的请选择骨灰去向")
    if facility.licence_valid_until and facility.licence_valid_until < disposed:
        raise BusinessRuleError(E.FACILITY_LICENCE, f"{facility.name} 的许可已于 "
                                f"{facility.licence_valid_until:%Y年%m月%d日} 到期，不能办理")  # fmt: skip
    fees = {}
    for code, label in Service.choices:
        raw = str(data.get(f"fee_{code}") or "").strip()
        if raw:
            fees[code] = _money(raw, f"{label}收费")
    if not fees:
        raise ServiceError("请至少填写一项基本服务收费（未收费的项目留空）")
    region = person.region_id if person else facility.region_id
    waiver = waiver_for(person, region, fees, disposed, f["youfu_cert_no"])
    f.update(deceased_name=name, deceased_id_number=id_number, region_id=region)
    return RecordInput(facility=facility, person=person, fields=f, fees=fees, waiver=waiver)


@transaction.atomic
def do_record(actor, data: dict) -> Record:
    """Write the record, its waiver and its audit entry, and push the death to 动态监测 in the same transaction."""
    from huimin.monitoring import services as monitoring

    checked = check_record(actor, data)
    person, f = checked.person, checked.fields
    record = Record.objects.create(
        number=f"tmp-{timezone.now().timestamp()}", facility=checked.facility, person=person,
        fees={k: str(v) for k, v in checked.fees.items()}, group=checked.waiver.group,
        waiver=checked.waiver.amount, waiver_basis=checked.waiver.as_basis(), created_by=_who(actor), **f,
    )  # fmt: skip
    record.number = f"BZ{f['disposed_on']:%Y}{record.pk:07d}"
    source = {
        "source": "funeral", "department": checked.facility.name, "record": record.number,
        "reporter": "火化" if f["disposal"] == Record.Disposal.CREMATION else "殡葬（安葬）",
        "death_date": f["death_date"].isoformat(), "as_of": today().isoformat(),
        "certificate": f"{Record.Certificate(f['certificate']).label} {f['certificate_no']}",
    }  # fmt: skip
    if person is None:
        signal = {"warnings": [], "note": "逝者未在对象库登记，无需推送"}
    elif person.is_deceased:
        signal = {"warnings": [], "note": "对象库已登记死亡，无需推送"}
    else:
        warnings = monitoring.raise_for_record(actor, person, kind="death", occurred_on=f["death_date"],
                                               record_key=f["death_date"].isoformat(), source=source)  # fmt: skip
        signal = {"warnings": [w.pk for w in warnings], "source": source,
                  "note": f"已推送动态监测，产生死亡预警 {len(warnings)} 条" if warnings
                  else "已推送动态监测；逝者不在任何死亡预警规则的监测范围内，未产生预警"}  # fmt: skip
    record.signal = signal
    record.save(update_fields=["number", "signal"])
    audit.record("funeral.record.create", record, after={
        "person": person.pk if person else None, "disposal": f["disposal"], "death_date": f["death_date"].isoformat(),
        "group": record.group, "waiver": str(record.waiver), "warnings": signal["warnings"],
    })  # fmt: skip
    return record


def repoint_person(keep: Person, drop: Person) -> None:
    """After the registry merges ``drop`` into ``keep``, a record of ``drop`` is ``keep``'s."""
    Record.objects.filter(person=drop).update(person=keep)


# --- the 身后事联办 checklist -------------------------------------------------------------------------------------

AFTER_DEATH = (
    ("hukou", "户口注销", "公安派出所", "凭死亡证明、火化证明和户口簿办理户口注销"),
    (
        "pension",
        "养老保险待遇停发与丧葬补助金、抚恤金",
        "人力资源和社会保障部门",
        "停发基本养老金，申领丧葬补助金和抚恤金",
    ),
    ("medical", "医疗保险注销", "医疗保障部门", "办理医保个人账户注销与继承"),
    ("housing_fund", "住房公积金提取", "住房公积金中心", "继承人提取逝者住房公积金余额"),
    ("property", "不动产、存款继承", "不动产登记机构、银行", "凭继承公证或生效法律文书办理"),
)


def checklist(record: Record) -> list[dict]:
    """身后事联办: what the family must still settle, with what Huimin knows of the two things it holds — the
    registry's death and the assistance benefits (through the death warnings of the record's signal)."""
    from huimin.monitoring.models import Warning

    items = []
    person = Person.objects.filter(pk=record.person_id).first()
    if person is not None:
        status = f"已登记（{person.death_date:%Y-%m-%d}）" if person.is_deceased else "待乡镇确认"
        items.append({"name": "对象库死亡登记", "where": "乡镇（街道）民政", "what": "确认死亡预警后登记",
                      "done": person.is_deceased, "status": status})  # fmt: skip
    warnings = list(Warning.objects.filter(pk__in=record.signal.get("warnings", [])).select_related("rule"))
    if warnings:
        done = all(w.status == Warning.Status.CLOSED for w in warnings)
        status = "；".join(f"{w.rule.name}：{w.get_status_display()}" for w in warnings)
        items.append({"name": "社会救助等待遇停发", "where": "乡镇（街道）民政", "done": done, "status": status,
                      "what": "自死亡次月起停发，多发部分追缴"})  # fmt: skip
    for _code, name, where, what in AFTER_DEATH:
        items.append({"name": name, "where": where, "what": what, "done": None, "status": "请家属办理"})
    return items


# --- configuration: facilities and 惠民殡葬 policies ---------------------------------------------------------------


def _region_for_write(actor, code: str) -> Region:
    code = (code or "").strip()
    region = Region.objects.filter(code=code).first() if code else None
    if region is None:
        raise ServiceError("请选择区划")
    require_region_in_scope(actor, region.code)
    return region


@transaction.atomic
def add_facility(actor, data: dict) -> Facility:
    require_capability(actor, cap.CONFIGURE, "登记殡葬服务单位")
    region = _region_for_write(actor, data.get("region"))
    name = (data.get("name") or "").strip()[:100]
    licence = (data.get("licence_no") or "").strip()[:60]
    if not name or not licence:
        raise ServiceError("请填写名称和批准文号/许可证号")
    kind = _choice(data.get("kind"), FacilityKind, "单位类型")
    try:
        capacity = int(str(data.get("capacity") or "0"))
        cold = int(str(data.get("cold_storage") or "0"))
    except ValueError as exc:
        raise ServiceError("设计能力和冷藏柜位应为整数") from exc
    if capacity < 0 or cold < 0:
        raise ServiceError("设计能力和冷藏柜位不能为负数")
    facility = Facility.objects.create(
        name=name, kind=kind, region=region, address=(data.get("address") or "").strip()[:200], licence_no=licence,
        licence_valid_until=_date(data.get("licence_valid_until"), "许可有效期", required=False), capacity=capacity,
        capacity_unit="穴位" if kind in (FacilityKind.PUBLIC_CEMETERY, FacilityKind.BUSINESS_CEMETERY) else "具/年",
        cold_storage=cold,
    )  # fmt: skip
    audit.record("funeral.facility.create", facility, after={"name": name, "kind": kind, "region": region.code})
    return facility


@transaction.atomic
def add_policy(actor, data: dict) -> WaiverPolicy:
    """A new 惠民殡葬 row (never an edit: a change is a new row from its date, the old one stays as history)."""
    require_capability(actor, cap.CONFIGURE, "设置惠民殡葬政策")
    code = (data.get("region") or "").strip()
    region = Region.objects.filter(code=code).first() if code else None
    if code and region is None:
        raise ServiceError("区划不存在")
    require_writable_region(actor, region, "惠民殡葬政策")
    group = _choice(data.get("group"), Group, "对象类别")
    services = [s for s in data.get("services", []) if s in Service.values]
    if not services:
        raise ServiceError("请至少选择一项减免的基本殡葬服务")
    cap_ = _money(data.get("cap"), "减免上限")
    effective = _date(data.get("effective_from"), "生效日期")
    programmes = {Group.DIBAO: ["assistance:dibao", "assistance:dibao_single"],
                  Group.TEKUN: ["assistance:tekun_scattered", "assistance:tekun_central"]}.get(group, [])  # fmt: skip
    policy = WaiverPolicy.objects.create(
        region=region, group=group, services=services, cap=cap_, programmes=programmes, effective_from=effective,
        basis=(data.get("basis") or "").strip()[:200], created_by=_who(actor),
    )  # fmt: skip
    audit.record("funeral.policy.create", policy, after={"group": group, "services": services, "cap": str(cap_),
                                                         "region": region.code if region else "",
                                                         "effective_from": effective.isoformat()})  # fmt: skip
    return policy


# --- settlements -------------------------------------------------------------------------------------------------


def month_of(value) -> datetime.date:
    value = (value or "").strip() if isinstance(value, str) else value
    if isinstance(value, datetime.date):
        return value.replace(day=1)
    try:
        return datetime.date.fromisoformat(f"{value}-01")
    except (TypeError, ValueError) as exc:
        raise ServiceError("结算月份应为年-月，如 2026-11") from exc


def _next_month(month: datetime.date) -> datetime.date:
    return (month + datetime.timedelta(days=32)).replace(day=1)


def settleable(facility: Facility, month: datetime.date):
    return Record.objects.filter(facility=facility, disposed_on__gte=month, disposed_on__lt=_next_month(month),
                                 waiver__gt=0, settlement__isnull=True)  # fmt: skip


@transaction.atomic
def prepare_settlement(actor, facility_id, month) -> Settlement:
    """The month's waivers of one funeral home not yet settled become a settlement 待审核."""
    from huimin.funeral.access import access_facility_by_id

    if not str(facility_id or "").strip():
        raise ServiceError("请选择殡葬服务单位")
    facility = access_facility_by_id(actor, facility_id, capability=cap.SETTLE, for_update=True)
    month = month_of(month)
    if month >= today().replace(day=1):
        raise BusinessRuleError(E.SETTLEMENT_STATE, "只能结算已结束的月份")
    if Settlement.objects.filter(facility=facility, month=month).exclude(status=Settlement.Status.RETURNED).exists():
        raise BusinessRuleError(E.SETTLEMENT_STATE, f"{facility.name} {month:%Y年%m月} 已有结算单")
    records = list(settleable(facility, month).select_for_update())
    if not records:
        raise BusinessRuleError(E.SETTLEMENT_EMPTY, f"{facility.name} {month:%Y年%m月} 没有待结算的减免")
    total = sum((r.waiver for r in records), rules.ZERO)
    s = Settlement.objects.create(facility=facility, month=month, records=len(records), total=total,
                                  prepared_by=_who(actor))  # fmt: skip
    Record.objects.filter(pk__in=[r.pk for r in records]).update(settlement=s)
    audit.record("funeral.settlement.prepare", s, after={"records": len(records), "total": str(total)})
    return s


@transaction.atomic
def act_on_settlement(actor, settlement: Settlement, action: str, note: str = "") -> Settlement:
    """审核 (review), 审批 (approve) or 退回 (return, releasing its records): three different people prepare,
    review and approve (职责分离)."""
    from huimin.funeral.access import access_settlement_by_id

    needed = {"review": cap.REVIEW, "approve": cap.APPROVE, "return": cap.REVIEW}.get(action)
    if needed is None:
        raise ServiceError("请选择审核、审批或退回")
    s = access_settlement_by_id(actor, settlement.pk, capability=needed, for_update=True)
    who = _who(actor)
    before = s.status
    note = (note or "").strip()
    if action == "review":
        if s.status != Settlement.Status.DRAFT:
            raise BusinessRuleError(E.SETTLEMENT_STATE, "只有待审核的结算单可以审核")
        if who == s.prepared_by:
            raise BusinessRuleError(E.DUTY_CONFLICT, "同一人不能既制表又审核（职责分离）")
        s.status, s.reviewed_by, s.reviewed_at = Settlement.Status.REVIEWED, who, timezone.now()
    elif action == "approve":
        if s.status != Settlement.Status.REVIEWED:
            raise BusinessRuleError(E.SETTLEMENT_STATE, "只有已审核的结算单可以审批")
        if who in (s.prepared_by, s.reviewed_by):
            raise BusinessRuleError(E.DUTY_CONFLICT, "审批人不能是制表人或审核人（职责分离）")
        s.status, s.approved_by, s.approved_at = Settlement.Status.APPROVED, who, timezone.now()
    else:
        if s.status not in (Settlement.Status.DRAFT, Settlement.Status.REVIEWED):
            raise BusinessRuleError(E.SETTLEMENT_STATE, "已审批的结算单不能退回")
        if not note:
            raise ServiceError("退回须说明理由")
        s.status = Settlement.Status.RETURNED
        Record.objects.filter(settlement=s).update(settlement=None)
    if note:
        s.note = (s.note + "\n" if s.note else "") + f"{who}：{note}"
    s.save()
    audit.record(f"funeral.settlement.{action}", s, before={"status": before}, after={"status": s.status},
                 detail=note[:300])  # fmt: skip
    return s


# --- supervision -------------------------------------------------------------------------------------------------


@transaction.atomic
def record_inspection(actor, data: dict) -> Inspection:
    from huimin.funeral.access import access_facility_by_id

    if not str(data.get("facility") or "").strip():
        raise ServiceError("请选择公墓")
    facility = access_facility_by_id(actor, data.get("facility"), capability=cap.SUPERVISE)
    if not facility.is_cemetery:
        raise BusinessRuleError(E.INSPECTION_STATE, "年检只适用于公墓")
    inspected = _date(data.get("inspected_on"), "检查日期")
    if inspected > today():
        raise ServiceError("检查日期不能晚于今天")
    if Inspection.objects.filter(facility=facility, year=inspected.year).exists():
        raise BusinessRuleError(E.INSPECTION_STATE, f"{facility.name} {inspected.year} 年度已年检")
    result = _choice(data.get("result"), Inspection.Result, "年检结论")
    findings = (data.get("findings") or "").strip()
    if not findings:
        raise ServiceError("请填写检查情况")
    rectify_by = _date(data.get("rectify_by"), "整改期限", required=result == Inspection.Result.RECTIFY)
    i = Inspection.objects.create(facility=facility, year=inspected.year, inspected_on=inspected, result=result,
                                  findings=findings, rectify_by=rectify_by, inspector=_who(actor))  # fmt: skip
    audit.record("funeral.inspection.create", i, after={"facility": facility.pk, "result": result})
    return i


@transaction.atomic
def report_burial(actor, data: dict) -> BurialReport:
    require_capability(actor, cap.SUPERVISE, "登记违规殡葬举报")
    region = _region_for_write(actor, data.get("region"))
    fields = {k: (data.get(k) or "").strip() for k in ("location", "reporter", "description")}
    if not all(fields.values()):
        raise ServiceError("请填写具体位置、举报人/来源和情况")
    reported = _date(data.get("reported_on"), "举报日期")
    if reported > today():
        raise ServiceError("举报日期不能晚于今天")
    r = BurialReport.objects.create(region=region, reported_on=reported, created_by=_who(actor),
                                    location=fields["location"][:200], reporter=fields["reporter"][:100],
                                    description=fields["description"])  # fmt: skip
    audit.record("funeral.burial_report.create", r, after={"region": region.code})
    return r


@transaction.atomic
def handle_report(actor, report: BurialReport, status: str, outcome: str) -> BurialReport:
    from huimin.funeral.access import access_report_by_id

    r = access_report_by_id(actor, report.pk, capability=cap.SUPERVISE, for_update=True)
    if r.status != BurialReport.Status.OPEN:
        raise BusinessRuleError(E.REPORT_STATE, "该举报已处理")
    if status not in (BurialReport.Status.RECTIFIED, BurialReport.Status.UNFOUNDED):
        raise ServiceError("请选择处理结果")
    if not (outcome or "").strip():
        raise ServiceError("请填写处理结果")
    r.status, r.outcome, r.handled_by, r.handled_at = status, outcome.strip(), _who(actor), timezone.now()
    r.save()
    audit.record("funeral.burial_report.handle", r, before={"status": "open"}, after={"status": status})
    return r


# --- statistics --------------------------------------------------------------------------------------------------


def statistics(actor, year: int) -> list[dict]:
    """Per county of the actor's subtree, for ``year``: deaths (the registry's and the records'), cremations,
    the cremation rate, waivers computed and waivers paid (approved settlements)."""
    start, end = datetime.date(year, 1, 1), datetime.date(year + 1, 1, 1)
    records = scoped(Record.objects.filter(death_date__gte=start, death_date__lt=end), actor, "region", cap.VIEW)
    dead = scoped(Person.objects.filter(is_deceased=True, death_date__gte=start, death_date__lt=end), actor,
                  "region", cap.VIEW)  # fmt: skip
    rows: dict[str, dict] = {}

    def row(code: str) -> dict:
        county = regions.ancestor_code(code, regions.COUNTY) if len(code) == 12 else code
        return rows.setdefault(county, {"county": county, "deaths": set(), "cremations": 0, "burials": 0,
                                        "waived": rules.ZERO, "paid": rules.ZERO})  # fmt: skip

    for person_id, code in dead.values_list("pk", "region_id"):
        row(code)["deaths"].add(person_id)
    rows_ = records.values_list("pk", "person_id", "region_id", "disposal", "waiver")
    for pk, person_id, code, disposal, waiver in rows_:
        r = row(code)
        r["deaths"].add(person_id or f"record-{pk}")
        r["cremations" if disposal == Record.Disposal.CREMATION else "burials"] += 1
        r["waived"] += waiver
    paid = scoped(Record.objects.filter(settlement__status=Settlement.Status.APPROVED, settlement__month__gte=start,
                                        settlement__month__lt=end), actor, "region", cap.VIEW)  # fmt: skip
    for code, waiver in paid.values_list("region_id", "waiver"):
        row(code)["paid"] += waiver
    names = dict(Region.objects.filter(code__in=list(rows)).values_list("code", "name"))
    out = []
    for county, r in sorted(rows.items()):
        deaths = len(r["deaths"])
        rate = (Decimal(r["cremations"] * 100) / deaths).quantize(Decimal("0.1")) if deaths else None
        out.append({**r, "name": names.get(county, county), "deaths": deaths, "rate": rate})
    return out


def paid_total(actor, year: int) -> Decimal:
    qs = scoped(Settlement.objects.filter(status=Settlement.Status.APPROVED, month__year=year), actor,
                "facility__region", cap.VIEW)  # fmt: skip
    return qs.aggregate(t=Sum("total"))["t"] or rules.ZERO
