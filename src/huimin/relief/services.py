"""流浪乞讨救助 services. Every state change checks capability and scope, applies the rules, runs in one transaction and
writes ``audit.record``; bad input raises ServiceError with a Chinese message and writes nothing.

- intake (``admit``): the person (identity if known — a registry person by ID number — otherwise a description and a
  photo checked like every other upload), where and by whom found, the health check, the belongings;
- the daily record of each day in the station (``record_day``);
- 寻亲: a search of the registry by features, scoped to the actor's region (``search_registry``); a request to a
  department, the police or the national 全国救助寻亲网, recorded with its outcome (``request_search`` /
  ``close_search``); the identification (``identify``);
- the return home (``arrange_return`` then ``confirm_return`` with the receiving party's confirmation), or leaving;
- placement (``place``): a person unidentified after the legal period (``PlacementPeriod``, data) is registered in
  the registry and a 特困 供养 application is lodged through ``assistance.services.create_application`` — the one
  application machinery, not a second copy;
- statistics: intakes, returns and the 接送返回率, placements, lengths of stay.
"""

import datetime
import functools
import uuid

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from huimin.assistance.actions.common import check_upload
from huimin.core import audit, parse, regions
from huimin.core.access import (
    BusinessRuleError,
    acting_as_role,
    require_capability,
    require_region_in_scope,
    require_writable_region,
)
from huimin.core.context import current_actor
from huimin.core.models import Region
from huimin.core.roles import BusinessLine, Role, has_capability
from huimin.core.scope import in_scope, scoped, subtree
from huimin.core.services import ServiceError
from huimin.registry import codes, idnumbers
from huimin.registry.models import Person
from huimin.relief import capabilities as cap
from huimin.relief import rules
from huimin.relief.error_codes import ReliefErrorCode as E
from huimin.relief.models import DailyRecord, FoundBy, Health, PlacementPeriod, Search, Station, Stay

PHOTO_EXTENSIONS = (".jpg", ".jpeg", ".png")
MAX_CANDIDATES = 20


def today() -> datetime.date:
    return timezone.localdate()


def _who(actor=None) -> str:
    actor = actor or current_actor()
    return getattr(actor, "username", "") or "system"


_date = functools.partial(parse.date, code=E.INVALID)


def _choice(value, choices, label: str) -> str:
    value = (value or "").strip()
    if value not in choices.values:
        raise ServiceError(f"请选择{label}")
    return value


def _text(data: dict, key: str, limit: int) -> str:
    return (str(data.get(key) or "")).strip()[:limit]


def _int(value, label: str, low: int, high: int, required: bool = False) -> int | None:
    value = str(value or "").strip()
    if not value:
        if required:
            raise ServiceError(f"请填写{label}")
        return None
    try:
        number = int(value)
    except ValueError as exc:
        raise ServiceError(f"{label}应为整数") from exc
    if not low <= number <= high:
        raise ServiceError(f"{label}应在 {low} 至 {high} 之间")
    return number


def check_photo(photo) -> None:
    """A photo: the upload check every document passes (type by name, size: ``assistance``'s ``check_upload``),
    and a picture, not a PDF."""
    if photo is None:
        return
    check_upload(photo, "照片")
    if not photo.name.lower().endswith(PHOTO_EXTENSIONS):
        raise ServiceError("照片只能上传 JPG 或 PNG 图片")


def _open_stay_of(person_id=None, id_number: str = ""):
    q = Stay.objects.filter(status__in=[Stay.Status.IN_STATION, Stay.Status.RETURNING])
    if person_id:
        return q.filter(person_id=person_id).first()
    if id_number:
        return q.filter(**Stay.lookup("id_number", id_number)).first()
    return None


# --- intake -------------------------------------------------------------------------------------------------------


