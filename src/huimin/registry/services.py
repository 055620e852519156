"""Every change to the registry: each checks capability and scope, applies the rules, is atomic, writes its
LifeEvent(s) and its audit entry (never with protected plaintext). Nothing is deleted: it is closed."""

import datetime
import functools
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone

from huimin.core import audit, scope
from huimin.core.access import BusinessRuleError, require_access, require_region_in_scope
from huimin.core.models import Region
from huimin.core.roles import PEOPLE_EDIT
from huimin.core.services import ServiceError
from huimin.registry import bank_accounts, codes, dedup, persons
from huimin.registry.error_codes import RegistryErrorCode
from huimin.registry.models import Household, LifeEvent, Membership, Person

EDIT = "登记或变更人员、家庭信息"

EventKind = codes.EventKind
BANK_FIELDS = ("bank_account", "bank_name")


@dataclass
class MemberInput:
    """A person to register (``data``, model field names → values) or an existing ``person``, with the
    relation to the head (GB/T 4761)."""

    relation: str
    data: dict = field(default_factory=dict)
    person: Person | None = None


def _who(actor) -> str:
    return getattr(actor, "username", "") or "system"


def person_snapshot(person: Person) -> dict:
    snap = {
        name: getattr(person, f"{name}_id" if name in ("region", "hukou_region") else name)
        for name in persons.AUDIT_FIELDS
    }
    for name in persons.PROTECTED:
        snap[f"has_{name}"] = bool(getattr(person, name))
    return snap


def household_snapshot(household: Household) -> dict:
    return {
        "number": household.number,
        "region": household.region_id,
        "address": household.address,
        "household_type": household.household_type,
        "head": household.head_id,
        "is_active": household.is_active,
        "closed_reason": household.closed_reason,
    }


def _event(kind, *, household=None, person=None, on, actor, detail=None, note="") -> LifeEvent:
    return LifeEvent.objects.create(
        kind=kind, household=household, person=person, occurred_on=on, detail=detail or {}, note=note,
        recorded_by=_who(actor),
    )  # fmt: skip


def _routes_registered_elsewhere(function):
    """A change refused because its ID number is held outside the actor's region is listed for the county
    (dedup.route) once the refused transaction has rolled back, so that the case stays."""

    @functools.wraps(function)
    def wrapper(actor, *args, **kwargs):
        try:
            return function(actor, *args, **kwargs)
        except dedup.RegisteredElsewhere as exc:
            dedup.route(actor, exc.holder, region=exc.region, name=exc.name, source=exc.source)
            raise

    return wrapper


def _new_person(actor, data: dict) -> Person:
    """Create a person from checked data, refusing an ID number that is already registered."""
    try:
        clean = persons.clean(data)
    except persons.PersonDataError as exc:
        raise ServiceError(str(exc)) from exc
    require_access(actor, PEOPLE_EDIT, clean["region"].code, EDIT)
    if clean["id_number"]:
        existing = dedup.find_by_id_number(clean["id_number"])
        if existing is not None:
            dedup.refuse_registered(actor, existing, region=clean["region"], name=clean["name"], source="登记")
    person = Person(**{k: v for k, v in clean.items() if k in persons.EDITABLE_FIELDS or k.startswith("name_")})
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError as exc:  # a concurrent registration of the same number
        message = "该身份证号已登记（同一身份证号只能对应一个人员）"
        raise BusinessRuleError(RegistryErrorCode.DUPLICATE_ID, message) from exc
    audit.record("registry.person.create", person, after=person_snapshot(person))
    dedup.scan_id_range(person.pk, person.pk)
    return person


def next_household_number(region: Region) -> str:
    # the numbers of the region's households, counted on the unique index's stretch of them (a LIKE prefix alone
    # reads every household of the province under C.UTF-8)
    n = Household.objects.filter(scope.starting_with("number", region.code)).count() + 1
    while Household.objects.filter(number=f"{region.code}{n:04d}").exists():
        n += 1
    return f"{region.code}{n:04d}"


