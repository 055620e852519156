"""Objects inside township A, inside township B and in another county that the authorisation matrix
(tests/security) opens the 居家养老 pages and operations with."""

import datetime

from django.utils import timezone

from huimin.homecare.models import Alarm, Device, FollowUp, Settlement
from huimin.registry import idnumbers
from huimin.registry.models import Household, Person
from tests.conftest import COUNTY, OTHER_COUNTY, VILLAGE_A1, VILLAGE_B1
from tests.homecare.helpers import at, order, provider, record


def _set(region_code: str, n: int):
    household = Household.objects.create(number=f"HCM{n:03d}", region_id=region_code)
    person = Person.objects.create(name=f"居家老人{n}", id_number=idnumbers.make("411702", datetime.date(1944, 2, 2),
                                   950 + n), birth_date=datetime.date(1944, 2, 2), region_id=region_code,
                                   household=household)  # fmt: skip
    p, c, w = provider(region_code, 900 + n)
    o = order(person, p, c)
    r = record(o, w, at(2026, 11, 3, 9), 60, confirmed=False)
    f = FollowUp.objects.create(record=r, seed="matrix")
    device = Device.objects.create(serial=f"M-{n}", kind="button", person=person, region_id=region_code, provider=p,
                                   installed_on=datetime.date(2026, 1, 1), last_seen_at=timezone.now())  # fmt: skip
    now = timezone.now()
    alarm = Alarm.objects.create(device=device, person=person, region_id=region_code, provider=p, kind="button",
                                 occurred_at=now, raised_at=now, dispatched_at=now)  # fmt: skip
    return p, o, r, f, alarm


def _settlement(region_code: str) -> Settlement:
    return Settlement.objects.create(region_id=region_code, month=datetime.date(2026, 11, 1), built_by="matrix",
                                     built_at=timezone.now())  # fmt: skip


def homecare_targets(users) -> dict:
    sets = [_set(VILLAGE_A1, 1), _set(VILLAGE_B1, 2), _set(OTHER_COUNTY, 3)]
    home, other = _settlement(COUNTY), _settlement(OTHER_COUNTY)

    def each(i, extra=None):
        return tuple({"kwargs": {"pk": s[i].pk}, **(extra or {})} for s in sets)

    return {
        "homecare_provider": each(0),
        "homecare_order": each(1),
        "homecare_record": each(2, {"data": {"by": "self"}}),
        "homecare_followup": each(3, {"data": {"satisfied": "1"}}),
        "homecare_alarm": each(4),
        "homecare_alarm_close": each(4, {"data": {"outcome": "visited"}}),
        "homecare_settlement": (
            {"kwargs": {"pk": home.pk}},
            {"kwargs": {"pk": other.pk}},
            {"kwargs": {"pk": other.pk}},
        ),
        "homecare_settlement_act": tuple({"kwargs": {"pk": s.pk, "action": "review"}} for s in (home, other, other)),
        "homecare_settlement_form": (
            {"data": {"region": COUNTY, "month": "2026-11"}},
            {"data": {"region": OTHER_COUNTY, "month": "2026-11"}},
            {"data": {"region": OTHER_COUNTY, "month": "2026-11"}},
        ),
    }
