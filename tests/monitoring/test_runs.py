"""Runs on the generated city: every planted case is warned (direction, township), nothing else is; incremental
runs; an interrupted run rerun neither duplicates nor misses."""

import pytest

from huimin.core.models import User
from huimin.core.roles import Role
from huimin.monitoring import services
from huimin.monitoring.models import MonitoringRun, Warning
from huimin.registry.models import Household, Person
from tests.monitoring.conftest import AS_OF

DIRECTION = {"应保": "enter", "应退": "exit"}


def city_approver():
    return User.objects.filter(role=Role.APPROVER).order_by("username").first()


def _duplicate_households(truth) -> set[str]:
    """The second household of each enrolled_twice case: a person whose canonical (18-digit) number is the
    planted person's."""
    from huimin.core import crypto
    from huimin.monitoring.population import canonical_key

    wanted = {
        canonical_key(t["id_number"], crypto.blind_index("id_number", t["id_number"]))
        for t in truth
        if t["kind"] == "enrolled_twice"
    }
    return {
        p.household.number
        for p in Person.objects.filter(household__isnull=False).select_related("household")
        if canonical_key(p.id_number, p.id_number_bidx) in wanted
    }


def test_full_run_finds_every_planted_case_and_nothing_else(city):
    actor = User.objects.filter(role=Role.APPROVER).first()
    run = services.run(_city_user(actor), MonitoringRun.Kind.FULL, AS_OF)
    assert run.status == MonitoringRun.Status.DONE
    truth = city["truth"]
    assert {t["kind"] for t in truth} >= {"death_of_recipient", "enrolled_twice", "unemployment_registered"}
    warnings = list(Warning.objects.select_related("household", "rule"))
    by_household = {}
    for w in warnings:
        by_household.setdefault(w.household.number, []).append(w)
    for case in truth:
        found = by_household.get(case["household_number"], [])
        assert found, f"planted {case['kind']} in {case['household_number']} not warned"
        assert any(w.direction == DIRECTION[case["direction"]] for w in found), case["kind"]
        assert all(w.township_id == case["township_code"].ljust(12, "0")[:12] for w in found), case["kind"]
    planted = {t["household_number"] for t in truth} | _duplicate_households(truth)
    unplanted = sorted({n for n in by_household if n not in planted})
    assert unplanted == [], [(n, [w.rule.code for w in by_household[n]]) for n in unplanted[:5]]


def _city_user(approver):
    """An approver placed at the city level (rules and runs are city/county business)."""
    approver.region_id = "411700000000"
    approver.save()
    return approver


def test_incremental_and_interrupted_runs_are_idempotent(city, monkeypatch):
    actor = _city_user(city_approver())
    calls = {"n": 0}
    real = services._insert_batch

    def flaky(batch):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("中断")
        return real(batch)

    monkeypatch.setattr(services, "INSERT_BATCH", 10)
    monkeypatch.setattr(services, "_insert_batch", flaky)
    with pytest.raises(RuntimeError):
        services.run(actor, MonitoringRun.Kind.FULL, AS_OF)
    partial = Warning.objects.count()
    assert partial == 10 and MonitoringRun.objects.get().status == MonitoringRun.Status.FAILED
    monkeypatch.setattr(services, "_insert_batch", real)
    run = services.run(actor, MonitoringRun.Kind.FULL, AS_OF)
    total = Warning.objects.count()
    assert run.raised == total - partial and run.facts == total
    assert Warning.objects.values("fact_key").distinct().count() == total
    # nothing new arrived: an incremental run reads no new records and raises nothing
    again = services.run(actor, MonitoringRun.Kind.INCREMENTAL, AS_OF)
    assert again.kind == "incremental" and again.new_records == 0 and again.raised == 0
    assert Warning.objects.count() == total
    # a full rerun raises nothing either (the same facts are already warned)
    assert services.run(actor, MonitoringRun.Kind.FULL, AS_OF).raised == 0


def test_households_exist(city):
    assert Household.objects.count() > 900
