"""How 流浪乞讨救助 objects are fetched for an actor (huimin.core.access): capability 403, outside his region 404;
and who may see a stay's photo and health check (the station's county only)."""

from huimin.core import regions
from huimin.core.access import access_by_id
from huimin.core.roles import has_capability
from huimin.relief import capabilities as cap
from huimin.relief.models import Search, Station, Stay


def access_station_by_id(actor, pk, *, capability: str = cap.VIEW, for_update: bool = False) -> Station:
    queryset = Station.objects.select_related("region")
    return access_by_id(queryset, actor, pk, capability=capability, for_update=for_update, what="救助站")


def access_stay_by_id(actor, pk, *, capability: str = cap.VIEW, for_update: bool = False) -> Stay:
    queryset = Stay.objects.select_related("station", "region", "person", "application")
    return access_by_id(queryset, actor, pk, capability=capability, for_update=for_update, what="救助记录")


def access_search_by_id(actor, pk, *, capability: str = cap.INTAKE, for_update: bool = False) -> Search:
    queryset = Search.objects.select_related("stay")
    return access_by_id(queryset, actor, pk, capability=capability, region_field="stay__region",
                        for_update=for_update, what="寻亲记录")  # fmt: skip


def may_see_sensitive(actor, stay: Stay) -> bool:
    """The photo and the health check are the station's and its county's: an account of the 流浪乞讨救助 line holding
    ``relief.sensitive`` whose region is the station's county (or the station's own region) — not a township, not
    the city."""
    if not has_capability(actor, cap.SENSITIVE):
        return False
    code = getattr(actor, "region_id", None) or ""
    if not code:
        return False
    station_region = stay.station.region_id
    level = regions.level_of(station_region)
    county = regions.ancestor_code(station_region, regions.COUNTY) if level >= regions.COUNTY else station_region
    return code in (station_region, county)
