"""Every state change of 地名管理. Each checks the capability and the region, applies the rules, writes in one
transaction with its audit entry, and refuses with a Chinese message (``BusinessRuleError``) changing nothing."""

import datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from huimin.core import audit, duties, regions
from huimin.core.access import BusinessRuleError, NotInScope, require_capability, require_writable_region
from huimin.core.models import Region
from huimin.core.scope import in_scope, scoped, subtree
from huimin.places import capabilities as cap
from huimin.places import rules
from huimin.places.error_codes import PlacesErrorCode as E
from huimin.places.models import AddressLink, NameHistory, NamingRule, PlaceKind, PlaceName, Proposal, Sign

NAMING = "places.naming"  # core.duties: 申报 and 审批 of a name are two people's


def today() -> datetime.date:
    return timezone.localdate()


def places(actor):
    return scoped(PlaceName.objects.select_related("region"), actor, "region", capability=cap.VIEW)


def _text(value, what: str, max_length: int, *, required: bool = True) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise BusinessRuleError(E.INVALID, f"请填写{what}")
    if len(text) > max_length:
        raise BusinessRuleError(E.INVALID, f"{what}不超过 {max_length} 个字")
    return text


def _coordinate(value, what: str, low: int, high: int) -> Decimal | None:
    text = str(value or "").strip()
    if not text:
        return None
    try:
        number = Decimal(text).quantize(Decimal("0.000001"))
    except InvalidOperation:
        raise BusinessRuleError(E.INVALID, f"{what}应为数字（度，如 32.973）") from None
    if not low <= number <= high:
        raise BusinessRuleError(E.INVALID, f"{what}应在 {low} 至 {high} 度之间")
    return number


def _date(value, what: str) -> datetime.date:
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value or "").strip())
    except ValueError:
        raise BusinessRuleError(E.INVALID, f"{what}应为日期（如 2026-12-01）") from None


def _region(actor, code) -> Region:
    region = Region.objects.filter(code=str(code or "").strip(), is_active=True).first()
    if region is None or not in_scope(actor, region.code):
        raise NotInScope("所在区划不存在或不在您的管辖范围内")
    if region.level < regions.COUNTY:
        raise BusinessRuleError(E.INVALID, "地名须定位到县级或以下区划")
    return region


# --- naming rules ------------------------------------------------------------------------------------------------


def rules_for(county_code: str) -> list[rules.Rule]:
    """The naming rules in force in a county: those for everywhere and those of a region covering the county."""
    county12 = regions.full_code(county_code)
    rows = NamingRule.objects.filter(ended_at__isnull=True)
    return [
        rules.Rule(r.kind, r.value, r.basis)
        for r in rows
        if r.region_id is None or regions.covers(r.region_id, county12)
    ]


def violations(name: str, kind: str, county_code: str, *, except_place: int | None = None) -> list[rules.Violation]:
    same = PlaceName.objects.filter(county_code=county_code, kind=kind, is_active=True)
    if except_place:
        same = same.exclude(pk=except_place)
    return rules.check_name(
        name, PlaceKind(kind).label, rules_for(county_code), set(same.values_list("name", flat=True))
    )


def _refuse_violations(found: list[rules.Violation]) -> None:
    if found:
        raise BusinessRuleError(E.NAMING_RULE, "；".join(v.message for v in found))


@transaction.atomic
def add_rule(actor, kind: str, value: str, region_code: str = "", basis: str = "") -> NamingRule:
    require_capability(actor, cap.CONFIGURE, "设置地名命名规则")
    if kind not in NamingRule.Kind.values:
        raise BusinessRuleError(E.INVALID, "请选择规则类型")
    value = _text(value, "字、词或名称", 50, required=kind != NamingRule.Kind.UNIQUE_IN_COUNTY)
    if kind == NamingRule.Kind.FORBIDDEN_CHAR and len(value) != 1:
        raise BusinessRuleError(E.INVALID, "禁用字须为单个汉字")
    region = None
    if region_code:
        region = Region.objects.filter(code=region_code).first()
        if region is None:
            raise NotInScope("适用区划不存在或不在您的管辖范围内")
    require_writable_region(actor, region, "适用区划")
    rule = NamingRule.objects.create(kind=kind, value=value, region=region, basis=_text(basis, "依据", 200,
                                     required=False), created_by=actor.username)  # fmt: skip
    audit.record("places.rule.add", rule, after={"kind": kind, "value": value, "region": region_code})
    return rule


