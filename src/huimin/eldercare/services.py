"""Services of 养老机构、社区养老服务设施和适老化改造. Every state change checks capability and scope, applies the
rules, runs in one transaction and writes the audit entry; a refusal is a Chinese message and nothing is written.

Who is in 特困集中供养, 低保 or 特困 is read through the registry's programme hook
(``registry.search.PROGRAMME_FILTERS``, filled by assistance): this app imports nothing of assistance."""

import datetime
import functools
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from huimin.core import audit, duties, parse, regions
from huimin.core.access import BusinessRuleError, NotInScope, require_capability
from huimin.core.models import Region
from huimin.core.scope import in_scope
from huimin.eldercare import capabilities as cap
from huimin.eldercare import rules
from huimin.eldercare.access import (
    access_facility_by_id,
    access_institution_by_id,
    access_resident_by_id,
    access_retrofit_by_id,
)
from huimin.eldercare.error_codes import EldercareErrorCode as E
from huimin.eldercare.models import (
    Abnormal,
    BedType,
    Facility,
    FacilityUse,
    Institution,
    Rating,
    Resident,
    Retrofit,
    Staff,
)
from huimin.registry.models import Household


def today() -> datetime.date:
    return timezone.localdate()


_date = functools.partial(parse.date, code=E.BAD_DATE, not_future=True)


def _text(value, what: str, limit: int = 200) -> str:
    text = str(value or "").strip()
    if not text:
        raise BusinessRuleError(E.REQUIRED, f"请填写{what}")
    if len(text) > limit:
        raise BusinessRuleError(E.REQUIRED, f"{what}不能超过 {limit} 字")
    return text


def _int(value, what: str, low: int = 0, high: int = 100000) -> int:
    try:
        n = int(str(value).strip())
    except (TypeError, ValueError) as exc:
        raise BusinessRuleError(E.BAD_NUMBER, f"{what}须为整数") from exc
    if not low <= n <= high:
        raise BusinessRuleError(E.BAD_NUMBER, f"{what}须在 {low} 到 {high} 之间")
    return n


def _money(value, what: str) -> Decimal:
    return parse.money(value, what, E.BAD_NUMBER, above=True)


def _choice(value, choices, what: str) -> str:
    if value not in choices.values:
        raise BusinessRuleError(E.BAD_CHOICE, f"请选择{what}")
    return value


def _region(actor, code) -> Region:
    if not str(code or "").strip():
        raise BusinessRuleError(E.REQUIRED, "请选择所在的乡镇（街道）或村（社区）")
    code = regions.full_code(str(code).strip())
    if not in_scope(actor, code):
        raise NotInScope("区划不存在或不在您的管辖范围内")
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise NotInScope("区划不存在或不在您的管辖范围内")
    if region.level < regions.TOWNSHIP:
        raise BusinessRuleError(E.BAD_CHOICE, "请选择机构或设施所在的乡镇（街道）或村（社区）")
    return region


def _in_programmes(household_ids, codes) -> set[int]:
    from huimin.registry.search import PROGRAMME_FILTERS

    found: set[int] = set()
    ids = [h for h in household_ids if h]
    if not ids:
        return found
    for f in PROGRAMME_FILTERS:
        for code, _ in f.choices():
            if code in codes:
                hits = Household.objects.filter(pk__in=ids).filter(pk__in=f.household_ids(code))
                found |= set(hits.values_list("pk", flat=True))
    return found


def tekun_central_persons(persons) -> set[int]:
    """Which of ``persons`` (registry persons) belong to a household in 特困人员集中供养 (the assistance module's
    enrolments, read through the registry's programme hook)."""
    persons = list(persons)
    households = _in_programmes({p.household_id for p in persons}, {rules.TEKUN_CENTRAL})
    return {p.pk for p in persons if p.household_id in households}


# --- institutions --------------------------------------------------------------------------------------------------


