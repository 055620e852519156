"""Planted cases: events of known ground truth in the monitored households, each written both into the
departmental records and into the ground-truth list that tests and benchmarks read.

应退 (should leave) among enrolled households (低保, 特困): a recipient died, a car, a home or a company was
registered, wages or a pension lift the household over the line, the person moved away, the person is
enrolled twice, the benefit has not been withdrawn for months (资金长期未支取). 应保 (should be helped) among
低保边缘 and 支出型 households: the main earner died, big medical bills, a new severe-disability certificate,
registered unemployment. Every household holds at most one case.
"""

import json

import numpy as np

from huimin.demo import departments as D
from huimin.demo import programmes as P

EXIT, ENTER = "应退", "应保"
RATE_EXIT, RATE_ENTER = 0.015, 0.03  # share of eligible households per kind
MIN_PER_KIND = 2
MOVED_TO = np.array(["410105000000", "440305000000", "320106000000", "330106000000"])  # outside the city

# kind → (direction, source, programmes it is planted among)
KINDS = {
    "death_of_recipient": (EXIT, "deaths", P.ENROLLED),
    "vehicle_registered": (EXIT, "vehicles", P.ENROLLED),
    "property_registered": (EXIT, "real_estate", P.ENROLLED),
    "company_registered": (EXIT, "business", P.ENROLLED),
    "high_wages": (EXIT, "wages", (P.DIBAO,)),
    "pension_above_line": (EXIT, "social_insurance", (P.DIBAO,)),
    "moved_away": (EXIT, "hukou", P.ENROLLED),
    "enrolled_twice": (EXIT, "registry", P.ENROLLED),
    "death_of_earner": (ENTER, "deaths", P.LOW_INCOME_NOT_ENROLLED),
    "big_medical_bills": (ENTER, "medical", P.LOW_INCOME_NOT_ENROLLED),
    "new_disability": (ENTER, "disability", P.LOW_INCOME_NOT_ENROLLED),
    "unemployment_registered": (ENTER, "unemployment", P.LOW_INCOME_NOT_ENROLLED),
    # last: adding it left the draws of the kinds above unchanged
    "no_withdrawal": (EXIT, "benefit_account", D.PAID_BY_BANK),
    # added after it, for the same reason
    "large_deposits": (EXIT, "deposits", P.ENROLLED),
    # 主动发现: the 应保 events in households in no programme, found because the 应保 rules watch the whole registry
    "registered_medical_bills": (ENTER, "medical", (P.NONE,)),
    "registered_disability": (ENTER, "disability", (P.NONE,)),
    "registered_earner_death": (ENTER, "deaths", (P.NONE,)),
    "registered_unemployment": (ENTER, "unemployment", (P.NONE,)),
}
# a 主动发现 kind is written like the 应保 kind it copies, at a lower rate (the registry is large)
WRITES_AS = {
    "registered_medical_bills": "big_medical_bills",
    "registered_disability": "new_disability",
    "registered_earner_death": "death_of_earner",
    "registered_unemployment": "unemployment_registered",
}
RATE_DISCOVERY = 0.002
# planted kind → the default warning rule (monitoring.defaults) that must warn it
RULE_OF = {"high_wages": "wages_over_line", "pension_above_line": "pension_over_line", **WRITES_AS}
DEPOSIT_MONTHS = (30, 60)  # a planted large deposit holds this many months of standard × members (rule: over 24)
IDLE_MONTHS = (6, 9)  # a planted 资金长期未支取 case has not withdrawn for this many months (inclusive)


