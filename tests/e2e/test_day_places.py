"""区划地名's day, through the real pages: the township's 地名 经办员 proposes a name for a new road — the naming
check first refuses a name the county already has, then gives the pinyin of another — and submits it; the county's
审批人 finds it among the proposals, reads the rules checked again and approves it with its 批准文号; a resident finds
the new standard name on the public search without logging in. On the way the approver opens the statistics, the
signs, the naming rules and the region changes (an unchanged code resolves to itself). Every page is checked by
axe-core (WCAG 2 AA)."""

import pytest

from huimin.core.roles import BusinessLine, Role
from huimin.places.models import PlaceName, Proposal
from tests.clock import at
from tests.conftest import TOWN_A, VILLAGE_A1
from tests.e2e.conftest import DESKTOP, log_in_as, log_out
from tests.places.conftest import make_place


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_road_is_named_checked_approved_and_found_by_the_public(open_page, regions, make_user):
    with at(2026, 12, 3):
        make_place("顺河路", region=VILLAGE_A1)
        clerk = make_user("dm_clerk", Role.CLERK, TOWN_A, line=BusinessLine.PLACES, full_name="顺河地名经办")
        approver = make_user("dm_approver", Role.APPROVER, "411702000000", line=BusinessLine.PLACES,
                             full_name="区地名审批")  # fmt: skip
    with at(2026, 12, 3), open_page(DESKTOP) as page:
        log_in_as(page, clerk.username)
        page.get_by_role("complementary").get_by_role("link", name="申报地名命名").click()
        page.get_by_label("拟用名称").fill("顺河路")
        page.get_by_label("地名类别").select_option(label="道路")
        page.get_by_label("所在区划").select_option(VILLAGE_A1)
        page.get_by_role("button", name="检查命名规则").click()
        check = page.locator("[data-testid=naming-check]")
        check.wait_for()
        assert "本县（区）已有同名道路“顺河路”" in check.inner_text()
        page.get_by_label("拟用名称").fill("滨河路")
        page.get_by_role("button", name="检查命名规则").click()
        page.get_by_text("符合命名规则").wait_for()
        assert "Binhe Lu" in page.locator("[data-testid=naming-check]").inner_text()
        assert not Proposal.objects.exists()  # the check writes nothing
        page.get_by_label("纬度").fill("32.981")
        page.get_by_label("经度").fill("114.022")
        page.get_by_label("含义及由来").fill("沿练江河而建")
        page.get_by_label("申请理由").fill("新建沿河道路，需命名")
        page.get_by_role("button", name="提交申报").click()
        page.get_by_text("已申报命名“滨河路”").wait_for()
        assert page.locator("[data-testid=proposal-status]").inner_text() == "待审批"
        log_out(page)

        log_in_as(page, approver.username)
        page.get_by_role("complementary").get_by_role("link", name="命名更名申请").click()
        page.get_by_role("link", name="DM202600001").click()
        assert "符合现行命名规则" in page.locator("[data-testid=proposal-check]").inner_text()
        page.get_by_label("批准文号（批准时必填）").fill("驿政地名〔2026〕12号")
        page.get_by_role("button", name="批准", exact=True).click()
        page.get_by_text("已批准“滨河路”").wait_for()
        assert page.locator("[data-testid=proposal-document]").inner_text() == "驿政地名〔2026〕12号"
        page.get_by_role("complementary").get_by_role("link", name="标准地名").click()
        page.get_by_role("link", name="滨河路").click()
        assert "Binhe Lu" in page.get_by_role("heading", level=1).inner_text()
        page.get_by_role("complementary").get_by_role("link", name="地名统计").click()
        assert "顺河街道" in page.locator("[data-testid=places-stats]").inner_text()
        for link, testid in (
            ("地名标志", "signs"),
            ("地名命名规则", "naming-rules"),
            ("行政区划变更", "region-changes"),
        ):
            page.get_by_role("complementary").get_by_role("link", name=link).click()
            page.locator(f"[data-testid={testid}]").wait_for()
        page.get_by_label("按原区划代码查询现区划").fill(VILLAGE_A1)
        page.get_by_role("button", name="查询").click()
        assert "现为 411702001001" in page.locator("[data-testid=code-resolved]").inner_text()
        log_out(page)

        page.goto("/places/search/")
        page.get_by_label("名称、曾用名或拼音").fill("binhe")
        page.get_by_role("button", name="查询").click()
        results = page.locator("[data-testid=public-places]")
        results.wait_for()
        assert "滨河路" in results.inner_text() and "驿政地名〔2026〕12号" in results.inner_text()
    assert PlaceName.objects.get(name="滨河路").pinyin == "Binhe Lu"