@transaction.atomic
def end_rule(actor, pk) -> NamingRule:
    require_capability(actor, cap.CONFIGURE, "停用地名命名规则")
    rule = NamingRule.objects.select_for_update().filter(pk=pk).first()
    if rule is None:
        raise NotInScope("该规则不存在或不在您的管辖范围内")
    require_writable_region(actor, rule.region_id, "该规则")
    if rule.ended_at:
        raise BusinessRuleError(E.RULE_STATE, "该规则已停用")
    rule.ended_at, rule.ended_by = timezone.now(), actor.username
    rule.save(update_fields=["ended_at", "ended_by"])
    audit.record("places.rule.end", rule, before={"kind": rule.kind, "value": rule.value})
    return rule


# --- proposals: 命名 and 更名 -----------------------------------------------------------------------------------


def check_proposal(actor, type_: str, data: dict, place_pk=None) -> dict:
    """Validate a proposal and apply the naming rules; writes nothing. Returns the clean fields."""
    require_capability(actor, cap.PROPOSE, "申报地名命名、更名")
    place = None
    if type_ == Proposal.Type.RENAME:
        place = places(actor).filter(pk=place_pk, is_active=True).first() if str(place_pk or "").isdigit() else None
        if place is None:
            raise NotInScope("要更名的地名不存在或不在您的管辖范围内")
        region, kind = place.region, place.kind
    elif type_ == Proposal.Type.NEW:
        kind = str(data.get("kind") or "")
        if kind not in PlaceKind.values:
            raise BusinessRuleError(E.INVALID, "请选择地名类别")
        region = _region(actor, data.get("region"))
    else:
        raise BusinessRuleError(E.INVALID, "未知的申报类型")
    name = str(data.get("name") or "").strip()
    if place is not None and name == place.name:
        raise BusinessRuleError(E.INVALID, "更名的拟用名称与现名称相同")
    _refuse_violations(violations(name, kind, region.code[:6], except_place=place.pk if place else None))
    given = str(data.get("pinyin") or "").strip()
    if given and not rules.pinyin_matches(name, given):
        raise BusinessRuleError(
            E.PINYIN, f"汉语拼音“{given}”与“{name}”的读音不符（按规则拼写为“{rules.standard_pinyin(name)}”）"
        )
    if (
        pending := Proposal.objects.filter(status=Proposal.Status.SUBMITTED)
        .filter(Q(place=place) if place else Q(name=name, kind=kind) & subtree("region", region.code[:6]))
        .first()
    ):
        raise BusinessRuleError(E.PROPOSAL_STATE, f"已有待审批的申请 {pending.number}，请待其审批后再申报")
    return {
        "place": place,
        "name": name,
        "pinyin": given[:200] or rules.standard_pinyin(name),
        "kind": kind,
        "region": region,
        "latitude": _coordinate(data.get("latitude"), "纬度", -90, 90),
        "longitude": _coordinate(data.get("longitude"), "经度", -180, 180),
        "meaning": _text(data.get("meaning"), "含义及由来", 300, required=False),
        "reason": _text(data.get("reason"), "申请理由", 300),
    }


def _number() -> str:
    prefix = f"DM{today():%Y}"
    last = Proposal.objects.select_for_update().filter(number__startswith=prefix).order_by("-number").first()
    seq = int(last.number[len(prefix) :]) + 1 if last else 1
    return f"{prefix}{seq:05d}"


@transaction.atomic
def propose(actor, type_: str, data: dict, place_pk=None) -> Proposal:
    clean = check_proposal(actor, type_, data, place_pk)
    proposal = Proposal.objects.create(number=_number(), type=type_, proposed_by=actor, **clean)
    audit.record("places.proposal.submit", proposal, after={"type": type_, "name": clean["name"],
                                                            "region": clean["region"].code})  # fmt: skip
    return proposal