@transaction.atomic
def admit(actor, data: dict, photo=None) -> Stay:
    """Take a person in. ``data``: station, id_number (if known), name, sex, apparent_age, description, accent,
    found_place, found_by, found_by_detail, found_on, admitted_on, health, health_note, belongings."""
    from huimin.relief.access import access_station_by_id

    require_capability(actor, cap.INTAKE, "登记入站救助")
    if not str(data.get("station") or "").strip():
        raise ServiceError("请选择救助站")
    station = access_station_by_id(actor, data.get("station"), capability=cap.INTAKE)
    if not station.is_active:
        raise ServiceError(f"{station.name} 已停用")
    id_number = _text(data, "id_number", 18).upper()
    person = None
    if id_number:
        try:
            parsed = idnumbers.parse(id_number)
        except idnumbers.IdNumberError as exc:
            raise ServiceError(f"身份证号有误：{exc}") from exc
        # the registry's person of the number, linked only inside the actor's region (one registered in another
        # county stays unlinked: the stay keeps the number and the name he gives, and the registry reveals nothing)
        everyone = Person.objects.filter(**Person.lookup("id_number", id_number), merged_into__isnull=True)
        person = scoped(everyone, actor, "region").select_related("region").first()
        if person is not None and person.is_deceased:
            raise ServiceError("对象库登记该身份证号的人员已死亡，请核对身份证号")
        if _open_stay_of(person.pk if person else None, id_number):
            raise BusinessRuleError(E.ALREADY_IN_STATION, "该人员正在救助站受助，不能重复登记入站")
    name = person.name if person else (_text(data, "name", 50) or "无名氏")
    description = _text(data, "description", 2000)
    if not id_number and not description:
        raise ServiceError("身份不明的受助人员须填写体貌特征（身高、体型、衣着、明显特征等）")
    if not id_number and photo is None:
        raise ServiceError("身份不明的受助人员须上传照片，供寻亲比对")
    check_photo(photo)
    found_on = _date(data.get("found_on"), "发现日期")
    admitted_on = _date(data.get("admitted_on"), "入站日期")
    if admitted_on > today() or found_on > admitted_on:
        raise BusinessRuleError(E.DATES, "日期应依次为：发现日期 ≤ 入站日期 ≤ 今天")
    found_place = _text(data, "found_place", 200)
    if not found_place:
        raise ServiceError("请填写发现地点")
    found_by = _choice(data.get("found_by"), FoundBy, "发现/护送方")
    detail = _text(data, "found_by_detail", 100)
    if found_by in (FoundBy.POLICE, FoundBy.CITY, FoundBy.OTHER) and not detail:
        raise ServiceError("请填写护送单位（如某派出所、某城管中队）")
    health = _choice(data.get("health"), Health, "健康检查结论")
    health_note = _text(data, "health_note", 2000)
    if health != Health.NORMAL and not health_note:
        raise ServiceError("健康检查发现异常的，请填写检查记录和处置（如送医）")
    sex = person.sex if person else (data.get("sex") or codes.Sex.UNKNOWN)
    if id_number and not person:
        sex = parsed.sex or sex  # the number tells
    if sex not in codes.Sex.values:
        raise ServiceError("请选择性别")
    age = _int(data.get("apparent_age"), "估计年龄", 0, 120)
    if id_number and age is None:
        birth, day = parsed.birth_date, today()
        age = day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day)) if birth else None
    stay = Stay(
        number=f"tmp-{uuid.uuid4().hex[:24]}", station=station, region_id=station.region_id, person=person,
        name=name, id_number=id_number, sex=sex, apparent_age=age, description=description,
        accent=_text(data, "accent", 50), found_place=found_place, found_by=found_by, found_by_detail=detail,
        found_on=found_on, admitted_on=admitted_on, health=health, health_note=health_note,
        belongings=_text(data, "belongings", 2000), created_by=_who(actor),
    )  # fmt: skip
    if id_number:
        stay.identified, stay.identified_on = Stay.Identified.SELF, admitted_on
        stay.hometown = person.region.name if person else ""
    if photo is not None:
        stay.photo = photo
    stay.save()
    stay.number = f"JZZ{admitted_on:%Y}{stay.pk:07d}"
    stay.save(update_fields=["number"])
    audit.record("relief.stay.admit", stay, after={
        "station": station.pk, "identified": bool(id_number), "person": person.pk if person else None,
        "found_by": found_by, "health": health, "photo": bool(photo),
    })  # fmt: skip
    return stay


