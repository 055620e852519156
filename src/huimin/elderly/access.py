"""How 养老服务 objects are fetched for an actor (huimin.core.access): an older person (through the registry's
scope), a category mark and an assessment — capability 403, outside his region 404."""

from huimin.core.access import access_by_id
from huimin.elderly import capabilities as cap
from huimin.elderly.models import Assessment, CategoryMark
from huimin.registry.models import Person


def access_elderly_person_by_id(actor, pk, *, capability: str = cap.VIEW, for_update: bool = False) -> Person:
    """A registry person in the actor's region (whether he is an older person is a business rule, checked by the
    services: a younger person is refused with a message, not hidden)."""
    queryset = Person.objects.select_related("region", "household")
    return access_by_id(queryset, actor, pk, capability=capability, for_update=for_update, what="人员")


def access_mark_by_id(actor, pk, *, capability: str = cap.CONFIRM, for_update: bool = False) -> CategoryMark:
    queryset = CategoryMark.objects.select_related("person__region", "category")
    return access_by_id(queryset, actor, pk, capability=capability, region_field="person__region",
                        for_update=for_update, what="特殊困难老年人认定")  # fmt: skip


def access_assessment_by_id(actor, pk, *, capability: str = cap.VIEW) -> Assessment:
    queryset = Assessment.objects.select_related("person", "region", "assessor", "level", "base_level")
    return access_by_id(queryset, actor, pk, capability=capability, what="能力评估")
