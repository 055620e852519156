"""探访关爱: who visits whom, how often, what they found and where it went.

- the tier of a person (``tier_of`` / ``schedule``): derived from his confirmed 特殊困难老年人 categories and his
  latest ability level (``RiskTier`` rows), or the township's override with its reason;
- how often (``VisitFrequency`` rows, per region as data, ``core.regions.in_force``): every ``period_days``, and
  within ``event_hours`` of a recorded event;
- due dates: the last visit (else the start of the assignment, else the day he entered the register) plus the
  period; overdue the day after the due date; not seen for two periods raises a 动态监测 warning (the monitoring
  app reads ``unvisited_facts``);
- the visit (``check_visit`` / ``do_visit``): submitted once (``core.idempotency``), never dated in the future,
  only for an older person in the visitor's villages; a conflict — someone else visited him since the form was
  loaded — is refused with ``VisitConflict`` until the visitor confirms, never merged silently;
- referrals (``do_refer`` / ``do_close_referral``): a need found, handed on and followed to an outcome. A
  临时救助 referral offers the household page's 申请救助 action (``registry.panels``): 养老服务 imports nothing of
  assistance.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from huimin.core import audit, idempotency, offline, regions
from huimin.core.access import BusinessRuleError, NotInScope, require_capability
from huimin.core.models import Region
from huimin.core.scope import in_scope, subtree
from huimin.core.services import ServiceError
from huimin.elderly import capabilities as cap
from huimin.elderly import rules
from huimin.elderly.access import access_elderly_person_by_id
from huimin.elderly.error_codes import ElderlyErrorCode as E
from huimin.elderly.models import (
    Assessment,
    CategoryMark,
    Referral,
    RiskTier,
    TierOverride,
    Visit,
    VisitAssignment,
    VisitEvent,
    VisitFrequency,
    Visitor,
)
from huimin.registry.models import Person

SUBMISSION_KIND = "elderly.visit"
MONTHLY_DAYS = 31  # a tier visited at least this often counts in the 月探访率


def today() -> datetime.date:
    return timezone.localdate()


class VisitConflict(offline.EditConflict):
    """Someone else recorded a visit of the person after the form was loaded; ``latest`` is that visit."""

    def __init__(self, latest: Visit):
        super().__init__(
            E.VISIT_CONFLICT,
            f"{latest.person.name}在您打开表单后已由{latest.visitor.name}于 {latest.visited_on:%Y-%m-%d} 探访"
            f"（录入于 {timezone.localtime(latest.created_at):%Y-%m-%d %H:%M}）。"
            "请核对后选择「仍然提交」或放弃本条记录",
            latest,
        )


# --- tiers and frequencies ---------------------------------------------------------------------------------------


def tiers() -> list[RiskTier]:
    found = list(RiskTier.objects.all())
    if not found:
        raise BusinessRuleError(
            E.NOT_CONFIGURED, "探访风险等级未配置：默认值由数据迁移写入，请系统管理员运行 huimin migrate"
        )
    return found


def derive_tier(categories: set[str], level_rank: int | None, all_tiers: list[RiskTier]) -> RiskTier:
    """The highest-rank tier the person's confirmed categories or ability level reach; the tier with neither
    condition (everybody else's) otherwise."""
    default = None
    for tier in sorted(all_tiers, key=lambda t: -t.rank):
        if not tier.categories and tier.min_level_rank is None:
            default = tier if default is None or tier.rank < default.rank else default
            continue
        if categories & set(tier.categories):
            return tier
        if tier.min_level_rank is not None and level_rank is not None and level_rank >= tier.min_level_rank:
            return tier
    if default is None:
        default = min(all_tiers, key=lambda t: t.rank)
    return default


def frequencies(day: datetime.date) -> list[VisitFrequency]:
    return list(VisitFrequency.objects.filter(effective_from__lte=day).select_related("region"))


def frequency_for(tier_id: int, village: str, rows: list[VisitFrequency]) -> VisitFrequency | None:
    return regions.in_force(
        [r for r in rows if r.tier_id == tier_id], village,
        region=lambda r: r.region_id, effective_from=lambda r: r.effective_from,
    )  # fmt: skip


def due_on(base: datetime.date, period_days: int) -> datetime.date:
    """The day a visit is due: ``period_days`` after the last one (or the base); overdue from the next day."""
    return base + datetime.timedelta(days=period_days)


def event_due_at(occurred_at: datetime.datetime, hours: int) -> datetime.datetime:
    return occurred_at + datetime.timedelta(hours=hours)


@dataclass(slots=True)
class Due:
    person_id: int
    region_id: str
    tier_id: int
    period_days: int | None  # None: no frequency configured for the tier here
    last_visited: datetime.date | None
    base: datetime.date
    due: datetime.date | None
    event_due: datetime.datetime | None
    visitor_id: int | None

    def overdue_on(self, day: datetime.date, now: datetime.datetime | None = None) -> bool:
        if self.due is not None and day > self.due:
            return True
        return self.event_due is not None and (now or timezone.now()) > self.event_due

    def days_overdue(self, day: datetime.date) -> int:
        return (day - self.due).days if self.due is not None and day > self.due else 0

    def periods_missed(self, day: datetime.date) -> int:
        """Whole periods gone by without a visit (2 raises the monitoring warning)."""
        if not self.period_days:
            return 0
        return max(0, (day - self.base).days - 1) // self.period_days


def schedule(prefix: str, day: datetime.date, register_age: int, person_ids=None) -> list[Due]:
    """The visiting schedule of every older person under ``prefix`` on ``day``, in a few bulk queries (no query per
    person): tier, frequency, last visit, open event, current visitor and due date."""
    persons = Person.objects.filter(rules.elderly_q(day, register_age))
    if prefix:
        persons = persons.filter(subtree("region", prefix))
    if person_ids is not None:
        persons = persons.filter(pk__in=person_ids)
    people = list(persons.values_list("pk", "region_id", "birth_date"))
    ids = [p[0] for p in people]
    if not ids:
        return []
    within = subtree("person__region", prefix) if prefix else Q()
    if person_ids is not None:
        within = Q(person_id__in=ids)
    marks = defaultdict(set)
    for pid, code in CategoryMark.objects.filter(within, status=CategoryMark.Status.CONFIRMED).values_list(
        "person_id", "category__code"
    ):
        marks[pid].add(code)
    levels = {}
    for pid, _, _, rank in (
        Assessment.objects.filter(within, assessed_on__lte=day)
        .order_by("person_id", "assessed_on", "id")
        .values_list("person_id", "assessed_on", "id", "level__rank")
    ):
        levels[pid] = rank  # the last one per person wins
    overrides = dict(TierOverride.objects.filter(within, ended_on__isnull=True).values_list("person_id", "tier_id"))
    last = dict(
        Visit.objects.filter(within, visited_on__lte=day).values("person_id").annotate(m=Max("visited_on"))
        .values_list("person_id", "m")
    )  # fmt: skip
    assigned = {pid: (vid, since) for pid, vid, since in VisitAssignment.objects.filter(
        within, ended_on__isnull=True).values_list("person_id", "visitor_id", "since")}  # fmt: skip
    events = dict(
        VisitEvent.objects.filter(within, occurred_at__date__lte=day).values("person_id")
        .annotate(m=Max("occurred_at")).values_list("person_id", "m")
    )  # fmt: skip
    all_tiers = tiers()
    rows = frequencies(day)
    freq_cache: dict[tuple[int, str], VisitFrequency | None] = {}
    periods = {r.period_days: datetime.timedelta(days=r.period_days) for r in rows}
    tier_cache: dict[tuple[frozenset, int | None], RiskTier] = {}
    out = []
    for pid, village, born in people:
        tier_id = overrides.get(pid)
        if tier_id is None:
            key = (frozenset(marks.get(pid, ())), levels.get(pid))
            if key not in tier_cache:
                tier_cache[key] = derive_tier(set(key[0]), key[1], all_tiers)
            tier_id = tier_cache[key].pk
        fkey = (tier_id, village)
        if fkey not in freq_cache:
            freq_cache[fkey] = frequency_for(tier_id, village, rows)
        freq = freq_cache[fkey]
        visited = last.get(pid)
        visitor_id, since = assigned.get(pid, (None, None))
        base = visited or since or _entered(born, register_age)
        period = freq.period_days if freq else None
        ev = events.get(pid)
        event_due = None
        if (
            ev is not None
            and freq
            and freq.event_hours
            and (visited is None or visited < timezone.localtime(ev).date())
        ):
            event_due = event_due_at(ev, freq.event_hours)
        out.append(Due(pid, village, tier_id, period, visited, base, base + periods[period] if period else None,
                       event_due, visitor_id))  # fmt: skip
    return out


def _entered(born: datetime.date, register_age: int) -> datetime.date:
    """The day a person reached the register age (29 February → 28 February in a common year)."""
    try:
        return born.replace(year=born.year + register_age)
    except ValueError:
        return born.replace(year=born.year + register_age, day=28)


def overdue(schedule_rows: list[Due], day: datetime.date, now=None) -> list[Due]:
    now = now or timezone.now()
    rows = [d for d in schedule_rows if d.overdue_on(day, now)]
    return sorted(rows, key=lambda d: (d.due or day, d.region_id, d.person_id))


def month_bounds(month: datetime.date) -> tuple[datetime.date, datetime.date]:
    first = month.replace(day=1)
    nxt = (first + datetime.timedelta(days=32)).replace(day=1)
    return first, nxt - datetime.timedelta(days=1)


@dataclass
class Coverage:
    region_id: str
    due: int = 0  # older people of a tier visited at least monthly
    visited: int = 0  # of them, visited at least once in the month

    @property
    def rate(self) -> float | None:
        return self.visited / self.due if self.due else None


def coverage(
    prefix: str, month: datetime.date, register_age: int, level: int = regions.VILLAGE, rows: list[Due] | None = None
) -> list[Coverage]:
    """月探访率 by region at ``level`` (village or township) for the month of ``month``: of the older people whose
    tier is visited at least monthly (on the month's last day), the share visited in the month. ``rows``: the
    schedule on the month's last day when the caller has it already."""
    first, last = month_bounds(month)
    if rows is None:
        rows = schedule(prefix, last, register_age)
    visited_qs = Visit.objects.filter(visited_on__range=(first, last))
    if prefix:
        visited_qs = visited_qs.filter(subtree("person__region", prefix))
    seen = set(visited_qs.values_list("person_id", flat=True).distinct())
    out: dict[str, Coverage] = {}
    for d in rows:
        if d.period_days is None or d.period_days > MONTHLY_DAYS:
            continue
        code = regions.ancestor_code(d.region_id, level) if level != regions.VILLAGE else d.region_id
        c = out.setdefault(code, Coverage(code))
        c.due += 1
        c.visited += d.person_id in seen
    return [out[k] for k in sorted(out)]


def unvisited_facts(
    day: datetime.date, periods: int = 2, prefix: str = "", tiers_: list[str] | None = None
) -> list[dict]:
    """For 动态监测: older people of the given tiers (all when None) not seen for ``periods`` whole periods of their
    tier on ``day``, among those visiting has started for (assigned to a visitor or visited once; the others are on
    the overdue list as 未分配) — one fact each (person_id, household_id, region_id, record_key naming the last
    visit, occurred_on = the first due date missed, value = periods missed)."""
    from huimin.elderly.services import register_age

    wanted = None if tiers_ is None else set(RiskTier.objects.filter(code__in=tiers_).values_list("pk", flat=True))
    rows = [d for d in schedule(prefix, day, register_age()) if d.periods_missed(day) >= periods
            and (d.visitor_id or d.last_visited) and (wanted is None or d.tier_id in wanted)]  # fmt: skip
    households = dict(Person.objects.filter(pk__in=[d.person_id for d in rows]).values_list("pk", "household_id"))
    out = []
    for d in rows:
        if households.get(d.person_id) is None:
            continue
        last = f"末次探访 {d.last_visited:%Y-%m-%d}" if d.last_visited else "从未探访"
        out.append({"person_id": d.person_id, "household_id": households[d.person_id], "region_id": d.region_id,
                    "record_key": last, "occurred_on": due_on(d.base, d.period_days),
                    "value": d.periods_missed(day)})  # fmt: skip
    return out


# --- visitors, assignments, overrides, events --------------------------------------------------------------------


def visitor_of(user) -> Visitor | None:
    return Visitor.objects.filter(user=user, is_active=True).prefetch_related("villages").first()


def check_visitor(actor, data: dict) -> dict:
    require_capability(actor, cap.MANAGE_VISITS, "登记探访人员")
    name = (data.get("name") or "").strip()
    if not name:
        raise ServiceError("请填写探访人员姓名")
    if data.get("kind") not in Visitor.Kind.values:
        raise ServiceError("请选择探访人员身份（民政协理员、村（居）干部、志愿者或社会工作者）")
    codes = [c for c in data.get("villages", []) if c]
    if not codes:
        raise ServiceError("请至少选择一个负责的村（社区）")
    villages = list(Region.objects.filter(code__in=codes, level=regions.VILLAGE))
    if len(villages) != len(set(codes)) or not all(in_scope(actor, v.code) for v in villages):
        raise NotInScope("所选村（社区）不存在或不在您的管辖范围内")
    townships = {regions.ancestor_code(v.code, regions.TOWNSHIP) for v in villages}
    if len(townships) != 1:
        raise ServiceError("一名探访人员负责的村（社区）须在同一乡镇（街道）内")
    user = None
    username = (data.get("username") or "").strip()
    if username:
        from huimin.core.models import User

        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise ServiceError(f"系统账号「{username}」不存在或已停用")
        if Visitor.objects.filter(user=user).exists():
            raise ServiceError(f"系统账号「{username}」已关联其他探访人员")
    return {"name": name, "kind": data["kind"], "phone": (data.get("phone") or "").strip()[:20],
            "township_id": townships.pop(), "villages": villages, "user": user}  # fmt: skip


@transaction.atomic
def do_visitor(actor, data: dict) -> Visitor:
    clean = check_visitor(actor, data)
    villages = clean.pop("villages")
    visitor = Visitor.objects.create(**clean)
    visitor.villages.set(villages)
    audit.record(
        "elderly.visitor.create", visitor, after={"name": visitor.name, "villages": [v.code for v in villages]}
    )
    return visitor


def check_assign(actor, person_ids, visitor_id, day: datetime.date | None = None):
    require_capability(actor, cap.MANAGE_VISITS, "分配探访人员")
    day = day or today()
    visitor = Visitor.objects.filter(pk=visitor_id, is_active=True).prefetch_related("villages").first()
    if visitor is None or not in_scope(actor, visitor.township_id):
        raise NotInScope("探访人员不存在或不在您的管辖范围内")
    villages = {v.code for v in visitor.villages.all()}
    from huimin.elderly.services import _require_elderly, register_age

    persons = []
    for pk in person_ids:
        person = access_elderly_person_by_id(actor, pk, capability=cap.MANAGE_VISITS)
        _require_elderly(person, day, register_age())
        if person.region_id not in villages:
            raise BusinessRuleError(E.OUTSIDE_VILLAGES, f"{person.name}居住在{person.region.name}，"
                                    f"不在{visitor.name}负责的村（社区）内")  # fmt: skip
        persons.append(person)
    if not persons:
        raise ServiceError("请选择要分配的老年人")
    return visitor, persons, day


@transaction.atomic
def do_assign(actor, person_ids, visitor_id, day: datetime.date | None = None) -> int:
    visitor, persons, day = check_assign(actor, person_ids, visitor_id, day)
    ids = [p.pk for p in persons]
    VisitAssignment.objects.filter(person_id__in=ids, ended_on__isnull=True).exclude(visitor=visitor).update(
        ended_on=day
    )
    have = set(
        VisitAssignment.objects.filter(person_id__in=ids, ended_on__isnull=True).values_list("person_id", flat=True)
    )
    VisitAssignment.objects.bulk_create([VisitAssignment(person_id=i, visitor=visitor, since=day) for i in ids
                                         if i not in have])  # fmt: skip
    audit.record("elderly.visit.assign", visitor, after={"persons": ids})
    return len(ids)


@transaction.atomic
def do_override(actor, person_id, tier_code: str, reason: str) -> TierOverride | None:
    """The township sets a person's tier (with a reason), or ends its override (empty tier)."""
    require_capability(actor, cap.MANAGE_VISITS, "调整探访风险等级")
    person = access_elderly_person_by_id(actor, person_id, capability=cap.MANAGE_VISITS, for_update=True)
    day = today()
    TierOverride.objects.filter(person=person, ended_on__isnull=True).update(ended_on=day)
    if not tier_code:
        audit.record("elderly.visit.tier_reset", person)
        return None
    tier = RiskTier.objects.filter(code=tier_code).first()
    if tier is None:
        raise ServiceError("请选择探访风险等级")
    reason = (reason or "").strip()
    if not reason:
        raise BusinessRuleError(E.NOTE_REQUIRED, "调整探访风险等级须填写理由")
    row = TierOverride.objects.create(person=person, tier=tier, reason=reason[:200], decided_by=actor, decided_on=day)
    audit.record("elderly.visit.tier_override", person, after={"tier": tier.code, "reason": row.reason})
    return row


@transaction.atomic
def do_event(actor, person_id, what: str, occurred_at: datetime.datetime | None) -> VisitEvent:
    require_capability(actor, cap.VISIT, "登记突发情况")
    person = access_elderly_person_by_id(actor, person_id, capability=cap.VISIT)
    what = (what or "").strip()
    if not what:
        raise ServiceError("请填写突发情况（如摔倒、住院、家中变故）")
    if occurred_at is None:
        raise ServiceError("请填写发生时间")
    if occurred_at > timezone.now():
        raise ServiceError("发生时间不能晚于现在")
    event = VisitEvent.objects.create(person=person, what=what[:100], occurred_at=occurred_at, recorded_by=actor)
    audit.record("elderly.visit.event", person, after={"what": event.what, "at": occurred_at.isoformat()})
    return event


# --- the visit -----------------------------------------------------------------------------------------------------


def latest_visit(person_id) -> Visit | None:
    return (Visit.objects.filter(person_id=person_id).select_related("visitor", "person")
            .order_by("-created_at", "-id").first())  # fmt: skip


def check_visit(actor, data: dict, key: str = "") -> tuple[Person, Visitor, dict]:
    """Validate a visit and write nothing. ``data``: person, visited_on (date), seen_in_person, living, health,
    needs, note, photo, visitor (when the actor is not a visitor himself), ``known_last`` (the id of the person's
    latest visit when the form was loaded, '' for none) and ``confirm_conflict``."""
    require_capability(actor, cap.VISIT, "登记探访记录")
    idempotency.check_key(SUBMISSION_KIND, key)
    from huimin.elderly.services import _require_elderly, register_age

    person = access_elderly_person_by_id(actor, _int(data.get("person")) or -1, capability=cap.VISIT)
    visitor = visitor_of(actor)
    if visitor is None:
        visitor = Visitor.objects.filter(pk=_int(data.get("visitor")), is_active=True).first()
        if visitor is None:
            raise ServiceError("请选择探访人员（您的账号未关联探访人员：可在「探访人员」页面由乡镇经办员关联）")
        if not in_scope(actor, visitor.township_id):
            raise NotInScope("探访人员不存在或不在您的管辖范围内")
    day = data.get("visited_on")
    if not isinstance(day, datetime.date):
        raise BusinessRuleError(E.VISIT_DATE, "请填写探访日期（格式 2026-01-31）")
    if day > today():
        raise BusinessRuleError(E.VISIT_DATE, f"探访日期 {day:%Y-%m-%d} 晚于今天，不能登记未来的探访")
    _require_elderly(person, day, register_age())
    villages = {v.code for v in visitor.villages.all()}
    if person.region_id not in villages:
        raise BusinessRuleError(E.OUTSIDE_VILLAGES, f"{person.name}居住在{person.region.name}，"
                                f"不在探访人员{visitor.name}负责的村（社区）内，不能登记")  # fmt: skip
    clean = {}
    for f in ("living", "health"):
        if data.get(f) not in Visit.Condition.values:
            label = Visit._meta.get_field(f).verbose_name
            raise ServiceError(f"请选择{label}（良好、一般或较差）")
        clean[f] = data[f]
    clean["needs"] = (data.get("needs") or "").strip()[:500]
    clean["note"] = (data.get("note") or "").strip()[:500]
    clean["seen_in_person"] = bool(data.get("seen_in_person"))
    if not clean["seen_in_person"] and not clean["note"]:
        raise ServiceError("未见到本人时请在情况说明中写明原因（如外出就医、走亲戚）")
    photo = data.get("photo")
    if photo:
        from huimin.core.uploads import DOCUMENT_MAX_BYTES, check_size

        check_size(photo, DOCUMENT_MAX_BYTES, "现场照片")
        if not (getattr(photo, "content_type", "") or "").startswith("image/"):
            raise ServiceError("现场照片须为图片文件（JPG、PNG）")
    clean["photo"] = photo
    known = data.get("known_last")
    if known is not None and not data.get("confirm_conflict"):
        latest = latest_visit(person.pk)
        if latest is not None and str(latest.pk) != str(known).strip() and latest.recorded_by_id != actor.pk:
            raise VisitConflict(latest)
    return person, visitor, {**clean, "visited_on": day, "offline": bool(data.get("offline"))}


def do_visit(actor, data: dict, key: str = "") -> Visit:
    person, visitor, clean = check_visit(actor, data, key)
    with transaction.atomic():
        received = idempotency.remember(SUBMISSION_KIND, key, actor)
        photo = clean.pop("photo")
        visit = Visit(person=person, region_id=person.region_id, visitor=visitor, recorded_by=actor, **clean)
        if photo:
            visit.photo = photo
        visit.save()
        idempotency.attach(received, visit)
        audit.record("elderly.visit.record", visit, after={
            "person": person.pk, "visitor": visitor.pk, "visited_on": str(visit.visited_on),
            "seen": visit.seen_in_person, "offline": visit.offline, "key": key,
        })  # fmt: skip
    return visit


def _int(value) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


# --- referrals -----------------------------------------------------------------------------------------------------


@transaction.atomic
def do_refer(actor, visit: Visit, kind: str, need: str) -> Referral:
    require_capability(actor, cap.VISIT, "转介探访发现的需求")
    if kind not in Referral.Kind.values:
        raise ServiceError("请选择转介去向（临时救助、养老服务工单或就医协助）")
    need = (need or "").strip()
    if not need:
        raise ServiceError("请填写需转介的需求")
    ref = Referral.objects.create(visit=visit, person_id=visit.person_id, region_id=visit.region_id, kind=kind,
                                  need=need[:300], created_by=actor, created_on=today())  # fmt: skip
    audit.record("elderly.referral.create", ref, after={"kind": kind, "need": ref.need})
    return ref


@transaction.atomic
def do_close_referral(actor, referral: Referral, status: str, outcome: str, target: str = "") -> Referral:
    require_capability(actor, cap.MANAGE_VISITS, "办结探访转介")
    if referral.status != Referral.Status.OPEN:
        raise BusinessRuleError(E.CATEGORY_STATE, "该转介已办结")
    if status not in (Referral.Status.DONE, Referral.Status.UNRESOLVED):
        raise ServiceError("请选择办结结果（已解决或未能解决）")
    outcome = (outcome or "").strip()
    if not outcome:
        raise BusinessRuleError(E.NOTE_REQUIRED, "办结转介须填写结果（如临时救助申请编号、服务工单结果）")
    before = {"status": referral.status}
    referral.status, referral.outcome, referral.target = status, outcome[:300], (target or "").strip()[:100]
    referral.closed_on = today()
    referral.save(update_fields=["status", "outcome", "target", "closed_on"])
    audit.record("elderly.referral.close", referral, before=before, after={"status": status, "outcome": outcome})
    return referral
