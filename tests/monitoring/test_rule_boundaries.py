"""The engine's warning rules (huimin.engine.monitoring) at the edges mutmut found unguarded (docs/testing.md):
the 12-month window of the over-the-line rules at both ends, the line (standard × members × multiple) on each
side, the parameters and their defaults, the net wage, who the fact names and what it carries, the statuses that
make an event, the region digits of a move, and the record key and day of a lost certificate or a second
enrolment. In-memory tables, no database."""

import datetime

from huimin.monitoring.defaults import RULES
from tests.monitoring.test_rule_windows import STD, _facts, _pop

D = datetime.date
PARAMS = {r["code"]: r["params"] for r in RULES}
NOV_1, NOV_20, NOV_30 = D(2026, 11, 1), D(2026, 11, 20), D(2026, 11, 30)
AS_OF = D(2026, 12, 6)  # the window: 2025-12 … 2026-11 (November is the last complete month)
DIBAO = {"person_key": "k1", "person_id": 1, "household_id": 10, "category": "dibao"}
OTHER = {"person_key": "k2", "person_id": 2, "household_id": 20, "category": "dibao"}


def _wage(month, fen, tax=0, key="k1"):
    return {"person_key": key, "month": month, "employer": "某公司", "gross_wage": fen, "tax": tax}


def _wages(months, fen=STD + 1, **kw):
    return [_wage(m, fen, **kw) for m in months]


def _over(params, rows, pop=None, as_of=AS_OF):
    return _facts("wages_over_line", params, as_of, pop or _pop(DIBAO), wages=rows)


W = PARAMS["wages_over_line"]  # 3 of 12 months over 1.0 × standard × members


# --- the 12-month window, both ends inclusive --------------------------------------------------------------------


def test_the_window_first_month_counts_the_month_before_it_does_not():
    facts = _over(W, _wages(["2025-12", "2026-06", "2026-11"]))
    assert [(f["record_key"], f["occurred_on"], f["value"]) for f in facts] == [("2025-12", D(2025, 12, 1), STD + 1)]
    assert _over(W, _wages(["2025-11", "2026-06", "2026-11"])) == []  # the 13th month back


def test_the_window_last_month_counts_the_month_under_way_does_not():
    assert _over(W, _wages(["2026-09", "2026-10", "2026-11"]))
    assert _over(W, _wages(["2026-10", "2026-11", "2026-12"])) == []  # December is not complete on the 6th
    assert _over(W, _wages(["2025-11", "2026-11", "2026-12"])) == []  # outside at both ends


# --- the line ------------------------------------------------------------------------------------------------------


