"""Objects inside township A, inside township B and in another county that the authorisation matrix
(tests/security) opens the 区划地名 pages and operations with."""

import datetime

from huimin.core.models import Region, User
from huimin.places.models import NamingRule, Proposal, RegionChange, Sign
from tests.conftest import OTHER_COUNTY, TOWN_A, TOWN_B, VILLAGE_A1, VILLAGE_B1
from tests.places.conftest import make_place
from tests.security.matrix import outside_region

D = datetime.date
WHERE = {"a": VILLAGE_A1, "b": VILLAGE_B1, "other": OTHER_COUNTY}


def places_targets(users) -> dict:
    proposer = User.objects.get(username="clerk_a")  # any account: the proposer is never the matrix's caller
    places = {k: make_place(f"矩阵{k}路", region=code) for k, code in WHERE.items()}
    signs = {k: Sign.objects.create(place=p, kind="road", location="路口", text=p.name) for k, p in places.items()}
    proposals = {
        k: Proposal.objects.create(number=f"DMM{k}", type="new", name=f"矩阵新{k}路", pinyin="X", kind="road",
                                   region_id=code, reason="矩阵", proposed_by=proposer)
        for k, code in WHERE.items()
    }  # fmt: skip
    rules = {k: NamingRule.objects.create(kind="reserved", value=f"保留{k}", region_id=code, created_by="t")
             for k, code in (("a", TOWN_A), ("b", TOWN_B), ("other", OTHER_COUNTY))}  # fmt: skip

    Region.objects.get_or_create(
        code="411721001000", defaults={"name": "柏城街道", "level": 4, "parent_id": OTHER_COUNTY}
    )

    region_changes = {
        k: RegionChange.objects.create(kind="rename", old_region_id=code, new_region_id=code, old_name="旧",
                                       new_name="新", document="X", effective_on=D(2026, 1, 1), done_by="t")
        for k, code in (("a", TOWN_A), ("b", TOWN_B), ("other", OTHER_COUNTY))
    }  # fmt: skip

    def by_pk(objs, **kwargs):
        return tuple({"kwargs": {"pk": objs[k].pk, **kwargs}} for k in ("a", "b", "other"))

    def with_data(objs, data, **kwargs):
        return tuple({"kwargs": {"pk": objs[k].pk, **kwargs}, "data": data} for k in ("a", "b", "other"))

    def region_form(base, field="region"):
        return (
            lambda user: {"data": {**base, field: user.region_id}},
            lambda user: {"data": {**base, field: outside_region(user)}},
            lambda user: {"data": {**base, field: outside_region(user)}},
        )

    from huimin.registry.models import Household

    homes = [Household.objects.create(number=f"DMH{k}", region_id=code) for k, code in WHERE.items()]
    return {
        "places_household": tuple({"kwargs": {"pk": h.pk}} for h in homes),
        "places_place": by_pk(places),
        "places_place_sign": with_data(places, {"kind": "road", "location": "东口"}, action="sign"),
        "places_proposal": by_pk(proposals),
        "places_change": by_pk(region_changes),
        "places_proposal_decide": with_data(proposals, {"decision": "refuse", "note": "矩阵"}),
        "places_sign_check": with_data(signs, {"condition": "worn", "checked_on": "2026-01-05"}),
        "places_rule_end": by_pk(rules),
        "places_propose_form": region_form({"step": "submit", "name": "矩阵提交路", "kind": "road", "reason": "矩阵"}),
        "places_rule_form": region_form({"kind": "reserved", "value": "矩阵保留"}),
        "places_change_form": (
            {
                "data": {
                    "kind": "rename",
                    "region": TOWN_A,
                    "new_name": "矩阵街道",
                    "document": "X",
                    "effective_on": "2026-01-01",
                }
            },
            {
                "data": {
                    "kind": "rename",
                    "region": TOWN_B,
                    "new_name": "矩阵街道",
                    "document": "X",
                    "effective_on": "2026-01-01",
                }
            },
            {
                "data": {
                    "kind": "rename",
                    "region": "411721001000",
                    "new_name": "矩阵街道",
                    "document": "X",
                    "effective_on": "2026-01-01",
                }
            },
        ),  # fmt: skip
    }