def check_institution(actor, data: dict) -> dict:
    require_capability(actor, cap.REGISTER, "登记养老机构")
    region = _region(actor, data.get("region"))
    code = rules.compact_uscc(str(data.get("uscc", "")).strip().upper())
    if not code:
        raise BusinessRuleError(E.REQUIRED, "请填写统一社会信用代码")
    problem = rules.uscc_problem(code)
    if problem:
        raise BusinessRuleError(E.BAD_USCC, problem)
    if Institution.objects.filter(uscc=code).exists():
        raise BusinessRuleError(E.DUPLICATE_USCC, f"统一社会信用代码 {code} 已有机构备案")
    return {
        "name": _text(data.get("name"), "机构名称", 100),
        "kind": _choice(data.get("kind"), Institution.Kind, "机构性质"),
        "uscc": code, "operator": _text(data.get("operator"), "运营方", 100),
        "address": _text(data.get("address"), "地址"), "region": region,
        "filed_on": _date(data.get("filed_on"), "备案日期"),
        "nursing_beds": _int(data.get("nursing_beds", 0) or 0, "护理型床位数"),
        "general_beds": _int(data.get("general_beds", 0) or 0, "非护理型床位数"),
    }  # fmt: skip


def register_institution(actor, data: dict) -> Institution:
    values = check_institution(actor, data)
    with transaction.atomic():
        row = Institution.objects.create(registered_by=actor, **values)
        audit.record("eldercare.institution.register", row, after={"uscc": row.uscc, "kind": row.kind,
                     "nursing_beds": row.nursing_beds, "general_beds": row.general_beds})  # fmt: skip
    return row


def occupied(institution) -> dict[str, int]:
    counts = {BedType.NURSING: 0, BedType.GENERAL: 0}
    for bed_type in Resident.objects.filter(institution=institution, left_on__isnull=True).values_list(
        "bed_type", flat=True
    ):
        counts[bed_type] += 1
    return counts


def set_beds(actor, pk, *, nursing, general, status=None) -> Institution:
    with transaction.atomic():
        row = access_institution_by_id(actor, pk, capability=cap.REGISTER, for_update=True)
        nursing, general = _int(nursing, "护理型床位数"), _int(general, "非护理型床位数")
        used = occupied(row)
        if nursing < used[BedType.NURSING] or general < used[BedType.GENERAL]:
            raise BusinessRuleError(E.BEDS_FULL, f"床位数不能少于在住人数（护理型 {used[BedType.NURSING]} 人，"
                                    f"非护理型 {used[BedType.GENERAL]} 人）")  # fmt: skip
        before = {"nursing_beds": row.nursing_beds, "general_beds": row.general_beds, "status": row.status}
        row.nursing_beds, row.general_beds = nursing, general
        if status:
            row.status = _choice(status, Institution.Status, "运营状态")
        row.save(update_fields=["nursing_beds", "general_beds", "status"])
        audit.record("eldercare.institution.beds", row, before=before,
                     after={"nursing_beds": nursing, "general_beds": general, "status": row.status})  # fmt: skip
    return row


def admit(actor, institution_pk, *, person_pk, bed_type, admitted_on) -> Resident:
    from huimin.elderly import rules as elderly_rules
    from huimin.elderly.services import register_age
    from huimin.registry.access import access_person_by_id

    with transaction.atomic():
        institution = access_institution_by_id(actor, institution_pk, capability=cap.REGISTER, for_update=True)
        if not str(person_pk or "").strip():
            raise BusinessRuleError(E.REQUIRED, "请填写入住老人（人员库编号）")
        person = access_person_by_id(actor, person_pk)
        bed_type = _choice(bed_type, BedType, "床位类型")
        day = _date(admitted_on, "入住日期")
        if not elderly_rules.is_elderly(person, day, register_age()):
            raise BusinessRuleError(
                E.NOT_ELDERLY, f"{person.name}在 {day:%Y-%m-%d} 不在老年人名册中（未达年龄、已死亡或已合并）"
            )
        current = Resident.objects.filter(person=person, left_on__isnull=True).select_related("institution").first()
        if current:
            raise BusinessRuleError(E.ALREADY_RESIDENT, f"{person.name}已入住{current.institution.name}，请先办理离院")
        capacity = institution.nursing_beds if bed_type == BedType.NURSING else institution.general_beds
        if occupied(institution)[bed_type] >= capacity:
            raise BusinessRuleError(E.BEDS_FULL, f"{institution.name}的{BedType(bed_type).label}已满（{capacity} 张）")
        row = Resident.objects.create(institution=institution, person=person, bed_type=bed_type, admitted_on=day)
        audit.record("eldercare.resident.admit", institution, after={"person": person.pk, "bed_type": bed_type,
                     "admitted_on": day})  # fmt: skip
    return row


