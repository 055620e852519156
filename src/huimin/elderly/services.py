"""养老服务 services. Every state change checks capability and scope, applies the rules, runs in one transaction
and writes the audit entry; a refusal is a Chinese message and nothing is written. Each action is a ``check_*``
that validates and writes nothing, then a ``do_*`` that writes rows and audit.

- the register: ``register`` (older people in the actor's region), ``facts_for`` (what the data says of them);
- categories: ``do_derive`` (the data's suggestions, 待确认), ``do_confirm``, ``do_reject``, ``do_add`` (乡镇认定);
- assessments: ``check_assessment`` / ``do_assessment`` (GB/T 42195-2022).

低保/特困 is read through the registry's programme hook (``registry.search.PROGRAMME_FILTERS``, filled by
assistance): 养老服务 stands beside assistance and imports nothing of it.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from huimin.core import audit, regions
from huimin.core.access import BusinessRuleError, NotInScope, require_capability
from huimin.core.scope import in_scope, scoped, subtree
from huimin.elderly import capabilities as cap
from huimin.elderly import rules
from huimin.elderly.access import access_elderly_person_by_id, access_mark_by_id
from huimin.elderly.error_codes import ElderlyErrorCode as E
from huimin.elderly.models import Adjustment, Assessment, Category, CategoryMark, Item, Level, Parameter, Score
from huimin.registry.models import Household, Person

CHUNK = 2000


def today() -> datetime.date:
    return timezone.localdate()


def parameter(code: str) -> int:
    row = Parameter.objects.filter(code=code).first()
    if row is None:
        label = dict(Parameter.Code.choices).get(code, code)
        raise BusinessRuleError(
            E.NOT_CONFIGURED,
            f"养老服务参数「{label}」未配置：默认值由数据迁移写入，请系统管理员运行 huimin migrate（elderly 应用）",
        )
    return row.value


def register_age() -> int:
    return parameter(Parameter.Code.REGISTER_AGE)


def register(actor, day: datetime.date | None = None):
    """The older people in the actor's region on ``day``: living, not merged registry persons aged ≥ the register
    age (the counting is by birth date, so the register is never out of date)."""
    day = day or today()
    qs = Person.objects.filter(rules.elderly_q(day, register_age()))
    return scoped(qs, actor, capability=cap.VIEW)


def latest_assessments():
    """A subquery: the id of each person's latest assessment (by date, then entry)."""
    return Subquery(Assessment.objects.filter(person=OuterRef("pk")).order_by("-assessed_on", "-id").values("pk")[:1])


def _require_elderly(person: Person, day: datetime.date, age: int) -> None:
    if not rules.is_elderly(person, day, age):
        if person.is_deceased or person.merged_into_id:
            why = "已死亡" if person.is_deceased else "已合并至其他人员"
        elif person.birth_date is None:
            why = "出生日期未登记（请先在人员信息中补录）"
        else:
            why = f"在 {day:%Y-%m-%d} 未满 {age} 周岁"
        raise BusinessRuleError(E.NOT_ELDERLY, f"{person.name}{why}，不在老年人名册中")


# --- what the data says ------------------------------------------------------------------------------------------


def _programmes_of(household_ids: set[int], codes: set[str]) -> dict[int, set[str]]:
    from huimin.registry.search import PROGRAMME_FILTERS

    found: dict[int, set[str]] = defaultdict(set)
    if not household_ids or not codes:
        return found
    for f in PROGRAMME_FILTERS:
        for code, _ in f.choices():
            if code in codes:
                ids = Household.objects.filter(pk__in=f.household_ids(code)).filter(pk__in=household_ids)
                for pk in ids.values_list("pk", flat=True):
                    found[pk].add(code)
    return found


def facts_for(persons: list[Person], day: datetime.date, categories: list[Category]) -> dict[int, rules.Facts]:
    """The facts of each person, read in a few queries for the whole batch."""
    household_ids = {p.household_id for p in persons if p.household_id}
    members: dict[int, list[tuple[int, int | None]]] = defaultdict(list)
    for pk, hh, born in Person.objects.filter(
        household_id__in=household_ids, is_deceased=False, merged_into__isnull=True
    ).values_list("pk", "household_id", "birth_date"):
        age = None
        if born is not None:
            age = day.year - born.year - ((day.month, day.day) < (born.month, born.day))
        members[hh].append((pk, age))
    wanted = {p for c in categories for r in c.rules if r.get("kind") == "programme" for p in r.get("programmes", [])}
    programmes = _programmes_of(household_ids, wanted)
    levels = dict(
        Assessment.objects.filter(pk__in=Person.objects.filter(pk__in=[p.pk for p in persons])
                                  .annotate(latest=latest_assessments()).values("latest"))
        .values_list("person_id", "level__code")
    )  # fmt: skip
    out = {}
    for p in persons:
        others = [age for pk, age in members.get(p.household_id, []) if pk != p.pk]
        out[p.pk] = rules.Facts(
            age=p.age_on(day) or 0,
            others_in_household=others,
            has_household=p.household_id is not None,
            special_statuses=frozenset(p.special_statuses or []),
            disability_grade=p.disability_grade,
            programmes=frozenset(programmes.get(p.household_id, set())),
            assessment_level=levels.get(p.pk, ""),
        )
    return out


