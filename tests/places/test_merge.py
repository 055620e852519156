"""A township merge: every record under the merged township moves under the receiving one, with new village codes,
in one transaction; the statistics before and after add up; the old codes stay resolvable and history keeps them."""

import datetime

import pytest
from django.db.models import Sum

from huimin.assistance.models import Application, Enrolment, WorkdayOverride
from huimin.core.access import BusinessRuleError, Forbidden, NotInScope
from huimin.core.models import AuditEntry, Region, User
from huimin.places import changes
from huimin.places.models import CodeMapping, PlaceName, RegionChange
from huimin.registry.models import Household, Person
from huimin.stats import compute
from huimin.stats.models import MonthlyFigure
from tests.benefits.conftest import make_enrolment
from tests.conftest import OTHER_COUNTY, TOWN_A, TOWN_B, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1
from tests.places.conftest import make_place

pytestmark = pytest.mark.django_db
D = datetime.date
MONTH = D(2026, 11, 1)


def _under(model, prefix, field="region"):
    return model.objects.filter(**{f"{field}__code__startswith": prefix}).count()


def _figures(prefix):
    totals = MonthlyFigure.objects.filter(month=MONTH, region__code__startswith=prefix).aggregate(
        households=Sum("households"), persons=Sum("persons"), paid=Sum("amount_paid"))  # fmt: skip
    return {k: v or 0 for k, v in totals.items()}


@pytest.fixture
def town_data(users):
    for region, members in ((VILLAGE_A1, 2), (VILLAGE_A2, 1), (VILLAGE_A2, 3), (VILLAGE_B1, 2)):
        make_enrolment(users, region=region, members=members, start=D(2026, 1, 1))
    make_place("小王庄", kind="natural_village", region=VILLAGE_A2, pinyin="Xiaowangzhuang")
    compute.materialise(MONTH, actor="t")


def test_a_township_merge_moves_every_record_and_the_statistics_add_up(staff, town_data):
    a, b = TOWN_A[:9], TOWN_B[:9]
    before = {m: (_under(m, a), _under(m, b)) for m in (Person, Household, Enrolment, Application)}
    assert before[Person] == (6, 2) and before[Enrolment] == (3, 1)
    figures_a, figures_b = _figures(a), _figures(b)
    assert figures_a["persons"] == 6 and figures_b["persons"] == 2

    change = changes.merge_township(staff["approver"], TOWN_A, TOWN_B, "豫政区划〔2026〕8号", "2026-12-01")

    for model, (in_a, in_b) in before.items():
        assert (_under(model, a), _under(model, b)) == (0, in_a + in_b), model
    assert _figures(a) == {"households": 0, "persons": 0, "paid": 0}
    after = _figures(b)
    assert {k: after[k] for k in after} == {k: figures_a[k] + figures_b[k] for k in after}
    # recomputing the month from the moved data gives the same figures under the new codes
    compute.materialise(MONTH, actor="t")
    assert _figures(b) == after
    # the villages got codes under the receiving township, numbered after its own; the names are kept
    mapping = dict(CodeMapping.objects.filter(change=change).values_list("old_region_id", "new_region_id"))
    assert mapping == {TOWN_A: TOWN_B, VILLAGE_A1: "411702002002", VILLAGE_A2: "411702002003"}
    assert Region.objects.get(code="411702002003").name == "小王庄村"
    assert Region.objects.get(code="411702002003").parent_id == TOWN_B
    assert Person.objects.filter(hukou_region__code__startswith=a).count() == 0
    assert PlaceName.objects.get(name="小王庄").region_id == "411702002003"  # 地名 move too
    assert User.objects.get(username="clerk_a").region_id == TOWN_B  # the township's staff now serve the merged one
    assert change.moved["registry.Person.region_id"] == 6 and change.moved["stats.MonthlyFigure.region_id"] > 0


def test_after_a_merge_the_old_code_remains_and_history_shows_it(staff, town_data):
    from huimin.core import audit

    person = Person.objects.filter(region_id=VILLAGE_A1).first()
    audit.record("registry.person.view", person)  # an entry written before the merge
    changes.merge_township(staff["approver"], TOWN_A, TOWN_B, "豫政区划〔2026〕8号", "2026-12-01")
    old = Region.objects.get(code=VILLAGE_A1)  # not deleted: inactive
    assert (old.name, old.is_active, old.parent_id) == ("交通路社区", False, TOWN_A)
    assert not Region.objects.get(code=TOWN_A).is_active
    assert changes.resolve(VILLAGE_A1).code == "411702002002"
    assert changes.resolve(TOWN_A).code == TOWN_B and changes.resolve(VILLAGE_B1).code == VILLAGE_B1
    # the audit entries written before the merge keep the old code; the merge's own entry names the mapping
    entry = AuditEntry.objects.get(action="places.region.merge")
    assert entry.before["code"] == TOWN_A and entry.after["mapping"][VILLAGE_A1] == "411702002002"
    person.refresh_from_db()
    audit.record("registry.person.view", person)  # a later entry names the new code
    views = AuditEntry.objects.filter(action="registry.person.view").order_by("seq")
    assert [e.region_code for e in views] == [VILLAGE_A1, "411702002002"]
    assert RegionChange.objects.get().old_name == "顺河街道"