def discharge(actor, resident_pk, *, left_on) -> Resident:
    with transaction.atomic():
        row = access_resident_by_id(actor, resident_pk, for_update=True)
        if row.left_on:
            raise BusinessRuleError(E.STATE, "该老人已离院")
        day = _date(left_on, "离院日期")
        if day < row.admitted_on:
            raise BusinessRuleError(E.BAD_DATE, "离院日期不能早于入住日期")
        row.left_on = day
        row.save(update_fields=["left_on"])
        audit.record("eldercare.resident.discharge", row.institution, after={"person": row.person_id, "left_on": day})
    return row


def add_staff(actor, institution_pk, data: dict) -> Staff:
    with transaction.atomic():
        institution = access_institution_by_id(actor, institution_pk, capability=cap.REGISTER, for_update=True)
        row = Staff.objects.create(
            institution=institution, name=_text(data.get("name"), "姓名", 50),
            post=_choice(data.get("post"), Staff.Post, "岗位"),
            qualification=str(data.get("qualification", "")).strip()[:100],
            certificate_no=str(data.get("certificate_no", "")).strip()[:50],
            hired_on=_date(data.get("hired_on"), "入职日期"),
        )  # fmt: skip
        audit.record("eldercare.staff.add", institution, after={"staff": row.pk, "post": row.post})
    return row


def rate(actor, institution_pk, *, stars, rated_on, valid_until, basis) -> Rating:
    with transaction.atomic():
        institution = access_institution_by_id(actor, institution_pk, capability=cap.APPROVE, for_update=True)
        stars = _int(stars, "星级", 1, 5)
        day = _date(rated_on, "评定日期")
        until = _date(valid_until, "有效期至", not_future=False)
        if until <= day:
            raise BusinessRuleError(E.BAD_DATE, "有效期须晚于评定日期")
        row = Rating.objects.create(institution=institution, stars=stars, rated_on=day, valid_until=until,
                                    basis=_text(basis, "评定依据"), rated_by=actor)  # fmt: skip
        audit.record("eldercare.rating", institution, after={"stars": stars, "rated_on": day, "valid_until": until})
    return row


def current_rating(institution, day=None) -> Rating | None:
    day = day or today()
    return institution.ratings.filter(rated_on__lte=day, valid_until__gte=day).order_by("-rated_on", "-pk").first()


ABNORMAL = "eldercare.abnormal"  # core.duties procedure (registered in EldercareConfig.ready)


def list_abnormal(actor, institution_pk, *, reason) -> Abnormal:
    with transaction.atomic():
        institution = access_institution_by_id(actor, institution_pk, capability=cap.APPROVE, for_update=True)
        if institution.abnormal.filter(removed_on__isnull=True).exists():
            raise BusinessRuleError(E.ABNORMAL, f"{institution.name}已在异常名录中")
        row = Abnormal.objects.create(institution=institution, reason=_text(reason, "列入原因"), listed_on=today(),
                                      listed_by=actor)  # fmt: skip
        audit.record("eldercare.abnormal.list", institution, detail=row.reason)
    return row


