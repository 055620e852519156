"""verification.rules turns an engine row into the 数据素描 and the reasons a person reads — every figure in 元 to
the cent, every threshold, every text. Pure functions, no database: written against mutmut's survivors
(docs/testing.md), with the boundaries of the money (no members, a missing amount, a missing standard, the
rounding of a per-head figure) on each side."""

from decimal import Decimal

from huimin.verification import rules
from huimin.verification.models import Conclusion


def row(**changes) -> dict:
    base = {
        "members": 3,
        "income_fen": 2_170_000,
        "wages_fen": 2_000_000,
        "pension_fen": 170_000,
        "deposits_fen": 1_000_001,
        "vehicle_count": 2,
        "vehicle_value_fen": 15_000_000,
        "dwelling_count": 2,
        "company_count": 1,
        "medical_fen": 6_000_000,
        "deceased_count": 1,
        "t_income_standard": 60_000,
        "t_deposit_months": 24,
        "t_vehicle_count": 1,
        "t_vehicle_value": 10_000_000,
        "t_dwelling_count": 1,
        "t_company_count": 0,
        "t_medical_self_paid": 5_000_000,
        "r_no_members": False,
        "r_no_standard": False,
        "r_deceased": False,
        **{flag: False for flag in rules.FLAG_RULES},
        **{f"o_{rule}": None for rule, _ in rules.FLAG_RULES.values()},
    }
    base.update(changes)
    return base


def test_yuan_and_fmt():
    assert rules.yuan(123_456) == Decimal("1234.56")
    assert rules.yuan(1) == Decimal("0.01")
    assert rules.yuan(None) == Decimal("0.00") and rules.yuan(0) == Decimal("0.00")
    assert str(rules.yuan(None)) == "0.00"
    assert rules.fmt(Decimal("1234567.5")) == "1,234,567.50 元"


def test_figures_of_a_household():
    assert rules.figures(row()) == {
        "members": 3,
        "wages_12m": "20000.00",
        "pensions_12m": "1700.00",
        "business_12m": "0.00",
        "other_12m": "0.00",
        "income_12m": "21700.00",
        "income_per_head_month": "602.78",  # 21,700 / 12 / 3 = 602.777…
        "deposits": "10000.01",
        "deposits_per_head": "3333.34",  # 10,000.01 / 3 = 3,333.336…
        "vehicle_count": 2,
        "vehicle_value": "150000.00",
        "dwelling_count": 2,
        "company_count": 1,
        "medical_self_paid_12m": "60000.00",
        "deceased_count": 1,
        "income_standard": "600.00",
        "thresholds": {
            "income_standard": "600.00 元",
            "deposit_months": "24",
            "vehicle_count": "1",
            "vehicle_value": "100,000.00 元",
            "dwelling_count": "1",
            "company_count": "0",
            "medical_self_paid": "50,000.00 元",
        },
    }


def test_per_head_figures_round_to_the_cent_on_each_side():
    # 36,000.06 / 12 / 1 = 3,000.005 (half a cent: to the even cent); 36,000.18 / 12 = 3,000.015
    assert rules.figures(row(members=1, income_fen=3_600_006))["income_per_head_month"] == "3000.00"
    assert rules.figures(row(members=1, income_fen=3_600_018))["income_per_head_month"] == "3000.02"
    assert rules.figures(row(members=2, deposits_fen=3))["deposits_per_head"] == "0.02"  # 0.015
    assert rules.figures(row(members=2, deposits_fen=1))["deposits_per_head"] == "0.00"  # 0.005


def test_no_members_gives_no_per_head_figure_rather_than_a_division():
    for members in (0, None):
        f = rules.figures(row(members=members))
        assert f["members"] == 0
        assert f["income_per_head_month"] == "0.00" and f["deposits_per_head"] == "0.00"


def test_missing_amounts_are_zero_and_a_missing_standard_is_none():
    f = rules.figures(row(income_fen=None, wages_fen=None, pension_fen=None, deposits_fen=None,
                          vehicle_value_fen=None, medical_fen=None, t_income_standard=None))  # fmt: skip
    assert f["income_12m"] == f["wages_12m"] == f["pensions_12m"] == f["deposits"] == "0.00"
    assert f["vehicle_value"] == f["medical_self_paid_12m"] == "0.00"
    assert f["income_standard"] is None and f["thresholds"]["income_standard"] is None
    assert rules.figures(row(t_income_standard=0))["income_standard"] == "0.00"  # 0 is a standard, not none


