"""Objects inside township A, inside township B and in another county that the authorisation matrix
(tests/security) opens the eldercare and supervision pages and operations with."""

import datetime

from huimin.core.roles import BusinessLine
from huimin.eldercare.models import Facility, Resident, Retrofit
from huimin.registry import idnumbers
from huimin.registry.models import Household, Person
from huimin.supervision.models import Complaint, Draw, Finding, Inspection, Risk
from tests.conftest import OTHER_COUNTY, TOWN_A, TOWN_B, VILLAGE_A1, VILLAGE_B1
from tests.eldercare.helpers import institution

LINE = BusinessLine.ELDERLY
KIND = "eldercare.institution"


def _set(region_code: str, seq: int, user):
    home = institution(region_code, by=user)
    household = Household.objects.create(number=f"ECM{seq:03d}", region_id=region_code)
    person = Person.objects.create(name=f"院民{seq}", id_number=idnumbers.make("411702", datetime.date(1940, 1, 1),
                                   950 + seq), birth_date=datetime.date(1940, 1, 1), region_id=region_code,
                                   household=household)  # fmt: skip
    resident = Resident.objects.create(institution=home, person=person, bed_type="nursing",
                                       admitted_on=datetime.date(2026, 1, 1))  # fmt: skip
    facility = Facility.objects.create(kind="meal_point", name=f"助餐点{seq}", region_id=region_code, address="x",
                                       status_since=datetime.date(2026, 1, 1))  # fmt: skip
    retrofit = Retrofit.objects.create(person=person, household=household, region_id=region_code,
                                       applied_on=datetime.date(2026, 1, 1), basis="低保或特困家庭",
                                       recorded_by=user)  # fmt: skip
    draw = Draw.objects.create(
        purpose="矩阵", line=LINE, subject_kind=KIND, region_id=region_code[:9] + "000", period="Q4", seed=1,
        algorithm="hm-fy-1", population=[[KIND, home.pk, home.name]], population_hash="0", pool=[[user.pk, "x"]],
        pool_hash="0", count=1, per_subject=1, result=[], result_hash="0", created_by=user,
    )  # fmt: skip
    inspection = Inspection.objects.create(draw=draw, line=LINE, subject_kind=KIND, subject_id=home.pk,
                                           subject_label=home.name, region_id=region_code, inspector=user,
                                           status="done", inspected_on=datetime.date(2026, 1, 5))  # fmt: skip
    finding = Finding.objects.create(inspection=inspection, region_id=region_code, line=LINE, description="问题",
                                     severity="minor", deadline=datetime.date(2026, 2, 1), found_by=user)  # fmt: skip
    risk = Risk.objects.create(line=LINE, subject_kind=KIND, subject_id=home.pk, subject_label=home.name,
                               region_id=region_code, category="fire", level="general", description="x",
                               identified_on=datetime.date(2026, 1, 1), recorded_by=user)  # fmt: skip
    complaint = Complaint.objects.create(line=LINE, subject_kind=KIND, subject_id=home.pk, subject_label=home.name,
                                         region_id=region_code, received_on=datetime.date(2026, 1, 1),
                                         channel="phone", content="x", recorded_by=user)  # fmt: skip
    return {
        "home": home,
        "resident": resident,
        "facility": facility,
        "retrofit": retrofit,
        "draw": draw,
        "inspection": inspection,
        "finding": finding,
        "risk": risk,
        "complaint": complaint,
        "person": person,
    }


def eldercare_targets(users) -> dict:
    a = _set(VILLAGE_A1, 1, users["approver"])
    b = _set(VILLAGE_B1, 2, users["approver"])
    c = _set(OTHER_COUNTY, 3, users["approver"])
    c["draw"].region_id = OTHER_COUNTY
    c["draw"].save()

    def by(key, **data):
        return tuple({"kwargs": {"pk": s[key].pk}, **({"data": data} if data else {})} for s in (a, b, c))

    def subject(s, **data):
        return {"data": {"kind": KIND, "subject": s["home"].pk, **data}}

    return {
        "eldercare_institution": by("home"),
        "eldercare_resident": by("resident", left_on="2026-02-01"),
        "eldercare_facility": by("facility"),
        "eldercare_retrofit": by("retrofit"),
        "eldercare_retrofit_act": by(
            "retrofit", action="assess", date="2026-02-01", items="扶手", estimated_cost="100"
        ),  # fmt: skip
        "eldercare_region_form": tuple(
            {"data": {"region": code, "name": "矩阵", "kind": "day_care", "address": "x", "status_since": "2026-01-01"}}
            for code in (VILLAGE_A1, VILLAGE_B1, OTHER_COUNTY)
        ),  # fmt: skip
        "eldercare_person_form": tuple(
            {"data": {"person": s["person"].pk, "applied_on": "2026-02-01"}} for s in (a, b, c)
        ),  # fmt: skip
        "supervision_draw": by("draw"),
        "supervision_draw_form": tuple(
            {
                "data": {
                    "kind": KIND,
                    "region": code,
                    "purpose": "矩阵",
                    "period": "Q4",
                    "count": "1",
                    "per_subject": "1",
                }
            }
            for code in (TOWN_A, TOWN_B, OTHER_COUNTY)
        ),  # fmt: skip
        "supervision_inspection": by("inspection"),
        "supervision_finding": by("finding"),
        "supervision_risk": by("risk"),
        "supervision_complaint": by("complaint"),
        "supervision_subject_form": tuple(
            subject(
                s,
                category="fire",
                level="general",
                description="x",
                identified_on="2026-01-01",
                channel="phone",
                content="x",
                received_on="2026-01-01",
            )
            for s in (a, b, c)
        ),  # fmt: skip
    }
