"""养老机构: 备案 with the USCC check, beds and residents, the 特困集中供养 hook, ratings, the 异常 list, the
indicators; 适老化改造 from application to the one payment, with separation of duties."""

import datetime
from decimal import Decimal

import pytest

from huimin.core import duties
from huimin.core.access import BusinessRuleError, Forbidden, NotInScope
from huimin.core.roles import BusinessLine, Role
from huimin.eldercare import indicators, services
from huimin.eldercare.models import Institution, Resident, Retrofit
from huimin.registry import idnumbers
from huimin.registry.models import Household, Person
from tests.conftest import COUNTY, TOWN_A, VILLAGE_A1, VILLAGE_B1
from tests.eldercare.helpers import institution, uscc

pytestmark = pytest.mark.django_db


def _older(region=VILLAGE_A1, born=datetime.date(1945, 3, 1), seq=[0]):  # noqa: B006 - a counter for unique ids
    seq[0] += 1
    household = Household.objects.create(number=f"EC{seq[0]:05d}", region_id=region)
    return Person.objects.create(name=f"老人{seq[0]}", id_number=idnumbers.make("411702", born, 500 + seq[0]),
                                 birth_date=born, region_id=region, household=household)  # fmt: skip


def _data(**extra):
    return {"name": "顺河颐养院", "kind": "private", "uscc": uscc(1), "operator": "顺河养老服务有限公司",
            "address": "顺河路 8 号", "region": VILLAGE_A1, "filed_on": "2026-11-01", "nursing_beds": "40",
            "general_beds": "20", **extra}  # fmt: skip


def test_registration_checks_the_uscc(staff):
    good = uscc(1)
    bad_check = good[:-1] + ("0" if good[-1] != "0" else "1")
    for code, why in ((bad_check, "校验码不正确"), (good[:-1], "长度应为 18 位"), ("", "请填写统一社会信用代码")):
        with pytest.raises(BusinessRuleError) as refused:
            services.register_institution(staff["clerk"], _data(uscc=code))
        assert why in str(refused.value)
    assert not Institution.objects.exists()
    row = services.register_institution(staff["clerk"], _data(uscc=good.lower()))
    assert row.uscc == good and row.beds == 60
    with pytest.raises(BusinessRuleError) as refused:
        services.register_institution(staff["clerk"], _data())
    assert refused.value.code == "eldercare.duplicate_uscc"


def test_registration_scope_and_role(staff):
    with pytest.raises(NotInScope):
        services.register_institution(staff["clerk"], _data(region=VILLAGE_B1))
    with pytest.raises(Forbidden):
        services.register_institution(staff["assistance_approver"], _data())
    with pytest.raises(BusinessRuleError):  # a county is not where an institution stands
        services.register_institution(staff["approver"], _data(region="411702000000"))


def test_beds_and_residents(staff):
    home = institution(VILLAGE_A1, nursing=1, general=0, by=staff["clerk"])
    a, b = _older(), _older()
    services.admit(staff["clerk"], home.pk, person_pk=a.pk, bed_type="nursing", admitted_on="2026-11-01")
    with pytest.raises(BusinessRuleError) as refused:
        services.admit(staff["clerk"], home.pk, person_pk=b.pk, bed_type="nursing", admitted_on="2026-11-01")
    assert refused.value.code == "eldercare.beds_full"
    with pytest.raises(BusinessRuleError) as refused:
        services.admit(staff["clerk"], home.pk, person_pk=a.pk, bed_type="general", admitted_on="2026-11-01")
    assert refused.value.code in ("eldercare.already_resident", "eldercare.beds_full")
    young = _older(born=datetime.date(1967, 11, 21))  # 59 on 2026-11-20
    services.set_beds(staff["clerk"], home.pk, nursing=1, general=2)
    with pytest.raises(BusinessRuleError) as refused:
        services.admit(staff["clerk"], home.pk, person_pk=young.pk, bed_type="general", admitted_on="2026-11-20")
    assert refused.value.code == "eldercare.not_elderly"
    with pytest.raises(BusinessRuleError):  # fewer beds than residents
        services.set_beds(staff["clerk"], home.pk, nursing=0, general=2)
    stay = Resident.objects.get(person=a)
    services.discharge(staff["clerk"], stay.pk, left_on="2026-11-10")
    services.admit(staff["clerk"], home.pk, person_pk=b.pk, bed_type="nursing", admitted_on="2026-11-11")


