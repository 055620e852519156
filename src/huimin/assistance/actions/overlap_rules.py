"""A region's own overlap rules (OverlapRule rows, huimin.assistance.overlaps): a county or city approver of the
残疾人福利 line holding 设置 adds a row of an existing rule code for his region from a date, or ends one of his
region's rows with a reason. Nothing is overwritten: the rows in force before stay as history, and every change
has its audit entry. Parameters come in Chinese labels (项目名称, 残疾类别) and are checked before anything is
written."""

import datetime
import re

from django.db import transaction

from huimin.assistance import workflow
from huimin.assistance.actions.common import actor_level, today
from huimin.assistance.models import OverlapRule, ProgrammeKind
from huimin.core import audit, regions
from huimin.core.access import require_capability, require_writable_region
from huimin.core.models import Region
from huimin.core.roles import BusinessLine
from huimin.core.services import ServiceError
from huimin.registry.codes import DisabilityCategory

PAGE = "「待遇衔接规则」"
WHO = "县级以上残疾人福利审批人"
LIST_KINDS = (OverlapRule.Kind.REQUIRES, OverlapRule.Kind.EXCLUDES, OverlapRule.Kind.HIGHER_OF)
SEPARATORS = re.compile(r"[、，,；;\s]+")
GRADE_LABELS = {"1": 1, "2": 2, "3": 3, "4": 4, "一级": 1, "二级": 2, "三级": 3, "四级": 4}


def _require_configurer(actor, region_code: str) -> Region:
    """The region must lie in the actor's subtree (404 otherwise), the actor must hold 设置 on the 残疾人福利 line
    (403) and sit at county or city level; the rule's region is a county or a city."""
    if not region_code:
        raise ServiceError("请选择规则适用的区划")
    require_writable_region(actor, region_code, "区划")
    require_capability(actor, workflow.CONFIGURE, "设置待遇衔接规则", line=BusinessLine.DISABILITY)
    level = actor_level(actor)
    if not regions.CITY <= level <= regions.COUNTY:
        raise ServiceError(f"待遇衔接规则须由{WHO}设置")
    region = Region.objects.filter(code=region_code).first()
    if region is None or not regions.CITY <= region.level <= regions.COUNTY:
        raise ServiceError("待遇衔接规则只能为市或县（区）设置")
    return region


def _text(value, label: str, limit: int) -> str:
    value = (value or "").strip()
    if not value:
        raise ServiceError(f"请填写{label}")
    if len(value) > limit:
        raise ServiceError(f"{label}过长，请控制在 {limit} 字以内")
    return value


def _labels(values) -> list[str]:
    if isinstance(values, str):
        values = [values]
    return [part for value in values or [] for part in SEPARATORS.split(str(value).strip()) if part]


def programme_kinds(labels, *, exclude: str) -> list[str]:
    """Programme kinds named by their Chinese labels (ProgrammeKind), in the order given, without repeats."""
    by_label = {label: value for value, label in ProgrammeKind.choices if value != exclude}
    kinds = []
    for label in _labels(labels):
        if label not in by_label:
            raise ServiceError(f"“{label}”不是可选的救助项目，可选：{'、'.join(by_label)}")
        if by_label[label] not in kinds:
            kinds.append(by_label[label])
    if not kinds:
        raise ServiceError("请选择相关项目（至少一项）")
    return kinds


def _grade(value, label: str) -> int:
    grade = GRADE_LABELS.get(str(value or "").strip())
    if grade is None:
        raise ServiceError(f"{label}应为 1–4 级（一级最重）")
    return grade


def grade_params(max_grade, categories, extended_max_grade) -> dict:
    """The params of a ``grade`` rule from the form: 一至N级, and for the categories named (Chinese labels of the
    残疾人证 categories) up to a lower grade."""
    params = {"max_grade": _grade(max_grade, "适用残疾等级"), "extended_categories": [], "extended_max_grade": 0}
    by_label = {label: value for value, label in DisabilityCategory.choices}
    chosen = []
    for label in _labels(categories):
        if label not in by_label:
            raise ServiceError(f"“{label}”不是残疾类别，可选：{'、'.join(by_label)}")
        if by_label[label] not in chosen:
            chosen.append(by_label[label])
    if chosen:
        extended = _grade(extended_max_grade, "扩大类别的适用等级")
        if extended <= params["max_grade"]:
            raise ServiceError("扩大类别的适用等级应低于（数字大于）一般适用等级，否则无需扩大")
        params.update(extended_categories=sorted(chosen), extended_max_grade=extended)
    elif str(extended_max_grade or "").strip():
        raise ServiceError("填写了扩大类别的适用等级，请同时选择扩大到的残疾类别")
    return params


