"""A region's own overlap rules set on 「待遇衔接规则」 (each on both sides of its effective date; who may set them;
bad parameters refused with nothing written) and 「已转出申请」, the forwardings a county keeps."""

import datetime

import pytest
from django.urls import reverse

from huimin.assistance import overlaps, services
from huimin.assistance.error_codes import AssistanceErrorCode
from huimin.assistance.models import Forwarding, OverlapRule, Programme
from huimin.core.access import BusinessRuleError, Forbidden, NotInScope
from huimin.core.models import AuditEntry, Region
from huimin.core.roles import BusinessLine, Role
from huimin.core.services import ServiceError
from tests.assistance import test_disability as disability
from tests.assistance.test_disability import certify, enrol_in, subsidy
from tests.clock import at
from tests.conftest import COUNTY, OTHER_COUNTY, TOWN_A, TOWN_B, VILLAGE_A1

D = BusinessLine.DISABILITY
CITY = "411700000000"
staff, standards = disability.staff, disability.standards  # the 残疾人福利 line's staff and the county's standards
EXTEND = {"max_grade": "2", "extended_categories": ["智力残疾", "精神残疾"], "extended_max_grade": "4"}


def add(user, **kwargs):
    data = {"code": "care_grade", "region_code": COUNTY, "effective_from": datetime.date(2026, 7, 1),
            "basis": "驿城区民政局 驿民〔2026〕8号"} | kwargs  # fmt: skip
    return services.add_overlap_rule(user, **data)


@pytest.mark.django_db
def test_a_county_rule_changes_eligibility_from_its_effective_date(users, staff, standards, make_household):
    household, people = make_household(names=("甲", "乙"))
    intellectual_3 = certify(people[0], "5", 3)
    physical_3 = certify(people[1], "4", 3)
    with at(2026, 6, 10):
        rule = add(staff["approver"], **EXTEND)
    assert rule.params == {"max_grade": 2, "extended_categories": ["5", "6"], "extended_max_grade": 4}
    assert (rule.kind, rule.programme_kind, rule.region_id) == ("grade", "severe_care", COUNTY)
    assert AuditEntry.objects.filter(action="assistance.overlap_rule.add").count() == 1
    with at(2026, 6, 30):  # the day before: the national rule (grade 1–2) still refuses
        with pytest.raises(BusinessRuleError) as refused:
            subsidy(staff, household, intellectual_3)
        assert refused.value.code == AssistanceErrorCode.NOT_ELIGIBLE
    with at(2026, 7, 1):  # from its effective date the county's rule admits 智力 grade 3, not 肢体 grade 3
        assert subsidy(staff, household, intellectual_3).stage == "accept"
        with pytest.raises(BusinessRuleError):
            subsidy(staff, household, physical_3)


@pytest.mark.django_db
def test_widening_the_living_subsidy_to_edge_households_then_ending_it(users, staff, standards, make_household):
    household, people = make_household()
    person = certify(people[0])
    enrol_in(users, "edge", household, person, amount="0.00")
    with at(2026, 6, 10):
        rule = add(staff["approver"], code="living_low_income", other_kinds=["最低生活保障、低保边缘家庭"])
    assert rule.other_kinds == ["dibao", "edge"]
    with at(2026, 6, 30), pytest.raises(BusinessRuleError):
        subsidy(staff, household, person, code="disability_living")
    with at(2026, 7, 20):
        services.end_overlap_rule(staff["approver"], rule, effective_to=datetime.date(2026, 7, 31), reason="文件废止")
    rule.refresh_from_db()
    assert (rule.effective_to, rule.end_reason) == (datetime.date(2026, 7, 31), "文件废止")
    assert rule.ended_by == "cz_approver"
    living = Programme.objects.get(code="disability_living")
    overlaps.check_eligible(living, person, household, VILLAGE_A1, datetime.date(2026, 7, 31))  # its last day
    with pytest.raises(BusinessRuleError):  # ended: the national rule governs again
        overlaps.check_eligible(living, person, household, VILLAGE_A1, datetime.date(2026, 8, 1))


