"""高龄津贴 免申即享 (huimin.elderly.allowance): bands as data (overlap refused), the monthly proposal and its
boundaries (the last day of a month, 29 February), the township's bulk confirmation, the payroll line, and the
registry's changes (band change, death, a move within the city, a move out of it)."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from huimin.assistance.models import Application, Enrolment, EnrolmentChange
from huimin.benefits import services as benefit_services
from huimin.benefits.models import PayrollLine
from huimin.core.models import AuditEntry, Region
from huimin.core.roles import BusinessLine, Role
from huimin.core.services import ServiceError
from huimin.elderly import allowance
from huimin.elderly import capabilities as cap
from huimin.elderly.models import AllowanceBatch, AllowancePolicy
from tests.clock import at
from tests.conftest import COUNTY, OTHER_COUNTY, TOWN_A, TOWN_B, VILLAGE_A1, VILLAGE_B1
from tests.elderly.conftest import make_person

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def el(users, make_user):
    line = BusinessLine.ELDERLY
    return {
        "approver": make_user("ga_approver", Role.APPROVER, COUNTY, line=line),
        "clerk": make_user("ga_clerk", Role.CLERK, TOWN_A, line=line),
        "assistant": make_user("ga_assistant", Role.ASSISTANT, VILLAGE_A1, line=line),
    }


@pytest.fixture
def bands(el):
    """The demo figures: 80–89 50 元, 90–99 100 元, 100 and over 300 元 a month, set for the county."""
    for low, high, value in ((80, 89, 50), (90, 99, 100), (100, None, 300)):
        benefit_services.add_standard(
            el["approver"], kind="aged_allowance", region_code=COUNTY, value=value, effective_from=D(2020, 1, 1),
            age_from=low, age_to=high, capability=cap.ALLOWANCE_POLICY,
        )  # fmt: skip


def _new_ids(region=COUNTY, **kw):
    return {line.person_id: line for line in allowance.proposal(region, **kw).new}


# --- bands ---------------------------------------------------------------------------------------------------


def test_a_band_overlapping_another_is_refused_and_adjacent_ones_are_not(el, bands):
    before = allowance.BandTable(D(2026, 2, 1)).at(VILLAGE_A1)
    for low, high in ((85, 95), (89, None), (70, 80)):
        with pytest.raises(ServiceError, match="重叠") as refused:
            benefit_services.add_standard(el["approver"], kind="aged_allowance", region_code=COUNTY, value=1,
                                          effective_from=D(2026, 1, 1), age_from=low, age_to=high,
                                          capability=cap.ALLOWANCE_POLICY)  # fmt: skip
        assert refused.value.code == "benefits.band_overlap"
    assert allowance.BandTable(D(2026, 2, 1)).at(VILLAGE_A1) == before
    # one age below the lowest band: no overlap; a new figure for the same band from a later date replaces it
    benefit_services.add_standard(el["approver"], kind="aged_allowance", region_code=COUNTY, value=20,
                                  effective_from=D(2026, 1, 1), age_from=70, age_to=79,
                                  capability=cap.ALLOWANCE_POLICY)  # fmt: skip
    benefit_services.add_standard(el["approver"], kind="aged_allowance", region_code=COUNTY, value=60,
                                  effective_from=D(2026, 1, 1), age_from=80, age_to=89,
                                  capability=cap.ALLOWANCE_POLICY)  # fmt: skip
    table = allowance.BandTable(D(2026, 2, 1))
    assert [(b.low, b.amount) for b in table.at(VILLAGE_A1)] == [(70, 20), (80, 60), (90, 100), (100, 300)]


def test_the_bands_page_refuses_an_overlap_with_its_message(client, el, bands):
    client.force_login(el["approver"])
    response = client.post(reverse("elderly:allowance_band_add"), {"region": COUNTY, "age_from": "95", "age_to": "",
                           "value": "10", "effective_from": "2026-01-01"}, follow=True)  # fmt: skip
    assert "与已设置的“90–99岁”档" in response.content.decode()
    response = client.post(reverse("elderly:allowance_band_add"), {"region": COUNTY, "age_from": "abc", "value": "1",
                           "effective_from": "2026-01-01"}, follow=True)  # fmt: skip
    assert "起始年龄须为 1 至 149 之间的整数" in response.content.decode()


# --- the proposal and its boundaries --------------------------------------------------------------------------


@at(2026, 1, 20)
def test_turning_80_on_the_last_day_of_a_month_is_proposed_for_the_next_month(bands):
    last_day = make_person(VILLAGE_A1, D(1946, 1, 31))  # 80 on 31 January 2026
    first_day = make_person(VILLAGE_A1, D(1946, 2, 1))  # 80 on 1 February: paid from March
    found = _new_ids()
    assert found[last_day.pk].kind == "reach" and found[last_day.pk].band.amount == Decimal("50.00")
    assert first_day.pk not in found
    with at(2026, 2, 20):
        assert first_day.pk in _new_ids()


@at(2026, 1, 20)
def test_the_birth_month_rule_pays_from_the_month_the_age_is_reached(el, bands):
    first_day = make_person(VILLAGE_A1, D(1946, 2, 1))
    allowance.set_policy(el["approver"], region_code=COUNTY, start_rule="birth_month", auto_confirm=False,
                         effective_from=D(2026, 1, 1))  # fmt: skip
    assert first_day.pk in _new_ids()
    assert make_person(VILLAGE_A1, D(1946, 3, 1)).pk not in _new_ids()


def test_born_on_29_february_reaches_the_age_on_1_march_in_a_common_year(el, bands):
    """A birth year 80 years before a common year is common too (1946), so 29 February meets a common year at 90:
    born 1936-02-29, 90 on 1 March 2026 (as Person.age_on counts), 100 元 from April."""
    leap = make_person(VILLAGE_A1, D(1936, 2, 29))
    with at(2026, 2, 20):  # March: 89 on 28 February
        assert _new_ids()[leap.pk].band.low == 80
        allowance.confirm(el["approver"], region_code=COUNTY)
    with at(2026, 3, 20):  # April: 90 on 31 March — the band changes
        regrade = allowance.proposal(COUNTY).regrade
        assert [(r.person_id, r.band.amount) for r in regrade] == [(leap.pk, Decimal("100.00"))]
        allowance.confirm(el["approver"], region_code=COUNTY)
    enrolment = Enrolment.objects.get(person=leap)
    assert enrolment.monthly_amount == Decimal("100.00")
    change = enrolment.changes.get(kind=EnrolmentChange.Kind.ADJUST)
    assert change.effective_month == D(2026, 4, 1)


@at(2026, 1, 20)
def test_band_boundaries_on_each_side(bands):
    """Ages on 31 January 2026 (the day deciding February): 79 nothing, 80 and 89 → 50, 90 and 99 → 100, 100 → 300."""
    born = {79: D(1946, 2, 1), 80: D(1946, 1, 31), 89: D(1936, 2, 1), 90: D(1936, 1, 31), 99: D(1926, 2, 1),
            100: D(1926, 1, 31)}  # fmt: skip
    people = {age: make_person(VILLAGE_A1, day) for age, day in born.items()}
    found = _new_ids()
    assert people[79].pk not in found
    amounts = {age: found[p.pk].band.amount for age, p in people.items() if age != 79}
    assert amounts == {80: 50, 89: 50, 90: 100, 99: 100, 100: 300}
    assert {found[p.pk].age for age, p in people.items() if age != 79} == {80, 89, 90, 99, 100}
    assert found[people[100].pk].kind == "backlog" and found[people[80].pk].kind == "reach"
    assert {line.person_id for line in allowance.proposal(COUNTY, band_low=90).new} == {people[90].pk, people[99].pk}


@at(2026, 1, 20)
def test_no_bands_means_no_proposal_and_a_message_naming_the_page(el):
    make_person(VILLAGE_A1, D(1930, 1, 1))
    assert allowance.proposal(COUNTY).configured is False
    with pytest.raises(ServiceError, match="养老服务 › 高龄津贴标准"):
        allowance.confirm(el["approver"], region_code=COUNTY)


# --- confirmation and payroll ----------------------------------------------------------------------------------


@at(2026, 1, 20)
def test_bulk_confirm_enrols_without_application_and_the_payroll_pays_it(client, users, el, bands):
    a = [make_person(VILLAGE_A1, D(1940, 5, 5)) for _ in range(3)]
    b = make_person(VILLAGE_B1, D(1930, 5, 5))
    client.force_login(el["clerk"])
    page = client.get(reverse("elderly:allowance"), {"region": TOWN_A})
    assert "新纳入 <strong>3</strong> 人" in page.content.decode()
    response = client.post(reverse("elderly:allowance_confirm"), {"region": TOWN_A, "scope": "all"}, follow=True)
    assert "新纳入 3 人（月发放合计 150.00 元）" in response.content.decode()
    enrolments = Enrolment.objects.filter(programme__code="aged_allowance")
    assert sorted(e.person_id for e in enrolments) == sorted(p.pk for p in a)  # township B is not the clerk's
    e = enrolments.first()
    assert (e.start_month, e.monthly_amount, e.status) == (D(2026, 2, 1), Decimal("50.00"), "active")
    app = Application.objects.get(pk=e.application_id)
    assert (app.channel, app.stage, app.decided_by) == ("proactive", "enrolled", "ga_clerk")
    batch = AllowanceBatch.objects.get()
    assert (batch.enrolled, batch.total, batch.confirmed_by) == (3, Decimal("150.00"), "ga_clerk")
    assert AuditEntry.objects.filter(action="elderly.allowance.confirm").count() == 1
    assert set(_new_ids(TOWN_A)) == set()  # confirmed: no longer proposed
    # the statistics' 高龄津贴覆盖率: 3 of the county's 4 older persons in a band receive it in February
    from huimin.stats.indicators import aged_allowance_coverage

    assert allowance.coverage(COUNTY, D(2026, 2, 1)) == (4, 3) and allowance.coverage(TOWN_A, D(2026, 2, 1)) == (3, 3)
    assert allowance.coverage(COUNTY, D(2026, 1, 1)) == (4, 0)  # paid from February
    county = Region.objects.get(code=COUNTY)
    assert aged_allowance_coverage(users["approver"], county, D(2026, 2, 1)) == Decimal("75.00")
    assert b.pk in _new_ids(TOWN_B)
    # the one monthly payroll pays it, out of the 高龄津贴 fund
    payroll = benefit_services.build(users["approver"], region_code=COUNTY, month=D(2026, 2, 1))
    lines = PayrollLine.objects.filter(payroll=payroll, programme_code="aged_allowance")
    assert sorted(line.enrolment_id for line in lines) == sorted(e.pk for e in enrolments)
    assert {line.amount for line in lines} == {Decimal("50.00")}


@at(2026, 1, 20)
def test_confirming_some_and_a_person_not_proposed_is_refused_with_nothing_written(el, bands):
    p1, p2 = make_person(VILLAGE_A1, D(1940, 5, 5)), make_person(VILLAGE_A1, D(1940, 6, 6))
    young = make_person(VILLAGE_A1, D(1950, 1, 1))
    with pytest.raises(ServiceError, match="有 1 人不在本月高龄津贴名单中"):
        allowance.confirm(el["clerk"], region_code=TOWN_A, person_ids=[p1.pk, young.pk])
    assert not Enrolment.objects.filter(programme__code="aged_allowance").exists()
    assert not AllowanceBatch.objects.exists()
    batch = allowance.confirm(el["clerk"], region_code=TOWN_A, person_ids=[p1.pk])
    assert batch.enrolled == 1 and set(_new_ids(TOWN_A)) == {p2.pk}


@at(2026, 1, 20)
def test_who_may_confirm(el, bands):
    make_person(VILLAGE_A1, D(1940, 5, 5))
    with pytest.raises(Exception, match="确认高龄津贴|权限"):
        allowance.confirm(el["assistant"], region_code=TOWN_A)
    from django.http import Http404

    with pytest.raises(Http404):
        allowance.confirm(el["clerk"], region_code=TOWN_B)


@at(2026, 1, 20)
def test_automatic_confirmation_as_data(el, bands):
    p = make_person(VILLAGE_A1, D(1940, 5, 5))
    assert allowance.auto_confirm(el["approver"]) == []  # the national default: the township confirms
    allowance.set_policy(el["approver"], region_code=COUNTY, start_rule="next_month", auto_confirm=True,
                         effective_from=D(2026, 1, 1))  # fmt: skip
    [batch] = allowance.auto_confirm(el["approver"])
    assert batch.mode == AllowanceBatch.Mode.AUTO and Enrolment.objects.get(person=p).start_month == D(2026, 2, 1)
    assert AllowancePolicy.objects.count() == 2


# --- what the registry changes ---------------------------------------------------------------------------------


def _enrolled(el, *people):
    with at(2026, 1, 20):
        allowance.confirm(el["approver"], region_code=COUNTY)
    return {p.pk: Enrolment.objects.get(person=p) for p in people}


def test_a_move_within_the_city_keeps_it_and_a_move_out_of_the_city_stops_it(el, bands):
    stays, moves, leaves, dies = (make_person(VILLAGE_A1, D(1940, 5, 5)) for _ in range(4))
    enrolments = _enrolled(el, stays, moves, leaves, dies)
    other_city = Region.objects.filter(code__startswith="4101", level=3).order_by("code").first()
    moves.region_id = OTHER_COUNTY  # 西平县: same city (驻马店, 4117)
    moves.save()
    leaves.region_id = other_city.code  # 郑州: outside the city
    leaves.save()
    dies.is_deceased, dies.death_date = True, D(2026, 2, 10)
    dies.save()
    with at(2026, 2, 20):
        prop = allowance.proposal(COUNTY)
        assert {(line.person_id, line.kind) for line in prop.moves} == {(moves.pk, "move")}
        assert {line.person_id for line in prop.stops} == {leaves.pk, dies.pk}
        assert not prop.new and not prop.regrade
        batch = allowance.confirm(el["approver"], region_code=COUNTY)
    assert (batch.enrolled, batch.moved, batch.stopped) == (0, 1, 2)
    for p in (stays, moves, leaves, dies):
        enrolments[p.pk].refresh_from_db()
    assert enrolments[stays.pk].status == enrolments[moves.pk].status == "active"
    assert enrolments[moves.pk].region_id == OTHER_COUNTY  # paid on by the new county, no new application
    assert Application.objects.filter(applicant=moves).count() == 1
    assert enrolments[leaves.pk].status == enrolments[dies.pk].status == "stopped"
    stop = enrolments[leaves.pk].changes.get(kind=EnrolmentChange.Kind.STOP)
    assert stop.effective_month == D(2026, 3, 1) and "转出本市" in stop.reasons
    assert enrolments[dies.pk].changes.get(kind=EnrolmentChange.Kind.STOP).effective_month == D(2026, 3, 1)
    with at(2026, 2, 21):
        assert not allowance.proposal(COUNTY).stops and not allowance.proposal(COUNTY).moves
        assert moves.pk not in _new_ids(OTHER_COUNTY)  # still enrolled: not proposed again in the new county
