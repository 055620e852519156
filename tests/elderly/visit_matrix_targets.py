"""Objects of 探访关爱 inside township A, inside township B and in another county for the authorisation matrix."""

import datetime

from django.core.files.base import ContentFile

from huimin.core import regions
from huimin.elderly.models import Referral, Visit, Visitor
from tests.conftest import OTHER_COUNTY, VILLAGE_A1, VILLAGE_B1
from tests.elderly.matrix_targets import _older


def _visitor(village: str, n: int) -> Visitor:
    v = Visitor.objects.create(name=f"探访员{n}", kind="volunteer",
                               township_id=regions.ancestor_code(village, regions.TOWNSHIP))  # fmt: skip
    v.villages.set([village])
    return v


def visit_targets(users) -> dict:
    out = {k: [] for k in ("elderly_visit", "elderly_visitor", "elderly_referral", "elderly_visit_form",
                           "elderly_visitor_form", "elderly_visitor_assign", "elderly_visit_refer",
                           "elderly_person_tier", "elderly_person_event", "elderly_visit_person")}  # fmt: skip
    for n, village in enumerate((VILLAGE_A1, VILLAGE_B1, OTHER_COUNTY), start=11):
        person, _ = _older(village, n)
        visitor = _visitor(village, n)
        visit = Visit.objects.create(person=person, region_id=village, visitor=visitor, living="good", health="good",
                                     visited_on=datetime.date(2026, 1, 5), recorded_by=users["approver"])  # fmt: skip
        visit.photo.save("visit.png", ContentFile(b"\x89PNG\r\n\x1a\n"), save=True)
        ref = Referral.objects.create(visit=visit, person=person, region_id=village, kind="medical", need="就医",
                                      created_by=users["approver"], created_on=datetime.date(2026, 1, 5))  # fmt: skip
        pk = {"kwargs": {"pk": visit.pk}}
        out["elderly_visit"].append(pk)
        out["elderly_visit_refer"].append({**pk, "data": {"kind": "medical", "need": "就医"}})
        out["elderly_visitor"].append({"kwargs": {"pk": visitor.pk}})
        out["elderly_visitor_assign"].append({"kwargs": {"pk": visitor.pk}, "data": {"persons": [person.pk]}})
        out["elderly_referral"].append({"kwargs": {"pk": ref.pk}, "data": {"status": "done", "outcome": "已就医"}})
        out["elderly_visit_form"].append({"data": {"person": person.pk, "visitor": visitor.pk,
                                                   "visited_on": "2026-01-06", "seen_in_person": "1",
                                                   "living": "good", "health": "good"}})  # fmt: skip
        out["elderly_visitor_form"].append({"data": {"name": "新探访员", "kind": "volunteer", "villages": [village]}})
        out["elderly_visit_person"].append({"kwargs": {"pk": person.pk}})
        out["elderly_person_tier"].append({"kwargs": {"pk": person.pk}, "data": {"tier": "high", "reason": "近期摔倒"}})
        out["elderly_person_event"].append({"kwargs": {"pk": person.pk},
                                            "data": {"what": "摔倒", "occurred_at": "2026-01-05T08:00"}})  # fmt: skip
    return {k: tuple(v) for k, v in out.items()}