def unlist_abnormal(actor, institution_pk, *, note) -> Abnormal:
    with transaction.atomic():
        institution = access_institution_by_id(actor, institution_pk, capability=cap.APPROVE, for_update=True)
        row = institution.abnormal.filter(removed_on__isnull=True).first()
        if row is None:
            raise BusinessRuleError(E.ABNORMAL, f"{institution.name}不在异常名录中")
        duties.check(actor, ABNORMAL, "remove", {"list": row.listed_by.username})
        row.removed_on, row.removed_by, row.removal_note = today(), actor, _text(note, "移出原因")
        row.save()
        audit.record("eldercare.abnormal.remove", institution, detail=row.removal_note)
    return row


def credit_record(institution) -> list[dict]:
    """The institution's credit record: what supervision found (serious findings, overdue rectifications,
    substantiated complaints, major risks), ratings and the 异常 list, newest first."""
    from huimin.supervision import services as supervision

    found = supervision.record_of("eldercare.institution", institution.pk)
    day = today()
    events = []
    for f in found["findings"]:
        if f.severity == "serious":
            events.append((f.inspection.inspected_on, "不良", f"检查发现严重问题：{f.description}"))
        if f.status == "open" and f.deadline < day:
            events.append((f.deadline, "不良", f"逾期未整改：{f.description}（期限 {f.deadline:%Y-%m-%d}）"))
    for c in found["complaints"]:
        if c.outcome == "substantiated":
            events.append((c.handled_on or c.received_on, "不良", f"投诉属实：{c.outcome_note}"))
    for r in found["risks"]:
        if r.level == "major":
            events.append((r.identified_on, "不良", f"重大{r.get_category_display()}风险：{r.description}"))
    for r in institution.ratings.all():
        events.append((r.rated_on, "良好", f"等级评定 {r.stars} 星（有效期至 {r.valid_until:%Y-%m-%d}）"))
    for a in institution.abnormal.all():
        events.append((a.listed_on, "不良", f"列入异常名录：{a.reason}"))
        if a.removed_on:
            events.append((a.removed_on, "良好", f"移出异常名录：{a.removal_note}"))
    return [{"date": d, "kind": k, "text": t} for d, k, t in sorted(events, key=lambda e: e[0], reverse=True)]


# --- community facilities ------------------------------------------------------------------------------------------


def register_facility(actor, data: dict) -> Facility:
    require_capability(actor, cap.REGISTER, "登记社区养老服务设施")
    region = _region(actor, data.get("region"))
    values = {
        "kind": _choice(data.get("kind"), Facility.Kind, "设施类型"), "name": _text(data.get("name"), "名称", 100),
        "region": region, "address": _text(data.get("address"), "地址"),
        "operator": str(data.get("operator", "")).strip()[:100],
        "status": _choice(data.get("status") or Facility.Status.OPEN, Facility.Status, "开放状态"),
        "status_since": _date(data.get("status_since"), "状态起始日期"),
        "capacity": _int(data.get("capacity", 0) or 0, "服务能力"),
    }  # fmt: skip
    with transaction.atomic():
        row = Facility.objects.create(**values)
        audit.record("eldercare.facility.register", row, after={"kind": row.kind, "status": row.status})
    return row


def set_facility_status(actor, pk, *, status, since) -> Facility:
    with transaction.atomic():
        row = access_facility_by_id(actor, pk, capability=cap.REGISTER, for_update=True)
        status = _choice(status, Facility.Status, "开放状态")
        day = _date(since, "状态起始日期")
        before = {"status": row.status, "since": row.status_since}
        row.status, row.status_since = status, day
        row.save(update_fields=["status", "status_since"])
        audit.record("eldercare.facility.status", row, before=before, after={"status": status, "since": day})
    return row


