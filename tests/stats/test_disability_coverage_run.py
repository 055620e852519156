"""两项补贴覆盖率 in the daily job: the persons are read once per month (and 残联 extract) at the highest region the
run stores a board of, and every board below reads its own sum — the same figure as that region's board computed
alone (``eligibility.coverage`` of the region itself), at the boundaries: a person registered at a township itself
(the first code of its prefix) and one in the last village of its prefix, a person of the county itself, one in
another county, a disabled person not receiving, one receiving both subsidies, one whose subsidy ends with October,
one starting in November, one eligible through 低保, one eligible or not only by the 残联's data, and a county's own
extract, which its subtree reads instead of the department's."""

import datetime

import pytest

from huimin.assistance.models import Application, Enrolment, EnrolmentMember, Programme, Stage
from huimin.core import daily
from huimin.core.models import Region
from huimin.eligibility import coverage
from huimin.stats import indicators
from huimin.stats.compute import month_end
from huimin.stats.models import IndicatorRun
from huimin.verification.models import Snapshot
from tests.conftest import COUNTY, OTHER_COUNTY, TOWN_A, TOWN_B, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1
from tests.eligibility.conftest import _var_dir, enrol, make_person, subsidies, upload  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db
OCTOBER, NOVEMBER = datetime.date(2026, 10, 1), datetime.date(2026, 11, 1)
DAY = datetime.date(2026, 11, 20)  # the pinned clock (tests/stats/conftest.py): the run stores October and November
CITY = "411700000000"
LAST_VILLAGE_A = "411702001999"  # the last code of 顺河街道's prefix; 老街街道 (411702002) starts right after it
BOARDS = [CITY, COUNTY, TOWN_A, TOWN_B, VILLAGE_A1]


def _dibao(person, users):
    household, region = person.household, person.household.region_id
    app = Application.objects.create(
        number=f"DBR-{person.pk}", programme=Programme.objects.get(code="dibao"), household=household,
        applicant=person, region_id=region, channel="window", reason="测试", stage=Stage.ENROLLED,
        stage_entered_on=datetime.date(2025, 1, 1), created_by=users["approver"],
    )  # fmt: skip
    enrolment = Enrolment.objects.create(programme=app.programme, household=household, application=app,
                                         region_id=region, monthly_amount="500.00",
                                         start_month=datetime.date(2025, 1, 1))  # fmt: skip
    EnrolmentMember.objects.create(enrolment=enrolment, person=person, added_on=datetime.date(2025, 1, 1))


@pytest.fixture
def disabled_people(users, subsidies):  # noqa: F811
    Region.objects.create(code=LAST_VILLAGE_A, name="末村", level=5, parent_id=TOWN_A, urban_rural_code="220")
    d = datetime.date
    both = make_person(VILLAGE_A1, grade=1)
    severe = make_person(VILLAGE_A1, grade=2)
    make_person(VILLAGE_A2, grade=2)  # 应享, never receiving
    low_income = make_person(VILLAGE_A2, grade=4)  # 应享 through 低保
    make_person(VILLAGE_A2, grade=4)  # grade 4 without 低保: not eligible
    at_township = make_person(TOWN_A, grade=1)  # registered at the township itself
    last_village = make_person(LAST_VILLAGE_A, grade=1)
    make_person(TOWN_B, grade=2)  # registered at the township itself, not receiving
    from_data = make_person(VILLAGE_B1)  # no grade in the registry; the 残联's data says 1
    revoked = make_person(VILLAGE_B1, grade=2)  # the registry says 2; the 残联 revoked it
    of_county = make_person(COUNTY, grade=1)
    elsewhere = make_person(OTHER_COUNTY, grade=1)  # the city's, not the county's
    upload([{"person": from_data, "grade": 1}, {"person": revoked, "grade": 2, "status": "注销",
                                                 "changed_on": "2026-01-10"}], d(2026, 9, 30))  # fmt: skip
    enrol(both, "severe_care", users=users)
    enrol(both, "disability_living", users=users)
    enrol(severe, "severe_care", users=users)
    _dibao(low_income, users)
    enrol(low_income, "disability_living", users=users)
    enrol(at_township, "severe_care", start=d(2026, 11, 1), users=users)  # from November
    enrol(last_village, "severe_care", users=users)
    ended = enrol(from_data, "severe_care", users=users, grade=1)
    Enrolment.objects.filter(pk=ended.pk).update(status="stopped", ended_on=d(2026, 10, 31))  # paid in October
    enrol(of_county, "severe_care", users=users)
    enrol(elsewhere, "severe_care", users=users)
    return {"low_income": low_income, "severe": severe}


