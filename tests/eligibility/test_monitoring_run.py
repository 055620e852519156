"""A monitoring run over the database: the subsidy recipients are watched (their own category, and still by the
应保 rules as registered persons), and each warning goes to the township of the person's village."""

import datetime

import pyarrow.compute as pc

from huimin.monitoring import population
from huimin.monitoring import services as monitoring
from huimin.monitoring.models import Warning
from tests.clock import at
from tests.conftest import TOWN_A, TOWN_B, VILLAGE_B1
from tests.eligibility.conftest import enrol, make_person, upload

D = datetime.date


def test_recipients_are_watched_and_warnings_reach_their_township(subsidies, users):
    lost = make_person(VILLAGE_B1, grade=1)
    unclaimed = make_person(grade=2)
    with at(2026, 3, 10):
        enrol(lost, "severe_care", users=users)
        upload([{"person": lost, "grade": 1, "status": "注销", "changed_on": "2026-03-01"},
                {"person": unclaimed, "grade": 2}], D(2026, 3, 9))  # fmt: skip
        pop = population.refresh()
        rows = pop.filter(pc.equal(pop["person_id"], lost.pk)).to_pylist()
        assert {r["category"] for r in rows} == {"severe_care", "registered"}
        assert {r["programme"] for r in rows} == {"severe_care", None}
        monitoring.run(None, "full")
    warnings = {w.rule.code: w for w in Warning.objects.select_related("rule")}
    assert warnings["subsidy_certificate_lost"].person == lost
    assert warnings["subsidy_certificate_lost"].township_id == TOWN_B
    assert warnings["subsidy_unclaimed"].person == unclaimed
    assert warnings["subsidy_unclaimed"].township_id == TOWN_A