def test_every_reason_in_words_ineligible_first():
    r = row(
        r_no_members=True, r_no_standard=True, r_deceased=True,
        **{flag: True for flag in rules.FLAG_RULES},
        o_company_count=Conclusion.NEEDS_VISIT, o_medical_self_paid=Conclusion.NEEDS_VISIT,
        o_vehicle_count=Conclusion.NOT_ELIGIBLE,
    )  # fmt: skip
    reasons = rules.explain(r)
    assert [(x["code"], x["outcome"], x["label"], x["sources"]) for x in reasons] == [
        ("income_standard", "not_eligible", "不符合", ["wages", "social_insurance"]),
        ("deposit_months", "not_eligible", "不符合", ["deposits"]),
        ("vehicle_count", "not_eligible", "不符合", ["vehicles"]),
        ("vehicle_value", "not_eligible", "不符合", ["vehicles"]),
        ("dwelling_count", "not_eligible", "不符合", ["real_estate"]),
        ("no_members", "needs_visit", "需入户核实", []),
        ("no_standard", "needs_visit", "需入户核实", []),
        ("deceased", "needs_visit", "需入户核实", ["deaths"]),
        ("company_count", "needs_visit", "需入户核实", ["business"]),
        ("medical_self_paid", "needs_visit", "需入户核实", ["medical"]),
    ]
    texts = {x["code"]: x["text"] for x in reasons}
    assert texts["income_standard"] == (
        "近12个月家庭收入 21,700.00 元（工资 20000.00 元、养老金 1700.00 元），"
        "月人均 602.78 元，高于核对收入标准 600.00 元"
    )
    assert texts["deposit_months"] == (
        "存款、理财与证券合计 10,000.01 元，人均 3333.34 元，超过 24 个月核对收入标准（人均 14,400.00 元）"
    )
    assert texts["vehicle_count"] == "名下机动车 2 辆，超过上限 1 辆"
    assert texts["vehicle_value"] == "名下机动车总价值 150,000.00 元，超过上限 100,000.00 元"
    assert texts["dwelling_count"] == "名下住宅 2 套，超过上限 1 套"
    assert texts["company_count"] == "成员登记存续市场主体 1 个，超过 0 个，经营收入需核实"
    assert (
        texts["medical_self_paid"]
        == "近12个月个人自付医疗费用 60,000.00 元，达到提示线 50,000.00 元，可能属于支出型困难"
    )
    assert texts["no_members"] == "家庭没有在世成员记录，无法计算人均收入"
    assert texts["deceased"] == "1 名成员有死亡记录，需核实家庭成员"
    assert texts["no_standard"] == (  # names the page and the role that can configure it
        "该地区在核对基准日没有有效的核对收入标准（当地低保标准或其倍数未设置），无法比对收入和金融资产；"
        "请县级审批人在「保障标准」页面设置当地低保标准，或在「核对规则阈值」页面设置倍数"
    )
    assert rules.reason_summary(reasons[:2]) == texts["income_standard"] + "；" + texts["deposit_months"]


def test_a_household_with_nothing_to_note_is_eligible_only_with_members():
    assert rules.explain(row()) == [
        {"code": "ok", "outcome": "eligible", "label": "符合",
         "text": "月人均收入 602.78 元，收入与财产均未超过核对标准", "sources": []}
    ]  # fmt: skip
    assert rules.explain(row(members=0)) == []


def test_reason_labels_name_every_code():
    assert rules.REASON_LABELS["no_members"] == "无在世成员"
    assert rules.REASON_LABELS["no_standard"] == "未配置核对收入标准"
    assert rules.REASON_LABELS["deceased"] == "成员有死亡记录"
    assert rules.REASON_LABELS["ok"] == "未超过核对标准"
    assert rules.REASON_LABELS["vehicle_value"] == "机动车总价值上限（元）"