@pytest.mark.django_db
def test_with_no_condition_rule_in_force_the_message_names_the_page_and_role(users, staff, standards, make_household):
    household, people = make_household()
    person = certify(people[0], "4", 1)
    OverlapRule.objects.filter(code="care_grade").update(effective_to=datetime.date(2026, 6, 30))
    with at(2026, 6, 30):
        assert subsidy(staff, household, person).stage == "accept"
    with at(2026, 7, 1), pytest.raises(BusinessRuleError) as refused:
        subsidy(staff, household, certify(people[1], "4", 1))
    assert refused.value.code == AssistanceErrorCode.RULE_NOT_CONFIGURED
    assert "「待遇衔接规则」" in str(refused.value) and "县级以上残疾人福利审批人" in str(refused.value)


@pytest.mark.django_db
def test_only_a_county_or_city_approver_of_the_line_may_add(users, staff, make_user):
    other = make_user("cz_other", Role.APPROVER, OTHER_COUNTY, line=D)
    city = make_user("cz_city", Role.APPROVER, CITY, line=D)
    before = OverlapRule.objects.count()
    with at(2026, 6, 10):
        with pytest.raises(NotInScope):  # another county's region does not exist for him
            add(other, **EXTEND)
        with pytest.raises(NotInScope):  # a township's staff cannot write a county's row
            add(staff["reviewer"], **EXTEND)
        with pytest.raises(ServiceError):  # nor his township's own (the rules are the county's or city's)
            add(make_user("cz_town_approver", Role.APPROVER, TOWN_A, line=D), region_code=TOWN_A, **EXTEND)
        with pytest.raises(Forbidden):  # the 社会救助 approver holds 设置 on his own line only
            add(users["approver"], **EXTEND)
        assert OverlapRule.objects.count() == before
        assert add(city, region_code=CITY, **EXTEND).region_id == CITY
        rule = add(staff["approver"], **EXTEND)
        with pytest.raises(NotInScope):  # nor may he end the other county's row
            services.end_overlap_rule(other, rule, effective_to=datetime.date(2026, 7, 1), reason="x")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"max_grade": "5"}, "适用残疾等级应为 1–4 级"),
        ({"max_grade": "2", "extended_categories": ["聋哑"], "extended_max_grade": "4"}, "“聋哑”不是残疾类别"),
        ({"max_grade": "2", "extended_categories": ["智力残疾"]}, "扩大类别的适用等级应为 1–4 级"),
        ({"max_grade": "3", "extended_categories": ["智力残疾"], "extended_max_grade": "2"}, "应低于"),
        ({"max_grade": "2", "extended_max_grade": "4"}, "请同时选择扩大到的残疾类别"),
        ({"code": "living_not_tekun", "other_kinds": ["特困", "孤儿"]}, "“特困”不是可选的救助项目"),
        ({"code": "living_not_tekun", "other_kinds": []}, "请选择相关项目"),
        ({"code": "nonsense", "max_grade": "2"}, "请选择要设置的规则"),
        ({"max_grade": "2", "basis": " "}, "请填写依据"),
        ({"max_grade": "2", "effective_from": datetime.date(2026, 6, 9)}, "生效日期不能早于今天"),
        ({"max_grade": "2", "effective_from": None}, "请填写生效日期"),
        ({"max_grade": "2", "region_code": TOWN_A}, "只能为市或县（区）设置"),
    ],
)
def test_invalid_params_are_refused_with_nothing_written(staff, kwargs, message):
    before = OverlapRule.objects.count(), AuditEntry.objects.count()
    with at(2026, 6, 10), pytest.raises(ServiceError) as refused:
        add(staff["approver"], **kwargs)
    assert message in str(refused.value)
    assert (OverlapRule.objects.count(), AuditEntry.objects.count()) == before