def _open_membership(person: Person) -> Membership | None:
    return Membership.objects.filter(person=person, ended_on__isnull=True).select_related("household").first()


def _join(household: Household, person: Person, relation: str, on: datetime.date, reason: str) -> Membership:
    current = _open_membership(person)
    if current is not None:
        if current.household_id == household.pk:
            raise ServiceError(f"{person.name} 已是本户成员")
        _leave(current, on, reason)
    membership = Membership.objects.create(household=household, person=person, relation=relation, started_on=on)
    Person.objects.filter(pk=person.pk).update(household=household)
    person.household = household
    return membership


def _leave(membership: Membership, on: datetime.date, reason: str) -> None:
    if on < membership.started_on:
        raise ServiceError(f"日期 {on:%Y-%m-%d} 早于 {membership.person.name} 加入该户的日期")
    membership.ended_on, membership.end_reason = on, reason
    membership.save(update_fields=["ended_on", "end_reason"])
    Person.objects.filter(pk=membership.person_id).update(household=None)
    membership.person.household = None


def _check_household_open(household: Household) -> None:
    if not household.is_active:
        raise ServiceError(f"家庭 {household.number} 已注销（{household.closed_reason}），不能再办理变更")


@_routes_registered_elsewhere
@transaction.atomic
def register_household(
    actor, *, region: Region, members: list[MemberInput], on: datetime.date, number: str = "", address: str = "",
    household_type: str = codes.HouseholdType.FAMILY,
) -> Household:  # fmt: skip
    """Register a household with its members; exactly one member is the head (relation 01)."""
    require_access(actor, PEOPLE_EDIT, region.code, EDIT)
    heads = [m for m in members if m.relation == codes.HEAD]
    if len(heads) != 1:
        raise ServiceError("一户须有且只有一名户主（与户主关系为“户主”）")
    number = (number or "").strip() or next_household_number(region)
    if Household.objects.filter(number=number).exists():
        raise ServiceError(f"户编号 {number} 已存在")
    household = Household.objects.create(number=number, region=region, address=address, household_type=household_type)
    for member in members:
        person = member.person or _new_person(actor, {"region": region, **member.data})
        if member.person is not None:
            require_region_in_scope(actor, person.region_id, "人员")
        _join(household, person, member.relation, on, "登记新家庭")
        if member.relation == codes.HEAD:
            household.head = person
    household.save(update_fields=["head"])
    _event(EventKind.REGISTER, household=household, on=on, actor=actor, detail={"members": len(members)})
    audit.record("registry.household.register", household, after=household_snapshot(household))
    return household


@_routes_registered_elsewhere
@transaction.atomic
def add_member(
    actor,
    household: Household,
    member: MemberInput,
    *,
    on: datetime.date,
    kind: str = EventKind.MOVE_IN,
    note: str = "",
) -> Person:
    """A birth or a move into ``household`` (of a new person, or of a registered one from another household)."""
    require_access(actor, PEOPLE_EDIT, household.region_id, EDIT)
    _check_household_open(household)
    if member.relation == codes.HEAD:
        raise ServiceError("新成员不能直接作为户主：请先加入，再办理变更户主")
    if kind == EventKind.BIRTH and member.person is not None:
        raise ServiceError("出生登记只能登记新人员")
    if member.person is not None:
        person = member.person
        require_region_in_scope(actor, person.region_id, "人员")
        if person.is_deceased or person.merged_into_id:
            raise ServiceError(f"{person.name} 已死亡或已合并，不能迁入")
        previous = _open_membership(person)
        if previous is not None and previous.household.head_id == person.pk:
            raise ServiceError(f"{person.name} 是家庭 {previous.household.number} 的户主：请先变更该户户主")
    else:
        data = {"region": household.region, **member.data}
        if kind == EventKind.BIRTH and not data.get("birth_date") and not data.get("id_number"):
            data["birth_date"] = on
        person = _new_person(actor, data)
        previous = None
    _join(household, person, member.relation, on, "迁出" if previous else "")
    if previous is not None:
        _event(EventKind.MOVE_OUT, household=previous.household, person=person, on=on, actor=actor,
               detail={"to": household.number}, note=note)  # fmt: skip
    if person.region_id != household.region_id:
        person.region = household.region
        person.save(update_fields=["region", "updated_at"])
    _event(kind, household=household, person=person, on=on, actor=actor, note=note,
           detail={"relation": member.relation, "from": previous.household.number if previous else ""})  # fmt: skip
    audit.record(f"registry.household.{kind}", household, after={"person": person.pk, "relation": member.relation})
    return person


