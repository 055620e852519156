"""One person, one record. The same ID number is always the same person (registration of a known number is
refused); likely duplicates without that certainty are listed for a human, who merges or dismisses them.
A merge keeps every history: memberships, events and other apps' references move to the kept person, and the
merged-away record stays, pointing at it (``merged_into``)."""

import datetime
from collections.abc import Callable

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from huimin.core import audit, regions
from huimin.core.access import BusinessRuleError, Forbidden, NotInScope, require_access
from huimin.core.roles import PEOPLE_MERGE, has_capability
from huimin.core.scope import in_scope, subtree, user_prefixes
from huimin.core.services import ServiceError
from huimin.registry import bank_accounts, codes
from huimin.registry.error_codes import RegistryErrorCode
from huimin.registry.models import DuplicateCandidate, ForeignDuplicate, Household, LifeEvent, Membership, Person

# Other apps register here what re-points their references from the merged-away person to the kept one:
# ``MERGE_HOOKS.append(lambda keep, drop: Enrolment.objects.filter(person=drop).update(person=keep))``.
MERGE_HOOKS: list[Callable[[Person, Person], None]] = []

MERGE = "合并或排除重复人员"


def find_by_id_number(number: str) -> Person | None:
    """The (unmerged) person holding ``number``, wherever they live: identity is not a matter of scope."""
    return (
        Person.objects.filter(**Person.lookup("id_number", number), merged_into__isnull=True)
        .select_related("region", "household")
        .first()
    )


REGISTERED_ELSEWHERE = "该身份证号已在其他地区登记，请联系上级民政部门"


def already_registered_message(person: Person, actor) -> str:
    """What ``actor`` is told about a number ``person`` already holds: who and where only inside the actor's
    region; outside it, nothing but that it is registered elsewhere (edit rights are not a city-wide lookup)."""
    if not in_scope(actor, person.region_id):
        return REGISTERED_ELSEWHERE
    where = person.region.full_name() if person.region_id else "未知区划"
    household = f"，家庭户编号 {person.household.number}" if person.household_id else ""
    return f"该身份证号已登记：{person.name}，居住地 {where}{household}。同一身份证号只能对应一个人员，请勿重复登记"


class RegisteredElsewhere(ServiceError):
    """A registration refused because the number is held outside the actor's region (see ``route``)."""

    code = RegistryErrorCode.DUPLICATE_ID

    def __init__(self, holder: Person, region, name: str, source: str):
        super().__init__(REGISTERED_ELSEWHERE)
        self.holder, self.region, self.name, self.source = holder, region, name, source


def refuse_registered(actor, holder: Person, *, region, name: str, source: str):
    """Raise the refusal of registering ``holder``'s number again, in the words ``actor`` may read."""
    if in_scope(actor, holder.region_id):
        raise BusinessRuleError(RegistryErrorCode.DUPLICATE_ID, already_registered_message(holder, actor))
    raise RegisteredElsewhere(holder, region, name, source)


def route(actor, holder: Person, *, region, name: str, source: str) -> ForeignDuplicate:
    """List the attempt for the county (idempotent: one open case per holder and place). Call it outside the
    refused transaction, or the case rolls back with it."""
    case, created = ForeignDuplicate.objects.get_or_create(
        holder=holder, region=region, status=ForeignDuplicate.Status.OPEN,
        defaults={"name": name[:50], "source": source, "attempted_by": getattr(actor, "username", "") or "system"},
    )  # fmt: skip
    if created:
        audit.record("registry.duplicate.elsewhere", case, detail=f"{source}：身份证号已在其他地区登记",
                     region_code=region.code)  # fmt: skip
    return case


def close_elsewhere(actor, case: ForeignDuplicate, *, note: str) -> ForeignDuplicate:
    """The county (or the city) records how a cross-region case was resolved; a township only sees its cases."""
    if not has_capability(actor, PEOPLE_MERGE):
        raise Forbidden("您的角色无权处理重复登记")
    if not in_scope(actor, case.region_id) and not in_scope(actor, case.holder.region_id):
        raise NotInScope("对象不存在或不在您的管辖范围内")
    if actor.region is None or actor.region.level > regions.COUNTY:
        raise ServiceError("跨地区重复登记由县级以上民政部门核实处理")
    if case.status != ForeignDuplicate.Status.OPEN:
        raise ServiceError("该重复登记已处理")
    note = (note or "").strip()
    if not note:
        raise ServiceError("请填写处理情况")
    case.status, case.note = ForeignDuplicate.Status.CLOSED, note[:200]
    case.decided_by, case.decided_at = actor.username, timezone.now()
    case.save(update_fields=["status", "note", "decided_by", "decided_at"])
    audit.record("registry.duplicate.elsewhere_close", case, detail=case.note, region_code=case.region_id)
    return case


