"""流浪乞讨救助's day, through the real pages: the police bring a man who cannot say who he is to the county's
救助管理站; its 经办员 takes him in — description, photo, where and by whom he was found, health check, belongings —
searches the registry by his features (his county only), confirms the match, arranges the return home with his son
and records the son's confirmation; the station's statistics then show the return (接送返回率 100%)."""

import datetime
import io

import pytest
from PIL import Image

from huimin.core.models import AuditEntry, Region
from huimin.core.roles import BusinessLine, Role
from huimin.registry import codes, idnumbers
from huimin.registry import services as registry
from huimin.relief.models import Station, Stay
from tests.clock import at
from tests.conftest import COUNTY, VILLAGE_A1
from tests.e2e.conftest import DESKTOP, log_in_as
from tests.relief.conftest import make_period

D = datetime.date
ZHOU = idnumbers.make("411702", D(1958, 5, 6), 3)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_intake_at_the_station_through_identification_and_return_home(open_page, users, make_user, tmp_path,
                                                                          settings):  # fmt: skip
    settings.MEDIA_ROOT = str(tmp_path / "media")
    with at(2026, 12, 1):
        household = registry.register_household(
            users["clerk_a"], region=Region.objects.get(code=VILLAGE_A1), on=D(2026, 1, 5),
            members=[registry.MemberInput(codes.HEAD, {"name": "周德顺", "id_number": ZHOU})],
        )  # fmt: skip
        person = household.head
        Station.objects.create(name="驿城区救助管理站", region_id=COUNTY, address="解放大道 88 号", beds=60)
        make_period()
        clerk = make_user("jzz_clerk", Role.CLERK, COUNTY, line=BusinessLine.RELIEF, full_name="救助站经办")
    picture = tmp_path / "face.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (48, 64), (150, 120, 100)).save(buffer, "JPEG")
    picture.write_bytes(buffer.getvalue())

    with at(2026, 12, 3), open_page(DESKTOP) as page:
        log_in_as(page, clerk.username)
        page.get_by_role("complementary").get_by_role("link", name="入站登记").click()
        page.get_by_label("救助站").select_option(label="驿城区救助管理站")
        page.get_by_label("性别").select_option("1")
        page.get_by_label("估计年龄").fill("68")
        page.get_by_label("体貌特征").fill("身高约168厘米，偏瘦，花白短发，左手背有烫伤疤")
        page.get_by_label("照片").set_input_files(str(picture))
        page.get_by_label("发现地点").fill("驿城区火车站广场")
        page.get_by_label("发现/护送方").select_option("police")
        page.get_by_label("护送单位或报告人").fill("火车站派出所")
        page.get_by_label("发现日期").fill("2026-12-02")
        page.get_by_label("入站日期").fill("2026-12-02")
        page.get_by_label("健康检查结论").select_option("normal")
        page.get_by_label("随身物品").fill("旧棉衣一件，现金 12 元")
        page.get_by_role("button", name="登记入站").click()
        page.get_by_text("已登记入站").wait_for()
        stay = Stay.objects.get()
        assert stay.name == "无名氏" and stay.photo and stay.found_by == "police"
        assert page.locator("[data-testid=stay-identity]").inner_text() == "未查明"
        assert "未见异常" in page.locator("[data-testid=stay-health]").inner_text()  # the station's county sees it

        search = page.locator("[data-testid=registry-search-form]")
        search.get_by_label("姓名或拼音").fill("周德")
        search.get_by_role("button", name="比对").click()
        candidates = page.locator("[data-testid=registry-candidates]")
        candidates.wait_for()
        assert "周德顺" in candidates.inner_text()
        candidates.get_by_role("button", name="确认是周德顺").click()
        page.get_by_text("已查明身份").wait_for()
        assert "对象库比对" in page.locator("[data-testid=stay-identity]").inner_text()
        assert "查明身份：周德顺" in page.locator("[data-testid=stay-searches]").inner_text()

        form = page.locator("[data-testid=return-form]")
        form.get_by_label("返回方式").select_option("fetched")
        form.get_by_label("接收人", exact=True).fill("周小军")
        form.get_by_label("接收人身份/关系").fill("儿子")
        form.get_by_label("接收人电话").fill("13800001111")
        form.get_by_role("button", name="安排返回").click()
        page.get_by_text("已安排返回").wait_for()
        confirm = page.locator("[data-testid=confirm-form]")
        confirm.get_by_role("button", name="确认交接").click()  # no confirmation: refused, nothing ends
        page.get_by_text("请填写接收方的确认").wait_for()
        assert Stay.objects.get().status == Stay.Status.RETURNING
        confirm = page.locator("[data-testid=confirm-form]")
        confirm.get_by_label("接收确认（回执）").fill("周小军签收，回执 JS20261203")
        confirm.get_by_role("button", name="确认交接").click()
        page.get_by_text("已确认交接，救助结束").wait_for()
        assert page.locator("[data-testid=stay-status]").inner_text() == "已返回"
        assert "周小军签收" in page.locator("[data-testid=stay-return]").inner_text()

        page.get_by_role("complementary").get_by_role("link", name="救助统计").click()
        stats = page.locator("[data-testid=relief-stats]").inner_text()
        assert "驿城区救助管理站" in stats and "100.0" in stats

    stay = Stay.objects.get()
    assert stay.person == person and stay.status == Stay.Status.RETURNED and stay.returned_on == D(2026, 12, 3)
    assert AuditEntry.objects.filter(action="relief.stay.sensitive_read").exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_station_head_places_a_person_unidentified_after_the_legal_period(open_page, users, make_user, tmp_path,
                                                                               settings):  # fmt: skip
    """The head of the station (审批人 on the line, no 社会救助 role) sees the stations and the period, opens a stay
    of 93 days with every search 未查明, and lodges the 特困 供养 application from it under the station's duty."""
    from huimin.assistance.models import Application
    from huimin.relief import services
    from tests.relief.conftest import intake_data, photo

    settings.MEDIA_ROOT = str(tmp_path / "media")
    with at(2026, 9, 1):
        station = Station.objects.create(name="驿城区救助管理站", region_id=COUNTY, beds=60)
        make_period()
        clerk = make_user("jzz_clerk", Role.CLERK, COUNTY, line=BusinessLine.RELIEF)
        head = make_user("jzz_head", Role.APPROVER, COUNTY, line=BusinessLine.RELIEF, full_name="救助站站长")
        stay = services.admit(clerk, intake_data(station, found_on="2026-09-01", admitted_on="2026-09-01"), photo())
        search = services.request_search(clerk, stay, {"channel": "national", "requested_on": "2026-09-01"})
        services.close_search(clerk, search, {"outcome": "not_found", "note": "全国救助寻亲网比对无结果"})

    with at(2026, 12, 3), open_page(DESKTOP) as page:
        log_in_as(page, head.username)
        page.get_by_role("complementary").get_by_role("link", name="救助站与寻亲期限").click()
        assert "90" in page.locator("[data-testid=relief-periods]").inner_text()
        page.get_by_role("complementary").get_by_role("link", name="救助记录").click()
        assert "寻亲期满，可转介特困供养" in page.locator("[data-testid=relief-stays]").inner_text()
        page.get_by_role("link", name=stay.number).click()
        placement = page.locator("[data-testid=placement]")
        assert "已届满，可转介" in placement.inner_text()
        placement.get_by_label("供养机构所在村（社区）").select_option(VILLAGE_A1)
        placement.get_by_label("供养机构", exact=True).fill("驿城区社会福利院")
        placement.get_by_role("button", name="登记特困供养申请").click()
        page.get_by_text("已登记特困供养申请").wait_for()
        assert page.locator("[data-testid=stay-status]").inner_text() == "已转特困供养"

    application = Application.objects.get()
    assert application.programme.code == "tekun_central" and application.region_id == VILLAGE_A1
    assert Stay.objects.get().application == application