def _open(actor, stay: Stay, capability: str = cap.INTAKE) -> Stay:
    from huimin.relief.access import access_stay_by_id

    s = access_stay_by_id(actor, stay.pk, capability=capability, for_update=True)
    if not s.is_open:
        raise BusinessRuleError(E.STAY_STATE, f"{s.number} 已{s.get_status_display()}，不能再办理")
    return s


@transaction.atomic
def record_day(actor, stay: Stay, data: dict) -> DailyRecord:
    s = _open(actor, stay)
    day = _date(data.get("day"), "日期")
    if day < s.admitted_on or day > today():
        raise BusinessRuleError(E.DATES, "在站日志的日期应在入站日期至今天之间")
    if DailyRecord.objects.filter(stay=s, day=day).exists():
        raise ServiceError(f"{day:%Y年%m月%d日} 已有在站日志")
    meals = _int(data.get("meals"), "用餐", 0, 3, required=True)
    condition = _choice(data.get("condition"), Health, "身体状况")
    record = DailyRecord.objects.create(stay=s, day=day, meals=meals, condition=condition,
                                        note=_text(data, "note", 300), recorded_by=_who(actor))  # fmt: skip
    audit.record("relief.day.create", s, after={"day": day.isoformat(), "condition": condition})
    return record


# --- 寻亲 ------------------------------------------------------------------------------------------------------------


def registry_candidates(actor, stay: Stay, data: dict):
    """Registry persons who may be the stay's person, by features — name (or part), sex, an age window around the
    apparent age, a place — and only in the actor's region (``scope.scoped``); the dead and merged left out."""
    qs = scoped(Person.objects.filter(is_deceased=False, merged_into__isnull=True), actor, "region")
    criteria = {}
    name = _text(data, "name", 50)
    if name and name != "无名氏":
        qs = qs.filter(Q(name__contains=name) | Q(name_pinyin__icontains=name.replace(" ", "")))
        criteria["name"] = name
    sex = (data.get("sex") or "").strip()
    if sex in (codes.Sex.MALE, codes.Sex.FEMALE):
        qs = qs.filter(sex=sex)
        criteria["sex"] = sex
    age = _int(data.get("age"), "估计年龄", 0, 120)
    window = rules.birth_window(age, today())
    if window:
        qs = qs.filter(birth_date__gte=window[0], birth_date__lte=window[1])
        criteria["age"] = age
    place = _text(data, "region", 12)
    if place:
        if not place.isdigit() or len(place) != 12:
            raise ServiceError("区划代码应为 12 位数字")
        if not in_scope(actor, place):
            raise ServiceError("比对区划不在您的管辖范围内：对象库比对只查本辖区人员")
        qs = qs.filter(subtree("region", regions.prefix_of(place)))
        criteria["region"] = place
    if not criteria:
        raise ServiceError("请至少填写一项比对条件（姓名、性别、估计年龄或区划）")
    return criteria, qs.select_related("region").order_by("name", "birth_date")


@transaction.atomic
def search_registry(actor, stay: Stay, data: dict):
    """Search the registry by features; the search is recorded (channel 对象库比对, its criteria and count)."""
    s = _open(actor, stay)
    criteria, qs = registry_candidates(actor, s, data)
    found = list(qs[: MAX_CANDIDATES + 1])
    search = Search.objects.create(stay=s, channel=Search.Channel.REGISTRY, requested_on=today(), criteria=criteria,
                                   candidates=len(found), created_by=_who(actor))  # fmt: skip
    if not found:
        search.outcome, search.closed_on, search.outcome_note = (
            Search.Outcome.NOT_FOUND,
            today(),
            "对象库无符合条件的人员",
        )
        search.save()
    audit.record("relief.search.registry", s, after={"criteria": criteria, "candidates": len(found)})
    return search, found[:MAX_CANDIDATES]


@transaction.atomic
def request_search(actor, stay: Stay, data: dict) -> Search:
    """A request to a department, the police, the national 全国救助寻亲网 or the media: recorded, outcome later."""
    s = _open(actor, stay)
    channel = _choice(data.get("channel"), Search.Channel, "寻亲渠道")
    if channel == Search.Channel.REGISTRY:
        raise ServiceError("对象库比对请使用“对象库比对”查询")
    requested_on = _date(data.get("requested_on"), "发起日期")
    if requested_on < s.admitted_on or requested_on > today():
        raise BusinessRuleError(E.DATES, "发起日期应在入站日期至今天之间")
    note = _text(data, "note", 300)
    search = Search.objects.create(stay=s, channel=channel, requested_on=requested_on, criteria={"note": note},
                                   created_by=_who(actor))  # fmt: skip
    audit.record("relief.search.request", s, after={"channel": channel})
    return search


