"""The case KPIs, the register and 收养登记 counts as ``stats`` indicators by region and month, from the same
computation as the 个案工作指标 page (huimin.children.figures): figures on a small fixture, the roll-up from township to
county, and the month boundary (a case reported on the last evening of a month is that month's)."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from huimin.children import services
from huimin.children.models import Adoption, Assignment, Case, Category, FollowUp, Plan, RegisterEntry
from huimin.core.models import Region
from huimin.core.roles import BusinessLine, Role
from huimin.stats import indicators
from huimin.stats.models import Indicator
from tests.children.conftest import make_person
from tests.conftest import COUNTY, TOWN_A, TOWN_B, VILLAGE_A1, VILLAGE_B1

pytestmark = pytest.mark.django_db
OCT, NOV = datetime.date(2026, 10, 1), datetime.date(2026, 11, 1)


def _at(*args) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(*args))


def _case(n, region, reported, *, worker, responded=None, closed=None, next_due=None) -> Case:
    case = Case.objects.create(
        number=f"ET-T{n}", child=make_person(region, datetime.date(2016, 1, 1)), region_id=region, source="school",
        concern="无人照看", reported_at=reported, emergency_due=reported + datetime.timedelta(hours=24),
        first_response_at=responded, closed_at=closed, next_visit_due=next_due, created_by="t",
        status=Case.Status.CLOSED if closed else Case.Status.SERVICES,
    )  # fmt: skip
    Assignment.objects.create(case=case, user=worker, role=Assignment.Role.WORKER)
    Assignment.objects.filter(case=case).update(assigned_at=reported)
    return case


@pytest.fixture
def cases(staff):
    # A: reported on the last evening of October, first answered on 1 November, plan approved in November
    a = _case(1, VILLAGE_A1, _at(2026, 10, 31, 23, 30), worker=staff["director"],
              responded=_at(2026, 11, 1, 1, 30), next_due=datetime.date(2026, 11, 10))  # fmt: skip
    Plan.objects.create(case=a, goal="稳定照料", status=Plan.Status.APPROVED, author=staff["director"],
                        submitted_at=_at(2026, 11, 3), approval_due=datetime.date(2026, 11, 10),
                        decided_by=staff["supervisor"], decided_at=_at(2026, 11, 5))  # fmt: skip
    # B: October, answered after 6 hours, closed on 4 November (30 days); one visit in time, one late
    b = _case(2, VILLAGE_A1, _at(2026, 10, 5, 8), worker=staff["director"], responded=_at(2026, 10, 5, 14),
              closed=_at(2026, 11, 4, 8))  # fmt: skip
    FollowUp.objects.create(case=b, due_on=datetime.date(2026, 10, 20), visited_on=datetime.date(2026, 10, 19),
                            note="好", by=staff["director"])  # fmt: skip
    FollowUp.objects.create(case=b, due_on=datetime.date(2026, 10, 30), visited_on=datetime.date(2026, 11, 2),
                            note="迟", by=staff["director"])  # fmt: skip
    # C: township B, reported at the first moment of November
    c = _case(3, VILLAGE_B1, _at(2026, 11, 1, 0, 0), worker=staff["clerk_b"])
    return {"a": a, "b": b, "c": c}


def _value(code: str, region: str, month: datetime.date):
    return indicators.value_of(Indicator.objects.get(code=code), None, Region.objects.get(code=region), month)


def test_the_case_kpis_of_a_month_for_the_county(cases):
    october = {code: _value(code, COUNTY, OCT) for code in (
        "children_open_cases", "children_caseload", "children_response_hours", "children_closure_days",
        "children_plan_share", "children_visit_rate")}  # fmt: skip
    assert october == {
        "children_open_cases": Decimal(2),  # A (reported 31 October 23:30) and B; not C (1 November 00:00)
        "children_caseload": Decimal("2.00"),  # both worked by the one 儿童主任
        "children_response_hours": Decimal("6.00"),  # B only: A was first answered in November
        "children_closure_days": None,  # nothing closed in October
        "children_plan_share": Decimal("0.00"),  # A's plan was approved on 5 November
        "children_visit_rate": Decimal("50.00"),  # B's visit due 30 October was made on 2 November
    }
    november = {code: _value(code, COUNTY, NOV) for code in october}
    assert november == {
        "children_open_cases": Decimal(2),  # A and C; B closed on 4 November
        "children_caseload": Decimal("1.00"),  # A (王主任) and C (township B's clerk)
        "children_response_hours": Decimal("2.00"),  # A: 23:30 → 01:30
        "children_closure_days": Decimal("30.00"),  # B
        "children_plan_share": Decimal("50.00"),  # A of A and C
        "children_visit_rate": Decimal("0.00"),  # A's visit due 10 November not made
    }


def test_townships_roll_up_to_the_county(cases):
    a = _value("children_open_cases", TOWN_A, NOV)
    b = _value("children_open_cases", TOWN_B, NOV)
    assert (a, b, _value("children_open_cases", COUNTY, NOV)) == (Decimal(1), Decimal(1), Decimal(2))
    assert _value("children_response_hours", TOWN_B, NOV) is None  # C was never answered
    assert _value("children_open_cases", TOWN_B, OCT) is None  # no case in township B before November


def test_the_case_reported_on_the_last_evening_of_a_month_is_that_months(staff):
    _case(9, VILLAGE_A1, _at(2026, 9, 30, 23, 59, 59), worker=staff["director"])
    assert _value("children_open_cases", COUNTY, datetime.date(2026, 9, 1)) == Decimal(1)
    assert _value("children_open_cases", COUNTY, datetime.date(2026, 8, 1)) is None
    _case(10, VILLAGE_A1, _at(2026, 10, 1, 0, 0), worker=staff["director"])
    assert _value("children_open_cases", COUNTY, datetime.date(2026, 9, 1)) == Decimal(1)
    assert _value("children_open_cases", COUNTY, OCT) == Decimal(2)


def test_the_kpi_page_reads_the_same_computation(staff, cases):
    k = services.kpis(staff["county"], day=datetime.date(2026, 11, 20))
    row = next(r for r in k["townships"] if r["township"] == "顺河街道")
    assert (row["cases"], row["open"], row["with_plan"]) == (2, 1, 1)  # A and B; A open, with its plan
    assert row["response_hours"] == Decimal("4.00") and row["closure_days"] == Decimal("30.00")
    assert (row["visits_done"], row["visits_due"]) == (2, 3)  # B's two visits; A's due on 10 November not made
    assert k["caseload"] == {"王主任": 1, "ch_clerk_b": 1}


def _entry(person, category, entered, ended=None, director=None):
    return RegisterEntry.objects.create(
        person=person, household=person.household, category=Category.objects.get(code=category),
        region_id=person.region_id, director=director, entered_on=entered, next_visit_due=entered,
        ended_on=ended, status="ended" if ended else "active", created_by="t",
    )  # fmt: skip


def test_register_counts_on_the_months_last_day(staff):
    orphan = make_person(VILLAGE_A1, datetime.date(2015, 1, 1))
    _entry(orphan, "orphan", datetime.date(2026, 10, 31), director=staff["director"])  # entered on the last day
    _entry(make_person(VILLAGE_B1, datetime.date(2014, 1, 1)), "orphan", datetime.date(2026, 3, 1),
           ended=datetime.date(2026, 10, 31), director=staff["director"])  # fmt: skip  # left on the last day
    _entry(make_person(VILLAGE_B1, datetime.date(2012, 1, 1)), "left_behind", datetime.date(2026, 1, 5),
           director=staff["director"])  # fmt: skip
    assert _value("children_register_orphan", COUNTY, OCT) == Decimal(1)
    assert _value("children_register_orphan", COUNTY, datetime.date(2026, 9, 1)) == Decimal(1)  # the other one
    assert _value("children_register_orphan", TOWN_B, OCT) == Decimal(0)
    assert _value("children_register_left_behind", TOWN_B, OCT) == Decimal(1)
    assert _value("children_register_de_facto", COUNTY, OCT) == Decimal(0)


def test_adoption_counts_are_the_years_up_to_the_month(staff):
    def adoption(n, registered, dissolved=None):
        child = make_person(VILLAGE_A1, datetime.date(2020, 1, 1))
        adopter = make_person(VILLAGE_A1, datetime.date(1980, 1, 1))
        Adoption.objects.create(
            number=f"SY-T{n}", child=child, region_id=VILLAGE_A1, situation="orphan", sender="guardian",
            sender_name="监护人", adopter=adopter, applied_on=registered, created_by="t", registered_on=registered,
            dissolved_on=dissolved, status="dissolved" if dissolved else "registered",
        )  # fmt: skip

    adoption(1, datetime.date(2025, 12, 31))  # last year
    adoption(2, datetime.date(2026, 1, 1), dissolved=datetime.date(2026, 11, 2))
    adoption(3, datetime.date(2026, 10, 31))
    assert _value("children_adoptions_registered", COUNTY, OCT) == Decimal(2)
    assert _value("children_adoptions_registered", COUNTY, datetime.date(2026, 9, 1)) == Decimal(1)
    assert _value("children_adoptions_dissolved", COUNTY, OCT) == Decimal(0)
    assert _value("children_adoptions_dissolved", COUNTY, NOV) == Decimal(1)
    assert _value("children_adoptions_registered", COUNTY, datetime.date(2025, 12, 1)) == Decimal(1)


def test_the_statistician_sees_the_children_indicators_and_no_child(client, make_user, cases):
    statistician = make_user("ch_stat", Role.STATISTICIAN, COUNTY, line=BusinessLine.ASSISTANCE)
    client.force_login(statistician)
    page = client.get(reverse("stats:indicators"), {"region": COUNTY, "month": "2026-10"})
    assert page.status_code == 200
    text = page.content.decode()
    for name in ("儿童保护在办个案数", "发现报告到首次响应平均时长", "孤儿人数", "收养登记数（年内累计）"):
        assert name in text
    assert cases["a"].child.name not in text and cases["a"].number not in text