def suggestions_for(person: Person, day: datetime.date | None = None) -> dict[str, str]:
    day = day or today()
    categories = list(Category.objects.all())
    facts = facts_for([person], day, categories)[person.pk]
    return rules.suggested(categories, facts, register_age())


# --- categories ----------------------------------------------------------------------------------------------------


@dataclass
class DeriveResult:
    persons: int = 0
    proposed: int = 0
    refreshed: int = 0
    lapsed: int = 0
    by_category: dict[str, int] = field(default_factory=dict)

    def message(self) -> str:
        return (f"已比对 {self.persons} 名老年人：新增待确认 {self.proposed} 项，更新依据 {self.refreshed} 项，"
                f"不再符合而失效 {self.lapsed} 项")  # fmt: skip


def check_derive(actor, region_code: str = "") -> str:
    """The region prefix to derive in: the actor's own subtree, or a region inside it."""
    require_capability(actor, cap.CONFIRM, "推定特殊困难老年人类别")
    if region_code:
        if not in_scope(actor, region_code):
            raise NotInScope("区划不存在或不在您的管辖范围内")
        return regions.prefix_of(region_code)
    return ""


def do_derive(actor, region_code: str = "", day: datetime.date | None = None) -> DeriveResult:
    """Compare the data with the marks of every older person in the region: a category the data suggests and
    nobody has decided becomes 待确认 (source 数据推定, with its basis and date); a 待确认 one the data no longer
    suggests lapses. Confirmed and rejected marks are the township's decision and stay as they are."""
    prefix = check_derive(actor, region_code)
    day = day or today()
    age = register_age()
    categories = list(Category.objects.all())
    by_code = {c.code: c for c in categories}
    result = DeriveResult()
    persons = register(actor, day).select_related(None).order_by("pk")
    if prefix:
        persons = persons.filter(subtree("region", prefix))
    with transaction.atomic():
        last = 0
        while True:
            batch = list(persons.filter(pk__gt=last)[:CHUNK])
            if not batch:
                break
            last = batch[-1].pk
            result.persons += len(batch)
            facts = facts_for(batch, day, categories)
            marks = {(m.person_id, m.category_id): m for m in
                     CategoryMark.objects.filter(person__in=batch).select_for_update()}  # fmt: skip
            new = []
            for person in batch:
                found = rules.suggested(categories, facts[person.pk], age)
                for code, basis in found.items():
                    category = by_code[code]
                    mark = marks.get((person.pk, category.pk))
                    if mark is None:
                        new.append(CategoryMark(person=person, category=category, source=CategoryMark.Source.DERIVED,
                                                basis=basis, source_date=day))  # fmt: skip
                        result.by_category[category.name] = result.by_category.get(category.name, 0) + 1
                    elif mark.status in (CategoryMark.Status.PROPOSED, CategoryMark.Status.LAPSED) and (
                        mark.basis != basis or mark.status == CategoryMark.Status.LAPSED
                    ):
                        mark.basis, mark.source_date, mark.status = basis, day, CategoryMark.Status.PROPOSED
                        mark.save(update_fields=["basis", "source_date", "status"])
                        result.refreshed += 1
                suggested_ids = {by_code[c].pk for c in found}
                for (pk, category_id), mark in marks.items():
                    if (pk == person.pk and category_id not in suggested_ids and mark.status ==
                            CategoryMark.Status.PROPOSED and mark.source == CategoryMark.Source.DERIVED):  # fmt: skip
                        mark.status, mark.note = CategoryMark.Status.LAPSED, f"{day:%Y-%m-%d} 数据已不支持"
                        mark.save(update_fields=["status", "note"])
                        result.lapsed += 1
            CategoryMark.objects.bulk_create(new)
            result.proposed += len(new)
        audit.record("elderly.category.derive", detail=result.message(), region_code=regions.full_code(prefix)
                     if prefix else "", after={"by_category": result.by_category})  # fmt: skip
    return result