def _eligible_persons(kind: str, p: dict) -> np.ndarray:
    kind = WRITES_AS.get(kind, kind)
    age = p["age"]
    if kind in ("vehicle_registered", "property_registered", "company_registered", "moved_away"):
        return age >= 22
    if kind == "high_wages":
        return (age >= 18) & (age < 60) & (p["labour_ability"] != "unable")
    if kind == "pension_above_line":  # someone starting a pension: no pension record in the background yet
        return ((age >= 50) & (age < 60)) | ((age >= 60) & (p["income_cents"] == 0))
    if kind == "enrolled_twice":
        year = p["birth_date"].astype("datetime64[Y]").astype(int) + 1970
        return (year >= 1901) & (year <= 1999)
    if kind in ("death_of_earner", "unemployment_registered"):
        earner = p["is_main_earner"] & (p["household_size"] >= 2)
        if kind == "unemployment_registered":
            earner &= (p["labour_ability"] == "able") & (age >= 18) & (age < 60)
        return earner
    if kind == "new_disability":
        return p["disability_grade"] == 0
    if kind == "large_deposits":  # the head: a 特困 household's enrolled person
        return (p["relation"] == "01") & (age >= 18)
    return np.ones(len(age), bool)


def _eligible(kind: str, p: dict, hh: dict) -> np.ndarray:
    ok = _eligible_persons(kind, p)
    if kind == "no_withdrawal":  # the payee (head) of a household paid long enough to have withdrawn before
        back = P.months_back(hh["household_id"][p["household_index"]])
        ok &= (p["relation"] == "01") & (back >= IDLE_MONTHS[1])
    return ok


def _add(dept: dict, source: str, **columns):
    rows = dept[source]
    added = len(next(iter(columns.values())))
    for name, old in rows.items():  # an optional column the planted case does not name stays empty
        if name not in columns and not isinstance(old, tuple) and old.dtype.kind in "MO":
            columns[name] = np.full(added, np.datetime64("NaT") if old.dtype.kind == "M" else None, old.dtype)
    for name, values in columns.items():
        old = rows[name]
        if isinstance(old, tuple):
            rows[name] = (np.concatenate([old[0], values[0]]), np.concatenate([old[1], values[1]]))
        elif old.dtype.kind == "U":
            rows[name] = np.concatenate([old, np.asarray(values).astype(str)])
        else:
            rows[name] = np.concatenate([old, np.asarray(values, dtype=old.dtype)])


def plant(rng, p: dict, hh: dict, dept: dict, as_of: np.datetime64, counters: D.Counters, village_county):
    """Choose and write the cases of one chunk. Returns (ground-truth rows, duplicates to add: list of
    (original person index, village index))."""
    n_hh = len(hh["programme"])
    planted = np.zeros(n_hh, bool)
    truth, duplicates = [], []
    hh_of = p["household_index"]
    for kind, (direction, source, programmes) in KINDS.items():
        person_ok = _eligible(kind, p, hh)
        hh_ok = np.isin(hh["programme"], programmes)
        pool_all = np.flatnonzero(hh_ok)
        candidates = np.flatnonzero(person_ok & hh_ok[hh_of] & ~planted[hh_of])
        rate = RATE_DISCOVERY if kind in WRITES_AS else RATE_EXIT if direction == EXIT else RATE_ENTER
        want = max(MIN_PER_KIND, round(rate * len(pool_all)))
        rng.shuffle(candidates)
        _, first = np.unique(hh_of[candidates], return_index=True)  # one person per household
        picks = candidates[first]
        rng.shuffle(picks)
        chosen = np.sort(picks[:want])
        planted[hh_of[chosen]] = True
        for i, record in zip(chosen, _write(kind, rng, p, hh, dept, as_of, counters, chosen), strict=True):
            h = hh_of[i]
            if kind == "enrolled_twice":
                others = np.flatnonzero(village_county != village_county[p["village_index"][i]])
                duplicates.append((int(i), int(rng.choice(others))))
            truth.append(
                {
                    "kind": kind,
                    "direction": direction,
                    "source": source,
                    "person_id": int(p["person_id"][i]),
                    "id_number": str(p["id_number"][i]),
                    "household_number": str(hh["number"][h]),
                    "programme": str(hh["programme"][h]),
                    "township_code": str(hh["township_code"][h]),
                    "county_code": str(hh["county_code"][h]),
                    "occurred_on": record.pop("occurred_on"),
                    "record_key": record.pop("record_key"),
                    "detail": json.dumps(record, ensure_ascii=False, sort_keys=True),
                }
            )
    return truth, duplicates, planted


