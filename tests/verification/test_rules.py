"""Each threshold, through the single check: below it the household is 符合, above it the rule's outcome."""

import pytest

from huimin.core.services import ServiceError
from huimin.verification import services
from huimin.verification.models import Conclusion
from tests.conftest import TOWN_A, VILLAGE_A1, VILLAGE_A2
from tests.verification.factories import (
    AS_OF,
    D,
    authorise_all,
    dibao_standard,
    load,
    make_household,
    standard_thresholds,
    threshold,
)


@pytest.fixture
def family(users):
    standard_thresholds()
    hh, persons = make_household(
        VILLAGE_A1, [("张建国", D(1970, 3, 1)), ("李秀英", D(1972, 8, 9)), ("张小明", D(2012, 1, 1))]
    )
    authorise_all(hh)
    return hh, persons


def check(users, hh):
    return services.check_household(users["clerk_a"], hh, "dibao", AS_OF)


def codes(report):
    return [r["code"] for r in report.reasons]


def wages(person, monthly: str, months=12):
    return [
        {"id_number": person.id_number, "month": f"2026-{m:02d}" if m <= 6 else f"2025-{m:02d}", "gross_wage": monthly}
        for m in range(1, months + 1)
    ]


def test_a_household_with_nothing_above_the_thresholds_is_eligible(users, family):
    hh, (father, *_) = family
    load(users["approver"], "wages", wages(father, "1500.00"))  # 18,000 元 / 3 persons / 12 = 500 元 ≤ 600
    report = check(users, hh)
    assert report.conclusion == Conclusion.ELIGIBLE
    assert report.figures["income_per_head_month"] == "500.00"
    assert codes(report) == ["ok"]


def test_income_per_head_above_the_standard_is_ineligible(users, family):
    hh, (father, mother, _) = family
    load(users["approver"], "wages", wages(father, "1500.00"))
    load(
        users["approver"],
        "social_insurance",
        [
            {"id_number": mother.id_number, "month": "2026-03", "kind": "养老金", "amount": "3700.00"},
            {"id_number": mother.id_number, "month": "2026-03", "kind": "缴费", "amount": "9999.00"},
        ],
    )
    report = check(users, hh)  # (18,000 + 3,700) / 36 = 602.78 > 600; contributions are not income
    assert report.conclusion == Conclusion.NOT_ELIGIBLE
    assert codes(report) == ["income_standard"]
    assert report.figures["income_per_head_month"] == "602.78"
    reason = report.reasons[0]
    assert "高于核对收入标准 600.00 元" in reason["text"]
    assert {r["source_name"] for r in reason["records"]} == {"工资与个人所得税", "社保缴纳与养老金"}
    assert all(r["snapshot_date"] == "2026-06-30" for r in reason["records"])


def test_income_outside_the_twelve_months_does_not_count(users, family):
    hh, (father, *_) = family
    load(users["approver"], "wages", [{"id_number": father.id_number, "month": "2025-06", "gross_wage": "90000.00"}])
    assert check(users, hh).conclusion == Conclusion.ELIGIBLE


def test_deposits_per_head_above_n_months_of_the_standard(users, family):
    hh, (father, *_) = family
    row = {"id_number": father.id_number, "institution": "某银行", "product": "存款", "as_of": "2026-06-01"}
    load(users["approver"], "deposits", [row | {"balance": "43200.00"}])  # = 24 × 600 × 3: not above
    assert check(users, hh).conclusion == Conclusion.ELIGIBLE
    load(users["approver"], "deposits", [row | {"balance": "43200.01"}])
    report = check(users, hh)
    assert report.conclusion == Conclusion.NOT_ELIGIBLE and codes(report) == ["deposit_months"]


def vehicle(person, plate, value, status="正常"):
    return {
        "id_number": person.id_number,
        "plate_no": plate,
        "vehicle_type": "小型轿车",
        "value": value,
        "registered_on": "2024-01-01",
        "status": status,
    }


def test_vehicle_count_and_value(users, family):
    hh, (father, mother, _) = family
    load(users["approver"], "vehicles", [vehicle(father, "豫Q1", "30000.00"), vehicle(mother, "豫Q2", "1.00", "注销")])
    assert check(users, hh).conclusion == Conclusion.ELIGIBLE
    load(users["approver"], "vehicles", [vehicle(father, "豫Q1", "30000.00"), vehicle(mother, "豫Q2", "1.00")])
    assert codes(check(users, hh)) == ["vehicle_count"]
    load(users["approver"], "vehicles", [vehicle(father, "豫Q1", "50000.01")])
    assert codes(check(users, hh)) == ["vehicle_value"]


def dwelling(person, cert, use="住宅"):
    return {
        "id_number": person.id_number,
        "cert_no": cert,
        "use": use,
        "area_m2": "90.5",
        "registered_on": "2019-05-05",
    }


def test_dwellings_are_counted_once_per_certificate(users, family):
    hh, (father, mother, _) = family
    co_owned = [dwelling(father, "豫(2019)1号"), dwelling(mother, "豫(2019)1号"), dwelling(father, "商2", "商业")]
    load(users["approver"], "real_estate", co_owned)
    assert check(users, hh).conclusion == Conclusion.ELIGIBLE
    load(users["approver"], "real_estate", [*co_owned, dwelling(mother, "豫(2020)2号")])
    report = check(users, hh)
    assert codes(report) == ["dwelling_count"] and report.figures["dwelling_count"] == 2


