"""Proposing, approving and refusing a name or a rename; the rules applied on each side; a rename shown on every
address that uses the place; signs and naming rules."""

import pytest

from huimin.core.access import BusinessRuleError, Forbidden, NotInScope
from huimin.core.models import AuditEntry
from huimin.places import services
from huimin.places.models import AddressLink, NameHistory, NamingRule, PlaceName, Proposal, Sign
from huimin.registry.models import Household
from tests.conftest import OTHER_COUNTY, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1
from tests.places.conftest import make_place

pytestmark = pytest.mark.django_db

NEW = {"name": "建设路", "kind": "road", "region": VILLAGE_A2, "reason": "新建道路，需命名", "latitude": "32.98",
       "longitude": "114.02"}  # fmt: skip


def test_a_new_name_is_proposed_with_its_generated_pinyin_and_approved_by_another_officer(staff, road):
    p = services.propose(staff["clerk_a"], Proposal.Type.NEW, NEW)
    assert (p.status, p.pinyin, p.number) == ("submitted", "Jianshe Lu", "DM202600001")
    assert not PlaceName.objects.filter(name="建设路").exists()  # nothing in force before the approval
    services.decide(staff["approver"], p.pk, True, "驿政地名〔2026〕12号")
    place = PlaceName.objects.get(name="建设路")
    assert (place.county_code, place.document, str(place.latitude)) == ("411702", "驿政地名〔2026〕12号", "32.980000")
    assert AuditEntry.objects.filter(action="places.proposal.approve").count() == 1


def test_the_proposer_cannot_approve_his_own_proposal(staff, make_user):
    from huimin.core.roles import BusinessLine, Role

    both = make_user("places_both", Role.APPROVER, "411702000000", line=BusinessLine.PLACES,
                     also=[(Role.CLERK, BusinessLine.PLACES)])  # fmt: skip
    p = services.propose(both, Proposal.Type.NEW, NEW)
    with pytest.raises(BusinessRuleError, match="同一人不能既申报地名命名、更名又审批地名命名、更名"):
        services.decide(both, p.pk, True, "驿政地名〔2026〕12号")
    assert Proposal.objects.get(pk=p.pk).status == "submitted"
    services.decide(staff["approver"], p.pk, True, "驿政地名〔2026〕12号")  # another approver may


def test_a_duplicate_of_the_same_kind_in_the_county_is_refused_another_kind_or_county_is_not(staff, road):
    with pytest.raises(BusinessRuleError, match="本县（区）已有同名道路“顺河路”"):
        services.propose(staff["clerk"], Proposal.Type.NEW, {**NEW, "name": "顺河路", "region": VILLAGE_B1})
    # the same name as a 桥梁 of the county, or a road of another county: allowed
    services.propose(staff["clerk"], Proposal.Type.NEW, {**NEW, "name": "顺河路", "kind": "bridge"})
    make_place("顺河路", region=OTHER_COUNTY)  # another county's road of the same name exists already
    assert PlaceName.objects.filter(name="顺河路", kind="road").count() == 2


def test_a_forbidden_word_and_a_reserved_name_are_refused_with_their_rule(staff):
    with pytest.raises(BusinessRuleError, match="含禁用词“皇家”"):
        services.propose(staff["clerk_a"], Proposal.Type.NEW, {**NEW, "name": "皇家花园", "kind": "community"})
    with pytest.raises(BusinessRuleError, match="“驿城”是保留地名"):
        services.propose(staff["clerk_a"], Proposal.Type.NEW, {**NEW, "name": "驿城", "kind": "settlement"})
    assert not Proposal.objects.exists()


def test_a_rule_added_after_the_proposal_is_applied_again_at_the_approval(staff):
    p = services.propose(staff["clerk_a"], Proposal.Type.NEW, {**NEW, "name": "金桂园", "kind": "community"})
    services.add_rule(staff["approver"], "forbidden_word", "金桂", "411702000000", "与已撤销小区重名")
    with pytest.raises(BusinessRuleError, match="含禁用词“金桂”"):
        services.decide(staff["approver"], p.pk, True, "驿政地名〔2026〕13号")
    assert not PlaceName.objects.filter(name="金桂园").exists()
    rule = NamingRule.objects.get(value="金桂")
    services.end_rule(staff["approver"], rule.pk)
    services.decide(staff["approver"], p.pk, True, "驿政地名〔2026〕13号")  # the rule ended: approved
    assert PlaceName.objects.filter(name="金桂园").exists()


