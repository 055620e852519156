"""Supervision services: the contract other apps use. Every state change checks the capability on the object's
business line and its region, applies the rules, runs in one transaction and writes the audit entry; a refusal is
a Chinese message (``BusinessRuleError`` with a code of ``error_codes.py``) and nothing is written.

- ``draw(actor, *, purpose, line, region, period, population, inspectors, count=None, ratio=None, seed=None,
  per_subject=2) -> Draw`` (``check_draw`` validates only); ``publish(actor, draw_id)``; ``verify(draw)`` re-runs
  a draw from what it froze (no actor: anyone may);
- ``record_inspection(actor, inspection_id=None, *, subject=None, line=None, inspected_on, summary,
  co_inspector=None, joint_with="")`` (``joint_with``: the other departments of a 联合检查);
- ``add_finding(actor, inspection_id, *, description, severity, deadline=None)``;
- ``record_rectification(actor, finding_id, *, rectified_on, note)``;
- ``close_finding(actor, finding_id, *, accept=True, note="")`` — by a second person (职责分离: core.duties
  procedure ``supervision.rectification``);
- ``add_risk`` / ``resolve_risk``, ``add_complaint`` / ``handle_complaint``; ``overdue(actor, day)``;
  ``record_of(kind, id)`` (what supervision knows of one subject, for its credit record);
  ``drawn_in(kind, year)``, ``joint_checked_in(kind, year)`` (subject ids, for the spot-check rates).
"""

import datetime
import functools
import re
import secrets
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from huimin.core import audit, duties, parse, regions
from huimin.core.access import BusinessRuleError, NotInScope, by_line, require_capability
from huimin.core.models import Region, User
from huimin.core.roles import BusinessLine, has_capability
from huimin.core.scope import in_scope, scoped
from huimin.supervision import capabilities as cap
from huimin.supervision import rules, subjects
from huimin.supervision.access import (
    access_complaint_by_id,
    access_draw_by_id,
    access_finding_by_id,
    access_inspection_by_id,
    access_risk_by_id,
)
from huimin.supervision.error_codes import SupervisionErrorCode as E
from huimin.supervision.models import Complaint, Draw, Finding, Inspection, Rectification, Risk


def today() -> datetime.date:
    return timezone.localdate()


parse_date = functools.partial(parse.date, code=E.BAD_DATE, not_future=True)


def _text(value, what: str) -> str:
    text = str(value or "").strip()
    if not text:
        raise BusinessRuleError(E.TEXT_REQUIRED, f"请填写{what}")
    return text


def _line(line) -> str:
    if line not in BusinessLine.values:
        raise BusinessRuleError(E.BAD_CHOICE, f"业务条线“{line}”不存在")
    return line


def _region(actor, region) -> Region:
    code = str(getattr(region, "code", region) or "").strip()
    if not code:
        raise BusinessRuleError(E.TEXT_REQUIRED, "请选择区划")
    code = regions.full_code(code)
    if not in_scope(actor, code):
        raise NotInScope("区划不存在或不在您的管辖范围内")
    found = Region.objects.filter(code=code).first()
    if found is None:
        raise NotInScope("区划不存在或不在您的管辖范围内")
    return found


def _subject(actor, kind: str, pk, line: str, capability: str) -> tuple[str, str]:
    """(label, region code) of a registered subject inside the actor's region (404 otherwise)."""
    if subjects.get(kind) is None:
        raise BusinessRuleError(E.UNKNOWN_KIND, f"抽查对象类别“{kind}”未登记")
    require_capability(actor, capability, "办理监督检查")
    if not has_capability(actor, capability, line):  # another line's subject does not exist for him (404)
        raise NotInScope(f"{subjects.label_of(kind)}不存在或不在您的管辖范围内")
    if not str(pk or "").strip():
        raise BusinessRuleError(E.TEXT_REQUIRED, f"请选择{subjects.label_of(kind)}")
    found = subjects.resolve(kind, pk)
    if found is None or not in_scope(actor, found[1]):
        raise NotInScope(f"{subjects.label_of(kind)}不存在或不在您的管辖范围内")
    return found