def test_a_company_and_high_medical_costs_need_a_home_visit(users, family):
    hh, (father, mother, _) = family
    load(
        users["approver"],
        "business",
        [
            {
                "id_number": father.id_number,
                "credit_code": "91411702MA00000000",
                "company_name": "某商店",
                "role": "经营者",
                "established_on": "2021-01-01",
                "status": "存续",
            }
        ],
    )
    load(
        users["approver"],
        "medical",
        [
            {
                "id_number": mother.id_number,
                "settled_on": "2026-02-01",
                "total_cost": "80000.00",
                "self_paid": "25000.00",
            }
        ],
    )
    report = check(users, hh)
    assert report.conclusion == Conclusion.NEEDS_VISIT
    assert sorted(codes(report)) == ["company_count", "medical_self_paid"]


def test_a_death_record_of_a_member_needs_a_home_visit(users, family):
    hh, (father, *_) = family
    load(users["approver"], "deaths", [{"id_number": father.id_number, "death_date": "2026-05-01", "reporter": "火化"}])
    report = check(users, hh)
    assert report.conclusion == Conclusion.NEEDS_VISIT and codes(report) == ["deceased"]


def test_ineligible_outranks_a_visit(users, family):
    hh, (father, *_) = family
    load(users["approver"], "wages", wages(father, "9000.00"))
    load(users["approver"], "deaths", [{"id_number": father.id_number, "death_date": "2026-05-01", "reporter": "火化"}])
    report = check(users, hh)
    assert report.conclusion == Conclusion.NOT_ELIGIBLE
    assert codes(report) == ["income_standard", "deceased"]


def test_the_most_specific_region_and_the_date_decide_the_standard(users, family):
    hh, (father, *_) = family
    load(users["approver"], "wages", wages(father, "2000.00"))  # 666.67 per head
    assert check(users, hh).conclusion == Conclusion.NOT_ELIGIBLE
    dibao_standard("700.00", TOWN_A)  # the township's own 低保标准
    assert check(users, hh).conclusion == Conclusion.ELIGIBLE
    dibao_standard("650.00", TOWN_A, area="urban")  # urban row beats both
    report = check(users, hh)
    assert report.conclusion == Conclusion.NOT_ELIGIBLE and report.figures["income_standard"] == "650.00"
    dibao_standard("800.00", TOWN_A, area="urban", effective_from=D(2026, 7, 1))
    assert check(users, hh).figures["income_standard"] == "650.00"  # not yet in force on the check's date


def test_rural_households_get_the_rural_row(users):
    standard_thresholds()
    dibao_standard("450.00", area="rural")
    hh, _ = make_household(VILLAGE_A2, [("王大", D(1960, 1, 1))])  # 小王庄村: 城乡分类 220
    authorise_all(hh)
    assert check(users, hh).figures["income_standard"] == "450.00"


def test_the_income_standard_is_the_programme_s_multiple_of_the_dibao_standard_in_benefits(users, db):
    """No second copy: the 核对收入标准 follows the 低保标准 of benefits (here a yearly figure, per month) times the
    programme's multiple, so a new 低保标准 moves the line without touching the 核对 thresholds."""
    threshold("income_standard", "1.5", programme="edge")
    dibao_standard("7200.00", period="year")  # 600 元 a month
    hh, (one,) = make_household(VILLAGE_A1, [("孙一", D(1980, 1, 1))])
    authorise_all(hh)
    load(users["approver"], "wages", wages(one, "880.00"))  # 10,560 元 a year
    report = services.check_household(users["clerk_a"], hh, "edge", AS_OF)
    assert report.figures["income_standard"] == "900.00" and report.conclusion == Conclusion.ELIGIBLE
    dibao_standard("580.00", TOWN_A, effective_from=D(2026, 1, 1))  # the township's own, lower: 870 元
    report = services.check_household(users["clerk_a"], hh, "edge", AS_OF)
    assert report.figures["income_standard"] == "870.00" and report.conclusion == Conclusion.NOT_ELIGIBLE


def test_a_multiple_without_a_dibao_standard_needs_a_visit(users, db):
    threshold("income_standard", 1)
    hh, _ = make_household(VILLAGE_A1, [("钱一", D(1980, 1, 1))])
    authorise_all(hh)
    report = check(users, hh)
    assert report.conclusion == Conclusion.NEEDS_VISIT and codes(report) == ["no_standard"]


def test_without_a_standard_the_household_needs_a_visit(users, db):
    threshold("vehicle_count", 0)
    hh, _ = make_household(VILLAGE_A1, [("赵一", D(1980, 1, 1))])
    authorise_all(hh)
    report = check(users, hh)
    assert report.conclusion == Conclusion.NEEDS_VISIT and codes(report) == ["no_standard"]


def test_a_programme_without_thresholds_is_refused(users, family):
    hh, _ = family
    with pytest.raises(ServiceError, match="没有配置核对规则阈值") as refused:
        services.check_household(users["clerk_a"], hh, "tekun", AS_OF)
    assert "县级审批人" in str(refused.value) and "「核对 → 核对规则阈值」页面" in str(refused.value)


def test_a_missing_threshold_names_the_programme_by_its_chinese_name(users, family):
    hh, _ = family
    with pytest.raises(ServiceError) as refused:
        services.check_household(users["clerk_a"], hh, "temp_urgent", AS_OF)
    assert "救助项目“临时救助（急难型）”没有配置核对规则阈值" in str(refused.value), str(refused.value)