def _template(code: str) -> OverlapRule:
    """The rule a regional row replaces: its national default (the code, programme and kind stay the same)."""
    template = OverlapRule.objects.filter(code=code, region__isnull=True).order_by("-effective_from", "-pk").first()
    if template is None:
        raise ServiceError("请选择要设置的规则")
    return template


@transaction.atomic
def add_overlap_rule(
    actor,
    *,
    code: str,
    region_code: str,
    effective_from,
    basis: str,
    name: str = "",
    other_kinds=(),
    max_grade=None,
    extended_categories=(),
    extended_max_grade=None,
) -> OverlapRule:
    """A region's own row of rule ``code`` from ``effective_from`` (today or later); the rows before it stay."""
    region = _require_configurer(actor, region_code)
    template = _template(code)
    if not isinstance(effective_from, datetime.date):
        raise ServiceError("请填写生效日期")
    if effective_from < today():
        raise ServiceError("生效日期不能早于今天：已经办理的申请按当时有效的规则审查")
    basis = _text(basis, "依据（文件名称及文号）", 300)
    name = (name or "").strip() or template.name
    if len(name) > 100:
        raise ServiceError("规则名称过长，请控制在 100 字以内")
    kinds, params = [], {}
    if template.kind in LIST_KINDS:
        kinds = programme_kinds(other_kinds, exclude=template.programme_kind)
    elif template.kind == OverlapRule.Kind.GRADE:
        params = grade_params(max_grade, extended_categories, extended_max_grade)
    Region.objects.select_for_update().get(pk=region.pk)  # one change of a region's rules at a time
    if OverlapRule.objects.filter(code=code, region=region, effective_from=effective_from).exists():
        raise ServiceError("本区划已有同一天生效的该规则：请改用较晚的生效日期，或先停止该规则")
    rule = OverlapRule.objects.create(
        code=code, name=name, programme_kind=template.programme_kind, kind=template.kind, other_kinds=kinds,
        params=params, region=region, effective_from=effective_from, basis=basis, created_by=actor.username,
    )  # fmt: skip
    audit.record(
        "assistance.overlap_rule.add",
        rule,
        after={"code": code, "other_kinds": kinds, "params": params, "effective_from": str(effective_from),
               "basis": basis},
        region_code=region.code,
    )  # fmt: skip
    return rule


@transaction.atomic
def end_overlap_rule(actor, rule: OverlapRule, *, effective_to, reason: str) -> OverlapRule:
    """End one of the actor's region's rows on ``effective_to`` (its last day, not before today); the rule of
    the wider region (or the national default) governs again from the day after."""
    if rule.region_id is None:
        raise ServiceError("全国默认规则不能停止：请为本地区设置自己的规则")
    _require_configurer(actor, rule.region_id)
    rule = OverlapRule.objects.select_for_update().get(pk=rule.pk)
    if rule.effective_to is not None:
        raise ServiceError("该规则已停止")
    if not isinstance(effective_to, datetime.date):
        raise ServiceError("请填写停止日期（规则有效的最后一天）")
    if effective_to < max(today() - datetime.timedelta(days=1), rule.effective_from - datetime.timedelta(days=1)):
        raise ServiceError("停止日期不能早于昨天，也不能早于规则生效日期的前一天")
    reason = _text(reason, "停止理由", 200)
    rule.effective_to, rule.ended_by, rule.end_reason = effective_to, actor.username, reason
    rule.save(update_fields=["effective_to", "ended_by", "end_reason"])
    audit.record(
        "assistance.overlap_rule.end", rule, before={"effective_to": None},
        after={"effective_to": str(effective_to)}, detail=reason, region_code=rule.region_id,
    )  # fmt: skip
    return rule
