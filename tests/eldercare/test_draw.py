"""双随机: the draw is reproducible (same seed, population and pool → same result; another seed → another
result), the published plan equals the draw, and 复核 detects a tampered list."""

import pytest

from huimin.core.access import BusinessRuleError, Forbidden, NotInScope
from huimin.core.roles import BusinessLine
from huimin.supervision import rules, services
from huimin.supervision.models import Draw, Inspection
from tests.conftest import COUNTY, OTHER_COUNTY, TOWN_A, VILLAGE_A1, VILLAGE_B1
from tests.eldercare.helpers import institution

pytestmark = pytest.mark.django_db
LINE = BusinessLine.ELDERLY
KIND = "eldercare.institution"


def _population(n, by):
    rows = [institution(VILLAGE_A1 if i % 2 else VILLAGE_B1, by=by) for i in range(n)]
    return [(KIND, i.pk, i.name) for i in rows]


def _pool(staff):
    return [staff["inspector1"], staff["inspector2"], staff["inspector3"], staff["approver"]]


def _draw(staff, population, seed=12345, count=4, **extra):
    return services.draw(staff["approver"], purpose="服务质量与安全检查", line=LINE, region=COUNTY,
                         period="2026年第4季度", population=population, inspectors=_pool(staff), count=count,
                         seed=seed, **extra)  # fmt: skip


def test_the_algorithm_is_pinned():
    """The documented algorithm gives these pairs for this seed on any machine and Python version."""
    population = [("k", i, f"对象{i}") for i in range(1, 11)]
    result = rules.run_draw(20261201, population, [7, 3, 5, 9], 3, 2)
    again = rules.run_draw(20261201, list(reversed(population)), [9, 5, 3, 7], 3, 2)
    assert result == again  # the lists are sorted first: their order does not matter
    assert [(r["id"], r["inspectors"]) for r in result] == [(r["id"], r["inspectors"]) for r in again]
    assert len({r["id"] for r in result}) == 3
    assert all(len(set(r["inspectors"])) == 2 for r in result)


def test_same_seed_same_result_other_seed_other_result(staff):
    population = _population(12, staff["clerk"])
    first = _draw(staff, population, seed=777)
    second = _draw(staff, list(reversed(population)), seed=777)
    other = _draw(staff, population, seed=778)
    assert first.result == second.result and first.result_hash == second.result_hash
    assert first.population_hash == second.population_hash
    assert other.result != first.result


def test_the_published_plan_equals_the_draw_and_verifies(staff):
    row = _draw(staff, _population(9, staff["clerk"]), seed=4242, count=5)
    planned = sorted(services.planned_pairs(row))
    assert planned == sorted((r["kind"], r["id"], r["inspectors"]) for r in row.result)
    assert Inspection.objects.filter(draw=row, status="planned").count() == 5
    services.publish(staff["approver"], row.pk)
    check = services.verify(Draw.objects.get(pk=row.pk))
    assert check.ok and check.recomputed == row.result
    with pytest.raises(BusinessRuleError):
        services.publish(staff["approver"], row.pk)


def test_verify_detects_a_changed_population_and_plan(staff):
    row = _draw(staff, _population(6, staff["clerk"]), seed=99, count=2)
    row.population = row.population[:-1]
    assert not services.verify(row).population_ok
    row.refresh_from_db()
    moved = row.inspections.first()
    moved.inspector_id = staff["approver2"].pk
    moved.save()
    check = services.verify(row)
    assert check.result_ok and not check.plan_ok and not check.ok


def test_ratio_rounds_up_and_the_seed_is_recorded(staff):
    row = services.draw(staff["approver"], purpose="检查", line=LINE, region=COUNTY, period="2026Q4",
                        population=_population(7, staff["clerk"]), inspectors=_pool(staff), ratio="0.3")  # fmt: skip
    assert row.count == 3  # ceil(7 × 0.3)
    assert row.seed is not None and 0 <= row.seed < 2**63
    assert rules.run_draw(row.seed, row.population, [p[0] for p in row.pool], 3, 2) == row.result


@pytest.mark.parametrize(("extra", "code"), [
    ({"count": 0}, "supervision.bad_sample"), ({"count": 7}, "supervision.bad_sample"),
    ({"count": None, "ratio": "1.5"}, "supervision.bad_sample"), ({"count": None}, "supervision.bad_sample"),
    ({"per_subject": 5}, "supervision.pool_too_small"), ({"seed": "abc"}, "supervision.bad_sample"),
])  # fmt: skip
def test_bad_samples_are_refused_and_write_nothing(staff, extra, code):
    population = _population(6, staff["clerk"])
    with pytest.raises(BusinessRuleError) as refused:
        _draw(staff, population, **extra)
    assert refused.value.code == code
    assert not Draw.objects.exists() and not Inspection.objects.exists()


def test_boundaries_of_count_and_pool(staff):
    population = _population(6, staff["clerk"])
    assert _draw(staff, population, count=6, per_subject=4).count == 6  # all subjects, the whole pool


def test_inspectors_must_cover_the_region_and_hold_the_capability(staff):
    population = _population(3, staff["clerk"])
    with pytest.raises(BusinessRuleError) as refused:
        services.draw(staff["approver"], purpose="检查", line=LINE, region=COUNTY, period="Q4", population=population,
                      inspectors=[staff["inspector1"], staff["township_reviewer"]], count=1)  # fmt: skip
    assert refused.value.code == "supervision.bad_inspector"  # a township reviewer cannot inspect the county
    with pytest.raises(BusinessRuleError):
        services.draw(staff["approver"], purpose="检查", line=LINE, region=COUNTY, period="Q4", population=population,
                      inspectors=[staff["inspector1"], staff["clerk"]], count=1)  # fmt: skip
    assert [u.pk for u in services.eligible_inspectors(LINE, TOWN_A)] == sorted(
        u.pk for u in (staff["inspector1"], staff["inspector2"], staff["inspector3"], staff["township_reviewer"],
                       staff["approver"], staff["approver2"])
    )  # fmt: skip


def test_scope_and_line(staff):
    population = _population(2, staff["clerk"])
    with pytest.raises(Forbidden):
        services.draw(staff["assistance_approver"], purpose="检查", line=LINE, region=COUNTY, period="Q4",
                      population=population, inspectors=_pool(staff), count=1)  # fmt: skip
    with pytest.raises(NotInScope):
        services.draw(staff["approver"], purpose="检查", line=LINE, region=OTHER_COUNTY, period="Q4",
                      population=population, inspectors=_pool(staff), count=1)  # fmt: skip
    other = institution(OTHER_COUNTY, by=staff["clerk"])
    with pytest.raises(NotInScope):  # a subject outside the draw's region
        _draw(staff, [*population, (KIND, other.pk, other.name)], count=1)


def test_public_pages_list_published_draws_and_verify(client, staff):
    row = _draw(staff, _population(5, staff["clerk"]), seed=31337, count=2)
    assert client.get(f"/supervision/public/{row.pk}/").status_code == 404  # not yet published
    services.publish(staff["approver"], row.pk)
    listing = client.get("/supervision/public/")
    assert listing.status_code == 200 and row.purpose in listing.content.decode()
    page = client.get(f"/supervision/public/{row.pk}/?verify=1").content.decode()
    assert "复核一致" in page and str(row.seed) in page
    data = client.get(f"/supervision/public/{row.pk}.json").json()
    assert rules.run_draw(data["seed"], data["population"], data["pool"], data["count"], data["per_subject"]) == \
        data["result"]  # fmt: skip