def _alone(code: str, month: datetime.date) -> str | None:
    """The per-region computation of the figure, as the board of the region alone stored it."""
    found = coverage.coverage(code, month_end(month))
    return None if found.ratio is None else str(indicators._q(found.ratio * indicators.HUNDRED))


def _run(monkeypatch) -> tuple[list[tuple[str, int | None, datetime.date]], dict]:
    """The daily run, with the persons' reads it makes: (prefix, extract, day) of each."""
    reads = []
    real = coverage.by_region

    def by_region(prefix, day, snapshot):
        reads.append((prefix, snapshot.pk if snapshot else None, day))
        return real(prefix, day, snapshot)

    IndicatorRun.objects.all().delete()
    monkeypatch.setattr(coverage, "by_region", by_region)
    ((_, summary, ok),) = daily.run_all(DAY, only=["stats.indicators"])
    assert ok, summary
    monkeypatch.undo()
    return reads, {(r.region_id, r.month): r.values["disability_coverage"] for r in IndicatorRun.objects.all()}


def test_the_daily_run_reads_the_persons_once_a_month_and_each_board_reads_its_own_sum(
    users, disabled_people, monkeypatch
):
    expected = {(code, month): _alone(code, month) for code in BOARDS for month in (OCTOBER, NOVEMBER)}
    # 顺河街道: both, severe, low_income, at_township, last_village (the grade-2 one never receiving is 小王庄村's)
    assert expected[(TOWN_A, OCTOBER)] == "66.67" and expected[(TOWN_A, NOVEMBER)] == "83.33"  # 4 of 6, 5 of 6
    assert expected[(TOWN_B, OCTOBER)] == "50.00"  # of the one at the township and from_data (revoked is out)
    assert expected[(TOWN_B, NOVEMBER)] == "0.00"  # from_data's subsidy ended with October
    assert expected[(VILLAGE_A1, OCTOBER)] == "100.00"  # both subsidies: one person covered, once
    assert expected[(COUNTY, OCTOBER)] == "66.67" and expected[(CITY, OCTOBER)] == "70.00"  # 6 of 9, 7 of 10
    for (code, month), value in expected.items():  # a board computed alone (a page, 重新计算, the worker)
        assert indicators.compute_run(Region.objects.get(code=code), month).values["disability_coverage"] == value

    reads, stored = _run(monkeypatch)
    department = Snapshot.objects.get(source="disability").pk
    assert sorted(reads) == [("41", department, month_end(OCTOBER)), ("41", department, month_end(NOVEMBER))]
    assert {key: stored[key] for key in expected} == expected
    assert stored == {(code, month): _alone(code, month) for code, month in stored}  # the province's too


def test_a_countys_own_extract_is_read_once_a_month_for_its_subtree(users, disabled_people, monkeypatch):
    """From 5 November the county holds its own extract (the 残联's data uploaded by the county): the county and
    the regions beneath it read it, the city and the province the department's; the run reads the persons once per
    month and extract, the county's at the county."""
    own = upload([{"person": disabled_people["severe"], "grade": 4}], datetime.date(2026, 11, 5))
    Snapshot.objects.filter(pk=own.pk).update(region_id=COUNTY)
    expected = {(code, month): _alone(code, month) for code in BOARDS for month in (OCTOBER, NOVEMBER)}
    assert expected[(VILLAGE_A1, NOVEMBER)] == "100.00"  # severe is grade 4 without 低保 there: not eligible
    assert expected[(TOWN_B, NOVEMBER)] == "0.00"  # of the one at the township and revoked, which the county's
    # extract does not know (the registry's grade 2 holds); nor from_data (no grade)
    assert expected[(COUNTY, NOVEMBER)] == "62.50"  # 5 of 8 (the department's extract gives 6 of 9)
    assert expected[(CITY, NOVEMBER)] == "70.00"  # the department's: 7 of 10, as without the county's

    reads, stored = _run(monkeypatch)
    department = Snapshot.objects.exclude(pk=own.pk).get(source="disability").pk
    assert sorted(reads) == [
        ("41", department, month_end(OCTOBER)),
        ("41", department, month_end(NOVEMBER)),
        ("411702", own.pk, month_end(NOVEMBER)),
    ]
    assert {key: stored[key] for key in expected} == expected
    assert stored == {(code, month): _alone(code, month) for code, month in stored}  # the province's too