@_routes_registered_elsewhere
@transaction.atomic
def record_birth(
    actor, household: Household, data: dict, relation: str, *, on: datetime.date, note: str = ""
) -> Person:
    return add_member(
        actor, household, MemberInput(relation=relation, data=data), on=on, kind=EventKind.BIRTH, note=note
    )


@transaction.atomic
def record_death(actor, person: Person, *, on: datetime.date, note: str = "", source: dict | None = None) -> Person:
    """死亡: the person leaves the household and is marked deceased, with the life event. ``source``: the record
    it rests on (a departmental feed's row, as 动态监测 confirms it), kept in the event's detail."""
    require_access(actor, PEOPLE_EDIT, person.region_id, EDIT)
    if person.is_deceased:
        raise ServiceError(f"{person.name} 已登记死亡")
    if on > timezone.localdate() or (person.birth_date and on < person.birth_date):
        raise ServiceError("死亡日期不合法")
    before = person_snapshot(person)
    membership = _open_membership(person)
    household = membership.household if membership else None
    if membership is not None:
        _leave(membership, on, "死亡")
        person.household = None
        if household.head_id == person.pk:
            household.head = None
            household.save(update_fields=["head", "updated_at"])
            note = (note + "；" if note else "") + "户主已故，请办理变更户主"
    person.is_deceased, person.death_date = True, on
    person.save(update_fields=["is_deceased", "death_date", "household", "updated_at"])
    _event(EventKind.DEATH, household=household, person=person, on=on, actor=actor, note=note[:300],
           detail={"source": source} if source else None)  # fmt: skip
    audit.record("registry.person.death", person, before=before, after=person_snapshot(person))
    return person


@transaction.atomic
def move_out(actor, person: Person, *, on: datetime.date, destination: str = "", note: str = "") -> None:
    """A person leaves their household (to somewhere outside the registry, or before joining another)."""
    require_access(actor, PEOPLE_EDIT, person.region_id, EDIT)
    membership = _open_membership(person)
    if membership is None:
        raise ServiceError(f"{person.name} 当前不属于任何家庭")
    household = membership.household
    others = household.memberships.filter(ended_on__isnull=True).exclude(person=person).exists()
    if household.head_id == person.pk and others:
        raise ServiceError("户主迁出前请先变更户主")
    _leave(membership, on, "迁出")
    if household.head_id == person.pk:
        household.head = None
        household.save(update_fields=["head", "updated_at"])
    _event(EventKind.MOVE_OUT, household=household, person=person, on=on, actor=actor,
           detail={"to": destination}, note=note)  # fmt: skip
    audit.record("registry.household.move_out", household, after={"person": person.pk, "to": destination})