# --- 双随机 ---------------------------------------------------------------------------------------------------


def may_inspect_in(user, line: str, region_code: str) -> bool:
    """An inspector of a draw: an active account holding 检查 on the line whose region covers the draw's region
    (so every drawn subject lies inside his subtree)."""
    own = getattr(user, "region", None)
    return bool(user.is_active and own is not None and region_code.startswith(own.prefix)
                and has_capability(user, cap.INSPECT, line))  # fmt: skip


def eligible_inspectors(line: str, region_code: str):
    """The accounts that may be drawn as inspectors for a draw of ``line`` in ``region_code``."""
    codes = regions.lineage(region_code)
    candidates = User.objects.filter(is_active=True, region_id__in=codes, role_assignments__line=line).distinct()
    return [u for u in candidates.select_related("region").order_by("pk") if may_inspect_in(u, line, region_code)]


@dataclass
class DrawInput:
    purpose: str
    line: str
    kind: str
    region: Region
    period: str
    population: list
    located: dict
    pool: list
    count: int
    ratio: Decimal | None
    per_subject: int
    seed: int


def check_draw(actor, *, purpose, line, region, period, population, inspectors, count=None, ratio=None, seed=None,
               per_subject=2) -> DrawInput:  # fmt: skip
    """Validate a draw and write nothing."""
    line = _line(line)
    require_capability(actor, cap.DRAW, "进行双随机抽查", line=line)
    region = _region(actor, region)
    purpose, period = _text(purpose, "抽查事项"), _text(period, "抽查期间")
    population = rules.canonical_population(population)
    if not population:
        raise BusinessRuleError(E.EMPTY_POPULATION, "抽查对象名录为空：所选区划内没有可抽查的对象")
    kinds = {row[0] for row in population}
    if len(kinds) != 1 or subjects.get(next(iter(kinds))) is None:
        raise BusinessRuleError(E.UNKNOWN_KIND, "抽查对象名录须是同一类已登记的对象")
    kind = next(iter(kinds))
    ids = [row[1] for row in population]
    if len(set(ids)) != len(ids):
        raise BusinessRuleError(E.DUPLICATE_SUBJECT, "抽查对象名录中有重复的对象")
    located = subjects.get(kind).resolver(ids)
    outside = [
        row[2] for row in population if row[1] not in located or not located[row[1]][1].startswith(region.prefix)
    ]
    if outside:
        raise NotInScope(f"抽查对象不存在或不在所选区划内：{'、'.join(outside[:3])}")
    pool = []
    for user in inspectors:
        if not may_inspect_in(user, line, region.code):
            label = BusinessLine(line).label
            raise BusinessRuleError(E.BAD_INSPECTOR, f"{user}不是可在{region.name}执行检查的“{label}”检查人员"
                                    "（须在该区划或其上级、持有检查权限）")  # fmt: skip
        pool.append([user.pk, str(user)])
    pool = sorted({p[0]: p for p in pool}.values())
    try:
        per_subject = int(per_subject)
    except (TypeError, ValueError):
        per_subject = 0
    if per_subject < 1 or per_subject > len(pool):
        raise BusinessRuleError(E.POOL_TOO_SMALL, f"检查人员名录有 {len(pool)} 人，不足每个对象 {per_subject} 人"
                                if per_subject >= 1 else "每个对象的检查人员数至少为 1")  # fmt: skip
    if (count in (None, "")) == (ratio in (None, "")):
        raise BusinessRuleError(E.BAD_SAMPLE, "请填写抽取数量或抽取比例（二者填一项）")
    try:
        count = None if count in (None, "") else int(count)
        ratio = None if ratio in (None, "") else Decimal(str(ratio))
    except (ValueError, InvalidOperation) as exc:
        raise BusinessRuleError(E.BAD_SAMPLE, "抽取数量须为整数，抽取比例须为 0 到 1 之间的小数") from exc
    if ratio is not None and not (Decimal(0) < ratio <= 1):
        raise BusinessRuleError(E.BAD_SAMPLE, "抽取比例须大于 0、不超过 1（如 0.2 即 20%）")
    size = rules.sample_size(len(population), count, ratio)
    if size < 1 or size > len(population):
        raise BusinessRuleError(E.BAD_SAMPLE, f"抽取数量须在 1 到 {len(population)}（名录中的对象数）之间")
    if seed in (None, ""):
        seed = secrets.randbits(62)
    try:
        seed = int(seed)
    except (TypeError, ValueError) as exc:
        raise BusinessRuleError(E.BAD_SAMPLE, "随机种子须为非负整数") from exc
    if not (0 <= seed < 2**63):
        raise BusinessRuleError(E.BAD_SAMPLE, "随机种子须为非负整数（小于 2^63）")
    return DrawInput(purpose, line, kind, region, period, population, located, pool, size, ratio, per_subject, seed)