def test_the_line_is_standard_times_members():
    two = _pop(DIBAO | {"members": 2})
    assert _over(W, _wages(["2026-09", "2026-10", "2026-11"], 2 * STD), two) == []  # equal: not over
    facts = _over(W, _wages(["2026-09", "2026-10", "2026-11"], 2 * STD + 1), two)
    assert [f["value"] for f in facts] == [2 * STD + 1]
    assert _over(W, _wages(["2026-09", "2026-10", "2026-11"], STD + STD // 2), two) == []  # over one head's line


def test_the_line_multiple_parameter_and_its_default():
    months = ["2026-09", "2026-10", "2026-11"]
    one_and_half = W | {"line_multiple": 1.5}
    assert _over(one_and_half, _wages(months, STD * 3 // 2)) == []  # equal to 1.5 × the line
    assert _over(one_and_half, _wages(months, STD * 3 // 2 + 1))
    assert _over(one_and_half, _wages(months, STD + 1)) == []  # over 1.0 × but not 1.5 ×
    default = {k: v for k, v in W.items() if k != "line_multiple"}  # 1.0 when not set
    assert _over(default, _wages(months, STD + 1))
    assert _over(default, _wages(months, STD)) == []


def test_the_months_parameter_and_its_default():
    assert _over(W | {"months": 2}, _wages(["2026-10", "2026-11"]))
    assert _over(W | {"months": 2}, _wages(["2026-11"])) == []
    default = {k: v for k, v in W.items() if k != "months"}  # 3 when not set
    assert _over(default, _wages(["2026-09", "2026-10", "2026-11"]))
    assert _over(default, _wages(["2026-10", "2026-11"])) == []


def test_the_net_wage_is_gross_minus_tax_and_a_missing_tax_is_none():
    months = ["2026-09", "2026-10", "2026-11"]
    assert _over(W, _wages(months, STD + 100, tax=100)) == []  # net equal to the line
    assert _over(W, _wages(months, STD + 101, tax=100))
    assert _over(W, _wages(months, STD + 1, tax=None))  # no tax recorded: the gross counts, a fen over


# --- who the fact names --------------------------------------------------------------------------------------------


def test_the_fact_names_the_member_with_the_highest_month_and_only_their_household():
    pop = _pop(DIBAO | {"members": 2}, DIBAO | {"person_key": "k3", "person_id": 3, "members": 2}, OTHER)
    rows = _wages(["2026-09", "2026-10", "2026-11"], STD) + _wages(["2026-09", "2026-10"], STD + 2, key="k3")
    rows += [_wage("2026-11", STD + 5, key="k3")]
    facts = _over(W, rows, pop)
    assert [(f["person_id"], f["household_id"], f["value"]) for f in facts] == [(3, 10, 2 * STD + 5)]


# --- pensions ------------------------------------------------------------------------------------------------------


def _pension(month, fen, kind="养老金", key="k1"):
    return {"person_key": key, "month": month, "kind": kind, "amount": fen}


def test_pension_over_line_window_and_kind():
    p = PARAMS["pension_over_line"]
    months = ["2025-12", "2026-06", "2026-11"]
    facts = _facts("pension_over_line", p, AS_OF, _pop(DIBAO),
                   social_insurance=[_pension(m, STD + 1) for m in months])  # fmt: skip
    assert [(f["record_key"], f["value"]) for f in facts] == [("2025-12", STD + 1)]
    assert _facts("pension_over_line", p, AS_OF, _pop(DIBAO),
                  social_insurance=[_pension(m, STD) for m in months]) == []  # fmt: skip
    assert _facts("pension_over_line", p, AS_OF, _pop(DIBAO),
                  social_insurance=[_pension(m, STD + 1, "失业保险金") for m in months]) == []  # fmt: skip
    late = ["2025-11", "2026-06", "2026-11"]
    assert _facts("pension_over_line", p, AS_OF, _pop(DIBAO),
                  social_insurance=[_pension(m, STD + 1) for m in late]) == []  # fmt: skip


# --- events: the status that makes one, the value carried ----------------------------------------------------------

REGISTERED = {"person_key": "k9", "person_id": 9, "household_id": 90, "category": "registered",
              "standard_fen": None, "members": 2}  # fmt: skip


def test_unemployment_only_a_registration_as_unemployed():
    pop = _pop(REGISTERED)
    job = {"person_key": "k9", "registered_on": D(2026, 11, 1), "status": "失业", "ended_on": None}
    facts = _facts("unemployment", PARAMS["unemployment_registered"], AS_OF, pop, unemployment=[job])
    assert [(f["record_key"], f["occurred_on"], f["value"]) for f in facts] == [("2026-11-01", D(2026, 11, 1), 0)]
    found = job | {"status": "已就业"}
    assert _facts("unemployment", PARAMS["unemployment_registered"], AS_OF, pop, unemployment=[found]) == []


def _move(region, status="迁出", on=NOV_1):
    return {"person_key": "k1", "name": "某", "region_code": region, "status": status, "changed_on": on}


def test_moved_away_outside_the_county_by_default_and_the_city_with_four_digits():
    p = PARAMS["moved_away"]
    here = "411702001001"  # the household's village (county 411702)
    facts = _facts("moved_away", p, AS_OF, _pop(DIBAO), hukou=[_move("411721001001")])  # another county
    assert [(f["record_key"], f["occurred_on"], f["value"]) for f in facts] == [("411721001001", D(2026, 11, 1), 0)]
    assert _facts("moved_away", p, AS_OF, _pop(DIBAO), hukou=[_move("411702002001")]) == []  # same county
    assert _facts("moved_away", p, AS_OF, _pop(DIBAO), hukou=[_move("411721001001", "迁入")]) == []
    city = p | {"outside_digits": 4}
    assert _facts("moved_away", city, AS_OF, _pop(DIBAO), hukou=[_move("411721001001")]) == []  # same city
    assert _facts("moved_away", city, AS_OF, _pop(DIBAO), hukou=[_move("410102001001")])
    default = {k: v for k, v in p.items() if k != "outside_digits"}  # 6 when not set
    assert _facts("moved_away", default, AS_OF, _pop(DIBAO), hukou=[_move("411721001001")])
    assert _facts("moved_away", default, AS_OF, _pop(DIBAO), hukou=[_move("411702101001")]) == []  # 7th digit
    assert here[:6] == "411702"


# --- 残疾人两项补贴 ---------------------------------------------------------------------------------------------


def _cert(grade=1, status="有效", **extra):
    return {"person_key": "k1", "cert_no": "c-k1", "category": "4", "grade": grade,
            "issued_on": extra.pop("issued_on", D(2020, 1, 1)), "status": status, **extra}  # fmt: skip


CARE = DIBAO | {"category": "severe_care"}


def test_certificate_lost_record_key_and_day():
    p = PARAMS["subsidy_certificate_lost"]
    expired = _facts("certificate_lost", p, AS_OF, _pop(CARE), disability=[_cert(valid_until=D(2026, 10, 31))])
    assert [(f["record_key"], f["occurred_on"]) for f in expired] == [("残疾人证有效期至2026-10-31", D(2026, 10, 31))]
    revoked = _facts("certificate_lost", p, AS_OF, _pop(CARE),
                     disability=[_cert(status="注销", issued_on=D(2021, 3, 4))])  # fmt: skip
    assert [(f["record_key"], f["occurred_on"]) for f in revoked] == [("残疾人证注销", D(2021, 3, 4))]  # no 变更日期


def test_also_enrolled_programmes_parameter_default_and_fact():
    p = PARAMS["subsidy_tekun_central"]
    central = DIBAO | {"category": "tekun", "programme": "tekun_central"}
    pop = _pop(CARE, central)
    facts = _facts("also_enrolled", p, AS_OF, pop)
    assert [(f["record_key"], f["occurred_on"], f["value"]) for f in facts] == [("同时在保：tekun_central", AS_OF, 0)]
    assert _facts("also_enrolled", p | {"programmes": ["dibao"]}, AS_OF, pop) == []
    default = {k: v for k, v in p.items() if k != "programmes"}  # 特困 集中供养 when not set
    assert len(_facts("also_enrolled", default, AS_OF, pop)) == 1


# --- deaths -----------------------------------------------------------------------------------------------------


def test_a_death_fact_carries_its_day_and_no_amount():
    death = {"person_key": "k1", "death_date": NOV_1, "reporter": "火化"}
    facts = _facts("death", PARAMS["death_of_recipient"], AS_OF, _pop(DIBAO), deaths=[death])
    assert [(f["record_key"], f["occurred_on"], f["value"]) for f in facts] == [("2026-11-01", NOV_1, 0)]


# --- deposits: parameters, defaults, the look-back day, the fact ------------------------------------------------

DEP = PARAMS["large_deposits"]  # 24 months, 存款/理财/证券, balances of the last 366 days
LINE = 24 * STD  # one member


def _balance(fen, product="存款", on=NOV_30, key="k1", institution="中国农业银行"):
    return {"person_key": key, "institution": institution, "product": product, "balance": fen, "as_of": on}


def _dep(params, balances, pop=None):
    return _facts("deposits", params, AS_OF, pop or _pop(DIBAO), deposits=balances)


def test_deposit_products_default_to_all_three():
    default = {k: v for k, v in DEP.items() if k != "products"}
    for product in ("存款", "理财", "证券"):
        assert _dep(default, [_balance(LINE + 1, product)]), product
    assert _dep(default, [_balance(LINE + 1, "保险")]) == []


def test_deposit_months_parameter_and_its_default():
    twelve = DEP | {"months": 12}
    assert _dep(twelve, [_balance(12 * STD + 1)])
    assert _dep(twelve, [_balance(12 * STD)]) == []
    default = {k: v for k, v in DEP.items() if k != "months"}  # 24 when not set
    assert _dep(default, [_balance(LINE + 1)])
    assert _dep(default, [_balance(LINE)]) == []


def test_a_balance_dated_the_run_s_day_counts_the_next_day_s_does_not():
    assert _dep(DEP, [_balance(LINE + 1, on=AS_OF)])
    assert _dep(DEP, [_balance(LINE + 1, on=AS_OF + datetime.timedelta(days=1))]) == []


def test_deposit_look_back_day_is_outside_the_day_after_inside():
    edge = AS_OF - datetime.timedelta(days=366)
    assert _dep(DEP, [_balance(LINE + 1, on=edge)]) == []
    assert _dep(DEP, [_balance(LINE + 1, on=edge + datetime.timedelta(days=1))])
    no_window = {k: v for k, v in DEP.items() if k != "lookback_days"}  # every balance up to the run's day
    assert _dep(no_window, [_balance(LINE + 1, on=D(2020, 1, 1))])


def test_deposit_fact_names_the_largest_holder_and_the_latest_statement_day():
    pop = _pop(DIBAO | {"members": 2}, DIBAO | {"person_key": "k3", "person_id": 3, "members": 2}, OTHER)
    facts = _dep(DEP, [_balance(LINE, on=D(2026, 10, 31)), _balance(LINE + 1, key="k3", on=D(2026, 11, 15))], pop)
    assert [(f["person_id"], f["household_id"], f["occurred_on"], f["value"]) for f in facts] == [
        (3, 10, D(2026, 11, 15), 2 * LINE + 1)
    ]


# --- medical bills: the floor, its default, the fact ------------------------------------------------------------

MED = PARAMS["big_medical_bills"]


def _bill(fen, on=NOV_20, key="k9"):
    return {"person_key": key, "settled_on": on, "total_cost": fen * 2, "self_paid": fen, "diagnosis": "恶性肿瘤"}


def test_medical_floor_parameter_and_its_default():
    low = MED | {"min_self_paid_yuan": 10_000}
    assert _facts("medical", low, AS_OF, _pop(REGISTERED), medical=[_bill(10_000_00)])
    assert _facts("medical", low, AS_OF, _pop(REGISTERED), medical=[_bill(9_999_99)]) == []
    default = {k: v for k, v in MED.items() if k != "min_self_paid_yuan"}  # 30,000 元 when not set
    assert _facts("medical", default, AS_OF, _pop(REGISTERED), medical=[_bill(30_000_00)])
    assert _facts("medical", default, AS_OF, _pop(REGISTERED), medical=[_bill(29_999_99)]) == []


def test_medical_fact_names_the_largest_payer_and_the_first_bill():
    pop = _pop(REGISTERED, REGISTERED | {"person_key": "k8", "person_id": 8})
    bills = [_bill(10_000_00, D(2026, 10, 1)), _bill(25_000_00, D(2026, 11, 2), key="k8")]
    facts = _facts("medical", MED, AS_OF, pop, medical=bills)
    assert [(f["person_id"], f["record_key"], f["occurred_on"], f["value"]) for f in facts] == [
        (8, "2026-10-01", D(2026, 10, 1), 35_000_00)
    ]


# --- 资金长期未支取 -------------------------------------------------------------------------------------------------

NW = PARAMS["no_withdrawal"]  # 6 months: on 6 December, June … November


def _stmt(month, credited=630_00, withdrawn=0, key="k1"):
    return {"person_key": key, "account_no": f"a-{key}", "month": month, "credited": credited,
            "withdrawn": withdrawn, "balance": None}  # fmt: skip


SIX = ["2026-06", "2026-07", "2026-08", "2026-09", "2026-10", "2026-11"]


def _idle(params, statements, pop=None):
    facts = _facts("no_withdrawal", params, AS_OF, pop or _pop(DIBAO), benefit_account=statements)
    return [(f["person_id"], f["household_id"], f["record_key"], f["occurred_on"], f["value"]) for f in facts]


def test_no_withdrawal_occurred_the_month_after_the_last_withdrawal_or_the_window_start():
    assert _idle(NW, [_stmt("2026-03", withdrawn=100_00)] + [_stmt(m) for m in SIX]) == [
        (1, 10, "最后支取2026-03", D(2026, 4, 1), 6 * 630_00)
    ]
    # never withdrawn: the window's first month
    assert _idle(NW, [_stmt(m) for m in SIX]) == [(1, 10, "最后支取无", D(2026, 6, 1), 6 * 630_00)]
    # a withdrawal of one fen is a withdrawal
    assert _idle(NW, [_stmt("2026-05", withdrawn=1)] + [_stmt(m) for m in SIX])[0][2] == "最后支取2026-05"


def test_no_withdrawal_months_parameter_and_its_default():
    assert _idle(NW | {"months": 1}, [_stmt("2026-11")])
    assert _idle(NW | {"months": 3}, [_stmt(m) for m in SIX[-3:]])
    assert _idle(NW | {"months": 3}, [_stmt(m) for m in SIX[-2:]]) == []
    default = {k: v for k, v in NW.items() if k != "months"}  # 6 when not set
    assert _idle(default, [_stmt(m) for m in SIX])
    assert _idle(default, [_stmt(m) for m in SIX[1:]]) == []


def test_no_withdrawal_credit_boundaries_and_missing_figures():
    assert _idle(NW, [_stmt(m, credited=0) for m in SIX]) == []  # nothing came in
    assert _idle(NW, [_stmt(m, credited=0) for m in SIX[:-1]] + [_stmt("2026-11", credited=1)])  # one fen did
    assert _idle(NW, [_stmt(m, credited=None) for m in SIX]) == []  # no credit reported: nothing came in
    assert _idle(NW, [_stmt(m, withdrawn=None) for m in SIX])  # no withdrawal reported: none was made


def test_no_withdrawal_each_household_its_own_accounts():
    pop = _pop(DIBAO, OTHER)
    statements = [_stmt("2026-03", withdrawn=100_00)] + [_stmt(m) for m in SIX]
    statements += [_stmt(m, withdrawn=630_00, key="k2") for m in SIX]  # household 20 withdraws every month
    assert _idle(NW, statements, pop) == [(1, 10, "最后支取2026-03", D(2026, 4, 1), 6 * 630_00)]


# --- the run's day, vehicles, companies -------------------------------------------------------------------------


def test_an_event_on_the_run_s_day_counts_the_day_after_does_not():
    assert _facts("medical", MED, AS_OF, _pop(REGISTERED), medical=[_bill(60_000_00, AS_OF)])
    later = AS_OF + datetime.timedelta(days=1)
    assert _facts("medical", MED, AS_OF, _pop(REGISTERED), medical=[_bill(60_000_00, later)]) == []


def _car(value_fen, kind="小型轿车"):
    return {"person_key": "k1", "plate_no": "豫Q12345", "vehicle_type": kind, "value": value_fen,
            "registered_on": NOV_1, "status": "正常"}  # fmt: skip


def test_vehicle_parameters_default_to_no_floor_and_no_excluded_type():
    bare = {"categories": ["dibao"]}
    assert _facts("vehicle", bare, AS_OF, _pop(DIBAO), vehicles=[_car(50)])  # half a 元: no floor
    assert _facts("vehicle", bare, AS_OF, _pop(DIBAO), vehicles=[_car(50_000_00, "普通二轮摩托车")])
    assert _facts("vehicle", bare | {"exclude_types": [""]}, AS_OF, _pop(DIBAO), vehicles=[_car(50_000_00)])
    typed = PARAMS["vehicle_registered"]
    assert _facts("vehicle", typed, AS_OF, _pop(DIBAO), vehicles=[_car(50_000_00, None)])  # no type recorded


def test_a_company_fact_carries_its_capital_or_zero():
    rule = next(r for r in RULES if r["kind"] == "company")
    firm = {"person_key": "k1", "credit_code": "91411702MA0000000X", "company_name": "某公司", "role": "股东",
            "registered_capital": None, "established_on": NOV_1, "status": "存续"}  # fmt: skip
    params = rule["params"] | {"min_capital_yuan": 0}
    facts = _facts("company", params, AS_OF, _pop(DIBAO), business=[firm])
    assert [(f["record_key"], f["occurred_on"], f["value"]) for f in facts] == [("91411702MA0000000X", NOV_1, 0)]


# --- 残疾人两项补贴 应享未享: parameters, defaults, record keys, the issue day ------------------------------------

UNC = PARAMS["subsidy_unclaimed"]
ISSUED = D(2020, 1, 1)


def _holder(pid, category="registered"):
    return {"person_key": f"k{pid}", "person_id": pid, "household_id": 100 + pid, "category": category}


def _cert_of(pid, grade, on=ISSUED):
    return {"person_key": f"k{pid}", "cert_no": f"c{pid}", "category": "4", "grade": grade, "issued_on": on,
            "status": "有效"}  # fmt: skip


def _unclaimed(params, pop, certs, as_of=AS_OF):
    return sorted((f["person_id"], f["record_key"]) for f in _facts("subsidy_unclaimed", params, as_of, pop,
                                                                     disability=certs))  # fmt: skip


def test_unclaimed_record_keys_name_the_reason():
    pop = _pop(_holder(1), _holder(2, "dibao"), _holder(3))
    certs = [_cert_of(1, 2), _cert_of(2, 4), _cert_of(3, 3)]
    assert _unclaimed(UNC, pop, certs) == [(1, "持2级及以上残疾人证未享受补贴"), (2, "低保家庭残疾人未享受补贴")]


def test_unclaimed_grade_parameter_and_its_default():
    pop = _pop(_holder(1), _holder(2), _holder(3))
    certs = [_cert_of(1, 1), _cert_of(2, 2), _cert_of(3, 3)]
    assert [p for p, _ in _unclaimed(UNC | {"max_grade": 1}, pop, certs)] == [1]
    default = {k: v for k, v in UNC.items() if k != "max_grade"}  # grade 1–2 when not set
    assert [p for p, _ in _unclaimed(default, pop, certs)] == [1, 2]


def test_unclaimed_low_income_parameter_and_its_default():
    pop = _pop(_holder(1, "dibao"), _holder(2, "edge"))
    certs = [_cert_of(1, 4), _cert_of(2, 4)]
    assert [p for p, _ in _unclaimed(UNC | {"low_income_categories": ["edge"]}, pop, certs)] == [2]
    default = {k: v for k, v in UNC.items() if k != "low_income_categories"}  # 低保 when not set
    assert [p for p, _ in _unclaimed(default, pop, certs)] == [1]


def test_unclaimed_subsidy_categories_parameter():
    pop = _pop(_holder(1), _holder(1, "disability_living"))
    assert _unclaimed(UNC, pop, [_cert_of(1, 1)]) == []  # a recipient
    only_care = UNC | {"subsidy_categories": ["severe_care"]}  # 生活补贴 then does not count as receiving one
    assert [p for p, _ in _unclaimed(only_care, pop, [_cert_of(1, 1)])] == [1]


def test_a_certificate_issued_on_the_run_s_day_is_in_force_the_next_day_s_is_not():
    pop = _pop(_holder(1))
    assert _unclaimed(UNC, pop, [_cert_of(1, 1, AS_OF)])
    assert _unclaimed(UNC, pop, [_cert_of(1, 1, AS_OF + datetime.timedelta(days=1))]) == []


def test_a_rule_without_categories_watches_everybody():
    bare = {k: v for k, v in MED.items() if k != "categories"}
    assert _facts("medical", bare, AS_OF, _pop(REGISTERED), medical=[_bill(60_000_00)])
