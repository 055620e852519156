"""Runs on the demo city (``huimin demo load``: real enrolments, departmental snapshots): every planted case is
warned (rule, direction, township), nothing else is; incremental runs; an interrupted run rerun neither
duplicates nor misses."""

import datetime

import pyarrow.parquet as pq
import pytest
from django.test import override_settings

from huimin.assistance.models import Enrolment
from huimin.core import regions
from huimin.core.models import User
from huimin.core.roles import Role
from huimin.demo import generator, loader
from huimin.demo.planted import RULE_OF  # planted kind → the default rule that must warn it
from huimin.monitoring import services
from huimin.monitoring.models import Category, MonitoredPerson, MonitoringRun, Warning
from huimin.registry.models import Household, Person
from tests.clock import at
from tests.monitoring.conftest import AS_OF, PERSONS, SEED, city_user

DIRECTION = {"应保": "enter", "应退": "exit"}


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


def test_the_population_comes_from_the_demo_enrolments(city, city_approver):
    services.run(city_approver, MonitoringRun.Kind.FULL, AS_OF)
    programmes = {h["number"]: h["programme"] for h in city["households"]}
    categories: dict[str, set] = {}  # a household may also hold a 残疾人 subsidy recipient's category
    for number, category in MonitoredPerson.objects.filter(is_current=True).values_list(
        "household__number", "category"
    ):
        categories.setdefault(number, set()).add(category)
    expected = {"dibao": Category.DIBAO, "tekun_scattered": Category.TEKUN, "tekun_concentrated": Category.TEKUN,
                "dibao_edge": Category.EDGE, "expense_hardship": Category.EXPENSE}  # fmt: skip
    monitored = {n for n, p in programmes.items() if p in expected}
    assert monitored and set(categories) >= monitored
    assert all(expected[programmes[n]] in categories[n] for n in monitored)
    assert Enrolment.objects.filter(programme__code__in=["edge", "expense"]).count() == sum(
        p in ("dibao_edge", "expense_hardship") for p in programmes.values()
    )


def test_full_run_finds_every_planted_case_and_nothing_else(city, city_approver):
    run = services.run(city_approver, MonitoringRun.Kind.FULL, AS_OF)
    assert run.status == MonitoringRun.Status.DONE
    _every_planted_case_and_nothing_else(city["truth"])


def test_a_year_later_mid_month_every_planted_case_is_found_again(seeded, tmp_path):
    """Recall on any date: the demo city generated and loaded for 6 November of the next year (mid-month: the
    monthly feeds end with October) and run on that day — every planted case, nothing else."""
    later = datetime.date(2027, 11, 6)
    with at(2027, 11, 6):
        out = tmp_path / "city"
        generator.generate(out, PERSONS, SEED, later)
        with override_settings(VAR_DIR=str(tmp_path / "var")):
            loader.load(PERSONS, SEED, later)
            approver = city_user(
                User.objects.with_role(Role.APPROVER).filter(username__startswith="sp").order_by("username").first()
            )
            run = services.run(approver, MonitoringRun.Kind.FULL, later)
            assert run.status == MonitoringRun.Status.DONE
            _every_planted_case_and_nothing_else(pq.read_table(out / "ground_truth.parquet").to_pylist())


def _every_planted_case_and_nothing_else(truth):
    assert {t["kind"] for t in truth} >= {"death_of_recipient", "enrolled_twice", "no_withdrawal", "new_disability",
                                          "large_deposits", "registered_medical_bills"}  # fmt: skip
    by_household = {}
    for w in Warning.objects.select_related("household", "rule"):
        if w.rule.code == "subsidy_unclaimed":
            # the demo city has certificate holders but no 两项补贴 recipients yet: every holder of grade 1–2 (or of
            # a 低保 household) is rightly 应享未享 — each warning must be one, and is not a planted case
            assert w.detail["value"] <= 2 or w.category == "dibao" or _in_dibao(w.person_id), w.detail
            continue
        if w.direction == "care":
            # 关爱 warnings (an older person not visited for two periods: 探访关爱) are not about eligibility and not
            # planted; each must name a person of the older people's register who is overdue
            assert w.rule.code == "elderly_unvisited" and w.person.age_on(w.raised_at.date()) >= 60, w.detail
            continue
        by_household.setdefault(w.household.number, []).append(w)
    for case in truth:
        found = by_household.get(case["household_number"], [])
        rule = RULE_OF.get(case["kind"], case["kind"])
        assert found, f"planted {case['kind']} in {case['household_number']} not warned"
        assert any(w.rule.code == rule and w.direction == DIRECTION[case["direction"]] for w in found), (
            case["kind"], [(w.rule.code, w.direction) for w in found])  # fmt: skip
        assert all(w.township_id == regions.full_code(case["township_code"]) for w in found), case["kind"]
    planted = {t["household_number"] for t in truth} | _duplicate_households(truth)
    unplanted = sorted({n for n in by_household if n not in planted})
    assert unplanted == [], [(n, [w.rule.code for w in by_household[n]]) for n in unplanted[:5]]