def compose_address(place: PlaceName, detail: str) -> str:
    return f"{place.name}{detail}"[:200]


@transaction.atomic
def decide(actor, pk, approve: bool, document: str = "", note: str = "") -> Proposal:
    from huimin.places.access import access_proposal_by_id

    proposal = access_proposal_by_id(actor, pk, capability=cap.APPROVE, for_update=True)
    if proposal.status != Proposal.Status.SUBMITTED:
        raise BusinessRuleError(E.PROPOSAL_STATE, f"该申请已{proposal.get_status_display()}")
    duties.check(actor, NAMING, "approve", {"propose": proposal.proposed_by.username})
    proposal.decided_by, proposal.decided_at = actor, timezone.now()
    if not approve:
        proposal.decision_note = _text(note, "不予批准的理由", 300)
        proposal.status = Proposal.Status.REFUSED
        proposal.save()
        audit.record("places.proposal.refuse", proposal, after={"note": proposal.decision_note})
        return proposal
    proposal.document = _text(document, "批准文号", 100)
    proposal.decision_note = _text(note, "审批意见", 300, required=False)
    place = proposal.place
    # the rules are applied again: another name may have been approved, or a rule added, since the proposal
    _refuse_violations(violations(proposal.name, proposal.kind, proposal.region_id[:6],
                                  except_place=place.pk if place else None))  # fmt: skip
    day = today()
    moved = 0
    if proposal.type == Proposal.Type.NEW:
        place = PlaceName.objects.create(
            name=proposal.name, pinyin=proposal.pinyin, kind=proposal.kind, region=proposal.region,
            county_code=proposal.region_id[:6], latitude=proposal.latitude, longitude=proposal.longitude,
            meaning=proposal.meaning, document=proposal.document, approved_on=day,
        )  # fmt: skip
        proposal.place = place
    else:
        place = PlaceName.objects.select_for_update().get(pk=place.pk)
        NameHistory.objects.create(place=place, name=place.name, pinyin=place.pinyin, used_from=place.approved_on,
                                   used_until=day, document=proposal.document, reason=proposal.reason)  # fmt: skip
        before = {"name": place.name, "pinyin": place.pinyin}
        place.name, place.pinyin, place.document, place.approved_on = (
            proposal.name, proposal.pinyin, proposal.document, day)  # fmt: skip
        if proposal.latitude is not None:
            place.latitude, place.longitude = proposal.latitude, proposal.longitude
        if proposal.meaning:
            place.meaning = proposal.meaning
        place.save()
        moved = _rewrite_addresses(place)
        place.signs.exclude(text=place.name).exclude(condition=Sign.Condition.MISSING).update(
            condition=Sign.Condition.OUTDATED
        )
        audit.record("places.place.rename", place, before=before,
                     after={"name": place.name, "pinyin": place.pinyin, "addresses": moved})  # fmt: skip
    proposal.status = Proposal.Status.APPROVED
    proposal.save()
    audit.record("places.proposal.approve", proposal, after={"place": place.pk, "document": proposal.document})
    return proposal


def _rewrite_addresses(place: PlaceName) -> int:
    """Every registry address that uses the place shows its current name (one UPDATE per household, audited)."""
    from huimin.registry.models import Household

    links = list(AddressLink.objects.filter(place=place).select_related("household"))
    for link in links:
        before = link.household.address
        after = compose_address(place, link.detail)
        if before != after:
            Household.objects.filter(pk=link.household_id).update(address=after, updated_at=timezone.now())
            audit.record("registry.household.address", link.household, before={"address": before},
                         after={"address": after}, detail=f"标准地名更名为“{place.name}”")  # fmt: skip
    return len(links)


# --- addresses ------------------------------------------------------------------------------------------------