@pytest.mark.django_db
def test_the_page_lists_and_adds_and_never_overwrites(staff, client, make_user):
    with at(2026, 6, 10):  # logged in that day: a session opened on another day would have expired
        client.force_login(staff["approver"])
        data = {"code": "care_grade", "region": COUNTY, "effective_from": "2026-07-01", "basis": "县文件",
                "max_grade": "2", "extended_categories": ["智力残疾"], "extended_max_grade": "3"}  # fmt: skip
        assert client.post(reverse("assistance:overlap_rules"), data).status_code == 302
        response = client.post(reverse("assistance:overlap_rules"), data)  # the same day again: refused
        assert "已有同一天生效的该规则" in response.content.decode()
        data["effective_from"], data["extended_max_grade"] = "2026-09-01", "4"
        assert client.post(reverse("assistance:overlap_rules"), data).status_code == 302
        rows = OverlapRule.objects.filter(code="care_grade", region_id=COUNTY).order_by("effective_from")
        assert [r.params["extended_max_grade"] for r in rows] == [3, 4]  # both kept, the later wins from its date
        page = client.get(reverse("assistance:overlap_rules")).content.decode()
    assert "设置本地区规则" in page and "全国默认" in page and "智力残疾" in page
    # another county's approver does not see this county's rows; a township clerk sees them but cannot set
    client.force_login(make_user("cz_other", Role.APPROVER, OTHER_COUNTY, line=D))
    assert "县文件" not in client.get(reverse("assistance:overlap_rules")).content.decode()
    client.force_login(staff["clerk"])
    page = client.get(reverse("assistance:overlap_rules")).content.decode()
    assert "县文件" in page and "设置本地区规则" not in page


# --- 已转出申请 ------------------------------------------------------------------------------------------------


@pytest.fixture
def forwarded(users, staff, standards, make_household, make_user):
    """One application forwarded from township A (驿城区) to 西平县, and one from township B."""
    county = Region.objects.get(code=OTHER_COUNTY)
    town = Region.objects.create(code="411721001000", name="柏城街道", level=4, parent=county)
    village = Region.objects.create(code="411721001001", name="西关社区", level=5, parent=town)
    out = []
    for region, clerk, name in ((VILLAGE_A1, staff["clerk"], "张三丰"), ("411702002001", None, "王小明")):
        household, people = make_household(region_code=region, names=(name, "李四"))
        person = certify(people[0])
        person.hukou_region = village
        person.save()
        clerk = clerk or make_user("cz_clerk_b", Role.CLERK, TOWN_B, line=D)
        with at(2026, 6, 10):
            app = services.forward(clerk, subsidy({"clerk": clerk}, household, person), "户籍在西平县")
        out.append(app)
    return out


@pytest.mark.django_db
def test_the_forwarded_list_shows_only_ones_own_forwardings(forwarded, staff, client, make_user):
    client.force_login(staff["clerk"])
    page = client.get(reverse("assistance:forwarded")).content.decode()
    assert forwarded[0].number in page and forwarded[1].number not in page
    assert "张*丰" in page and "张三丰" not in page and "西平县" in page and "cz_clerk" in page
    # the county sees both of its townships' forwardings; the receiving county sent none
    client.force_login(staff["approver"])
    page = client.get(reverse("assistance:forwarded")).content.decode()
    assert forwarded[0].number in page and forwarded[1].number in page
    client.force_login(make_user("cz_other", Role.APPROVER, OTHER_COUNTY, line=D))
    assert forwarded[0].number not in client.get(reverse("assistance:forwarded")).content.decode()
    # a 社会救助 clerk of the same township: the subsidies are not on his line
    client.force_login(make_user("sj_clerk", Role.CLERK, TOWN_A))
    assert forwarded[0].number not in client.get(reverse("assistance:forwarded")).content.decode()
    assert Forwarding.objects.count() == 2


@pytest.mark.django_db
def test_the_forwarded_list_filters_pages_and_exports(forwarded, staff, client):
    from huimin.core.spreadsheets import read_xlsx

    client.force_login(staff["approver"])
    assert forwarded[0].number not in client.get(reverse("assistance:forwarded") + "?from=2026-06-11").content.decode()
    assert client.get(reverse("assistance:forwarded") + "?page=junk").status_code == 200
    response = client.get(reverse("assistance:forwarded") + "?export=xlsx")
    assert response.status_code == 200
    assert AuditEntry.objects.filter(action="assistance.export.forwarded").exists()
    sheet = read_xlsx(b"".join(response.streaming_content) if response.streaming else response.content)
    text = repr(sheet)
    assert forwarded[0].number in text and "张*丰" in text and "张三丰" not in text