@transaction.atomic
def close_search(actor, search: Search, data: dict) -> Search:
    from huimin.relief.access import access_search_by_id

    sr = access_search_by_id(actor, search.pk, for_update=True)
    if sr.outcome != Search.Outcome.PENDING:
        raise BusinessRuleError(E.SEARCH_STATE, "该寻亲记录已有结果")
    outcome = _choice(data.get("outcome"), Search.Outcome, "寻亲结果")
    if outcome == Search.Outcome.PENDING:
        raise ServiceError("请选择查明身份或未查明")
    note = _text(data, "note", 300)
    if not note:
        raise ServiceError("请填写结果说明（反馈单位、文号或比对结论）")
    sr.outcome, sr.outcome_note, sr.closed_on = outcome, note, today()
    sr.save()
    audit.record("relief.search.close", sr.stay, after={"search": sr.pk, "outcome": outcome})
    return sr


HOW_BY_CHANNEL = {Search.Channel.REGISTRY: Stay.Identified.REGISTRY,
                  Search.Channel.DEPARTMENT: Stay.Identified.DEPARTMENT,
                  Search.Channel.NATIONAL: Stay.Identified.NATIONAL, Search.Channel.POLICE: Stay.Identified.POLICE,
                  Search.Channel.MEDIA: Stay.Identified.SELF}  # fmt: skip


@transaction.atomic
def identify(actor, stay: Stay, data: dict) -> Stay:
    """The person is identified: a registry person (``person``, by id, in the actor's region), or an ID number and
    home address learnt from a search outside Huimin. ``how``: the channel of the search that found him."""
    s = _open(actor, stay)
    if s.identified:
        raise BusinessRuleError(E.IDENTIFIED, f"{s.name} 的身份已查明")
    how = _choice(data.get("how"), Stay.Identified, "身份查明方式")
    person_id = str(data.get("person") or "").strip()
    person = None
    if person_id:
        person = scoped(Person.objects.select_related("region"), actor, "region").filter(pk=person_id).first() \
            if person_id.isdigit() else None  # fmt: skip
        if person is None:
            raise ServiceError("所选人员不存在或不在您的管辖范围内")
        if _open_stay_of(person.pk) not in (None, s):
            raise BusinessRuleError(E.ALREADY_IN_STATION, f"{person.name} 已在另一救助记录中受助")
        s.person, s.name, s.id_number, s.sex = person, person.name, person.id_number, person.sex
        s.hometown = _text(data, "hometown", 200) or (person.household.address if person.household_id else "") \
            or person.region.name  # fmt: skip
    else:
        id_number = _text(data, "id_number", 18).upper()
        try:
            idnumbers.parse(id_number)
        except idnumbers.IdNumberError as exc:
            raise ServiceError(f"身份证号有误：{exc}") from exc
        name = _text(data, "name", 50)
        hometown = _text(data, "hometown", 200)
        if not name or not hometown:
            raise ServiceError("请填写查明的姓名和户籍地/家庭住址")
        s.name, s.id_number, s.hometown = name, id_number, hometown
    s.identified, s.identified_on = how, today()
    s.save()
    channel = next((c for c, h in HOW_BY_CHANNEL.items() if h == how), None)
    if channel:
        Search.objects.filter(stay=s, channel=channel, outcome=Search.Outcome.PENDING).update(
            outcome=Search.Outcome.FOUND, closed_on=today(), outcome_note=f"查明身份：{s.name}"
        )
    audit.record("relief.stay.identify", s, after={"how": how, "person": person.pk if person else None})
    return s


# --- the end of a stay ----------------------------------------------------------------------------------------------