@transaction.atomic
def change_head(
    actor,
    household: Household,
    new_head: Person,
    *,
    on: datetime.date,
    old_head_relation: str = "",
    relations=None,
    note: str = "",
) -> None:
    """Make ``new_head`` the head. Relations to the head change with it: ``relations`` maps person pk → new
    relation for the other members (the old head's is ``old_head_relation``). History is kept: each changed
    membership is closed and reopened."""
    require_access(actor, PEOPLE_EDIT, household.region_id, EDIT)
    _check_household_open(household)
    current = {m.person_id: m for m in household.memberships.filter(ended_on__isnull=True).select_related("person")}
    if new_head.pk not in current:
        raise ServiceError(f"{new_head.name} 不是本户现有成员")
    if new_head.is_deceased:
        raise ServiceError("已故人员不能作为户主")
    if household.head_id == new_head.pk:
        raise ServiceError(f"{new_head.name} 已是户主")
    relations = dict(relations or {})
    if household.head_id and household.head_id in current:
        if not old_head_relation or old_head_relation == codes.HEAD:
            raise ServiceError("请填写原户主与新户主的关系")
        relations[household.head_id] = old_head_relation
    relations[new_head.pk] = codes.HEAD
    before = household_snapshot(household)
    for person_id, relation in relations.items():
        membership = current.get(person_id)
        if membership is None or membership.relation == relation:
            continue
        membership.ended_on, membership.end_reason = on, "变更户主"
        membership.save(update_fields=["ended_on", "end_reason"])
        Membership.objects.create(household=household, person_id=person_id, relation=relation, started_on=on)
    old_head = household.head_id
    household.head = new_head
    household.save(update_fields=["head", "updated_at"])
    _event(EventKind.HEAD_CHANGE, household=household, person=new_head, on=on, actor=actor,
           detail={"from": old_head, "to": new_head.pk}, note=note)  # fmt: skip
    audit.record("registry.household.head_change", household, before=before, after=household_snapshot(household))


@transaction.atomic
def split_household(
    actor,
    household: Household,
    members: dict,
    *,
    on: datetime.date,
    number: str = "",
    address: str = "",
    note: str = "",
) -> Household:
    """Members (person pk → relation to the new head, exactly one "01") leave ``household`` for a new one."""
    require_access(actor, PEOPLE_EDIT, household.region_id, EDIT)
    _check_household_open(household)
    current = {m.person_id: m for m in household.memberships.filter(ended_on__isnull=True).select_related("person")}
    if not members or any(pk not in current for pk in members):
        raise ServiceError("分户人员须为本户现有成员")
    if list(members.values()).count(codes.HEAD) != 1:
        raise ServiceError("新户须有且只有一名户主")
    if household.head_id in members:
        raise ServiceError("原户主不能分出：请先变更户主")
    if len(members) == len(current):
        raise ServiceError("不能把全部成员分出：请改为注销或变更户主")
    number = (number or "").strip() or next_household_number(household.region)
    if Household.objects.filter(number=number).exists():
        raise ServiceError(f"户编号 {number} 已存在")
    new = Household.objects.create(
        number=number, region=household.region, address=address or household.address,
        household_type=household.household_type,
    )  # fmt: skip
    for pk, relation in members.items():
        person = current[pk].person
        _join(new, person, relation, on, f"分户至 {number}")
        if relation == codes.HEAD:
            new.head = person
    new.save(update_fields=["head"])
    detail = {"from": household.number, "to": number, "persons": list(members)}
    _event(EventKind.SPLIT, household=household, on=on, actor=actor, detail=detail, note=note)
    _event(EventKind.SPLIT, household=new, on=on, actor=actor, detail=detail, note=note)
    audit.record("registry.household.split", household, after=detail)
    return new