def test_no_withdrawal_warns_the_idle_months(city, city_approver):
    services.run(city_approver, MonitoringRun.Kind.FULL, AS_OF)
    cases = [t for t in city["truth"] if t["kind"] == "no_withdrawal"]
    assert cases
    for case in cases:
        w = Warning.objects.get(rule__code="no_withdrawal", household__number=case["household_number"])
        assert w.record_key == "最后支取" + case["record_key"] and w.occurred_on == case["occurred_on"]
        assert w.direction == "exit" and w.category in (Category.DIBAO, Category.TEKUN)


def test_incremental_and_interrupted_runs_are_idempotent(city, city_approver, monkeypatch):
    actor = city_approver
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
    # nothing missed: every planted household is warned after the rerun
    warned = set(Warning.objects.values_list("household__number", flat=True))
    assert {t["household_number"] for t in city["truth"]} <= warned
    # nothing new arrived: an incremental run reads no new records and raises nothing
    again = services.run(actor, MonitoringRun.Kind.INCREMENTAL, AS_OF)
    assert again.kind == "incremental" and again.new_records == 0 and again.raised == 0
    assert Warning.objects.count() == total
    # a full rerun raises nothing either (the same facts are already warned)
    assert services.run(actor, MonitoringRun.Kind.FULL, AS_OF).raised == 0


def test_households_exist(city):
    assert Household.objects.count() > 900


def test_an_incremental_run_reads_only_the_new_records_and_misses_none(city, city_approver, tmp_path):
    import datetime

    import pyarrow as pa
    import pyarrow.parquet as pq

    from huimin.verification import services as verification

    services.run(city_approver, MonitoringRun.Kind.FULL, AS_OF)
    before = Warning.objects.count()
    planted = {t["household_number"] for t in city["truth"]}
    # a 低保 household none of whose members also draws a 残疾人 subsidy (a death there warns once per programme)
    subsidised = set(
        Enrolment.objects.filter(programme__code__in=["disability_living", "severe_care"]).values_list(
            "household__number", flat=True
        )
    )
    h = next(
        h
        for h in city["households"]
        if h["programme"] == "dibao" and h["number"] not in planted and h["number"] not in subsidised
    )
    person = Person.objects.filter(household__number=h["number"]).order_by("id").first()
    old = pq.read_table(city["dir"] / "departments" / "deaths.parquet")
    row = pa.table({"id_number": [person.id_number], "death_date": [AS_OF - datetime.timedelta(days=2)],
                    "reporter": ["火化"]}, schema=old.schema)  # fmt: skip
    path = tmp_path / "deaths.parquet"
    pq.write_table(pa.concat_tables([old, row]), path)
    upload = verification.ingest_file(None, "deaths", path.read_bytes(), path.name, AS_OF, channel="cli")
    assert upload.status == "accepted"
    run = services.run(city_approver, MonitoringRun.Kind.INCREMENTAL, AS_OF)
    assert run.kind == "incremental" and run.new_records == 1 and run.raised == 1
    w = Warning.objects.exclude(run__kind="full").get()
    assert w.household.number == h["number"] and w.rule.code == "death_of_recipient" and w.direction == "exit"
    assert Warning.objects.count() == before + 1


def _in_dibao(person_id) -> bool:
    from huimin.assistance.models import CURRENT_STATUSES, EnrolmentMember

    members = EnrolmentMember.objects.filter(person_id=person_id, removed_on__isnull=True)
    return members.filter(enrolment__programme__kind="dibao", enrolment__status__in=CURRENT_STATUSES).exists()