def test_a_typed_pinyin_that_does_not_read_the_name_is_refused_one_that_does_is_kept(staff):
    with pytest.raises(BusinessRuleError, match="与“长江路”的读音不符（按规则拼写为“Changjiang Lu”）"):
        services.propose(staff["clerk_a"], Proposal.Type.NEW, {**NEW, "name": "长江路", "pinyin": "Changjian Lu"})
    p = services.propose(staff["clerk_a"], Proposal.Type.NEW, {**NEW, "name": "长江路", "pinyin": "Changjiang Lu"})
    assert p.pinyin == "Changjiang Lu"


def test_bad_input_is_refused_in_chinese_and_writes_nothing(staff):
    for data, message in (({**NEW, "reason": ""}, "请填写申请理由"), ({**NEW, "latitude": "北纬"}, "纬度应为数字"),
                          ({**NEW, "longitude": "200"}, "经度应在 -180 至 180 度之间"),
                          ({**NEW, "kind": "castle"}, "请选择地名类别")):  # fmt: skip
        with pytest.raises(BusinessRuleError, match=message):
            services.propose(staff["clerk_a"], Proposal.Type.NEW, data)
    with pytest.raises(NotInScope):  # a township clerk names nothing in another township
        services.propose(staff["clerk_a"], Proposal.Type.NEW, {**NEW, "region": VILLAGE_B1})
    with pytest.raises(Forbidden):
        services.propose(staff["approver"], Proposal.Type.NEW, NEW)  # the approver does not propose
    assert not Proposal.objects.exists()


def test_a_refusal_needs_its_reason_and_a_decided_proposal_cannot_be_decided_again(staff):
    p = services.propose(staff["clerk_a"], Proposal.Type.NEW, NEW)
    with pytest.raises(BusinessRuleError, match="请填写不予批准的理由"):
        services.decide(staff["approver"], p.pk, False)
    services.decide(staff["approver"], p.pk, False, note="与规划道路名称冲突")
    with pytest.raises(BusinessRuleError, match="该申请已不予批准"):
        services.decide(staff["approver"], p.pk, True, "驿政地名〔2026〕12号")


def test_a_rename_keeps_the_former_name_and_every_address_that_uses_the_road_shows_the_new_one(staff, road):
    homes = [Household.objects.create(number=f"DM{i}", region_id=VILLAGE_A1, address="旧写法") for i in (1, 2)]
    services.link_address(staff["clerk_a"], road.pk, "DM1", "12号")
    services.link_address(staff["clerk_a"], road.pk, "DM2", "8号院3号楼")
    assert Household.objects.get(number="DM1").address == "顺河路12号"
    other = Household.objects.create(number="DM3", region_id=VILLAGE_A1, address="顺河路99号")  # not linked
    p = services.propose(staff["clerk_a"], Proposal.Type.RENAME, {"name": "天中大道", "reason": "道路拓宽改造"},
                         place_pk=road.pk)  # fmt: skip
    assert Household.objects.get(number="DM1").address == "顺河路12号"  # only the approval changes addresses
    services.decide(staff["approver"], p.pk, True, "驿政地名〔2026〕20号")
    road.refresh_from_db()
    assert (road.name, road.pinyin, road.document) == ("天中大道", "Tianzhong Dadao", "驿政地名〔2026〕20号")
    assert [(h.number, h.address) for h in Household.objects.filter(pk__in=[h.pk for h in homes]).order_by("number")] \
        == [("DM1", "天中大道12号"), ("DM2", "天中大道8号院3号楼")]  # fmt: skip
    assert Household.objects.get(pk=other.pk).address == "顺河路99号"
    history = NameHistory.objects.get(place=road)
    assert (history.name, history.used_until.isoformat(), history.document) == ("顺河路", "2026-12-03",
                                                                                "驿政地名〔2026〕20号")  # fmt: skip
    assert list(Sign.objects.filter(place=road).values_list("condition", flat=True)) == ["outdated"]
    assert AuditEntry.objects.filter(action="registry.household.address").count() == 4  # 2 links + 2 rewrites
    # the former name still finds the road
    assert list(services.public_search("顺河路")) == [road]


def test_a_rename_to_the_same_name_or_while_another_is_pending_is_refused(staff, road):
    with pytest.raises(BusinessRuleError, match="更名的拟用名称与现名称相同"):
        services.propose(staff["clerk_a"], Proposal.Type.RENAME, {"name": "顺河路", "reason": "x"}, place_pk=road.pk)
    services.propose(staff["clerk_a"], Proposal.Type.RENAME, {"name": "天中大道", "reason": "x"}, place_pk=road.pk)
    with pytest.raises(BusinessRuleError, match="已有待审批的申请 DM202600001"):
        services.propose(staff["clerk"], Proposal.Type.RENAME, {"name": "驿城大道", "reason": "x"}, place_pk=road.pk)