@transaction.atomic
def merge_households(
    actor, into: Household, other: Household, relations: dict, *, on: datetime.date, note: str = ""
) -> None:
    """All current members of ``other`` join ``into`` (``relations``: person pk → relation to ``into``'s head);
    ``other`` is closed."""
    require_access(actor, PEOPLE_EDIT, into.region_id, EDIT)
    require_access(actor, PEOPLE_EDIT, other.region_id, EDIT)
    _check_household_open(into)
    _check_household_open(other)
    if into.pk == other.pk:
        raise ServiceError("不能与本户合户")
    moving = list(other.memberships.filter(ended_on__isnull=True).select_related("person"))
    missing = [m.person.name for m in moving if not relations.get(m.person_id) or relations[m.person_id] == codes.HEAD]
    if missing:
        raise ServiceError(f"请填写 {'、'.join(missing)} 与户主的关系（不能为户主）")
    for membership in moving:
        _join(into, membership.person, relations[membership.person_id], on, f"合户至 {into.number}")
    other.head = None
    other.is_active, other.closed_reason, other.closed_on = False, f"合户至 {into.number}", on
    other.save(update_fields=["head", "is_active", "closed_reason", "closed_on", "updated_at"])
    detail = {"into": into.number, "from": other.number, "persons": [m.person_id for m in moving]}
    _event(EventKind.MERGE, household=into, on=on, actor=actor, detail=detail, note=note)
    _event(EventKind.MERGE, household=other, on=on, actor=actor, detail=detail, note=note)
    audit.record("registry.household.merge", into, after=detail)


@transaction.atomic
def close_household(actor, household: Household, *, reason: str, on: datetime.date, note: str = "") -> None:
    """Close a household with a reason; its remaining members' memberships end on the same day."""
    require_access(actor, PEOPLE_EDIT, household.region_id, EDIT)
    _check_household_open(household)
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("请填写注销原因")
    before = household_snapshot(household)
    for membership in household.memberships.filter(ended_on__isnull=True).select_related("person"):
        _leave(membership, on, f"家庭注销：{reason}")
    household.is_active, household.closed_reason, household.closed_on = False, reason, on
    household.save(update_fields=["is_active", "closed_reason", "closed_on", "updated_at"])
    _event(EventKind.CLOSE, household=household, on=on, actor=actor, note=reason + (f"；{note}" if note else ""))
    audit.record("registry.household.close", household, before=before, after=household_snapshot(household))


@_routes_registered_elsewhere
@transaction.atomic
def update_person(actor, person: Person, changes: dict, *, on: datetime.date | None = None) -> Person:
    """Change a person's data; the new data is checked as a whole. A new ID number must not belong to someone
    else. A new bank account or bank becomes a pending change (bank_accounts), effective once another person
    confirms it."""
    require_access(actor, PEOPLE_EDIT, person.region_id, EDIT)
    if person.merged_into_id:
        raise ServiceError("该人员已合并至其他人员记录，请在合并后的记录上修改")
    current = {name: getattr(person, name) for name in persons.EDITABLE_FIELDS}
    unknown = set(changes) - set(persons.EDITABLE_FIELDS)
    if unknown:
        raise ServiceError(f"不能修改的字段：{'、'.join(sorted(unknown))}")
    try:
        clean = persons.clean({**current, **changes})
    except persons.PersonDataError as exc:
        raise ServiceError(str(exc)) from exc
    require_access(actor, PEOPLE_EDIT, clean["region"].code, EDIT)
    if clean["id_number"] and clean["id_number"] != person.id_number:
        existing = dedup.find_by_id_number(clean["id_number"])
        if existing is not None and existing.pk != person.pk:
            dedup.refuse_registered(actor, existing, region=clean["region"], name=clean["name"], source="修改")
    if bank_accounts.differs(person, clean.get("bank_account"), clean.get("bank_name")):  # maker–checker
        bank_accounts.request_change(actor, person, bank_account=clean["bank_account"], bank_name=clean["bank_name"])
    clean.update({name: current[name] for name in BANK_FIELDS})  # changed only by a confirmed request
    before = person_snapshot(person)
    changed = [name for name in persons.EDITABLE_FIELDS if clean.get(name) != current[name]]
    if not changed:
        return person
    for name, value in clean.items():
        setattr(person, name, value)
    person.save()
    labels = [str(Person._meta.get_field(name).verbose_name) for name in changed]
    _event(EventKind.UPDATE, household=person.household, person=person, on=on or timezone.localdate(), actor=actor,
           detail={"fields": changed}, note="变更：" + "、".join(labels))  # fmt: skip
    audit.record("registry.person.update", person, before=before, after=person_snapshot(person))
    return person