@transaction.atomic
def arrange_return(actor, stay: Stay, data: dict) -> Stay:
    s = _open(actor, stay)
    if s.status != Stay.Status.IN_STATION:
        raise BusinessRuleError(E.STAY_STATE, "已安排返回")
    if not s.identified:
        raise BusinessRuleError(E.IDENTIFIED, "身份未查明，不能安排返回：请先寻亲")
    s.return_method = _choice(data.get("return_method"), Stay.ReturnMethod, "返回方式")
    s.return_destination = _text(data, "return_destination", 200) or s.hometown
    if not s.return_destination:
        raise ServiceError("请填写返回目的地")
    s.receiver_name = _text(data, "receiver_name", 50)
    s.receiver_relation = _text(data, "receiver_relation", 50)
    s.receiver_phone = _text(data, "receiver_phone", 20)
    if not (s.receiver_name and s.receiver_relation and s.receiver_phone):
        raise ServiceError("请填写接收人、接收人身份/关系和联系电话（亲属、当地乡镇或救助站）")
    day = _date(data.get("return_arranged_on"), "安排返回日期")
    if day < s.admitted_on or day > today() + datetime.timedelta(days=30):
        raise BusinessRuleError(E.DATES, "安排返回日期应在入站之后、30 天以内")
    s.return_arranged_on, s.status = day, Stay.Status.RETURNING
    s.save()
    audit.record("relief.stay.arrange_return", s, after={"method": s.return_method, "day": day.isoformat()})
    return s


@transaction.atomic
def confirm_return(actor, stay: Stay, data: dict) -> Stay:
    """The receiving party confirms it took the person in (回执): the stay ends, returned."""
    s = _open(actor, stay)
    if s.status != Stay.Status.RETURNING:
        raise BusinessRuleError(E.STAY_STATE, "请先安排返回")
    confirmation = _text(data, "receiver_confirmation", 200)
    if not confirmation:
        raise BusinessRuleError(E.CONFIRMATION_REQUIRED, "请填写接收方的确认（回执编号或签收说明）：无确认不能结束救助")
    day = _date(data.get("returned_on"), "交接日期")
    if day < s.return_arranged_on or day > today():
        raise BusinessRuleError(E.DATES, "交接日期应在安排返回日期至今天之间")
    s.receiver_confirmation, s.returned_on, s.status = confirmation, day, Stay.Status.RETURNED
    s.save()
    audit.record("relief.stay.return", s, before={"status": Stay.Status.RETURNING}, after={"status": s.status,
                 "returned_on": day.isoformat()})  # fmt: skip
    return s


@transaction.atomic
def leave(actor, stay: Stay, data: dict) -> Stay:
    s = _open(actor, stay)
    reason = _text(data, "left_reason", 200)
    if not reason:
        raise ServiceError("请填写离站说明（如本人坚持离站、已告知可随时求助）")
    day = _date(data.get("left_on"), "离站日期")
    if day < s.admitted_on or day > today():
        raise BusinessRuleError(E.DATES, "离站日期应在入站日期至今天之间")
    before = s.status
    s.left_on, s.left_reason, s.status = day, reason, Stay.Status.LEFT
    s.save()
    audit.record("relief.stay.leave", s, before={"status": before}, after={"status": s.status})
    return s


# --- placement: 特困 供养 through the assistance machinery ---------------------------------------------------------


def period_in_force(region_code: str, day: datetime.date) -> PlacementPeriod | None:
    rows = [p for p in PlacementPeriod.objects.order_by("pk") if regions.covers(p.region_id, region_code)]
    return rules.period_for(rows, region_code, day)


def placement_due(stay: Stay, day: datetime.date | None = None) -> dict:
    """Whether ``stay`` may be placed on ``day``: the period in force, the first day, and why not."""
    day = day or today()
    period = period_in_force(stay.region_id, day)
    if period is None:
        return {"period": None, "from": None, "may": False, "why": "本地区尚未设置法定寻亲期限"}
    first = rules.placement_from(stay.admitted_on, period.days)
    may = stay.is_open and not stay.identified and rules.may_place(stay.admitted_on, period.days, day)
    why = "" if may else ("身份已查明，应接送返回" if stay.identified else
                          f"入站未满 {period.days} 天，{first:%Y年%m月%d日} 起可转介特困供养")  # fmt: skip
    return {"period": period, "from": first, "may": may, "why": why if stay.is_open else "救助已结束"}