def test_an_address_is_linked_only_in_scope_and_in_the_place_county(staff, road):
    Household.objects.create(number="DMB", region_id=VILLAGE_B1)
    with pytest.raises(NotInScope):
        services.link_address(staff["clerk_a"], road.pk, "DMB", "1号")
    Household.objects.create(number="DMX", region_id=OTHER_COUNTY)
    with pytest.raises(NotInScope):
        services.link_address(staff["clerk"], road.pk, "DMX", "1号")  # another county's household
    with pytest.raises(NotInScope):
        services.link_address(staff["clerk_a"], road.pk, "NOPE", "1号")
    with pytest.raises(BusinessRuleError, match="门牌及以下不超过 100 个字"):
        Household.objects.create(number="DMA", region_id=VILLAGE_A1)
        services.link_address(staff["clerk_a"], road.pk, "DMA", "号" * 101)
    assert not AddressLink.objects.exists()


def test_a_sign_is_registered_checked_and_renewed_after_a_rename(staff, road):
    sign = services.add_sign(staff["clerk_a"], road.pk, {"kind": "road", "location": "顺河路西口",
                                                         "installed_on": "2026-11-01"})  # fmt: skip
    assert (sign.text, sign.condition) == ("顺河路", "good")
    with pytest.raises(BusinessRuleError, match="设置日期不能晚于今天"):
        services.add_sign(staff["clerk_a"], road.pk, {"kind": "road", "location": "东口", "installed_on": "2026-12-04"})
    services.check_sign(staff["clerk_a"], sign.pk, "damaged", "2026-12-03", "被车辆撞弯")
    assert Sign.objects.get(pk=sign.pk).condition == "damaged"
    road.name = "天中大道"
    road.save()
    # a sign that still shows the former name is not in order however clean; once renewed it shows the new name
    assert services.check_sign(staff["clerk_a"], sign.pk, "good", "2026-12-03").condition == "outdated"
    renewed = services.check_sign(staff["clerk_a"], sign.pk, "good", "2026-12-03", replaced=True)
    assert (renewed.condition, renewed.text) == ("good", "天中大道")
    with pytest.raises(NotInScope):  # a clerk of another township
        services.check_sign(staff["clerk_b"], sign.pk, "good", "2026-12-03")


def test_a_county_rule_holds_in_its_county_only(staff, regions):
    services.add_rule(staff["approver"], "forbidden_char", "龘", region_code="411702000000")
    assert any(r.value == "龘" for r in services.rules_for("411702"))
    assert not any(r.value == "龘" for r in services.rules_for(OTHER_COUNTY[:6]))
    with pytest.raises(BusinessRuleError, match="禁用字须为单个汉字"):
        services.add_rule(staff["approver"], "forbidden_char", "龘龘")
    with pytest.raises(NotInScope):
        services.add_rule(staff["approver"], "reserved", "西平", region_code=OTHER_COUNTY)


def test_a_county_approver_cannot_set_or_end_a_rule_for_everywhere(staff, make_user):
    from huimin.core.roles import BusinessLine, Role

    with pytest.raises(NotInScope):
        services.add_rule(staff["approver"], "forbidden_word", "金桂")  # everywhere: the city's business
    city = make_user("places_city", Role.APPROVER, "411700000000", line=BusinessLine.PLACES)
    rule = services.add_rule(city, "forbidden_word", "金桂")
    with pytest.raises(NotInScope):
        services.end_rule(staff["approver"], rule.pk)
    assert services.end_rule(city, rule.pk).ended_by == "places_city"


def test_with_the_uniqueness_rule_ended_a_second_name_of_the_kind_is_approved(staff, road, make_user):
    from huimin.core.roles import BusinessLine, Role

    city = make_user("places_city", Role.APPROVER, "411700000000", line=BusinessLine.PLACES)
    services.end_rule(city, NamingRule.objects.get(kind="unique_in_county").pk)
    p = services.propose(staff["clerk"], Proposal.Type.NEW, {**NEW, "name": "顺河路", "region": VILLAGE_B1})
    services.decide(staff["approver"], p.pk, True, "驿政地名〔2026〕30号")
    assert PlaceName.objects.filter(name="顺河路", kind="road", county_code="411702").count() == 2
