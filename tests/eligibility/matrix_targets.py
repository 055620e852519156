"""Objects inside and outside township A that the authorisation matrix (tests/security) opens 待遇资格 pages with:
a subsidy recipient to confirm, and a certificate-change notice to take note of."""

import datetime

from huimin.assistance.models import Programme
from huimin.core import regions
from huimin.eligibility.models import CertificateChange
from huimin.verification.models import Snapshot
from tests.conftest import VILLAGE_A1, VILLAGE_B1
from tests.eligibility.conftest import SUBSIDIES, enrol, make_person


def eligibility_targets(users) -> dict:
    for code, name in SUBSIDIES.items():
        Programme.objects.get_or_create(code=code, defaults=dict(name=name, kind=code, scope="person"))
    snapshot = Snapshot.objects.create(source="disability", as_of=datetime.date(2026, 1, 1), row_count=0,
                                       path="/nonexistent.parquet", sha256="0" * 64)  # fmt: skip
    made = {}
    for village in (VILLAGE_A1, VILLAGE_B1):
        person = make_person(village, grade=1)
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