def draw(actor, *, purpose, line, region, period, population, inspectors, count=None, ratio=None, seed=None,
         per_subject=2) -> Draw:  # fmt: skip
    """Draw subjects × inspectors (rules.run_draw), freeze the lists with their hashes and plan one inspection per
    drawn subject (its first drawn inspector leads, the second accompanies)."""
    d = check_draw(actor, purpose=purpose, line=line, region=region, period=period, population=population,
                   inspectors=inspectors, count=count, ratio=ratio, seed=seed, per_subject=per_subject)  # fmt: skip
    result = rules.run_draw(d.seed, d.population, [p[0] for p in d.pool], d.count, d.per_subject)
    with transaction.atomic():
        row = Draw.objects.create(
            purpose=d.purpose, line=d.line, subject_kind=d.kind, region=d.region, period=d.period, seed=d.seed,
            algorithm=rules.ALGORITHM, population=d.population, population_hash=rules.digest(d.population),
            pool=d.pool, pool_hash=rules.digest(rules.canonical_pool(p[0] for p in d.pool)), count=d.count,
            ratio=d.ratio, per_subject=d.per_subject, result=result, result_hash=rules.digest(result),
            created_by=actor,
        )  # fmt: skip
        Inspection.objects.bulk_create(
            Inspection(draw=row, line=d.line, subject_kind=r["kind"], subject_id=r["id"], subject_label=r["label"],
                       region_id=d.located[r["id"]][1], inspector_id=r["inspectors"][0],
                       co_inspector_id=r["inspectors"][1] if len(r["inspectors"]) > 1 else None)
            for r in result
        )  # fmt: skip
        audit.record("supervision.draw", row, after={"seed": d.seed, "count": d.count, "population": len(d.population),
                     "pool": len(d.pool), "result_hash": row.result_hash})  # fmt: skip
    return row


def publish(actor, draw_id) -> Draw:
    with transaction.atomic():
        row = access_draw_by_id(actor, draw_id, capability=cap.DRAW, for_update=True)
        if row.published:
            raise BusinessRuleError(E.ALREADY_PUBLISHED, "该抽查结果已公开")
        row.published, row.published_on = True, today()
        row.save(update_fields=["published", "published_on"])
        audit.record("supervision.draw.publish", row)
    return row


@dataclass
class Verification:
    population_ok: bool
    pool_ok: bool
    result_ok: bool
    plan_ok: bool
    recomputed: list

    @property
    def ok(self) -> bool:
        return self.population_ok and self.pool_ok and self.result_ok and self.plan_ok


def planned_pairs(row: Draw) -> list[tuple]:
    """The published plan: (kind, id, inspector ids) of each inspection the draw planned."""
    out = []
    for i in row.inspections.order_by("pk"):
        out.append((i.subject_kind, i.subject_id, [x for x in (i.inspector_id, i.co_inspector_id) if x]))
    return out