def _snapshot(mark: CategoryMark) -> dict:
    return {"person": mark.person_id, "category": mark.category.code, "status": mark.status, "source": mark.source,
            "basis": mark.basis, "source_date": mark.source_date, "note": mark.note}  # fmt: skip


def check_decide(actor, pk, decision: str, note: str = "") -> CategoryMark:
    mark = access_mark_by_id(actor, pk, for_update=True)
    if decision not in ("confirm", "reject"):
        raise BusinessRuleError(E.CATEGORY_STATE, "未知的操作：应为确认（confirm）或否定（reject）")
    allowed = {
        "confirm": (CategoryMark.Status.PROPOSED, CategoryMark.Status.REJECTED),
        "reject": (CategoryMark.Status.PROPOSED, CategoryMark.Status.CONFIRMED),
    }[decision]
    if mark.status not in allowed:
        verb = "确认" if decision == "confirm" else "否定"
        raise BusinessRuleError(
            E.CATEGORY_STATE, f"「{mark.category.name}」当前为{mark.get_status_display()}，不能{verb}"
        )
    if decision == "reject" and not note.strip():
        raise BusinessRuleError(E.NOTE_REQUIRED, "否定一项类别须写明理由（如实地核实情况）")
    _require_elderly(mark.person, today(), register_age())
    return mark


@transaction.atomic
def do_decide(actor, pk, decision: str, note: str = "") -> CategoryMark:
    """The township confirms a 待确认 (or earlier rejected) category, or rejects one with its reason."""
    mark = check_decide(actor, pk, decision, note)
    before = _snapshot(mark)
    mark.status = CategoryMark.Status.CONFIRMED if decision == "confirm" else CategoryMark.Status.REJECTED
    mark.decided_by, mark.decided_on, mark.note = actor, today(), note.strip()[:200]
    mark.save()
    audit.record(f"elderly.category.{decision}", mark, before=before, after=_snapshot(mark),
                 region_code=mark.person.region_id)  # fmt: skip
    return mark


def check_add(actor, person_pk, category_code: str, basis: str, source_date) -> tuple[Person, Category]:
    person = access_elderly_person_by_id(actor, person_pk, capability=cap.CONFIRM, for_update=True)
    category = Category.objects.filter(code=category_code).first()
    if category is None:
        raise BusinessRuleError(E.CATEGORY_UNKNOWN, f"特殊困难老年人类别「{category_code}」不存在")
    if not (basis or "").strip():
        raise BusinessRuleError(E.NOTE_REQUIRED, "乡镇认定须写明依据（如入户核实、证明材料）")
    if source_date is None:
        raise BusinessRuleError(E.ASSESSMENT_DATE, "请填写认定日期")
    if source_date > today():
        raise BusinessRuleError(E.ASSESSMENT_DATE, f"认定日期 {source_date:%Y-%m-%d} 晚于今天，不能登记未来的认定")
    _require_elderly(person, today(), register_age())
    existing = CategoryMark.objects.filter(person=person, category=category).first()
    if existing and existing.status == CategoryMark.Status.CONFIRMED:
        raise BusinessRuleError(E.CATEGORY_STATE, f"{person.name}已确认为「{category.name}」")
    return person, category


@transaction.atomic
def do_add(actor, person_pk, category_code: str, basis: str, source_date: datetime.date) -> CategoryMark:
    """乡镇认定: a category the township established itself (计划生育特殊家庭, or one the data cannot see)."""
    person, category = check_add(actor, person_pk, category_code, basis, source_date)
    mark = CategoryMark.objects.filter(person=person, category=category).select_for_update().first()
    before = _snapshot(mark) if mark else None
    if mark is None:
        mark = CategoryMark(person=person, category=category)
    mark.status, mark.source = CategoryMark.Status.CONFIRMED, CategoryMark.Source.TOWNSHIP
    mark.basis, mark.source_date = basis.strip()[:200], source_date
    mark.decided_by, mark.decided_on, mark.note = actor, today(), ""
    mark.save()
    audit.record("elderly.category.add", mark, before=before, after=_snapshot(mark), region_code=person.region_id)
    return mark


# --- 老年人能力综合评估 ------------------------------------------------------------------------------------------


@dataclass
class AssessmentInput:
    person: Person
    assessed_on: datetime.date
    reason: str
    scores: dict[str, int]
    coma: bool
    adjustments: list
    items: list
    levels: list
    second_assessor: str = ""
    note: str = ""


def _parse_date(raw) -> datetime.date | None:
    if isinstance(raw, datetime.date):
        return raw
    try:
        return datetime.date.fromisoformat(str(raw or "").strip())
    except ValueError:
        return None


