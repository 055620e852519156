"""Objects inside and outside township A that the authorisation matrix (tests/security) opens 待遇资格 pages with:
a subsidy recipient to confirm, and a certificate-change notice to take note of."""

import datetime

from huimin.assistance.models import Programme
from huimin.core import regions
from huimin.eligibility.models import CertificateChange
from tests.conftest import VILLAGE_A1, VILLAGE_B1
from tests.eligibility.conftest import SUBSIDIES, enrol, make_person, upload


def eligibility_targets(users) -> dict:
    for code, name in SUBSIDIES.items():
        Programme.objects.get_or_create(code=code, defaults=dict(name=name, kind=code, scope="person"))
    made, people = {}, {}
    for village in (VILLAGE_A1, VILLAGE_B1):
        people[village] = make_person(village, grade=1)
    # a real extract through the ingest path: the 核对, monitoring and statistics pages read the latest snapshot
    snapshot = upload([{"person": p, "grade": 1} for p in people.values()], datetime.date(2026, 1, 1))
    for village in (VILLAGE_A1, VILLAGE_B1):
        person = people[village]
        enrolment = enrol(person, "severe_care", users=users)
        notice = CertificateChange.objects.create(
            enrolment=enrolment, person=person, region_id=village,
            township_id=regions.ancestor_code(village, regions.TOWNSHIP), kind="regraded", outcome="continued",
            event_on=datetime.date(2026, 1, 1), reasons="矩阵", snapshot=snapshot,
        )  # fmt: skip
        made[village] = (person, notice)
    return {
        "eligibility_person": ({"kwargs": {"person_id": made[VILLAGE_A1][0].pk}},
                               {"kwargs": {"person_id": made[VILLAGE_B1][0].pk}}),
        "eligibility_notice": ({"kwargs": {"pk": made[VILLAGE_A1][1].pk}}, {"kwargs": {"pk": made[VILLAGE_B1][1].pk}}),
    }  # fmt: skip