def test_tekun_central_residents_come_from_the_programme_hook(staff, monkeypatch):
    from huimin.registry import search

    person = _older()
    other = _older()

    class Hook:
        def choices(self):
            return [("assistance:tekun_central", "特困人员集中供养")]

        def household_ids(self, code):
            return Household.objects.filter(pk=person.household_id).values("pk")

    monkeypatch.setattr(search, "PROGRAMME_FILTERS", [Hook()])
    assert services.tekun_central_persons([person, other]) == {person.pk}


def test_indicators(staff):
    for _ in range(4):
        _older()
    _older(born=datetime.date(1970, 1, 1))  # not an older person
    home = institution(VILLAGE_A1, nursing=11, general=9, by=staff["clerk"])
    institution(VILLAGE_A1, nursing=50, general=50, by=staff["clerk"], status=Institution.Status.CLOSED)
    services.admit(staff["clerk"], home.pk, person_pk=_older().pk, bed_type="nursing", admitted_on="2026-11-01")
    f = indicators.bed_figures("411702001", datetime.date(2026, 11, 20))
    assert (f.institutions, f.beds, f.nursing_beds, f.residents, f.older_people) == (1, 20, 11, 1, 5)
    assert f.per_thousand == Decimal("4000.00") and f.occupancy == Decimal("5.00")
    assert f.nursing_share == Decimal("55.00") and f.nursing_met  # 55% exactly meets the target
    services.set_beds(staff["clerk"], home.pk, nursing=11, general=10)
    f = indicators.bed_figures("411702001", datetime.date(2026, 11, 20))
    assert f.nursing_share == Decimal("52.38") and not f.nursing_met
    assert indicators.bed_figures("411702002", datetime.date(2026, 11, 20)).nursing_share is None


def test_stats_indicators_read_the_beds(staff):
    from huimin.core.models import Region
    from huimin.stats import indicators as stats_indicators

    institution(VILLAGE_A1, nursing=30, general=10, by=staff["clerk"])
    value = stats_indicators.nursing_bed_share(None, Region.objects.get(code=TOWN_A), datetime.date(2026, 11, 1))
    assert value == Decimal("75.00")


def test_rating_and_abnormal_list(staff):
    home = institution(VILLAGE_A1, by=staff["clerk"])
    with pytest.raises(BusinessRuleError):
        services.rate(staff["approver"], home.pk, stars=6, rated_on="2026-11-01", valid_until="2029-11-01", basis="x")
    services.rate(staff["approver"], home.pk, stars=3, rated_on="2026-11-01", valid_until="2029-10-31", basis="评定")
    assert services.current_rating(home).stars == 3
    services.list_abnormal(staff["approver"], home.pk, reason="逾期未整改重大隐患")
    with pytest.raises(BusinessRuleError) as refused:
        services.unlist_abnormal(staff["approver"], home.pk, note="已整改")
    assert refused.value.code == duties.DUTY_CONFLICT
    assert str(refused.value) == (
        "同一人不能既列入异常名录又移出异常名录（职责分离：“养老机构异常名录”的列入与移出须由不同工作人员办理）"
    )
    services.unlist_abnormal(staff["approver2"], home.pk, note="已整改")
    kinds = [e["text"][:6] for e in services.credit_record(home)]
    assert any(k.startswith("移出异常") for k in kinds) and any(k.startswith("等级评定") for k in kinds)


def _poor_family(monkeypatch, person):
    from huimin.registry import search

    class Hook:
        def choices(self):
            return [("assistance:dibao", "最低生活保障")]

        def household_ids(self, code):
            return Household.objects.filter(pk=person.household_id).values("pk")

    monkeypatch.setattr(search, "PROGRAMME_FILTERS", [Hook()])