def record_use(actor, pk, *, month, visits, meals) -> FacilityUse:
    with transaction.atomic():
        row = access_facility_by_id(actor, pk, capability=cap.REGISTER, for_update=True)
        text = str(month or "").strip()
        try:
            first = datetime.date.fromisoformat(f"{text}-01" if len(text) == 7 else text).replace(day=1)
        except ValueError as exc:
            raise BusinessRuleError(E.BAD_DATE, "月份格式应为 2026-11") from exc
        if first > today():
            raise BusinessRuleError(E.BAD_DATE, "不能登记未来月份的使用情况")
        counts = {"visits": _int(visits or 0, "服务人次", 0, 10**7), "meals": _int(meals or 0, "助餐份数", 0, 10**7)}
        use, _ = FacilityUse.objects.update_or_create(facility=row, month=first, defaults=counts)
        audit.record("eldercare.facility.use", row, after={"month": first, "visits": use.visits, "meals": use.meals})
    return use


# --- 适老化改造 ----------------------------------------------------------------------------------------------------


def poor_basis(person) -> str:
    """Why the family counts as a poor older family ('' when it does not): a household in 低保 or 特困 (the
    programme hook) or a confirmed 特殊困难老年人 category of the person."""
    from huimin.elderly.models import CategoryMark

    if person.household_id and _in_programmes({person.household_id}, set(rules.POOR_PROGRAMMES)):
        return "低保或特困家庭"
    marks = CategoryMark.objects.filter(person=person, status=CategoryMark.Status.CONFIRMED).select_related("category")
    names = [m.category.name for m in marks]
    return f"特殊困难老年人（{'、'.join(names)}）" if names else ""


def apply_retrofit(actor, *, person_pk, applied_on) -> Retrofit:
    from huimin.elderly import rules as elderly_rules
    from huimin.elderly.services import register_age
    from huimin.registry.access import access_person_by_id

    require_capability(actor, cap.REGISTER, "受理适老化改造申请")
    if not str(person_pk or "").strip():
        raise BusinessRuleError(E.REQUIRED, "请填写申请的老年人（人员库编号）")
    with transaction.atomic():
        person = access_person_by_id(actor, person_pk)
        day = _date(applied_on, "申请日期")
        if not elderly_rules.is_elderly(person, day, register_age()):
            raise BusinessRuleError(E.NOT_ELDERLY, f"{person.name}在 {day:%Y-%m-%d} 不在老年人名册中")
        if not person.household_id:
            raise BusinessRuleError(E.NOT_ELIGIBLE, f"{person.name}没有登记家庭，不能申请居家适老化改造")
        basis = poor_basis(person)
        if not basis:
            raise BusinessRuleError(E.NOT_ELIGIBLE, f"{person.name}的家庭不是低保、特困家庭，"
                                    "也没有已确认的特殊困难老年人类别，不属于适老化改造对象")  # fmt: skip
        Household.objects.select_for_update().filter(pk=person.household_id).first()
        other = (
            Retrofit.objects.filter(household_id=person.household_id).exclude(status=Retrofit.Status.REJECTED).first()
        )
        if other:
            raise BusinessRuleError(
                E.ALREADY_APPLIED, f"该家庭已有适老化改造申请（{other.get_status_display()}），补贴只发放一次"
            )
        row = Retrofit.objects.create(person=person, household_id=person.household_id, region_id=person.region_id,
                                      applied_on=day, basis=basis, recorded_by=actor)  # fmt: skip
        audit.record("eldercare.retrofit.apply", row, after={"basis": basis})
    return row