def _days(rng, as_of, k, lo=10, hi=90):
    return D.days_before(rng, as_of, k, lo, hi)


def _write(kind, rng, p, hh, dept, as_of, counters, chosen) -> list[dict]:
    """Add the departmental records of one kind; return per case its occurred_on, record_key and details."""
    k = len(chosen)
    if k == 0:  # a small city may have no eligible household for a kind
        return []
    kind = WRITES_AS.get(kind, kind)
    ids = p["id_number"][chosen]
    std = hh["standard_cents"][p["household_index"][chosen]]
    size = p["household_size"][chosen]
    when = _days(rng, as_of, k)
    cases = [{"occurred_on": str(d)} for d in when]
    if kind in ("death_of_recipient", "death_of_earner"):
        reporter = rng.choice(np.array(["医学死亡证明", "火化", "户籍注销"]), k)
        _add(dept, "deaths", id_number=ids, death_date=when, reporter=reporter)
        dept["hukou"]["status"][chosen] = "死亡注销"
        dept["hukou"]["changed_on"][chosen] = when
        for c, r in zip(cases, reporter, strict=True):
            c.update(record_key=c["occurred_on"], reporter=str(r))
    elif kind == "moved_away":
        dest = rng.choice(MOVED_TO, k)
        dept["hukou"]["status"][chosen] = "迁出"
        dept["hukou"]["changed_on"][chosen] = when
        dept["hukou"]["region_code"][chosen] = dest
        for c, d in zip(cases, dest, strict=True):
            c.update(record_key=str(d), moved_to=str(d))
    elif kind == "vehicle_registered":
        plate = D.plates(counters.take("plate", k))
        value = rng.integers(60_000, 250_000, k).astype(np.int64) * 100
        _add(dept, "vehicles", id_number=ids, plate_no=plate, vehicle_type=np.full(k, "小型轿车"), value=value,
             registered_on=when, status=np.full(k, "正常"))  # fmt: skip
        for c, pl, v in zip(cases, plate, value, strict=True):
            c.update(record_key=str(pl), value_cents=int(v))
    elif kind == "property_registered":
        years = when.astype("datetime64[Y]").astype(int) + 1970
        cert = D.estate_cert_numbers(counters.take("estate", k), years)
        area = rng.integers(100, 161, k)
        value = (area * rng.integers(4500, 6500, k) * 100).astype(np.int64)
        _add(dept, "real_estate", id_number=ids, cert_no=cert, use=np.full(k, "住宅"),
             area_m2=area.astype(np.int64) * 100, value=value, registered_on=when)  # fmt: skip
        for c, ce, a in zip(cases, cert, area, strict=True):
            c.update(record_key=str(ce), area_m2=int(a))
    elif kind == "company_registered":
        rows = D.business_rows(rng, p, chosen, as_of, counters, recent=True)
        rows["established_on"] = when
        _add(dept, "business", **rows)
        for c, code in zip(cases, rows["credit_code"], strict=True):
            c.update(record_key=str(code))
    elif kind == "high_wages":
        months_n = rng.integers(3, 7, k)
        monthly = np.round(std * size * rng.uniform(1.5, 2.5, k)).astype(np.int64) + 2000_00
        months = D.months_before(as_of, 12)
        person = np.repeat(np.arange(k), months_n)
        offset = np.concatenate([np.arange(12 - m, 12) for m in months_n])
        gross = monthly[person]
        employer = np.full(len(person), "驻马店市顺达物流有限公司")
        _add(dept, "wages", id_number=ids[person], month=months[offset], employer=employer, gross_wage=gross,
             tax=np.maximum(0, (gross - 5000_00) * 3 // 100))  # fmt: skip
        _add(dept, "social_insurance", id_number=ids[person], month=months[offset], kind=np.full(len(person), "缴费"),
             amount=gross)  # fmt: skip
        for c, m, w in zip(cases, months_n, monthly, strict=True):
            c.update(occurred_on=f"{months[12 - m]}-01", record_key=str(months[12 - m]), months=int(m),
                     monthly_wage_cents=int(w))  # fmt: skip
    elif kind == "pension_above_line":
        months = D.months_before(as_of, 3)
        amount = np.round(std * size * rng.uniform(1.2, 2.0, k)).astype(np.int64)
        _add(dept, "social_insurance", id_number=np.repeat(ids, 3), month=np.tile(months, k),
             kind=np.full(3 * k, "养老金"), amount=np.repeat(amount, 3))  # fmt: skip
        for c, a in zip(cases, amount, strict=True):
            c.update(occurred_on=f"{months[0]}-01", record_key=str(months[0]), monthly_pension_cents=int(a))
    elif kind == "enrolled_twice":
        for c in cases:
            c.update(occurred_on=str(as_of), record_key="")
    elif kind == "big_medical_bills":
        self_paid = rng.integers(D.PLANTED_MEDICAL_SELF_PAID_MIN // 100, 150_000, k).astype(np.int64) * 100
        total = self_paid * 100 // rng.integers(35, 60, k)
        diagnosis = rng.choice(np.array(["恶性肿瘤", "尿毒症（终末期肾病）", "白血病", "重度烧伤"]), k)
        _add(dept, "medical", id_number=ids, settled_on=when, total_cost=total, self_paid=self_paid,
             diagnosis=diagnosis)  # fmt: skip
        for c, s in zip(cases, self_paid, strict=True):
            c.update(record_key=c["occurred_on"], self_paid_cents=int(s))
    elif kind == "new_disability":
        when = _days(rng, as_of, k, 5, D.NEW_CERTIFICATE_DAYS)
        category = rng.choice(np.array(["1", "4", "5", "6", "7"]), k)
        grade = rng.integers(1, 3, k)
        cert = np.char.add(ids, np.char.add(category, grade.astype(str)))
        _add(dept, "disability", id_number=ids, cert_no=cert, category=category, grade=grade, issued_on=when,
             status=np.full(k, "有效"))  # fmt: skip
        for c, ce, d, g in zip(cases, cert, when, grade, strict=True):
            c.update(occurred_on=str(d), record_key=str(ce), grade=int(g))
    elif kind == "no_withdrawal":
        rows = dept["benefit_account"]
        idle = rng.integers(IDLE_MONTHS[0], IDLE_MONTHS[1] + 1, k)
        months = D.months_before(as_of, 12)
        for c, number, m in zip(cases, ids, idle, strict=True):
            mine = np.flatnonzero(rows["id_number"] == number)
            mine = mine[np.argsort(rows["month"][mine])][-m:]
            rows["withdrawn"][mine] = 0
            rows["balance"][0][mine] = np.cumsum(rows["credited"][mine])
            last = months[len(months) - 1 - m]
            c.update(occurred_on=f"{months[len(months) - m]}-01", record_key=str(last), idle_months=int(m))
    elif kind == "large_deposits":
        balance = np.round(std * size * rng.uniform(*DEPOSIT_MONTHS, k)).astype(np.int64)
        institution = D.INSTITUTIONS[rng.integers(0, len(D.INSTITUTIONS), k)]
        # a 理财 product (the background gives monitored households 存款 only), its balance as of the file's day
        _add(dept, "deposits", id_number=ids, institution=institution, product=np.full(k, "理财"), balance=balance,
             as_of=np.full(k, as_of))  # fmt: skip
        for c, b in zip(cases, balance, strict=True):
            c.update(occurred_on=str(as_of), record_key="金融资产超过24个月标准", balance_cents=int(b))
    elif kind == "unemployment_registered":
        _add(dept, "unemployment", id_number=ids, registered_on=when, status=np.full(k, "失业"),
             ended_on=np.full(k, np.datetime64("NaT"), dtype="datetime64[D]"))  # fmt: skip
        for c in cases:
            c.update(record_key=c["occurred_on"])
    return cases
