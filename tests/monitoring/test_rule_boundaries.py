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
NOV_1 = D(2026, 11, 1)
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