def test_retrofit_from_application_to_one_payment(staff, monkeypatch):
    person = _older()
    with pytest.raises(BusinessRuleError) as refused:
        services.apply_retrofit(staff["clerk"], person_pk=person.pk, applied_on="2026-10-01")
    assert refused.value.code == "eldercare.not_eligible"
    _poor_family(monkeypatch, person)
    row = services.apply_retrofit(staff["clerk"], person_pk=person.pk, applied_on="2026-10-01")
    assert row.basis == "低保或特困家庭"
    with pytest.raises(BusinessRuleError) as refused:
        services.apply_retrofit(staff["clerk"], person_pk=person.pk, applied_on="2026-10-02")
    assert refused.value.code == "eldercare.already_applied"
    with pytest.raises(Forbidden):  # a clerk does not assess
        services.retrofit_act(staff["clerk"], row.pk, "assess", {"date": "2026-10-05"})
    reviewer = staff["township_reviewer"]
    assessment = {"date": "2026-10-05", "items": "扶手、防滑", "estimated_cost": "4200"}
    services.retrofit_act(reviewer, row.pk, "assess", assessment)
    services.retrofit_act(staff["clerk"], row.pk, "start", {"date": "2026-10-10", "contractor": "安居装修"})
    with pytest.raises(BusinessRuleError):  # finished before it started
        services.retrofit_act(staff["clerk"], row.pk, "finish", {"date": "2026-10-09"})
    services.retrofit_act(staff["clerk"], row.pk, "finish", {"date": "2026-10-20"})
    services.retrofit_act(staff["approver"], row.pk, "accept", {"date": "2026-10-25"})
    with pytest.raises(BusinessRuleError) as refused:  # the one who accepted may not approve the money
        services.retrofit_act(staff["approver"], row.pk, "approve", {"date": "2026-10-26", "subsidy": "4000"})
    assert refused.value.code == duties.DUTY_CONFLICT
    assert str(refused.value) == (
        "同一人不能既验收改造又审批补贴（职责分离：“适老化改造补贴”的验收与审批补贴须由不同工作人员办理）"
    )
    with pytest.raises(BusinessRuleError) as refused:  # above the assessed cost
        services.retrofit_act(staff["approver2"], row.pk, "approve", {"date": "2026-10-26", "subsidy": "4200.01"})
    assert refused.value.code == "eldercare.over_cap"
    services.retrofit_act(staff["approver2"], row.pk, "approve", {"date": "2026-10-26", "subsidy": "4200.00"})
    services.retrofit_act(staff["clerk"], row.pk, "pay", {"date": "2026-11-01"})
    with pytest.raises(BusinessRuleError) as refused:  # paid once
        services.retrofit_act(staff["clerk"], row.pk, "pay", {"date": "2026-11-02"})
    assert refused.value.code == "eldercare.state"
    row = Retrofit.objects.get(pk=row.pk)
    assert (row.status, row.subsidy, row.paid_on) == ("paid", Decimal("4200.00"), datetime.date(2026, 11, 1))


def test_retrofit_duties_are_data_the_assessor_never_approves_and_an_added_rule_holds(staff, monkeypatch, make_user):
    approver3 = make_user("ec_approver3", Role.APPROVER, COUNTY, line=BusinessLine.ELDERLY)
    person = _older()
    _poor_family(monkeypatch, person)
    row = services.apply_retrofit(staff["clerk"], person_pk=person.pk, applied_on="2026-10-01")
    services.retrofit_act(staff["approver"], row.pk, "assess", {"date": "2026-10-05", "items": "扶手",
                                                               "estimated_cost": "3000"})  # fmt: skip
    services.retrofit_act(staff["clerk"], row.pk, "start", {"date": "2026-10-10", "contractor": "安居装修"})
    services.retrofit_act(staff["clerk"], row.pk, "finish", {"date": "2026-10-20"})
    services.retrofit_act(staff["approver2"], row.pk, "accept", {"date": "2026-10-25"})
    with pytest.raises(BusinessRuleError) as refused:  # the assessor may not approve the money
        services.retrofit_act(staff["approver"], row.pk, "approve", {"date": "2026-10-26", "subsidy": "3000"})
    assert str(refused.value).startswith("同一人不能既评估改造又审批补贴")
    assert Retrofit.objects.get(pk=row.pk).status == "accepted"
    duties.add_rule(staff["approver"], services.RETROFIT, "approve", "pay", "审批人不登记发放")
    services.retrofit_act(approver3, row.pk, "approve", {"date": "2026-10-26", "subsidy": "3000"})
    with pytest.raises(BusinessRuleError) as refused:  # the added rule: whoever approved does not record the payment
        services.retrofit_act(approver3, row.pk, "pay", {"date": "2026-11-01"})
    assert refused.value.code == duties.DUTY_CONFLICT
    assert services.retrofit_act(staff["clerk"], row.pk, "pay", {"date": "2026-11-01"}).status == "paid"


def test_payment_list_export(login, staff, monkeypatch):
    person = _older()
    _poor_family(monkeypatch, person)
    row = services.apply_retrofit(staff["clerk"], person_pk=person.pk, applied_on="2026-10-01")
    Retrofit.objects.filter(pk=row.pk).update(status="approved", subsidy=Decimal("3000"),
                                              approved_on=datetime.date(2026, 10, 26))  # fmt: skip
    response = login(staff["approver"]).get("/eldercare/retrofits/?export=payments")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
