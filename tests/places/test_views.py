"""The pages: the public search (no login), the naming check before a proposal, the decision, the region change
page and its code lookup; out of region → 404."""

import pytest
from django.urls import reverse

from huimin.places import changes, services
from huimin.places.models import NameHistory, Proposal
from tests.conftest import OTHER_COUNTY, TOWN_A, TOWN_B, VILLAGE_A1
from tests.places.conftest import make_place

pytestmark = pytest.mark.django_db


def test_the_public_search_finds_a_standard_name_by_name_former_name_and_pinyin_without_login(client, road):
    NameHistory.objects.create(place=road, name="老顺河街", pinyin="Laoshunhe Jie", used_from="1990-01-01",
                               used_until="2010-05-01", document="驿政〔2010〕3号")  # fmt: skip
    make_place("顺河路", region=OTHER_COUNTY)
    make_place("旧名路", region=VILLAGE_A1, is_active=False)
    url = reverse("places:public_search")
    page = client.get(url, {"q": "顺河"}).content.decode()
    assert page.count("<td>顺河路</td>") == 2 and "Shunhe Lu" in page and "老顺河街（至 2010-05-01）" in page
    assert "驿城区 顺河街道 交通路社区" in client.get(url, {"q": "老顺河"}).content.decode()  # by a former name
    assert "<td>顺河路</td>" in client.get(url, {"q": "shunhe"}).content.decode()  # by pinyin, any case
    assert "旧名路" not in client.get(url, {"q": "旧名"}).content.decode()  # a retired name is not standard
    assert "没有查到“无此路”" in client.get(url, {"q": "无此路"}).content.decode()
    assert client.get(url, {"q": "顺河", "kind": "bridge"}).content.decode().count("<td>顺河路</td>") == 0
    assert 'data-testid="public-places"' not in client.get(url).content.decode()  # nothing before a query


def test_the_naming_check_shows_the_pinyin_and_the_broken_rules_and_writes_nothing(client, staff, road):
    client.force_login(staff["clerk_a"])
    page = client.post(reverse("places:propose"), {"step": "check", "name": "顺河路", "kind": "road",
                                                   "region": VILLAGE_A1}).content.decode()  # fmt: skip
    assert "Shunhe Lu" in page and "本县（区）已有同名道路“顺河路”" in page
    ok = client.post(reverse("places:propose"), {"step": "check", "name": "建设路", "kind": "road",
                                                 "region": VILLAGE_A1}).content.decode()  # fmt: skip
    assert "Jianshe Lu" in ok and "符合命名规则" in ok
    refused = client.post(reverse("places:propose"), {"step": "submit", "name": "顺河路", "kind": "road",
                                                      "region": VILLAGE_A1, "reason": "x"})  # fmt: skip
    assert refused.status_code == 200 and "本县（区）已有同名道路" in refused.content.decode()
    assert not Proposal.objects.exists()


def test_the_approver_decides_on_the_proposal_page(client, staff, road):
    p = services.propose(staff["clerk_a"], "new", {"name": "建设路", "kind": "road", "region": VILLAGE_A1,
                                                   "reason": "新建"})  # fmt: skip
    client.force_login(staff["approver"])
    page = client.get(reverse("places:proposal", args=[p.pk])).content.decode()
    assert "符合现行命名规则" in page and "批准文号（批准时必填）" in page
    response = client.post(reverse("places:proposal_decide", args=[p.pk]), {"decision": "approve"}, follow=True)
    assert "请填写批准文号" in response.content.decode()
    client.post(
        reverse("places:proposal_decide", args=[p.pk]), {"decision": "approve", "document": "驿政地名〔2026〕1号"}
    )
    assert Proposal.objects.get(pk=p.pk).status == "approved"


def test_a_place_outside_the_region_is_404_and_the_list_is_scoped(client, staff, road):
    other = make_place("西平路", region=OTHER_COUNTY)
    client.force_login(staff["clerk_b"])  # a clerk of township B: the road is in township A
    assert client.get(reverse("places:place", args=[road.pk])).status_code == 404
    assert "顺河路" not in client.get(reverse("places:list")).content.decode()
    client.force_login(staff["approver"])
    assert client.get(reverse("places:place", args=[other.pk])).status_code == 404
    page = client.get(reverse("places:list")).content.decode()
    assert "顺河路" in page and "西平路" not in page


def test_the_change_page_carries_out_a_merge_and_resolves_an_old_code(client, staff, regions):
    client.force_login(staff["approver"])
    response = client.post(reverse("places:changes"), {"kind": "merge", "region": TOWN_A, "into": TOWN_B,
                                                       "document": "豫政区划〔2026〕8号", "effective_on": "2026-12-01"},
                           follow=True)  # fmt: skip
    page = response.content.decode()
    assert "撤并：顺河街道 → 老街街道" in page and "411702001001" in page and "411702002002" in page
    assert "<td>用户 · 所属区划</td>" in page and "core.User" not in page  # the moved rows named in Chinese
    found = client.get(reverse("places:changes"), {"code": VILLAGE_A1}).content.decode()
    assert "411702001001（交通路社区，已撤销） → 现为 411702002002" in found
    assert changes.resolve(VILLAGE_A1).code == "411702002002"
    client.force_login(staff["clerk"])
    assert client.post(reverse("places:changes"), {"kind": "rename", "region": TOWN_B}).status_code == 403


def test_the_household_page_panel_names_the_standard_name_its_address_uses(client, staff, road):
    from huimin.registry.models import Household

    linked = Household.objects.create(number="DMP1", region_id=VILLAGE_A1)
    plain = Household.objects.create(number="DMP2", region_id=VILLAGE_A1)
    services.link_address(staff["clerk_a"], road.pk, "DMP1", "3号")
    client.force_login(staff["clerk_a"])
    page = client.get(reverse("places:household_panel", args=[linked.pk])).content.decode()
    assert "住址使用标准地名" in page and "顺河路</a>（Shunhe Lu，道路），门牌 3号" in page
    assert "住址未关联标准地名" in client.get(reverse("places:household_panel", args=[plain.pk])).content.decode()
    client.force_login(staff["clerk_b"])
    assert client.get(reverse("places:household_panel", args=[linked.pk])).status_code == 404


def test_the_statistics_count_names_signs_and_proposals_per_township(client, staff, road):
    make_place("胡庙", kind="natural_village", region="411702002001", pinyin="Humiao")
    make_place("西平路", region=OTHER_COUNTY)  # another county: not counted
    NameHistory.objects.create(place=road, name="河沿街", pinyin="Heyan Jie", used_from="1990-01-01",
                               used_until="2010-05-01", document="X")  # fmt: skip
    services.propose(
        staff["clerk_a"], "new", {"name": "建设路", "kind": "road", "region": VILLAGE_A1, "reason": "新建"}
    )
    client.force_login(staff["approver"])
    page = client.get(reverse("places:stats")).content.decode()
    import re

    cells = [re.sub(r"<[^>]+>", "|", r) for r in re.findall(r"<tr><td>(.*?)</tr>", page)]
    # columns: 区划, 自然村, 道路, 合计, 曾用名, 标志, 需维护, 待审批, 已批准
    assert [c.replace("||", "|").strip("|").split("|") for c in cells] == [
        ["顺河街道", "0", "1", "1", "1", "1", "0", "1", "0"],
        ["老街街道", "1", "0", "1", "0", "0", "0", "0", "0"],
    ]
    assert "西平路" not in page
