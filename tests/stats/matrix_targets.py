"""The indicator the authorisation matrix (tests/security) sets a target of, in the caller's own region and in
another county."""

from huimin.stats.models import Indicator
from tests.conftest import OTHER_COUNTY
from tests.security.matrix import outside_region


def stats_targets(users) -> dict:
    pk = Indicator.objects.order_by("pk").values_list("pk", flat=True).first()
    return {
        "stats_indicator": (
            lambda user: {"kwargs": {"pk": pk}, "data": {"region": user.region_id, "target": "80"}},
            {"kwargs": {"pk": pk}, "data": {"region": OTHER_COUNTY, "target": "80"}},
            lambda user: {"kwargs": {"pk": pk}, "data": {"region": outside_region(user), "target": "80"}},
        )
    }