# action → (capability, from statuses, to status)
RETROFIT_ACTIONS = {
    "assess": (cap.ASSESS, (Retrofit.Status.APPLIED,), Retrofit.Status.ASSESSED),
    "reject": (cap.ASSESS, (Retrofit.Status.APPLIED, Retrofit.Status.ASSESSED), Retrofit.Status.REJECTED),
    "start": (cap.REGISTER, (Retrofit.Status.ASSESSED,), Retrofit.Status.WORKS),
    "finish": (cap.REGISTER, (Retrofit.Status.WORKS,), Retrofit.Status.DONE),
    "accept": (cap.ASSESS, (Retrofit.Status.DONE,), Retrofit.Status.ACCEPTED),
    "approve": (cap.APPROVE, (Retrofit.Status.ACCEPTED,), Retrofit.Status.APPROVED),
    "pay": (cap.REGISTER, (Retrofit.Status.APPROVED,), Retrofit.Status.PAID),
}
# the steps of core.duties procedure eldercare.retrofit (registered in EldercareConfig.ready) → who did each
RETROFIT = "eldercare.retrofit"
RETROFIT_STEPS = {"apply": "recorded_by", "assess": "assessed_by", "accept": "accepted_by", "approve": "approved_by",
                  "pay": "paid_by"}  # fmt: skip
ACTION_LABELS = {"assess": "入户评估", "reject": "不予改造", "start": "开工", "finish": "完工", "accept": "验收",
                 "approve": "审批补贴", "pay": "登记发放"}  # fmt: skip


def retrofit_act(actor, pk, action: str, data: dict) -> Retrofit:
    if action not in RETROFIT_ACTIONS:
        raise BusinessRuleError(E.BAD_CHOICE, "没有这项操作")
    capability, sources, target = RETROFIT_ACTIONS[action]
    with transaction.atomic():
        row = access_retrofit_by_id(actor, pk, capability=cap.REGISTER, for_update=True)  # outside: 404 first
        require_capability(actor, capability, ACTION_LABELS[action])
        if row.status not in sources:
            raise BusinessRuleError(E.STATE, f"该申请{row.get_status_display()}，不能{ACTION_LABELS[action]}")
        day = _date(data.get("date"), f"{ACTION_LABELS[action]}日期")
        if action in RETROFIT_STEPS:  # 职责分离: the rules of core.duties procedure eldercare.retrofit
            done_by = {step: getattr(row, who) for step, who in RETROFIT_STEPS.items()}
            duties.check(actor, RETROFIT, action, {step: u.username for step, u in done_by.items() if u})
        if action == "assess":
            row.items = _text(data.get("items"), "改造项目", 2000)
            row.estimated_cost = _money(data.get("estimated_cost"), "评估费用")
            row.assessed_by, row.assessed_on = actor, day
        elif action == "reject":
            row.note = _text(data.get("note"), "不予改造的理由")
        elif action == "start":
            row.contractor = _text(data.get("contractor"), "施工单位", 100)
            row.works_started_on = day
        elif action == "finish":
            if day < row.works_started_on:
                raise BusinessRuleError(E.BAD_DATE, "完工日期不能早于开工日期")
            row.works_done_on = day
        elif action == "accept":
            if day < row.works_done_on:
                raise BusinessRuleError(E.BAD_DATE, "验收日期不能早于完工日期")
            row.accepted_by, row.accepted_on = actor, day
            row.note = str(data.get("note", "")).strip()[:200]
        elif action == "approve":
            amount = _money(data.get("subsidy"), "补贴金额")
            cap_amount = min(rules.RETROFIT_SUBSIDY_CAP, row.estimated_cost)
            if amount > cap_amount:
                raise BusinessRuleError(E.OVER_CAP, f"补贴金额不能超过 {cap_amount} 元（每户上限 "
                                        f"{rules.RETROFIT_SUBSIDY_CAP} 元，且不超过评估费用）")  # fmt: skip
            row.subsidy, row.approved_by, row.approved_on = amount, actor, day
        elif action == "pay":
            if day < row.approved_on:
                raise BusinessRuleError(E.BAD_DATE, "发放日期不能早于审批日期")
            row.paid_on, row.paid_by = day, actor
        before = row.status
        row.status = target
        row.save()
        audit.record(f"eldercare.retrofit.{action}", row, before={"status": before},
                     after={"status": target, "subsidy": row.subsidy})  # fmt: skip
    return row