def check_assessment(actor, person_pk, data: dict) -> AssessmentInput:
    """Validate an assessment and write nothing: the person in the assessor's region (404 otherwise) and an
    older person on the date; the date given and not in the future; every item scored with one of its options."""
    person = access_elderly_person_by_id(actor, person_pk, capability=cap.ASSESS, for_update=True)
    items = list(Item.objects.select_related("domain"))
    levels = list(Level.objects.order_by("rank"))
    if not items or not levels:
        raise BusinessRuleError(E.NOT_CONFIGURED, "能力评估的指标或等级未配置：默认值由数据迁移写入，请系统管理员运行 "
                                                  "huimin migrate（elderly 应用）")  # fmt: skip
    raw_date = data.get("assessed_on")
    assessed_on = _parse_date(raw_date)
    if assessed_on is None:
        raise BusinessRuleError(E.ASSESSMENT_DATE, "请填写评估日期（格式 YYYY-MM-DD）" if not raw_date else
                                f"评估日期「{raw_date}」不是有效日期（格式 YYYY-MM-DD）")  # fmt: skip
    if assessed_on > today():
        raise BusinessRuleError(
            E.ASSESSMENT_DATE, f"评估日期 {assessed_on:%Y-%m-%d} 晚于今天（{today():%Y-%m-%d}），不能登记未来的评估"
        )
    _require_elderly(person, assessed_on, register_age())
    reason = data.get("reason") or Assessment.Reason.INITIAL
    if reason not in Assessment.Reason.values:
        raise BusinessRuleError(E.ASSESSMENT_SCORE, f"评估原因「{reason}」不存在")
    given = data.get("scores") or {}
    missing = [i for i in items if str(given.get(i.code, "")).strip() == ""]
    if missing:
        names = "、".join(f"{i.domain.name}「{i.name}」（{i.number}）" for i in missing)
        raise BusinessRuleError(E.ASSESSMENT_INCOMPLETE, f"评估缺少 {len(missing)} 项得分：{names}。每一项都须评分")
    scores = {}
    for item in items:
        raw = str(given[item.code]).strip()
        options = item.scores()
        try:
            value = int(raw)
        except ValueError:
            value = None
        if value not in options:
            raise BusinessRuleError(
                E.ASSESSMENT_SCORE,
                f"「{item.name}」（{item.number}）的得分「{raw}」不是该项目的选项"
                f"（可选 {'、'.join(map(str, options))}）",
            )
        scores[item.code] = value
    known = {i.code for i in items}
    unknown = sorted(set(given) - known)
    if unknown:
        raise BusinessRuleError(E.ASSESSMENT_SCORE, f"评估含有未知的项目：{'、'.join(unknown)}")
    adjustment_codes = [c for c in (data.get("adjustments") or []) if c]
    adjustments = list(Adjustment.objects.filter(code__in=adjustment_codes))
    if len(adjustments) != len(set(adjustment_codes)):
        missing_codes = set(adjustment_codes) - {a.code for a in adjustments}
        raise BusinessRuleError(E.ASSESSMENT_SCORE, f"未知的等级变更情形：{'、'.join(sorted(missing_codes))}")
    return AssessmentInput(
        person=person, assessed_on=assessed_on, reason=reason, scores=scores, coma=bool(data.get("coma")),
        adjustments=adjustments, items=items, levels=levels,
        second_assessor=str(data.get("second_assessor") or "").strip()[:50], note=str(data.get("note") or "")[:200],
    )  # fmt: skip


@transaction.atomic
def do_assessment(actor, person_pk, data: dict) -> Assessment:
    got = check_assessment(actor, person_pk, data)
    result = rules.assess(got.items, got.scores, got.levels, coma=got.coma, adjusted=bool(got.adjustments))
    assessment = Assessment.objects.create(
        person=got.person, region_id=got.person.region_id, assessed_on=got.assessed_on, reason=got.reason,
        assessor=actor, second_assessor=got.second_assessor, domain_totals=result.domain_totals, total=result.total,
        coma=got.coma, base_level=result.base_level, level=result.level,
        next_due=rules.add_months(got.assessed_on, parameter(Parameter.Code.REASSESS_MONTHS)), note=got.note,
    )  # fmt: skip
    assessment.adjustments.set(got.adjustments)
    Score.objects.bulk_create(Score(assessment=assessment, item=i, score=got.scores[i.code]) for i in got.items)
    audit.record("elderly.assessment.create", assessment, after={
        "person": got.person.pk, "assessed_on": got.assessed_on, "total": result.total,
        "domain_totals": result.domain_totals, "base_level": result.base_level.code, "level": result.level.code,
        "coma": got.coma, "adjustments": [a.code for a in got.adjustments], "next_due": assessment.next_due,
    })  # fmt: skip
    return assessment
