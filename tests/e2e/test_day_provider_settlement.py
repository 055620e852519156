"""居家养老's month-end at the county, through the real pages: the county 经办员 builds November's settlement of a
provider's month of service records; one record is impossible (the worker was in two places at once) and is
flagged with its reason, not paid; he may not review his own settlement (职责分离); the 审核人 reviews it, the
审批人 approves it and exports the payment list."""

import datetime

import pytest

from huimin.core.roles import BusinessLine, Role
from huimin.homecare.models import Settlement
from tests.clock import at
from tests.conftest import COUNTY, VILLAGE_A1
from tests.e2e.conftest import DESKTOP, log_in_as, log_out
from tests.homecare.helpers import at as moment
from tests.homecare.helpers import older, order, provider, record


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_providers_month_is_settled_and_the_impossible_record_refused(open_page, users, make_user):
    with at(2026, 12, 3):
        line = BusinessLine.ELDERLY
        builder = make_user("hc_builder", Role.CLERK, COUNTY, line=line, full_name="居家养老经办")
        reviewer = make_user("hc_checker", Role.REVIEWER, COUNTY, line=line, full_name="居家养老复核")
        approver = make_user("hc_boss", Role.APPROVER, COUNTY, line=line, full_name="养老服务科审批人")
        p, c, w = provider(COUNTY, 1)
        o = order(older(VILLAGE_A1), p, c)  # 助餐 12 元/次, all from the subsidy
        for day in range(1, 21):
            record(o, w, moment(2026, 11, day, 11), 40)  # 20 × 12 = 240 元
        record(o, w, moment(2026, 11, 5, 11, 20), 40)  # the same worker, 20 minutes into another visit
    with at(2026, 12, 3), open_page(DESKTOP) as page:
        log_in_as(page, builder.username)
        page.get_by_role("complementary").get_by_role("link", name="服务结算").click()
        page.get_by_label("月份").fill("2026-11")
        page.get_by_role("button", name="生成（重新生成）结算").click()
        page.get_by_text("已生成结算").wait_for()
        assert page.get_by_test_id("settlement-total").inner_text() == "228.00"  # 19 visits paid
        flagged = page.get_by_test_id("settlement-flagged").inner_text()
        assert flagged.count("同一服务人员时间重叠") == 2 and "同一服务人员同一时间在两处服务" in flagged
        page.get_by_role("button", name="复核通过").click()
        page.get_by_text("职责分离").wait_for()  # the builder may not review his own settlement
        log_out(page)

        for who, label in ((reviewer, "复核通过"), (approver, "审批通过")):
            log_in_as(page, who.username)
            page.get_by_role("complementary").get_by_role("link", name="服务结算").click()
            page.get_by_role("link", name="2026年11月").click()
            page.get_by_role("button", name=label).click()
            page.get_by_text("结算已").wait_for()
            if who is approver:
                with page.expect_download() as download:
                    page.get_by_role("link", name="导出付款清单（Excel）").click()
                assert download.value.suggested_filename.endswith(".xlsx")
            else:
                log_out(page)
    settlement = Settlement.objects.get()
    assert settlement.status == "approved" and settlement.total == 228 and settlement.flagged == 2
    assert (settlement.built_by, settlement.reviewed_by, settlement.approved_by) == ("hc_builder", "hc_checker",
                                                                                    "hc_boss")  # fmt: skip
    assert settlement.month == datetime.date(2026, 11, 1)
