"""行政区划 changes: a township merged into another, or renamed.

A merge gives each village of the merged township a new code under the receiving township, then re-points every
foreign key to ``core.Region`` in the whole project — found through Django's model meta, so a model added
tomorrow moves too — from the old codes to the new, in one transaction, and records the old→new mapping. The old
Region rows are kept, made inactive, so an old code stays resolvable (``resolve``): audit entries, documents and
every history that names a code keep the code they were written with. Models that record region changes
themselves say ``region_move_exempt = True``, as do rows derived from others and kept otherwise (the name pairs
follow their persons by trigger; stored indicator boards are recomputed); the tree's own ``parent`` link is
handled here.
"""

import datetime

from django.apps import apps
from django.db import IntegrityError, transaction
from django.db.models import Case, Value, When

from huimin.core import audit, regions
from huimin.core.access import BusinessRuleError, NotInScope, require_capability
from huimin.core.models import Region
from huimin.core.scope import in_scope, starting_with
from huimin.places import capabilities as cap
from huimin.places.error_codes import PlacesErrorCode as E
from huimin.places.models import CodeMapping, RegionChange


def region_foreign_keys() -> list[tuple[type, str]]:
    """(model, field attname) of every concrete foreign key to Region, the many-to-many tables' included, except
    the tree's ``parent`` and the models that record region changes."""
    found = []
    for model in apps.get_models(include_auto_created=True):
        if getattr(model, "region_move_exempt", False) or model is Region:
            continue
        for field in model._meta.concrete_fields:
            if field.is_relation and field.many_to_one and field.related_model is Region:
                found.append((model, field.attname))
    return found


def resolve(code: str) -> Region | None:
    """The region in force that an old code became (following successive changes), or the region itself."""
    seen = set()
    while code not in seen:
        seen.add(code)
        mapping = CodeMapping.objects.filter(old_region_id=code).first()
        if mapping is None:
            return Region.objects.filter(code=code).first()
        code = mapping.new_region_id
    return None


def _township(actor, code: str, what: str) -> Region:
    region = Region.objects.filter(code=str(code or "").strip()).first()
    if region is None or not in_scope(actor, region.code):
        raise NotInScope(f"{what}不存在或不在您的管辖范围内")
    if region.level != regions.TOWNSHIP:
        raise BusinessRuleError(E.REGION_CHANGE, f"{what}须为乡级区划（乡、镇、街道）")
    if not region.is_active:
        raise BusinessRuleError(E.REGION_CHANGE, f"{what}“{region.name}”已撤销")
    return region


def _document(document: str, effective_on) -> tuple[str, datetime.date]:
    document = str(document or "").strip()[:100]
    if not document:
        raise BusinessRuleError(E.REGION_CHANGE, "请填写区划变更的批准文号")
    try:
        day = effective_on if isinstance(effective_on, datetime.date) else datetime.date.fromisoformat(
            str(effective_on or "").strip())  # fmt: skip
    except ValueError:
        raise BusinessRuleError(E.REGION_CHANGE, "生效日期应为日期（如 2026-12-01）") from None
    return document, day


def plan_merge(old: Region, into: Region) -> list[tuple[Region, Region]]:
    """(old village, new village) pairs: each active village of ``old`` numbered after the last of ``into``."""
    villages = Region.objects.filter(starting_with("code", into.prefix), level=regions.VILLAGE)
    taken = villages.values_list("code", flat=True)
    seq = max((int(c[9:12]) for c in taken), default=0)
    pairs = []
    for village in Region.objects.filter(parent=old, is_active=True).order_by("code"):
        seq += 1
        if seq > 999:
            raise BusinessRuleError(E.REGION_CHANGE, f"“{into.name}”的村级区划代码已用尽，无法并入")
        code = f"{into.prefix}{seq:03d}"
        pairs.append((village, Region(code=code, name=village.name, level=regions.VILLAGE, parent=into,
                                      urban_rural_code=village.urban_rural_code,
                                      source=f"由 {village.code} 变更")))  # fmt: skip
    return pairs