@transaction.atomic
def place(actor, stay: Stay, data: dict):
    """Refer a person unidentified after the legal period to 特困 供养: register him in the registry at the 供养
    institution's community (``region``) as a one-person household (无身份证号原因: 流浪乞讨人员，身份不明), then lodge
    the application of the chosen 特困 programme (``programme``) with ``assistance.services.create_application``
    (channel 主动发现), under the station's duty ``relief.place``: the actor lodges it as a 社会救助 协理员 of that
    village only (``core.access.acting_as_role``); the township and county then handle it as any application."""
    from huimin.assistance import services as assistance
    from huimin.assistance.models import Channel, Programme
    from huimin.registry import services as registry

    require_capability(actor, cap.PLACE, "转介特困供养")
    s = _open(actor, stay, cap.PLACE)
    if s.identified:
        raise BusinessRuleError(E.IDENTIFIED, "身份已查明的，应接送返回，不转介特困供养")
    due = placement_due(s)
    if due["period"] is None:
        raise BusinessRuleError(E.NOT_CONFIGURED, "本地区尚未设置法定寻亲期限，请县级民政部门在“寻亲期限”中设置")
    if not due["may"]:
        raise BusinessRuleError(E.PERIOD_NOT_REACHED, due["why"])
    code = str(data.get("programme") or "").strip()
    programme = Programme.objects.filter(pk=code, kind="tekun", is_active=True).first() if code.isdigit() else None
    if programme is None:
        raise BusinessRuleError(E.NOT_CONFIGURED, "请选择特困人员救助供养项目")
    region_code = _text(data, "region", 12)
    region = Region.objects.filter(code=region_code, level=regions.VILLAGE).first() if region_code else None
    if region is None:
        raise ServiceError("请选择供养机构所在村（社区）")
    require_region_in_scope(actor, region.code, "供养机构所在地")
    # the station lodges the application under its own duty (relief.place), as a 社会救助 协理员 of the institution's
    # village only: its staff need no 社会救助 role, which would open the county's applications to them
    lodging = acting_as_role(actor, Role.ASSISTANT, BusinessLine.ASSISTANCE, region)
    reason = _text(data, "reason", 500) or (
        f"流浪乞讨人员，{s.admitted_on:%Y年%m月%d日}入{s.station.name}，经{due['period'].days}天寻亲未能查明身份，"
        "无劳动能力、无生活来源、无法定赡养抚养扶养义务人（无法查明），申请特困人员救助供养"
    )  # fmt: skip
    birth = None
    if s.apparent_age is not None:
        birth = datetime.date(today().year - s.apparent_age, 1, 1)
    member = {"name": s.name if s.name != "无名氏" else f"无名氏{s.number[-5:]}",
              "no_id_reason": "流浪乞讨人员，身份不明",
              "sex": s.sex, "birth_date": birth}  # fmt: skip
    household = registry.register_household(
        lodging, region=region, members=[registry.MemberInput("01", member)], on=today(),
        address=_text(data, "address", 200) or s.station.name,
    )  # fmt: skip
    person = household.head
    application = assistance.create_application(
        lodging, programme=programme, household=household, applicant=person, channel=Channel.DISCOVERY, reason=reason,
        beneficiary=person if programme.scope == "person" else None,
    )  # fmt: skip
    s.person, s.application, s.placed_on, s.status = person, application, today(), Stay.Status.PLACED
    s.save()
    audit.record("relief.stay.place", s, after={"application": application.number, "person": person.pk,
                                                "period": due["period"].days})  # fmt: skip
    return s, application


# --- configuration -----------------------------------------------------------------------------------------------


@transaction.atomic
def add_station(actor, data: dict) -> Station:
    require_capability(actor, cap.CONFIGURE, "登记救助站")
    code = _text(data, "region", 12)
    region = Region.objects.filter(code=code).first() if code else None
    if region is None:
        raise ServiceError("请选择所属区划")
    require_region_in_scope(actor, region.code)
    name = _text(data, "name", 100)
    if not name:
        raise ServiceError("请填写救助站名称")
    beds = _int(data.get("beds"), "床位", 0, 10000) or 0
    station = Station.objects.create(name=name, region=region, address=_text(data, "address", 200), beds=beds,
                                     phone=_text(data, "phone", 30))  # fmt: skip
    audit.record("relief.station.create", station, after={"name": name, "region": region.code})
    return station


