"""How registry objects are fetched for an actor (huimin.core.access): persons and households — capability 403,
outside his region 404."""

from huimin.core.access import access_by_id
from huimin.core.roles import PEOPLE_VIEW
from huimin.registry.models import Household, Person


def access_person_by_id(actor, pk, *, capability: str = PEOPLE_VIEW, for_update: bool = False) -> Person:
    queryset = Person.objects.select_related("region", "household", "hukou_region")
    return access_by_id(queryset, actor, pk, capability=capability, for_update=for_update, what="人员")


def access_household_by_id(actor, pk, *, capability: str = PEOPLE_VIEW, for_update: bool = False) -> Household:
    queryset = Household.objects.select_related("region", "head")
    return access_by_id(queryset, actor, pk, capability=capability, for_update=for_update, what="家庭")