@transaction.atomic
def merge_township(actor, old_code: str, into_code: str, document: str, effective_on) -> RegionChange:
    """撤并: township ``old_code`` merged into ``into_code``. Everything moves or nothing does."""
    require_capability(actor, cap.REGIONS, "办理行政区划变更")
    old = _township(actor, old_code, "撤并的乡镇（街道）")
    into = _township(actor, into_code, "并入的乡镇（街道）")
    if old.code == into.code:
        raise BusinessRuleError(E.REGION_CHANGE, "不能并入自身")
    if old.parent_id != into.parent_id:
        raise BusinessRuleError(E.REGION_CHANGE, "只能在同一县（区）内撤并乡镇（街道）")
    document, day = _document(document, effective_on)
    list(Region.objects.select_for_update().filter(code__in=[old.code, into.code]))
    pairs = plan_merge(old, into)
    Region.objects.bulk_create([new for _, new in pairs])
    mapping = {v.code: new.code for v, new in pairs} | {old.code: into.code}
    moved: dict[str, int] = {}
    for model, attname in region_foreign_keys():
        rows = model._base_manager.filter(**{f"{attname}__in": list(mapping)})
        try:
            with transaction.atomic():
                count = rows.update(**{attname: Case(*(When(**{attname: o}, then=Value(n))
                                                       for o, n in mapping.items()))})  # fmt: skip
        except IntegrityError:
            raise BusinessRuleError(
                E.REGION_CHANGE,
                f"“{model._meta.verbose_name}”中有记录在两个乡镇（街道）各有一条且不得重复，无法自动合并，"
                "请先处理后再办理撤并",
            ) from None
        if count:
            moved[f"{model._meta.label}.{attname}"] = count
    Region.objects.filter(code__in=list(mapping)).update(is_active=False)
    change = RegionChange.objects.create(kind=RegionChange.Kind.MERGE, old_region=old, new_region=into,
                                         old_name=old.name, new_name=into.name, document=document,
                                         effective_on=day, moved=moved, done_by=actor.username)  # fmt: skip
    CodeMapping.objects.bulk_create(CodeMapping(change=change, old_region_id=o, new_region_id=n)
                                    for o, n in mapping.items())  # fmt: skip
    audit.record("places.region.merge", change, region_code=into.code,
                 before={"code": old.code, "name": old.name, "villages": [v.code for v, _ in pairs]},
                 after={"code": into.code, "mapping": mapping, "moved": moved},
                 detail=f"{old.name}（{old.code}）并入{into.name}（{into.code}），{document}")  # fmt: skip
    return change


@transaction.atomic
def rename_region(actor, code: str, new_name: str, document: str, effective_on) -> RegionChange:
    """更名: the code is kept, so no record moves; the former name stays in the change's record."""
    require_capability(actor, cap.REGIONS, "办理行政区划变更")
    region = _township(actor, code, "更名的乡镇（街道）")
    new_name = str(new_name or "").strip()
    if not new_name or len(new_name) > 100:
        raise BusinessRuleError(E.REGION_CHANGE, "请填写新名称（不超过 100 字）")
    if new_name == region.name:
        raise BusinessRuleError(E.REGION_CHANGE, "新名称与现名称相同")
    if Region.objects.filter(parent_id=region.parent_id, name=new_name, is_active=True).exists():
        raise BusinessRuleError(E.REGION_CHANGE, f"本县（区）已有“{new_name}”")
    document, day = _document(document, effective_on)
    old_name = region.name
    Region.objects.filter(code=region.code).update(name=new_name)
    change = RegionChange.objects.create(kind=RegionChange.Kind.RENAME, old_region=region, new_region=region,
                                         old_name=old_name, new_name=new_name, document=document, effective_on=day,
                                         done_by=actor.username)  # fmt: skip
    audit.record("places.region.rename", change, region_code=region.code, before={"name": old_name},
                 after={"name": new_name}, detail=document)  # fmt: skip
    return change


def moved_rows(moved: dict[str, int]) -> list[tuple[str, int]]:
    """A change's moved counts as a person reads them: 「家庭 · 所在村（社区）」 rather than the table's label."""
    rows = []
    for key, count in sorted(moved.items()):
        label, _, attname = key.rpartition(".")
        try:
            model = apps.get_model(label)
            field = next(f for f in model._meta.concrete_fields if f.attname == attname)
        except (LookupError, StopIteration, ValueError):
            rows.append((key, count))
            continue
        if model._meta.auto_created:  # a many-to-many table: name the model that holds the relation
            owner = model._meta.auto_created
            rows.append((f"{owner._meta.verbose_name} · 所辖区划", count))
        else:
            rows.append((f"{model._meta.verbose_name} · {field.verbose_name}", count))
    return rows