@transaction.atomic
def add_period(actor, data: dict) -> PlacementPeriod:
    """A new legal period row (never an edit: a change is a new row from its date, the old one stays as history)."""
    require_capability(actor, cap.CONFIGURE, "设置法定寻亲期限")
    code = _text(data, "region", 12)
    region = Region.objects.filter(code=code).first() if code else None
    if code and region is None:
        raise ServiceError("区划不存在")
    require_writable_region(actor, region, "法定寻亲期限")
    days = _int(data.get("days"), "法定寻亲期限（天）", 1, 3650, required=True)
    effective = _date(data.get("effective_from"), "生效日期")
    period = PlacementPeriod.objects.create(region=region, days=days, effective_from=effective,
                                            basis=_text(data, "basis", 200), created_by=_who(actor))  # fmt: skip
    audit.record("relief.period.create", period, after={"days": days, "region": region.code if region else "",
                                                        "effective_from": effective.isoformat()})  # fmt: skip
    return period


# --- statistics --------------------------------------------------------------------------------------------------


def statistics(actor, year: int) -> list[dict]:
    """Per station of the actor's region, for ``year``: intakes, in the station at the year's end (or now), returns
    home with confirmation, placements, left; the 接送返回率 (returned ÷ identified stays that ended) and the
    lengths of the stays ended in the year."""
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    day = min(end, today())
    stays = scoped(Stay.objects.select_related("station"), actor, "region", cap.VIEW)
    rows: dict[int, dict] = {}
    for s in stays.filter(admitted_on__lte=end).filter(
        Q(status__in=[Stay.Status.IN_STATION, Stay.Status.RETURNING]) | Q(returned_on__gte=start)
        | Q(placed_on__gte=start) | Q(left_on__gte=start)
    ):  # fmt: skip
        r = rows.setdefault(s.station_id, {"station": s.station.name, "admitted": 0, "in_station": 0, "returned": 0,
                                           "placed": 0, "left": 0, "to_return": 0, "lengths": []})  # fmt: skip
        if s.admitted_on >= start:
            r["admitted"] += 1
        ended = s.ended_on if s.ended_on and s.ended_on <= end else None
        if ended is None:
            r["in_station"] += 1
            continue
        r["lengths"].append(rules.stay_days(s.admitted_on, ended, day))
        if s.status == Stay.Status.RETURNED:
            r["returned"] += 1
        elif s.status == Stay.Status.PLACED:
            r["placed"] += 1
        else:
            r["left"] += 1
        if s.identified:
            r["to_return"] += 1
    out = []
    for r in sorted(rows.values(), key=lambda r: r["station"]):
        r["rate"] = rules.return_rate(r["returned"], r["to_return"])
        r["stay"] = rules.stay_summary(r.pop("lengths"))
        out.append(r)
    return out


def return_figures(prefix: str, start: datetime.date, end: datetime.date) -> tuple[int, int]:
    """(returned with confirmation, identified stays ended) of the stays in the regions under ``prefix`` that ended
    between ``start`` and ``end``: the two terms of the stats indicator 接送返回率."""
    ended = Q(returned_on__range=(start, end)) | Q(left_on__range=(start, end)) | Q(placed_on__range=(start, end))
    stays = Stay.objects.filter(ended, subtree("region", prefix)).exclude(identified="")
    returned = stays.filter(status=Stay.Status.RETURNED).count()
    return returned, stays.count()


def household_panel(request, household) -> dict | None:
    """The household page's 流浪乞讨救助 section: its members' stays the user may see (hidden when none)."""
    if not has_capability(request.user, cap.VIEW):
        return None
    stays = scoped(Stay.objects.filter(person__household=household), request.user, "region", cap.VIEW)
    stays = list(stays.select_related("station").order_by("-admitted_on")[:20])
    return {"stays": stays} if stays else None


def repoint_person(keep: Person, drop: Person) -> None:
    """After the registry merges ``drop`` into ``keep``, a stay of ``drop`` is ``keep``'s."""
    Stay.objects.filter(person=drop).update(person=keep)
