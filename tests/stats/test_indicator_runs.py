"""The indicator board is stored per region and month (``IndicatorRun``): at ten million persons some indicators
count the whole registry, so a page reads what was computed. Stored boards must not go silently out of date: a
page computes a missing board, queues a stale one for the worker (showing the stored one meanwhile, with its time),
and 重新计算 and the daily job recompute them."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from huimin.benefits.models import Standard
from huimin.core import daily, regions
from huimin.core.models import Region
from huimin.stats import compute, indicators
from huimin.stats.models import Indicator, IndicatorRun
from huimin.stats.tasks import refresh_indicators
from tests.clock import at
from tests.conftest import COUNTY, TOWN_A

pytestmark = pytest.mark.django_db
NOVEMBER = "2026-11"  # the pinned clock's month (tests/stats/conftest.py): not settled, refreshed when stale


def _rural_dibao(value: str) -> None:
    Standard.objects.update_or_create(
        kind="dibao", region_id=COUNTY, area="rural", period="month",
        effective_from=compute.add_months(compute.month_start(compute.datetime.date(2026, 11, 1)), -24),
        defaults={"value": Decimal(value)},
    )  # fmt: skip


def _ratio(client, month: str = NOVEMBER) -> str:
    return client.get(reverse("stats:indicators") + f"?month={month}&region={COUNTY}").content.decode()


@pytest.fixture
def standards(regions):
    _rural_dibao("420")
    Standard.objects.create(kind="dibao", region_id=COUNTY, area="urban", period="month", value=Decimal("600"),
                            effective_from=compute.datetime.date(2024, 11, 1))  # fmt: skip


def test_a_board_is_computed_on_first_view_and_read_from_the_store_after(login, users, standards):
    client = login(users["approver"])
    assert "70.00%" in _ratio(client)
    run = IndicatorRun.objects.get(region_id=COUNTY, month=compute.datetime.date(2026, 11, 1))
    assert run.values["dibao_rural_urban_ratio"] == "70.00"
    _rural_dibao("450")  # 75%: not yet on the page, the stored board is fresh
    page = _ratio(client)
    assert "70.00%" in page and "本月指标计算于" in page
    assert not DBTaskResult.objects.exists()


def test_a_stale_board_is_shown_and_refreshed_by_the_worker_once(
    login, users, standards, django_capture_on_commit_callbacks
):
    client = login(users["approver"])
    _ratio(client)
    _rural_dibao("450")
    with at(2026, 11, 20, 10, 11):  # 11 minutes later: past compute.REFRESH, the month not settled
        client = login(users["approver"])
        for _ in range(2):
            with django_capture_on_commit_callbacks(execute=True):
                assert "70.00%" in _ratio(client)  # the stored board meanwhile
        queued = DBTaskResult.objects.filter(task_path=refresh_indicators.module_path)
        assert queued.count() == 1  # queued once, not on every view
        refresh_indicators.call(COUNTY, "2026-11-01")
        assert "75.00%" in _ratio(client)


def test_a_settled_month_is_recomputed_by_the_recompute_button(login, users, standards):
    client = login(users["approver"])
    assert "70.00%" in _ratio(client, "2026-03")  # settled: computed long after its end, never stale
    _rural_dibao("450")  # a standard dated back (effective_from two years ago)
    with at(2026, 11, 21):
        client = login(users["approver"])
        assert "70.00%" in _ratio(client, "2026-03") and not DBTaskResult.objects.exists()
        client.post(reverse("stats:recompute"), {"month": "2026-03", "region": COUNTY})
        assert "75.00%" in _ratio(client, "2026-03")


def test_an_indicator_added_since_the_board_was_stored_is_computed_on_view(login, users, standards):
    client = login(users["approver"])
    _ratio(client)
    ratio = Indicator.objects.get(code="dibao_rural_urban_ratio")
    run = IndicatorRun.objects.get(region_id=COUNTY, month=compute.datetime.date(2026, 11, 1))
    run.values.pop(ratio.code)
    run.save()
    assert "70.00%" in _ratio(client)
    run.refresh_from_db()
    assert run.values[ratio.code] == "70.00"


def test_the_daily_job_computes_the_boards_of_the_staffs_regions_and_those_above(users, standards):
    ((job, summary, ok),) = daily.run_all(compute.datetime.date(2026, 11, 20), only=["stats.indicators"])
    assert ok, summary
    stored = set(IndicatorRun.objects.values_list("region_id", "month"))
    months = {compute.datetime.date(2026, 10, 1), compute.datetime.date(2026, 11, 1)}
    for code in (TOWN_A, COUNTY, regions.parent_code(COUNTY)):
        assert {(code, m) for m in months} <= stored
    assert (
        IndicatorRun.objects.get(region_id=COUNTY, month=compute.datetime.date(2026, 11, 1)).values[
            "dibao_rural_urban_ratio"
        ]
        == "70.00"
    )


def test_the_daily_job_stores_the_board_the_dashboard_opens_on(login, users, standards, monkeypatch):
    from huimin.stats.models import MonthlyFigure
    from tests.conftest import VILLAGE_A1

    MonthlyFigure.objects.create(month=compute.datetime.date(2026, 8, 1), region_id=VILLAGE_A1, is_urban=False,
                                 programme="dibao", households=1, persons=1, amount_paid=Decimal("500"))  # fmt: skip
    monkeypatch.setattr(compute, "ensure", lambda months: None)  # the figures as set here, not recomputed
    daily.run_all(compute.datetime.date(2026, 11, 20), only=["stats.indicators"])
    stored = IndicatorRun.objects.count()
    assert IndicatorRun.objects.filter(region_id=COUNTY, month=compute.datetime.date(2026, 8, 1)).exists()
    page = login(users["approver"]).get(reverse("stats:dashboard"))
    assert page.context["month"] == compute.datetime.date(2026, 8, 1)  # the latest month paid in the county
    assert IndicatorRun.objects.count() == stored  # read, not computed


def test_a_board_does_not_depend_on_who_looks(users, standards):
    county = Region.objects.get(code=COUNTY)
    for indicator in Indicator.objects.filter(is_active=True):
        month = compute.datetime.date(2026, 11, 1)
        assert indicators.value_of(indicator, None, county, month) == indicators.value_of(
            indicator, users["statistician"], county, month
        ), indicator.code


def test_a_board_counts_the_beds_once_for_its_three_bed_indicators(users, monkeypatch):
    from huimin.eldercare import indicators as eldercare

    calls = []
    real = eldercare.bed_figures
    monkeypatch.setattr(eldercare, "bed_figures", lambda *args: calls.append(args) or real(*args))
    indicators.compute_run(Region.objects.get(code=COUNTY), compute.datetime.date(2026, 11, 1))
    assert len(calls) == 1  # 每千名老年人床位数, 护理型床位占比, 入住率: one count of the older people
    indicators.compute_run(Region.objects.get(code=COUNTY), compute.datetime.date(2026, 11, 1))
    assert len(calls) == 2  # the next board counts afresh