def verify(row: Draw) -> Verification:
    """复核: re-run the draw from the frozen population, pool and seed and compare with the recorded result and
    with the inspections it planned. Writes nothing; anyone may run it for a published draw."""
    pool_ids = [p[0] for p in row.pool]
    recomputed = rules.run_draw(row.seed, row.population, pool_ids, row.count, row.per_subject)
    expected = sorted((r["kind"], r["id"], r["inspectors"]) for r in recomputed)
    return Verification(
        population_ok=rules.digest(rules.canonical_population(row.population)) == row.population_hash,
        pool_ok=rules.digest(rules.canonical_pool(pool_ids)) == row.pool_hash,
        result_ok=recomputed == row.result and rules.digest(recomputed) == row.result_hash,
        plan_ok=sorted(planned_pairs(row)) == expected,
        recomputed=recomputed,
    )


# --- inspections, findings, rectifications ---------------------------------------------------------------------


def record_inspection(actor, inspection_id=None, *, subject=None, line=None, inspected_on, summary,
                      co_inspector=None, joint_with="") -> Inspection:  # fmt: skip
    """Record an inspection done: a planned one (by its drawn inspector or the co-inspector), or one not
    planned by a draw of ``subject`` = (kind, id) on ``line``. ``joint_with``: the other departments of a joint
    check (联合检查), names separated by “、” (blank: not joint)."""
    with transaction.atomic():
        if inspection_id is not None:
            row = access_inspection_by_id(actor, inspection_id, capability=cap.INSPECT, for_update=True)
            if row.status != Inspection.Status.PLANNED:
                raise BusinessRuleError(E.INSPECTION_STATE, "该检查已登记，不能重复登记")
            if actor.pk not in (row.inspector_id, row.co_inspector_id):
                raise BusinessRuleError(E.NOT_INSPECTOR, "双随机抽查的检查只能由抽中的检查人员登记")
        else:
            kind, pk = subject
            line = _line(line)
            label, region_code = _subject(actor, kind, pk, line, cap.INSPECT)
            row = Inspection(line=line, subject_kind=kind, subject_id=int(pk), subject_label=label,
                             region_id=region_code, inspector=actor, co_inspector=co_inspector)  # fmt: skip
        day = parse_date(inspected_on, "检查日期")
        if row.draw_id and day < row.draw.created_at.date():
            raise BusinessRuleError(E.BAD_DATE, "检查日期不能早于抽查日期")
        row.status, row.inspected_on, row.recorded_by = Inspection.Status.DONE, day, actor
        row.summary = _text(summary, "检查情况")
        row.joint_with = joint_departments(joint_with)
        row.save()
        audit.record("supervision.inspection.record", row, after={"inspected_on": day, "subject": row.subject_label,
                     "joint_with": row.joint_with})  # fmt: skip
    return row


def joint_departments(raw) -> str:
    """The departments of a joint check as stored: names separated by “、” (commas and spaces accepted), without
    repeats; '' when not joint."""
    names = [n.strip() for n in re.split(r"[、,，;；\s]+", str(raw or "")) if n.strip()]
    text = "、".join(dict.fromkeys(names))
    if len(text) > 200:
        raise BusinessRuleError(E.TEXT_REQUIRED, "联合检查部门最多 200 字")
    return text


def add_finding(actor, inspection_id, *, description, severity, deadline=None) -> Finding:
    with transaction.atomic():
        inspection = access_inspection_by_id(actor, inspection_id, capability=cap.INSPECT, for_update=True)
        if inspection.status != Inspection.Status.DONE:
            raise BusinessRuleError(E.INSPECTION_STATE, "请先登记检查情况，再登记发现的问题")
        if severity not in Finding.Severity.values:
            raise BusinessRuleError(E.BAD_CHOICE, "请选择问题等级（严重、一般、轻微）")
        description = _text(description, "发现的问题")
        due = parse_date(deadline, "整改期限", required=False, not_future=False)
        due = due or rules.default_deadline(severity, inspection.inspected_on)
        problem = rules.deadline_problem(severity, inspection.inspected_on, due)
        if problem:
            raise BusinessRuleError(E.BAD_DEADLINE, problem)
        finding = Finding.objects.create(
            inspection=inspection, region_id=inspection.region_id, line=inspection.line, description=description,
            severity=severity, deadline=due, found_by=actor,
        )  # fmt: skip
        audit.record("supervision.finding.add", finding, after={"severity": severity, "deadline": due})
    return finding