@transaction.atomic
def link_address(actor, place_pk, household_number: str, detail: str = "") -> AddressLink:
    from huimin.registry.models import Household

    require_capability(actor, cap.PROPOSE, "关联住址与标准地名")
    place = places(actor).filter(pk=place_pk, is_active=True).first() if str(place_pk).isdigit() else None
    if place is None:
        raise NotInScope("该地名不存在或不在您的管辖范围内")
    household = Household.objects.select_for_update().filter(number=str(household_number or "").strip()).first()
    if household is None or not in_scope(actor, household.region_id):
        raise NotInScope("户编号不存在或该户不在您的管辖范围内")
    if not household.is_active:
        raise BusinessRuleError(E.INVALID, "该户已注销")
    if household.region_id[:6] != place.county_code:
        raise BusinessRuleError(E.INVALID, "该户不在此地名所在的县（区）")
    detail = _text(detail, "门牌及以下", 100, required=False)
    link, _ = AddressLink.objects.update_or_create(
        household=household, defaults={"place": place, "detail": detail, "linked_by": actor.username}
    )
    before = household.address
    household.address = compose_address(place, detail)
    household.save(update_fields=["address", "updated_at"])
    audit.record("registry.household.address", household, before={"address": before},
                 after={"address": household.address, "place": place.pk})  # fmt: skip
    return link


# --- signs ----------------------------------------------------------------------------------------------------


@transaction.atomic
def add_sign(actor, place_pk, data: dict) -> Sign:
    require_capability(actor, cap.PROPOSE, "登记地名标志")
    place = places(actor).filter(pk=place_pk).first() if str(place_pk).isdigit() else None
    if place is None:
        raise NotInScope("该地名不存在或不在您的管辖范围内")
    kind = str(data.get("kind") or "")
    if kind not in Sign.Kind.values:
        raise BusinessRuleError(E.INVALID, "请选择标志类型")
    installed = _date(data["installed_on"], "设置日期") if data.get("installed_on") else None
    if installed and installed > today():
        raise BusinessRuleError(E.INVALID, "设置日期不能晚于今天")
    sign = Sign.objects.create(
        place=place, kind=kind, location=_text(data.get("location"), "设置位置", 200),
        latitude=_coordinate(data.get("latitude"), "纬度", -90, 90),
        longitude=_coordinate(data.get("longitude"), "经度", -180, 180),
        text=place.name, installed_on=installed, checked_on=installed,
    )  # fmt: skip
    audit.record("places.sign.add", sign, after={"place": place.pk, "kind": kind, "location": sign.location})
    return sign


@transaction.atomic
def check_sign(actor, pk, condition: str, checked_on, note: str = "", *, replaced: bool = False) -> Sign:
    """Record an inspection of a sign; ``replaced``: the sign was renewed and now shows the current name."""
    require_capability(actor, cap.PROPOSE, "登记地名标志检查")
    sign = Sign.objects.select_for_update().select_related("place").filter(pk=pk).first() if str(pk).isdigit() else None
    if sign is None or not in_scope(actor, sign.place.region_id):
        raise NotInScope("该地名标志不存在或不在您的管辖范围内")
    if condition not in Sign.Condition.values:
        raise BusinessRuleError(E.INVALID, "请选择标志状况")
    day = _date(checked_on, "检查日期")
    if day > today():
        raise BusinessRuleError(E.INVALID, "检查日期不能晚于今天")
    before = {"condition": sign.condition, "text": sign.text}
    if replaced:
        sign.text = sign.place.name
        sign.installed_on = day
    if condition == Sign.Condition.GOOD and sign.text != sign.place.name:
        condition = Sign.Condition.OUTDATED  # a sign showing a former name is not in order, however clean
    sign.condition, sign.checked_on = condition, day
    sign.note = _text(note, "备注", 200, required=False)
    sign.save()
    audit.record("places.sign.check", sign, before=before, after={"condition": sign.condition, "text": sign.text})
    return sign


# --- the public search ---------------------------------------------------------------------------------------------


def public_search(q: str, kind: str = ""):
    """Standard names in force matching a name, a former name or a pinyin (any case, spaces ignored)."""
    qs = PlaceName.objects.filter(is_active=True).select_related("region").prefetch_related("history")
    if kind in PlaceKind.values:
        qs = qs.filter(kind=kind)
    q = (q or "").strip()[:50]
    if not q:
        return qs.none()
    return qs.filter(Q(name__contains=q) | Q(history__name__contains=q) | Q(pinyin__icontains=q)).distinct()
