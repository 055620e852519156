"""流浪乞讨救助 services: an intake refused on bad input writes nothing; 寻亲 in the registry is region-scoped; the
return home ends only with the receiver's confirmation; placement waits for the legal period (each side of it) and
goes through the assistance application machinery; photos and health checks are the station's county's, audited."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from huimin.assistance.models import Application
from huimin.core.access import Forbidden, NotInScope
from huimin.core.models import AuditEntry
from huimin.core.services import ServiceError
from huimin.registry import codes, idnumbers
from huimin.registry.models import Household, Person
from huimin.relief import services
from huimin.relief.access import may_see_sensitive
from huimin.relief.models import DailyRecord, Search, Station, Stay
from tests.clock import at
from tests.conftest import OTHER_COUNTY, VILLAGE_A1, VILLAGE_B1
from tests.relief.conftest import intake_data, make_period, photo

D = datetime.date


def admit(staff, station, **over):
    return services.admit(staff["clerk"], intake_data(station, **over), photo())


def test_an_unidentified_person_is_taken_in_with_description_photo_and_health_check(staff, station):
    stay = admit(staff, station, health="ill", health_note="发热 38.5℃，已送市第一人民医院")
    assert stay.number.startswith("JZZ2026") and stay.name == "无名氏" and stay.status == Stay.Status.IN_STATION
    assert stay.photo and stay.region_id == station.region_id and not stay.identified
    assert AuditEntry.objects.filter(action="relief.stay.admit").count() == 1


@pytest.mark.parametrize(
    ("over", "photo_file", "message"),
    [
        ({"description": ""}, "ok", "体貌特征"),
        ({}, None, "须上传照片"),
        ({"found_on": "2026-12-02", "admitted_on": "2026-12-01"}, "ok", "发现日期 ≤ 入站日期"),
        ({"admitted_on": "2026-12-04", "found_on": "2026-12-01"}, "ok", "入站日期 ≤ 今天"),
        ({"admitted_on": "12/01/2026"}, "ok", "入站日期“12/01/2026”不是有效日期"),
        ({"found_by": "aliens"}, "ok", "请选择发现/护送方"),
        ({"found_by_detail": ""}, "ok", "护送单位"),
        ({"health": "injured"}, "ok", "健康检查发现异常"),
        ({"apparent_age": "abc"}, "ok", "估计年龄应为整数"),
        ({"id_number": "411702196001011230"}, "ok", "身份证号有误"),
        ({"station": ""}, "ok", "请选择救助站"),
        ({}, "pdf", "照片只能上传 JPG 或 PNG"),
        ({}, "exe", "只能上传 PDF、JPG 或 PNG"),
    ],
)
def test_bad_intake_is_refused_in_chinese_and_writes_nothing(staff, station, over, photo_file, message):
    upload = {"ok": photo(), None: None, "pdf": SimpleUploadedFile("a.pdf", b"%PDF-1.4"),
              "exe": SimpleUploadedFile("a.exe", b"MZ")}[photo_file]  # fmt: skip
    with pytest.raises(ServiceError, match=message):
        services.admit(staff["clerk"], intake_data(station, **over), upload)
    assert not Stay.objects.exists() and not AuditEntry.objects.filter(action__startswith="relief.").exists()


def test_a_known_person_is_linked_to_the_registry_and_cannot_be_admitted_twice(staff, station, household_of):
    person = household_of(VILLAGE_A1).head
    stay = services.admit(staff["clerk"], intake_data(station, id_number=person.id_number, description=""))
    assert stay.person == person and stay.identified == Stay.Identified.SELF and stay.name == person.name
    with pytest.raises(ServiceError, match="正在救助站受助"):
        services.admit(staff["clerk"], intake_data(station, id_number=person.id_number))
    assert Stay.objects.count() == 1


def test_a_station_of_another_county_is_out_of_reach(staff, regions):
    other = Station.objects.create(name="西平县救助管理站", region_id=OTHER_COUNTY)
    with pytest.raises(NotInScope):
        services.admit(staff["clerk"], intake_data(other), photo())


def test_daily_records_stay_inside_the_stay_and_one_a_day(staff, station):
    stay = admit(staff, station)
    services.record_day(staff["clerk"], stay, {"day": "2026-12-02", "meals": "3", "condition": "normal"})
    for day, message in (("2026-11-30", "入站日期至今天"), ("2026-12-04", "入站日期至今天"),
                         ("2026-12-02", "已有在站日志")):  # fmt: skip
        with pytest.raises(ServiceError, match=message):
            services.record_day(staff["clerk"], stay, {"day": day, "meals": "3", "condition": "normal"})
    with pytest.raises(ServiceError, match="用餐应在 0 至 3"):
        services.record_day(staff["clerk"], stay, {"day": "2026-12-03", "meals": "5", "condition": "normal"})
    assert DailyRecord.objects.count() == 1


def test_the_registry_search_is_by_features_and_only_in_the_actors_region(staff, station, household_of):
    a = household_of(VILLAGE_A1).head
    b = household_of(VILLAGE_B1, [("李桂兰", D(1962, 4, 4), 12, codes.HEAD)]).head
    age = 2026 - a.birth_date.year
    stay = admit(staff, station, sex=a.sex)
    search, found = services.search_registry(staff["clerk"], stay, {"sex": a.sex, "age": str(age)})
    assert a in found and search.criteria == {"sex": a.sex, "age": age} and search.candidates == len(found)
    _s, found_b = services.search_registry(staff["clerk"], stay, {"name": b.name})
    assert found_b == [b]
    with pytest.raises(NotInScope):
        services.search_registry(staff["clerk_a"], stay, {"name": b.name})  # the stay is the county's
    with pytest.raises(ServiceError, match="至少填写一项"):
        services.search_registry(staff["clerk"], stay, {})
    with pytest.raises(ServiceError, match="不在您的管辖范围"):
        services.search_registry(staff["clerk"], stay, {"region": OTHER_COUNTY})


def test_registry_candidates_leave_out_another_county(staff, station, household_of, make_user):
    from huimin.core.roles import BusinessLine, Role

    outsider = Person.objects.create(name="外县人", region_id=OTHER_COUNTY,
                                     id_number=idnumbers.make("411721", D(1960, 5, 5), 11))  # fmt: skip
    stay = admit(staff, station)
    _s, found = services.search_registry(staff["clerk"], stay, {"name": "外县人"})
    assert outsider not in found and _s.outcome == Search.Outcome.NOT_FOUND
    other = make_user("xp_relief", Role.CLERK, OTHER_COUNTY, line=BusinessLine.RELIEF)
    assert outsider in services.registry_candidates(other, stay, {"name": "外县人"})[1]


def test_identified_then_returned_home_only_with_the_receivers_confirmation(staff, station, household_of):
    person = household_of(VILLAGE_A1).head
    stay = admit(staff, station)
    services.request_search(staff["clerk"], stay, {"channel": "national", "requested_on": "2026-12-02"})
    with pytest.raises(ServiceError, match="身份未查明"):
        services.arrange_return(staff["clerk"], stay, {"return_method": "escort"})
    stay = services.identify(staff["clerk"], stay, {"person": str(person.pk), "how": "registry"})
    assert stay.person == person and stay.identified == Stay.Identified.REGISTRY
    return_data = {"return_method": "fetched", "receiver_name": "王小军", "receiver_relation": "儿子",
                   "receiver_phone": "13800001111", "return_arranged_on": "2026-12-03"}  # fmt: skip
    with pytest.raises(ServiceError, match="接收人"):
        services.arrange_return(staff["clerk"], stay, {**return_data, "receiver_phone": ""})
    stay = services.arrange_return(staff["clerk"], stay, return_data)
    assert stay.status == Stay.Status.RETURNING
    with pytest.raises(ServiceError, match="接收方的确认"):
        services.confirm_return(staff["clerk"], stay, {"returned_on": "2026-12-03"})
    with pytest.raises(ServiceError, match="交接日期应在"):
        services.confirm_return(staff["clerk"], stay, {"returned_on": "2026-12-02", "receiver_confirmation": "签收"})
    stay = services.confirm_return(staff["clerk"], stay, {"returned_on": "2026-12-03", "receiver_confirmation": "签收"})
    assert stay.status == Stay.Status.RETURNED and stay.ended_on == D(2026, 12, 3)
    with pytest.raises(ServiceError, match="已已返回|不能再办理"):
        services.record_day(staff["clerk"], stay, {"day": "2026-12-03", "meals": "3", "condition": "normal"})


def test_a_pending_search_gets_one_outcome(staff, station):
    stay = admit(staff, station)
    search = services.request_search(staff["clerk"], stay, {"channel": "police", "requested_on": "2026-12-02"})
    with pytest.raises(ServiceError, match="结果说明"):
        services.close_search(staff["clerk"], search, {"outcome": "not_found"})
    services.close_search(staff["clerk"], search, {"outcome": "not_found", "note": "人像比对无结果"})
    with pytest.raises(ServiceError, match="已有结果"):
        services.close_search(staff["clerk"], search, {"outcome": "found", "note": "x"})
    with pytest.raises(ServiceError, match="发起日期应在"):
        services.request_search(staff["clerk"], stay, {"channel": "police", "requested_on": "2026-11-01"})


def _old_stay(staff, station, admitted="2026-09-04"):
    with at(2026, 9, 4):
        return admit(staff, station, found_on=admitted, admitted_on=admitted)


def _list_page(staff) -> str:
    from django.test import Client

    client = Client()
    client.force_login(staff["head"])
    return client.get("/relief/").content.decode()


def _tekun():
    from huimin.assistance.models import Programme

    return Programme.objects.get(code="tekun_central")


def test_placement_waits_for_the_legal_period_and_is_refused_the_day_before(staff, station, period):
    stay = _old_stay(staff, station)  # admitted 2026-09-04 + 90 days = 2026-12-03
    data = {"programme": str(_tekun().pk), "region": VILLAGE_A1}
    with at(2026, 12, 2), pytest.raises(ServiceError, match="入站未满 90 天，2026年12月03日 起可转介"):
        services.place(staff["head"], stay, data)
    assert not Application.objects.exists() and not Household.objects.exists()
    with at(2026, 12, 2):
        client_page = _list_page(staff)
    assert "寻亲期满" not in client_page
    assert "寻亲期满，可转介特困供养" in _list_page(staff)
    stay, application = services.place(staff["head"], stay, data)  # 2026-12-03: the first day
    assert stay.status == Stay.Status.PLACED and stay.application == application
    assert application.programme.code == "tekun_central" and application.channel == "discovery"
    assert application.beneficiary_id in (None, stay.person_id) and stay.person.no_id_reason.startswith("流浪乞讨")
    assert application.household.region_id == VILLAGE_A1


def test_placement_refusals(staff, station, period, household_of):
    stay = _old_stay(staff, station)
    data = {"programme": str(_tekun().pk), "region": VILLAGE_A1}
    with pytest.raises(Forbidden):
        services.place(staff["clerk"], stay, data)  # no relief.place
    with pytest.raises(ServiceError, match="供养机构所在村"):
        services.place(staff["head"], stay, {**data, "region": "411702001000"})
    with pytest.raises(ServiceError, match="特困人员救助供养项目"):
        services.place(staff["head"], stay, {**data, "programme": "x"})
    services.identify(staff["clerk"], stay, {"how": "police", "name": "李四", "id_number": household_of(VILLAGE_A1)
                                             .head.id_number, "hometown": "顺河镇"})  # fmt: skip
    with pytest.raises(ServiceError, match="应接送返回"):
        services.place(staff["head"], stay, data)
    assert not Application.objects.exists()


def test_placement_without_a_legal_period_names_who_sets_it(staff, station):
    stay = _old_stay(staff, station)
    with pytest.raises(ServiceError, match="尚未设置法定寻亲期限"):
        services.place(staff["head"], stay, {"programme": str(_tekun().pk), "region": VILLAGE_A1})
    make_period(days=120)  # a longer period from a later date, the county's own
    assert services.placement_due(Stay.objects.get(pk=stay.pk))["may"] is False


def test_the_period_is_data_set_by_the_approver(staff, regions):
    with pytest.raises(Forbidden):
        services.add_period(staff["clerk"], {"region": "411702000000", "days": "90", "effective_from": "2026-01-01"})
    with pytest.raises(ServiceError, match="期限"):
        services.add_period(staff["approver"], {"region": "411702000000", "days": "0", "effective_from": "2026-01-01"})
    p = services.add_period(staff["approver"], {"region": "411702000000", "days": "90", "effective_from": "2026-01-01"})
    assert services.period_in_force("411702001001", D(2026, 12, 3)) == p


def test_photo_and_health_are_the_station_countys_only(staff, station, make_user):
    from huimin.core.roles import BusinessLine, Role

    stay = admit(staff, station)
    assert may_see_sensitive(staff["clerk"], stay)
    assert not may_see_sensitive(staff["clerk_a"], stay)  # a township
    city = make_user("relief_city", Role.APPROVER, "411700000000", line=BusinessLine.RELIEF)
    assert not may_see_sensitive(city, stay)
    stat = make_user("relief_stat", Role.STATISTICIAN, "411702000000", line=BusinessLine.RELIEF)
    assert not may_see_sensitive(stat, stay)


def test_reading_the_photo_and_the_health_check_is_audited(client, staff, station):
    stay = admit(staff, station, health="ill", health_note="发热")
    client.force_login(staff["clerk"])
    page = client.get(f"/relief/stays/{stay.pk}/")
    assert "发热" in page.content.decode()
    assert client.get(f"/relief/stays/{stay.pk}/photo/").status_code == 200
    actions = list(AuditEntry.objects.filter(action__in=["relief.stay.sensitive_read", "relief.stay.photo_read"])
                   .values_list("action", flat=True))  # fmt: skip
    assert sorted(actions) == ["relief.stay.photo_read", "relief.stay.sensitive_read"]
    client.force_login(staff["clerk_a"])
    assert client.get(f"/relief/stays/{stay.pk}/").status_code == 404  # the stay is the county's


def test_statistics_of_returns_and_lengths_of_stay(staff, station, household_of):
    person = household_of(VILLAGE_A1).head
    returned = services.admit(staff["clerk"], intake_data(station, id_number=person.id_number, found_on="2026-11-20",
                                                          admitted_on="2026-11-21"))  # fmt: skip
    services.arrange_return(staff["clerk"], returned, {"return_method": "escort", "receiver_name": "村委会",
                            "receiver_relation": "当地村委会", "receiver_phone": "0396-1234567",
                            "return_arranged_on": "2026-11-25"})  # fmt: skip
    services.confirm_return(staff["clerk"], returned, {"returned_on": "2026-11-26", "receiver_confirmation": "回执01"})
    left = admit(staff, station)
    services.identify(staff["clerk"], left, {"how": "self", "name": "赵五", "hometown": "西平县",
                                             "id_number": idnumbers.make("411721", D(1970, 1, 1), 21)})  # fmt: skip
    services.leave(staff["clerk"], left, {"left_on": "2026-12-03", "left_reason": "本人坚持离站"})
    admit(staff, station, found_on="2026-12-02", admitted_on="2026-12-02")
    [row] = services.statistics(staff["clerk"], 2026)
    assert (row["admitted"], row["in_station"], row["returned"], row["left"], row["to_return"]) == (3, 1, 1, 1, 2)
    assert str(row["rate"]) == "50.0" and row["stay"]["longest"] == 5 and row["stay"]["count"] == 2


def test_the_demo_city_has_a_station_with_stays(household_of):
    """The relief part of the demo on its own (the whole city is tests/demo's): a station, the period, stays in
    every state the pages show, made through the services."""
    from huimin.core.models import Region, RoleAssignment, User
    from huimin.core.roles import BusinessLine, Role
    from huimin.demo.relief import load_relief
    from tests.conftest import COUNTY

    county = Region.objects.get(code=COUNTY)
    household_of(VILLAGE_A1)  # a registry person for the registry search to find
    for username, role in (("lz_t", Role.CLERK), ("lp_t", Role.APPROVER)):
        user = User.objects.create(username=username, full_name=username, region=county)
        RoleAssignment.objects.create(user=user, role=role, line=BusinessLine.RELIEF)
    counts = load_relief(D(2026, 12, 3), seed=1)
    assert counts == {"stations": 1, "stays": 14}
    statuses = set(Stay.objects.values_list("status", flat=True))
    assert statuses == {"returned", "left", "in_station", "returning"}
    due = services.placement_due(Stay.objects.get(status="in_station", admitted_on=D(2026, 8, 25)))
    assert due["may"] and due["period"].days == 90
    [row] = services.statistics(User.objects.get(username="lp_t"), 2026)
    assert row["returned"] == 10 and row["in_station"] == 3


def test_the_household_page_shows_its_members_stays(client, staff, station, household_of):
    household = household_of(VILLAGE_A1)
    stay = services.admit(staff["clerk"], intake_data(station, id_number=household.head.id_number))
    client.force_login(staff["clerk"])
    page = client.get(f"/registry/households/{household.pk}/").content.decode()
    assert 'data-testid="relief-panel"' in page and stay.number in page
    client.force_login(staff["clerk_a"])  # a township account of the line: the county's stay is not his
    page = client.get(f"/registry/households/{household.pk}/").content.decode()
    assert 'data-testid="relief-panel"' not in page


def test_a_city_account_sees_the_stay_but_not_its_health_nor_its_photo(client, staff, station, make_user):
    from huimin.core.roles import BusinessLine, Role

    stay = admit(staff, station, health="ill", health_note="发热待查")
    services.record_day(staff["clerk"], stay, {"day": "2026-12-02", "meals": "2", "condition": "ill", "note": "咳嗽"})
    client.force_login(make_user("relief_city", Role.APPROVER, "411700000000", line=BusinessLine.RELIEF))
    page = client.get(f"/relief/stays/{stay.pk}/").content.decode()
    assert stay.number in page and "发热待查" not in page and "咳嗽" not in page and "仅救助站所在县" in page
    assert client.get(f"/relief/stays/{stay.pk}/photo/").status_code == 404
    assert not AuditEntry.objects.filter(action__in=["relief.stay.sensitive_read", "relief.stay.photo_read"]).exists()


def test_an_id_number_held_in_another_county_is_kept_but_not_linked(staff, station, regions):
    number = idnumbers.make("411721", D(1960, 5, 5), 31)
    Person.objects.create(name="外县登记名", region_id=OTHER_COUNTY, id_number=number)
    stay = services.admit(staff["clerk"], intake_data(station, id_number=number, name="自述名"))
    assert stay.person is None and stay.name == "自述名" and stay.id_number == number
    assert stay.identified == Stay.Identified.SELF


def test_the_return_rate_indicator_of_the_stats(staff, station, household_of):
    from huimin.core.models import Region
    from huimin.stats.indicators import relief_return_rate
    from huimin.stats.models import Indicator

    assert Indicator.objects.get(code="relief_return_rate").default_target == 100
    county = Region.objects.get(code="411702000000")
    assert relief_return_rate(staff["approver"], county, D(2026, 12, 1)) is None  # nobody to return
    stay = services.admit(staff["clerk"], intake_data(station, id_number=household_of(VILLAGE_A1).head.id_number))
    services.arrange_return(staff["clerk"], stay, {"return_method": "escort", "receiver_name": "村委会",
                            "receiver_relation": "当地村委会", "receiver_phone": "0396-1234567",
                            "return_arranged_on": "2026-12-02"})  # fmt: skip
    services.confirm_return(staff["clerk"], stay, {"returned_on": "2026-12-02", "receiver_confirmation": "回执"})
    other = admit(staff, station)
    services.identify(staff["clerk"], other, {"how": "police", "name": "钱六", "hometown": "息县",
                                              "id_number": idnumbers.make("411528", D(1980, 2, 2), 41)})  # fmt: skip
    services.leave(staff["clerk"], other, {"left_on": "2026-12-03", "left_reason": "坚持离站"})
    assert str(relief_return_rate(staff["approver"], county, D(2026, 12, 1))) == "50.00"
    assert relief_return_rate(staff["approver"], county, D(2026, 11, 1)) is None


def test_a_station_head_without_a_social_assistance_role_places_and_sees_no_county_case(staff, station, period):
    """The station lodges the 特困 application under its own duty (relief.place), as a 协理员 of the institution's
    village for that one call: its staff hold no 社会救助 role, so the county's applications stay closed to them."""
    from django.test import Client

    from huimin.assistance import workflow
    from huimin.core.roles import BusinessLine, has_capability

    head = staff["approver"]  # relief roles only
    assert not has_capability(head, workflow.APPLY, BusinessLine.ASSISTANCE)
    stay = _old_stay(staff, station)
    stay, application = services.place(head, stay, {"programme": str(_tekun().pk), "region": VILLAGE_A1})
    assert application.household.region_id == VILLAGE_A1 and application.stage in workflow.STAGE_ORDER
    client = Client()
    client.force_login(head)
    assert client.get(f"/assistance/applications/{application.pk}/").status_code in (403, 404)
