"""The demo city's 收养 and 家庭寄养: in each county an approved foster family fostering the institution's orphan
(visited, its 家庭寄养费 on the payroll), a family waiting for its assessment, an adoption registered (sealed) and
one waiting for the 登记审查; and a report from the portal waiting for the township 督导员 to identify the child."""

import pytest

from huimin.assistance.models import Enrolment
from huimin.children.models import (
    Adoption,
    Case,
    FosterFamily,
    FosterPlacement,
    FosterVisit,
    PlacementRecord,
    ReceivedReport,
)
from huimin.core.models import Region
from huimin.demo import loader
from huimin.stats import indicators
from huimin.stats.models import Indicator


@pytest.mark.django_db
def test_the_demo_city_has_foster_families_and_adoptions():
    loader.load(500, seed=3)
    assert FosterFamily.objects.filter(status="approved").exists()
    assert FosterFamily.objects.filter(status="applied").exists()
    placement = FosterPlacement.objects.filter(status="active").first()
    assert placement is not None and FosterVisit.objects.filter(placement=placement).exists()
    assert [r.kind for r in PlacementRecord.objects.filter(child=placement.child)] == ["foster", "institution"]
    assert Enrolment.objects.filter(programme__code="foster_care", person=placement.child).exists()
    registered = Adoption.objects.filter(status="registered")
    assert registered.exists() and all(a.certificate_number and a.submitted_by != a.decided_by for a in registered)
    assert Adoption.objects.filter(status="assessed").exists()
    waiting = ReceivedReport.objects.filter(status=ReceivedReport.Status.PENDING)
    assert waiting.exists() and all(r.anonymous and not r.reporter_name and not r.reporter_contact for r in waiting)
    # the registered child lives in the adopter's household in the registry (moved by the registration)
    assert all(a.child.household_id == a.adopter.household_id == a.household_to_id for a in registered)
    # the statistics show the 儿童福利 indicators for the city: the registers and this year's 收养登记
    first = registered.first()
    city = Region.objects.get(code=first.region_id[:4] + "00000000")
    month = first.registered_on.replace(day=1)
    value = {code: indicators.value_of(Indicator.objects.get(code=code), None, city, month)
             for code in ("children_register_orphan", "children_adoptions_registered")}  # fmt: skip
    assert value["children_register_orphan"] > 0 and value["children_adoptions_registered"] == registered.count()
    for case in Case.objects.all():  # cases (when the small demo has any) are counted as open in their month
        opened = indicators.value_of(Indicator.objects.get(code="children_open_cases"), None, city,
                                     case.reported_at.date().replace(day=1))  # fmt: skip
        assert opened