def foreign_duplicates_for(user):
    """The open cross-region cases a user who may merge sees: those of attempts in, or of holders living in, the
    user's region."""
    if not has_capability(user, PEOPLE_MERGE):
        return ForeignDuplicate.objects.none()
    condition = Q()
    for prefix in user_prefixes(user):
        condition |= subtree("region", prefix) | subtree("holder__region", prefix)
    if not condition:
        return ForeignDuplicate.objects.none()
    return (
        ForeignDuplicate.objects.filter(condition, status=ForeignDuplicate.Status.OPEN)
        .select_related("region", "holder__region")
        .order_by("-created_at")
    )


def _pair(a: Person, b: Person) -> tuple[Person, Person]:
    return (a, b) if a.pk < b.pk else (b, a)


def likely_duplicates_of(person: Person):
    """Unmerged persons of the same county born the same day whose name is the same or sounds the same."""
    if person.birth_date is None:
        return Person.objects.none()
    same_name = Q(name=person.name)
    if person.name_pinyin:
        same_name |= Q(name_pinyin=person.name_pinyin)
    return (
        Person.objects.filter(same_name, subtree("region", person.region_id[:6]), birth_date=person.birth_date)
        .filter(merged_into__isnull=True)
        .exclude(pk=person.pk)
    )


def reason_for(a: Person, b: Person) -> str:
    if a.id_number and b.id_number and a.id_number != b.id_number:
        basis = "身份证号不同"
    else:
        basis = "至少一人无身份证号" if not (a.id_number and b.id_number) else "身份证号相同"
    name = "姓名相同" if a.name == b.name else f"姓名读音相同（{a.name}／{b.name}）"
    return f"{name}、出生日期相同、同一县区；{basis}"


def scan(persons=None) -> int:
    """List likely duplicates among ``persons`` (default: everyone); returns how many new pairs were listed."""
    queryset = persons if persons is not None else Person.objects.filter(merged_into__isnull=True)
    created = 0
    for person in queryset.exclude(birth_date__isnull=True).iterator(chunk_size=2000):
        for other in likely_duplicates_of(person):
            a, b = _pair(person, other)
            _, new = DuplicateCandidate.objects.get_or_create(
                person_a=a, person_b=b, defaults={"reason": reason_for(a, b)}
            )
            created += new
    return created


_SCAN_SQL = """
INSERT INTO registry_duplicatecandidate (person_a_id, person_b_id, reason, status, decided_by, created_at)
SELECT DISTINCT
    CASE WHEN n.id < o.id THEN n.id ELSE o.id END,
    CASE WHEN n.id < o.id THEN o.id ELSE n.id END,
    CASE WHEN n.name = o.name THEN '姓名相同、出生日期相同、同一县区' ELSE '姓名读音相同、出生日期相同、同一县区' END,
    'open', '', %s
FROM registry_person n
JOIN registry_person o ON o.{key} = n.{key} AND o.birth_date = n.birth_date
WHERE n.id BETWEEN %s AND %s AND n.merged_into_id IS NULL AND n.birth_date IS NOT NULL AND {only}
  AND o.id <> n.id AND o.merged_into_id IS NULL AND substr(o.region_id, 1, 6) = substr(n.region_id, 1, 6)
ON CONFLICT DO NOTHING
"""
# Same pinyin covers same name; a name without any letter of pinyin (rare) is compared as written.
_SCANS = [
    _SCAN_SQL.format(key="name_pinyin", only="n.name_pinyin <> ''"),
    _SCAN_SQL.format(key="name", only="n.name_pinyin = ''"),
]


def scan_id_range(low: int, high: int) -> int:
    """List likely duplicates of the persons with ids in [low, high] (one set-based query, used after an
    import); returns how many pairs were newly listed."""
    listed = 0
    with connection.cursor() as cursor:
        for sql in _SCANS:
            cursor.execute(sql, [timezone.now(), low, high])
            listed += max(cursor.rowcount, 0)
    return listed


