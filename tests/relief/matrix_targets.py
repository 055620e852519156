"""Objects inside township A, inside township B and in another county that the authorisation matrix
(tests/security) opens the 流浪乞讨救助 pages and operations with."""

import datetime

from django.core.files.base import ContentFile

from huimin.relief.models import Search, Station, Stay
from tests.conftest import OTHER_COUNTY, TOWN_A, TOWN_B
from tests.security.matrix import outside_region

D = datetime.date


def _station(region_code: str) -> Station:
    return Station.objects.create(name=f"矩阵救助站{region_code}", region_id=region_code)


def _stay(station: Station, seq: int) -> Stay:
    stay = Stay(number=f"JZZM{seq}", station=station, region_id=station.region_id, description="偏瘦",
                found_place="车站", found_by="public", found_on=D(2026, 1, 2), admitted_on=D(2026, 1, 2),
                health="normal", created_by="t")  # fmt: skip
    stay.photo.save(f"m{seq}.jpg", ContentFile(b"\xff\xd8\xff\xe0matrix"), save=False)
    stay.save()
    return stay


def relief_targets(users) -> dict:
    stations = {code: _station(code) for code in (TOWN_A, TOWN_B, OTHER_COUNTY)}
    stays = [_stay(stations[c], i) for i, c in enumerate((TOWN_A, TOWN_B, OTHER_COUNTY))]
    searches = [Search.objects.create(stay=s, channel="national", requested_on=D(2026, 1, 3), created_by="t")
                for s in stays]  # fmt: skip

    def station_form(base):
        return tuple({"data": {**base, "station": stations[c].pk}} for c in (TOWN_A, TOWN_B, OTHER_COUNTY))

    return {
        "relief_stay": tuple({"kwargs": {"pk": s.pk}} for s in stays),
        "relief_stay_act": tuple(
            {
                "kwargs": {"pk": s.pk, "action": "day"},
                "data": {"day": "2026-01-03", "meals": "3", "condition": "normal"},
            }
            for s in stays
        ),  # fmt: skip
        "relief_search": tuple(
            {"kwargs": {"pk": r.pk}, "data": {"outcome": "not_found", "note": "无结果"}} for r in searches
        ),  # fmt: skip
        "relief_intake_form": station_form(
            {
                "found_place": "车站",
                "found_by": "public",
                "found_on": "2026-01-02",
                "admitted_on": "2026-01-02",
                "health": "normal",
                "id_number": "",
                "description": "偏瘦",
            }
        ),  # fmt: skip
        "relief_station_form": (
            lambda user: {"data": {"name": "新站", "region": user.region_id}},
            lambda user: {"data": {"name": "新站", "region": outside_region(user)}},
            lambda user: {"data": {"name": "新站", "region": outside_region(user)}},
        ),
    }