def record_rectification(actor, finding_id, *, rectified_on, note) -> Rectification:
    with transaction.atomic():
        finding = access_finding_by_id(actor, finding_id, capability=cap.RECTIFY, for_update=True)
        if finding.status != Finding.Status.OPEN:
            raise BusinessRuleError(E.FINDING_STATE, f"该问题{finding.get_status_display()}，不能登记整改")
        day = parse_date(rectified_on, "整改完成日期")
        if day < finding.inspection.inspected_on:
            raise BusinessRuleError(E.BAD_DATE, "整改完成日期不能早于检查日期")
        row = Rectification.objects.create(finding=finding, rectified_on=day, note=_text(note, "整改情况"),
                                           recorded_by=actor)  # fmt: skip
        finding.status = Finding.Status.SUBMITTED
        finding.save(update_fields=["status"])
        audit.record("supervision.rectification.record", finding, after={"rectified_on": day,
                     "late": day > finding.deadline})  # fmt: skip
    return row


def close_finding(actor, finding_id, *, accept: bool = True, note: str = "") -> Finding:
    """验收 the pending rectification: accepted → the finding is closed (销号); returned → open again. By a second
    person: whoever recorded the rectification may not accept or return it (职责分离, rules of
    ``supervision.rectification`` on 「职责分离规则」)."""
    with transaction.atomic():
        finding = access_finding_by_id(actor, finding_id, capability=cap.CLOSE, for_update=True)
        if finding.status != Finding.Status.SUBMITTED:
            raise BusinessRuleError(E.FINDING_STATE, f"该问题{finding.get_status_display()}，没有待验收的整改")
        pending = finding.rectifications.filter(decision=Rectification.Decision.PENDING).order_by("-pk").first()
        duties.check(actor, subjects.RECTIFICATION, "close", {"record": pending.recorded_by.username})
        if not accept and not str(note or "").strip():
            raise BusinessRuleError(E.TEXT_REQUIRED, "退回重改须写明原因")
        day = today()
        pending.decision = Rectification.Decision.ACCEPTED if accept else Rectification.Decision.RETURNED
        pending.decided_by, pending.decided_on, pending.decision_note = actor, day, str(note or "").strip()[:200]
        pending.save()
        if accept:
            finding.status, finding.closed_by, finding.closed_on = Finding.Status.CLOSED, actor, day
        else:
            finding.status = Finding.Status.OPEN
        finding.save(update_fields=["status", "closed_by", "closed_on"])
        audit.record("supervision.finding.close" if accept else "supervision.finding.return", finding,
                     detail=pending.decision_note)  # fmt: skip
    return finding


def overdue(actor, day: datetime.date | None = None):
    """Findings still awaiting rectification after their deadline, in the actor's region and lines."""
    day = day or today()
    qs = by_line(Finding.objects.select_related("inspection", "region"), actor, cap.VIEW, "line")
    return scoped(qs, actor, capability=cap.VIEW).filter(status=Finding.Status.OPEN, deadline__lt=day)


# --- risks and complaints --------------------------------------------------------------------------------------


def add_risk(actor, *, subject, line, category, level, description, identified_on) -> Risk:
    kind, pk = subject
    line = _line(line)
    label, region_code = _subject(actor, kind, pk, line, cap.INSPECT)
    if category not in Risk.Category.values or level not in Risk.Level.values:
        raise BusinessRuleError(E.BAD_CHOICE, "请选择风险类别（消防、食品、建筑、资金）和风险等级")
    day = parse_date(identified_on, "发现日期")
    with transaction.atomic():
        row = Risk.objects.create(line=line, subject_kind=kind, subject_id=int(pk), subject_label=label,
                                  region_id=region_code, category=category, level=level, identified_on=day,
                                  description=_text(description, "风险描述"), recorded_by=actor)  # fmt: skip
        audit.record("supervision.risk.add", row, after={"category": category, "level": level})
    return row