@transaction.atomic
def dismiss(actor, candidate: DuplicateCandidate) -> None:
    for person in (candidate.person_a, candidate.person_b):
        require_access(actor, PEOPLE_MERGE, person.region_id, MERGE)
    if candidate.status != DuplicateCandidate.Status.OPEN:
        raise ServiceError("该疑似重复记录已处理")
    candidate.status = DuplicateCandidate.Status.DISMISSED
    candidate.decided_by, candidate.decided_at = actor.username, timezone.now()
    candidate.save(update_fields=["status", "decided_by", "decided_at"])
    audit.record("registry.duplicate.dismiss", candidate, region_code=candidate.person_a.region_id)


@transaction.atomic
def merge(actor, keep: Person, drop: Person, *, candidate: DuplicateCandidate | None = None) -> Person:
    """Merge ``drop`` into ``keep``. ``keep`` takes ``drop``'s facts where it has none (an ID number too);
    both households' histories stay, re-pointed to ``keep``."""
    for person in (keep, drop):
        require_access(actor, PEOPLE_MERGE, person.region_id, MERGE)
    if keep.pk == drop.pk:
        raise ServiceError("不能与自身合并")
    if keep.merged_into_id or drop.merged_into_id:
        raise ServiceError("其中一人已被合并，请刷新后重试")
    if keep.id_number and drop.id_number and keep.id_number != drop.id_number:
        raise ServiceError("两人身份证号不同，不能合并：身份证号不同即为不同的人")
    keep = Person.objects.select_for_update().get(pk=keep.pk)
    drop = Person.objects.select_for_update().get(pk=drop.pk)
    today = datetime.date.today()
    keep_open = Membership.objects.filter(person=keep, ended_on__isnull=True).first()
    drop_open = Membership.objects.filter(person=drop, ended_on__isnull=True).select_related("household").first()
    if drop_open is not None and keep_open is not None:
        household = drop_open.household
        if household.head_id == drop.pk and household.pk != keep_open.household_id:
            others = household.memberships.filter(ended_on__isnull=True).exclude(person=drop).exists()
            if others:
                raise ServiceError(f"被合并人员是家庭 {household.number} 的户主：请先变更该户户主")
            # A one-person household registered twice: it ends with the duplicate record.
            household.is_active, household.closed_on = False, today
            household.closed_reason = f"重复登记：人员已合并至 #{keep.pk}"
            household.save(update_fields=["is_active", "closed_on", "closed_reason", "updated_at"])
            LifeEvent.objects.create(
                kind=codes.EventKind.CLOSE, household=household, person=drop, occurred_on=today,
                note=household.closed_reason, recorded_by=actor.username,
            )  # fmt: skip
        drop_open.ended_on = max(today, drop_open.started_on)
        drop_open.end_reason = f"合并重复人员至 {keep.pk}"
        drop_open.save(update_fields=["ended_on", "end_reason"])
    taken = []
    if not keep.id_number and drop.id_number:
        keep.id_number, keep.no_id_reason = drop.id_number, ""
        taken.append("id_number")
    for name in ("phone", "hukou_region", "disability_category", "disability_grade",
                 "disability_cert_no", "education", "serious_illness"):  # fmt: skip
        if not getattr(keep, name) and getattr(drop, name):
            setattr(keep, name, getattr(drop, name))
            taken.append(name)
    if bank_accounts.propose_from_merge(actor, keep, drop):  # maker–checker, like any change of an account
        taken.append("bank_account（待确认）")
    drop.merged_into = keep
    drop.household = None
    drop.save(update_fields=["merged_into", "household", "updated_at"])
    Membership.objects.filter(person=drop).update(person=keep)
    LifeEvent.objects.filter(person=drop).update(person=keep)
    Household.objects.filter(head=drop).update(head=keep)
    current = Membership.objects.filter(person=keep, ended_on__isnull=True).first()
    keep.household_id = current.household_id if current else None
    keep.save()
    for hook in MERGE_HOOKS:
        hook(keep, drop)
    if candidate is None:
        a, b = _pair(keep, drop)
        candidate = DuplicateCandidate.objects.filter(person_a=a, person_b=b).first()
    if candidate is not None:
        candidate.status = DuplicateCandidate.Status.MERGED
        candidate.decided_by, candidate.decided_at = actor.username, timezone.now()
        candidate.save(update_fields=["status", "decided_by", "decided_at"])
    LifeEvent.objects.create(
        kind=codes.EventKind.PERSON_MERGE, person=keep, household=keep.household, occurred_on=today,
        detail={"kept": keep.pk, "merged": drop.pk, "taken": taken}, note=f"合并重复人员记录 #{drop.pk}",
        recorded_by=actor.username,
    )  # fmt: skip
    audit.record("registry.person.merge", keep, after={"kept": keep.pk, "merged": drop.pk, "taken": taken})
    return keep
