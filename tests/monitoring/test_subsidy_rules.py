"""The 残疾人两项补贴 rules (as data in monitoring.defaults), each on both sides: 应享未享 (a valid certificate of
grade 1–2, or of a 低保 household, and no subsidy) and 应退未退 (a recipient who died, moved out of the county, lost
the certificate — 注销 or past 有效期至 — or entered 特困 集中供养)."""

import datetime

from huimin.monitoring.defaults import RULES
from tests.monitoring.test_rule_windows import _facts, _pop

D = datetime.date
RULE = {r["code"]: r for r in RULES}
AS_OF = D(2026, 11, 20)


def _cert(key, grade=2, status="有效", **extra):
    return {"person_key": key, "cert_no": f"c-{key}", "category": extra.pop("category", "4"), "grade": grade,
            "issued_on": extra.pop("issued_on", D(2020, 1, 1)), "status": status, **extra}  # fmt: skip


def _unclaimed(pop, certs):
    rule = RULE["subsidy_unclaimed"]
    return {f["person_id"] for f in _facts(rule["kind"], rule["params"], AS_OF, pop, disability=certs)}


def _person(pid, category="registered", **extra):
    return {"person_key": f"k{pid}", "person_id": pid, "household_id": 100 + pid, "category": category, **extra}


def test_unclaimed_grade_1_2_holder_warns_grade_3_does_not():
    pop = _pop(_person(1), _person(2), _person(3))
    certs = [_cert("k1", grade=1), _cert("k2", grade=2), _cert("k3", grade=3)]
    assert _unclaimed(pop, certs) == {1, 2}


def test_unclaimed_low_income_holder_of_any_grade_warns():
    pop = _pop(_person(4, "dibao"), _person(5, "edge"))
    assert _unclaimed(pop, [_cert("k4", grade=4), _cert("k5", grade=4)]) == {4}


def test_unclaimed_not_for_a_recipient_of_either_subsidy():
    pop = _pop(_person(1, "dibao"), _person(1, "disability_living"), _person(2), _person(2, "severe_care"),
               _person(3))  # fmt: skip
    assert _unclaimed(pop, [_cert("k1", grade=4), _cert("k2", grade=1), _cert("k3", grade=1)]) == {3}


def test_unclaimed_not_for_a_revoked_or_expired_certificate_the_expiry_day_still_valid():
    pop = _pop(_person(1), _person(2), _person(3), _person(4))
    certs = [
        _cert("k1", grade=1, status="注销", changed_on=D(2026, 10, 1)),
        _cert("k2", grade=1, valid_until=D(2026, 11, 19)),
        _cert("k3", grade=1, valid_until=AS_OF),
        _cert("k4", grade=1, issued_on=D(2020, 1, 1)),
        _cert("k4", grade=1, status="注销", issued_on=D(2020, 1, 1), changed_on=D(2026, 6, 1)),
    ]
    assert _unclaimed(pop, certs) == {3}  # the newest record of k4 (its 注销) counts


def test_certificate_lost_both_sides():
    rule = RULE["subsidy_certificate_lost"]
    pop = _pop(_person(1, "severe_care"), _person(2, "severe_care"), _person(3, "disability_living"),
               _person(4, "disability_living"), _person(5, "dibao"))  # fmt: skip
    certs = [_cert("k1", status="注销", changed_on=D(2026, 9, 30)), _cert("k2"),
             _cert("k3", valid_until=D(2026, 11, 19)), _cert("k4", valid_until=AS_OF),
             _cert("k5", status="注销")]  # fmt: skip
    facts = {f["person_id"]: f for f in _facts(rule["kind"], rule["params"], AS_OF, pop, disability=certs)}
    assert set(facts) == {1, 3}  # a 低保 person's certificate is not this rule's business
    assert facts[1]["record_key"] == "残疾人证注销" and facts[1]["occurred_on"] == D(2026, 9, 30)
    assert facts[3]["occurred_on"] == D(2026, 11, 19)


def test_recipient_in_tekun_central_warns_scattered_does_not():
    rule = RULE["subsidy_tekun_central"]
    pop = _pop(_person(1, "severe_care"), _person(1, "tekun", programme="tekun_central"),
               _person(2, "severe_care"), _person(2, "tekun", programme="tekun_scattered"),
               _person(3, "tekun", programme="tekun_central"))  # fmt: skip
    facts = _facts(rule["kind"], rule["params"], AS_OF, pop)
    assert {f["person_id"] for f in facts} == {1}
    assert facts[0]["record_key"] == "同时在保：tekun_central"


def test_recipient_died_warns_a_non_recipient_does_not():
    rule = RULE["subsidy_recipient_died"]
    pop = _pop(_person(1, "severe_care"), _person(2))
    deaths = [{"person_key": k, "death_date": D(2026, 11, 1), "reporter": "火化"} for k in ("k1", "k2")]
    assert {f["person_id"] for f in _facts(rule["kind"], rule["params"], AS_OF, pop, deaths=deaths)} == {1}


def test_recipient_moved_out_of_the_county_warns_within_the_county_does_not():
    rule = RULE["subsidy_recipient_moved"]
    pop = _pop(_person(1, "disability_living"), _person(2, "disability_living"))
    hukou = [{"person_key": "k1", "name": "甲", "region_code": "511402001001", "status": "迁出",
              "changed_on": D(2026, 10, 1)},
             {"person_key": "k2", "name": "乙", "region_code": "411702002001", "status": "迁出",
              "changed_on": D(2026, 10, 1)}]  # fmt: skip
    assert {f["person_id"] for f in _facts(rule["kind"], rule["params"], AS_OF, pop, hukou=hukou)} == {1}