def resolve_risk(actor, risk_id, *, resolved_on) -> Risk:
    with transaction.atomic():
        row = access_risk_by_id(actor, risk_id, capability=cap.CLOSE, for_update=True)
        if row.resolved_on:
            raise BusinessRuleError(E.FINDING_STATE, "该风险已消除")
        day = parse_date(resolved_on, "消除日期")
        if day < row.identified_on:
            raise BusinessRuleError(E.BAD_DATE, "消除日期不能早于发现日期")
        row.resolved_on, row.resolved_by = day, actor
        row.save(update_fields=["resolved_on", "resolved_by"])
        audit.record("supervision.risk.resolve", row)
    return row


def add_complaint(actor, *, subject, line, received_on, channel, content) -> Complaint:
    kind, pk = subject
    line = _line(line)
    label, region_code = _subject(actor, kind, pk, line, cap.RECTIFY)
    if channel not in Complaint.Channel.values:
        raise BusinessRuleError(E.BAD_CHOICE, "请选择投诉渠道")
    day = parse_date(received_on, "收到日期")
    with transaction.atomic():
        row = Complaint.objects.create(line=line, subject_kind=kind, subject_id=int(pk), subject_label=label,
                                       region_id=region_code, received_on=day, channel=channel,
                                       content=_text(content, "投诉内容"), recorded_by=actor)  # fmt: skip
        audit.record("supervision.complaint.add", row)
    return row


def handle_complaint(actor, complaint_id, *, outcome, note) -> Complaint:
    with transaction.atomic():
        row = access_complaint_by_id(actor, complaint_id, capability=cap.CLOSE, for_update=True)
        if row.outcome != Complaint.Outcome.OPEN:
            raise BusinessRuleError(E.FINDING_STATE, "该投诉已处理")
        if outcome not in (Complaint.Outcome.SUBSTANTIATED, Complaint.Outcome.UNFOUNDED):
            raise BusinessRuleError(E.BAD_CHOICE, "请选择处理结果（属实或不属实）")
        row.outcome, row.outcome_note = outcome, _text(note, "处理说明")[:200]
        row.handled_by, row.handled_on = actor, today()
        row.save()
        audit.record("supervision.complaint.handle", row, after={"outcome": outcome})
    return row


def drawn_in(kind: str, year: int) -> set[int]:
    """The ids of the subjects of ``kind`` drawn in the draws published in ``year`` (for a spot-check rate)."""
    rows = Draw.objects.filter(subject_kind=kind, published=True, published_on__year=year).values_list("result")
    return {r["id"] for (result,) in rows for r in result if r["kind"] == kind}


def joint_checked_in(kind: str, year: int) -> set[int]:
    """The ids of the subjects of ``kind`` inspected jointly with other departments (联合检查) in ``year``."""
    qs = Inspection.objects.filter(subject_kind=kind, status=Inspection.Status.DONE, inspected_on__year=year)
    return set(qs.exclude(joint_with="").values_list("subject_id", flat=True))


def record_of(kind: str, pk: int) -> dict:
    """What supervision knows of one subject (the caller has fetched the subject in scope): its inspections,
    findings, risks and complaints, newest first."""
    inspections = Inspection.objects.filter(subject_kind=kind, subject_id=pk).select_related("inspector", "draw")
    return {
        "inspections": list(inspections.order_by("-inspected_on", "-pk")),
        "findings": list(
            Finding.objects.filter(inspection__in=inspections)
            .select_related("inspection")
            .order_by("-inspection__inspected_on", "-pk")
        ),
        "risks": list(Risk.objects.filter(subject_kind=kind, subject_id=pk).order_by("resolved_on", "-identified_on")),
        "complaints": list(Complaint.objects.filter(subject_kind=kind, subject_id=pk)),
    }