def test_a_merge_is_one_transaction_a_conflict_moves_nothing(staff, town_data):
    WorkdayOverride.objects.create(region_id=TOWN_A, day=D(2026, 12, 31), is_workday=False, note="乡镇调休")
    WorkdayOverride.objects.create(region_id=TOWN_B, day=D(2026, 12, 31), is_workday=True, note="乡镇调休")
    persons = _under(Person, TOWN_A[:9])
    with pytest.raises(BusinessRuleError, match="“工作日调整”中有记录在两个乡镇（街道）各有一条且不得重复"):
        changes.merge_township(staff["approver"], TOWN_A, TOWN_B, "豫政区划〔2026〕8号", "2026-12-01")
    assert _under(Person, TOWN_A[:9]) == persons  # the rows moved before the conflict were put back
    assert not Region.objects.filter(code__startswith="411702002", level=5).exclude(code=VILLAGE_B1).exists()
    assert Region.objects.get(code=TOWN_A).is_active and not RegionChange.objects.exists()


def test_a_merge_is_refused_for_the_wrong_regions_or_the_wrong_role(staff, regions):
    approver = staff["approver"]
    for old, into, message in ((TOWN_A, TOWN_A, "不能并入自身"), (VILLAGE_A1, TOWN_B, "须为乡级区划"),
                               (TOWN_A, TOWN_B, None)):  # fmt: skip
        if message:
            with pytest.raises(BusinessRuleError, match=message):
                changes.merge_township(approver, old, into, "豫政区划〔2026〕8号", "2026-12-01")
    with pytest.raises(BusinessRuleError, match="请填写区划变更的批准文号"):
        changes.merge_township(approver, TOWN_A, TOWN_B, " ", "2026-12-01")
    with pytest.raises(BusinessRuleError, match="生效日期应为日期"):
        changes.merge_township(approver, TOWN_A, TOWN_B, "豫政区划〔2026〕8号", "明年")
    with pytest.raises(Forbidden):
        changes.merge_township(staff["clerk"], TOWN_A, TOWN_B, "豫政区划〔2026〕8号", "2026-12-01")
    other_town = Region.objects.create(code="411721001000", name="柏城街道", level=4, parent_id=OTHER_COUNTY)
    with pytest.raises(NotInScope):
        changes.merge_township(approver, TOWN_A, other_town.code, "豫政区划〔2026〕8号", "2026-12-01")
    changes.merge_township(approver, TOWN_A, TOWN_B, "豫政区划〔2026〕8号", "2026-12-01")
    with pytest.raises(BusinessRuleError, match="“顺河街道”已撤销"):  # merged once: not again
        changes.merge_township(approver, TOWN_A, TOWN_B, "豫政区划〔2026〕8号", "2026-12-01")


def test_a_township_rename_keeps_its_code_and_its_former_name(staff, regions):
    change = changes.rename_region(staff["approver"], TOWN_A, "顺河镇", "豫政区划〔2026〕9号", "2026-12-01")
    town = Region.objects.get(code=TOWN_A)
    assert (town.name, town.is_active) == ("顺河镇", True)
    assert (change.old_name, change.new_name, change.moved) == ("顺河街道", "顺河镇", {})
    with pytest.raises(BusinessRuleError, match="本县（区）已有“老街街道”"):
        changes.rename_region(staff["approver"], TOWN_A, "老街街道", "豫政区划〔2026〕9号", "2026-12-01")


def test_the_region_keys_are_found_generically_and_the_change_records_are_exempt():
    found = {f"{m._meta.label}.{a}" for m, a in changes.region_foreign_keys()}
    assert {"registry.Person.region_id", "registry.Person.hukou_region_id", "assistance.Enrolment.region_id",
            "stats.MonthlyFigure.region_id", "core.User.region_id", "places.PlaceName.region_id"} <= found  # fmt: skip
    assert any(label.startswith("elderly.Visitor_villages.") for label in found)  # a many-to-many table
    assert not any(label.startswith(("places.RegionChange", "places.CodeMapping", "core.Region.")) for label in found)


def test_derived_rows_are_not_moved_by_a_merge_but_follow_what_they_derive_from():
    found = {f"{m._meta.label}.{a}" for m, a in changes.region_foreign_keys()}
    assert "registry.PersonNameGram.region_id" not in found  # the trigger moves a person's pairs with the person
    assert "stats.IndicatorRun.region_id" not in found  # a board of the merged-into region at the same month exists
