"""The departments' records of the demo city, one dict of numpy columns per source (huimin.engine.sources).

Background rules (docs/demo-city.md): households in the monitored low-income population (低保, 特困, 低保边缘,
支出型) carry no record that any warning rule should react to — no wages, contributions, housing fund, cars,
companies, unemployment or deaths; at most one small old home; small deposits; small medical bills; disability
certificates older than a year. Only planted cases (huimin.demo.planted) add such records.

The paying bank's statement (benefit_account) has a row per month for each 低保 and 散居特困 household's payee
(the head) since the enrolment began: the month's benefit credited and all of it withdrawn. Planted 资金长期未支取
cases leave the last months untouched.
"""

import datetime

import numpy as np
from stdnum.cn import uscc

from huimin.demo import programmes as P
from huimin.engine.sources import last_complete_month

# Thresholds the background of monitored households stays under (and planted cases exceed).
BACKGROUND_MEDICAL_SELF_PAID_MAX = 1_200_00  # 分 per settlement, at most 2 settlements per person a year
# Outside the monitored population (主动发现 watches it too): no background unemployment registration and only
# small medical settlements (分, each) within this many days of as_of — longer than the 应保 rules' 90 days.
REGISTERED_QUIET_DAYS = 120
REGISTERED_RECENT_SELF_PAID_MAX = 1_000_00
PLANTED_MEDICAL_SELF_PAID_MIN = 30_000_00
MONITORED_HOME_AREA_MAX = 90
NEW_CERTIFICATE_DAYS = 90  # a disability certificate issued within this many days counts as new
RECENT_DAYS = 180  # planted registrations (cars, homes, companies) fall within this many days of as_of

_PLATE_LETTERS = np.array(list("ABCDEFGHJKLMNPQRSTUVWXYZ"))
EMPLOYERS = np.array(
    [
        "驻马店市城投建设有限公司", "驻马店市第一人民医院", "驿城区教育局", "河南天中食品有限公司",
        "驻马店市公共交通有限公司", "中国邮政集团有限公司驻马店市分公司", "河南昊华骏化集团有限公司",
        "驻马店市中心医院", "遂平县克明面业有限公司", "泌阳县夏南牛业有限公司", "驻马店市自来水有限公司",
        "国网驻马店供电公司", "上蔡县人民医院", "西平县职业教育中心", "汝南县天中山食品有限公司",
    ]
)  # fmt: skip
DIAGNOSES = np.array(["高血压", "2型糖尿病", "上呼吸道感染", "腰椎间盘突出症", "冠心病", "骨折", "慢性胃炎"])
INSTITUTIONS = np.array(["中国农业银行", "中国邮政储蓄银行", "河南省农村信用社", "中国建设银行", "中国工商银行"])
TRADES = np.array(["商店", "副食店", "农资店", "餐馆", "五金店", "理发店", "养殖场", "服装店"])
INDUSTRIES = np.array(["商贸", "农业科技", "建材", "食品", "物流", "电子科技", "餐饮管理"])


class Counters:
    """Running numbers that must stay unique across chunks (certificates, plates, credit codes)."""

    def __init__(self):
        self.estate = 0
        self.plate = 0
        self.company = 0

    def take(self, name: str, n: int) -> np.ndarray:
        start = getattr(self, name)
        setattr(self, name, start + n)
        return np.arange(start, start + n)


def plates(numbers: np.ndarray) -> np.ndarray:
    """豫Q (驻马店) plates: 豫QA0001 …, then 豫QAB001 … once the first form is used up."""
    first = np.char.add(_PLATE_LETTERS[numbers // 10000 % 24], np.char.zfill((numbers % 10000).astype(str), 4))
    second = np.char.add(
        np.char.add(_PLATE_LETTERS[numbers // 1000 % 24], _PLATE_LETTERS[numbers // 24000 % 24]),
        np.char.zfill((numbers % 1000).astype(str), 3),
    )
    return np.char.add("豫Q", np.where(numbers < 240000, first, second))


def estate_cert_numbers(numbers: np.ndarray, years: np.ndarray) -> np.ndarray:
    return np.array([f"豫({y})驻马店市不动产权第{n + 1:07d}号" for n, y in zip(numbers, years, strict=True)])


def credit_codes(numbers: np.ndarray, county6: np.ndarray) -> np.ndarray:
    """Valid 统一社会信用代码 (GB 32100): 92 个体工商户 / 91 企业, the county code, a synthetic body."""
    out = []
    for n, c in zip(numbers.tolist(), county6.tolist(), strict=True):
        body = f"91{c}MA{n:07d}"
        out.append(body + uscc.calc_check_digit(body))
    return np.array(out)


def months_before(as_of: np.datetime64, count: int) -> np.ndarray:
    """The `count` months ending with the last month complete on as_of (``engine.sources.last_complete_month``:
    as_of's own month on its last day, the month before otherwise), oldest first, as "YYYY-MM". A department's
    monthly file holds no month still under way."""
    last = np.datetime64(last_complete_month("wages", as_of.astype(datetime.date)), "M")
    return np.array([str(m) for m in np.arange(last - count + 1, last + 1)])


def days_before(rng, as_of, n: int, lo: int, hi: int) -> np.ndarray:
    return as_of - rng.integers(lo, hi, n).astype("timedelta64[D]")


def background(rng, p: dict, hh: dict, as_of: np.datetime64, counters: Counters) -> dict[str, dict]:
    """All departmental records of ordinary life, for one chunk. p: persons, hh: households (arrays)."""
    n = len(p["id_number"])
    ids = p["id_number"]
    hh_of = p["household_index"]
    mon = hh["monitored"][hh_of]
    std = hh["standard_cents"][hh_of]
    age = p["age"]
    out: dict[str, dict] = {}
    months = months_before(as_of, 12)

    out["hukou"] = {
        "id_number": ids,
        "name": p["name"],
        "region_code": p["village_code"].copy(),  # planted moves change it; the registry keeps its own
        "status": np.full(n, "正常", dtype="U8"),
        "changed_on": np.full(n, np.datetime64("NaT"), dtype="datetime64[D]"),
    }

    formal = p["formal_job"] & ~mon
    pensioner = (age >= 60) & (p["income_cents"] > 0)
    contrib = np.flatnonzero(formal)
    pens = np.flatnonzero(pensioner)
    si_person = np.concatenate([np.repeat(contrib, 12), np.repeat(pens, 12)])
    out["social_insurance"] = {
        "id_number": ids[si_person],
        "month": np.tile(months, len(contrib) + len(pens)),
        "kind": np.concatenate([np.full(12 * len(contrib), "缴费"), np.full(12 * len(pens), "养老金")]),
        "amount": p["income_cents"][si_person],
    }

    w_person = np.repeat(contrib, 12)
    gross = np.round(p["income_cents"][w_person] * rng.normal(1.0, 0.05, len(w_person))).astype(np.int64)
    employer = EMPLOYERS[(contrib * 7919) % len(EMPLOYERS)]
    out["wages"] = {
        "id_number": ids[w_person],
        "month": np.tile(months, len(contrib)),
        "employer": np.repeat(employer, 12),
        "gross_wage": gross,
        "tax": np.maximum(0, (gross - 5000_00) * 3 // 100),
    }

    fund = contrib[p["is_urban"][contrib] & (rng.random(len(contrib)) < 0.5)]
    f_person = np.repeat(fund, 12)
    deposit = (p["income_cents"][f_person] * 24 // 100).astype(np.int64)
    out["housing_fund"] = {
        "id_number": ids[f_person],
        "month": np.tile(months, len(fund)),
        "deposit": deposit,
        "balance": deposit * np.tile(np.arange(13, 25), len(fund)),
    }

    heads = np.flatnonzero(p["relation"] == "01")
    h_mon = mon[heads]
    h_urban = p["is_urban"][heads]
    r = rng.random(len(heads))
    owns = np.where(h_mon, r < 0.3, r < np.where(h_urban, 0.75, 0.25))
    second = owns & ~h_mon & (rng.random(len(heads)) < 0.1)
    owners = np.concatenate([heads[owns], heads[second]])
    k = len(owners)
    is_second = np.r_[np.zeros(owns.sum(), bool), np.ones(second.sum(), bool)]
    area = np.where(mon[owners], rng.integers(45, MONITORED_HOME_AREA_MAX + 1, k), rng.integers(60, 160, k))
    price = np.where(p["is_urban"][owners], 5200, 2100)
    registered = days_before(rng, as_of, k, 3 * 365, 20 * 365)
    years = registered.astype("datetime64[Y]").astype(int) + 1970
    out["real_estate"] = {
        "id_number": ids[owners],
        "cert_no": estate_cert_numbers(counters.take("estate", k), years),
        "use": np.where(is_second & (rng.random(k) < 0.3), "商业", "住宅"),
        "area_m2": area.astype(np.int64) * 100,
        "value": (area * price * 100).astype(np.int64),
        "registered_on": registered,
    }

    car_owner = heads[~h_mon & (rng.random(len(heads)) < 0.28)]
    k = len(car_owner)
    out["vehicles"] = {
        "id_number": ids[car_owner],
        "plate_no": plates(counters.take("plate", k)),
        "vehicle_type": np.where(rng.random(k) < 0.9, "小型轿车", "小型普通客车"),
        "value": rng.integers(30_000, 250_000, k).astype(np.int64) * 100,
        "registered_on": days_before(rng, as_of, k, 365, 12 * 365),
        "status": np.where(rng.random(k) < 0.05, "注销", "正常"),
    }

    owner = np.flatnonzero(~mon & (age >= 22) & (age < 65) & (rng.random(n) < 0.04))
    out["business"] = business_rows(rng, p, owner, as_of, counters, recent=False)

    adult = (age >= 18) & (rng.random(n) < np.where(mon, 0.4, 0.75))
    dep = np.flatnonzero(adult)
    wealth = np.where(mon[dep], rng.uniform(0, 3, len(dep)) * std[dep], rng.lognormal(np.log(40_000_00), 1.0, len(dep)))
    extra = np.flatnonzero(~mon & (age >= 25) & (rng.random(n) < 0.25))
    stocks = np.flatnonzero(~mon & (age >= 25) & (rng.random(n) < 0.06))
    d_person = np.concatenate([dep, extra, stocks])
    d_kind = np.concatenate([np.full(len(dep), "存款"), np.full(len(extra), "理财"), np.full(len(stocks), "证券")])
    balance = np.concatenate(
        [wealth, rng.lognormal(np.log(80_000_00), 0.8, len(extra)), rng.lognormal(np.log(50_000_00), 1.0, len(stocks))]
    )
    out["deposits"] = {
        "id_number": ids[d_person],
        "institution": INSTITUTIONS[rng.integers(0, len(INSTITUTIONS), len(d_person))],
        "product": d_kind,
        "balance": np.round(balance).astype(np.int64),
        "as_of": np.full(len(d_person), as_of),
    }

    visits = np.where(rng.random(n) < np.where(age >= 60, 0.55, 0.32), rng.integers(1, 4, n), 0)
    visits = np.where(mon, np.minimum(visits, 2), visits)  # monitored: at most 2 small settlements a year
    m_person = np.repeat(np.arange(n), visits)
    m = len(m_person)
    serious = p["health"][m_person] == "serious"
    total = np.round(rng.lognormal(np.log(600_00), 0.9, m) * np.where(serious, 20, 1)).astype(np.int64)
    self_paid = total * 35 // 100
    self_paid = np.where(mon[m_person], np.minimum(self_paid, BACKGROUND_MEDICAL_SELF_PAID_MAX), self_paid)
    total = np.maximum(total, self_paid)
    settled = days_before(rng, as_of, m, 0, 365)
    # 主动发现 watches every registered household: recent settlements outside the monitored population stay small
    # (a household's sum over the 应保 rule's 90 days under its 30,000 元), so the planted cases are the only ones
    recent = ~mon[m_person] & (settled > as_of - np.timedelta64(REGISTERED_QUIET_DAYS, "D"))
    self_paid = np.where(recent, np.minimum(self_paid, REGISTERED_RECENT_SELF_PAID_MAX), self_paid)
    total = np.maximum(total, self_paid)
    out["medical"] = {
        "id_number": ids[m_person],
        "settled_on": settled,
        "total_cost": total,
        "self_paid": self_paid,
        "diagnosis": np.where(serious, p["serious_illness"][m_person], DIAGNOSES[rng.integers(0, len(DIAGNOSES), m)]),
    }

    out["deaths"] = {"id_number": ids[:0], "death_date": np.zeros(0, "datetime64[D]"), "reporter": ids[:0]}

    dis = np.flatnonzero(p["disability_grade"] > 0)
    out["disability"] = {
        "id_number": ids[dis],
        "cert_no": p["disability_cert_no"][dis],
        "category": p["disability_category"][dis],
        "grade": p["disability_grade"][dis],
        "issued_on": p["disability_issued_on"][dis],
        "status": np.full(len(dis), "有效"),
        "valid_until": np.full(len(dis), np.datetime64("NaT"), "datetime64[D]"),
        "changed_on": np.full(len(dis), np.datetime64("NaT"), "datetime64[D]"),
        "change_reason": np.full(len(dis), None, object),
    }

    unemp = np.flatnonzero(~mon & (p["labour_ability"] == "able") & (age >= 18) & (rng.random(n) < 0.03))
    k = len(unemp)
    reg = days_before(rng, as_of, k, REGISTERED_QUIET_DAYS, 730)  # none within the 应保 rule's 90 days
    ended = rng.random(k) < 0.5
    end = reg + rng.integers(20, 400, k).astype("timedelta64[D]")
    ended &= end < as_of
    out["unemployment"] = {
        "id_number": ids[unemp],
        "registered_on": reg,
        "status": np.where(ended, "已就业", "失业"),
        "ended_on": np.where(ended, end, np.datetime64("NaT")),
    }

    out["benefit_account"] = benefit_account_rows(p, hh, months)
    return out


PAID_BY_BANK = (P.DIBAO, P.TEKUN_SCATTERED)  # 集中供养 is paid to the institution, not to a personal account


def benefit_account_rows(p: dict, hh: dict, months: np.ndarray) -> dict:
    """One row per month since the enrolment began (huimin.demo.programmes.months_back), for the head of each
    household the bank pays: the monthly amount credited and withdrawn in full; the balance is what is left."""
    heads = np.flatnonzero(p["relation"] == "01")
    h = p["household_index"][heads]
    paid = np.isin(hh["programme"][h], PAID_BY_BANK)
    heads, h = heads[paid], h[paid]
    count = len(months)
    first = np.maximum(0, count - 1 - P.months_back(hh["household_id"][h]))  # index of the first paid month
    per = count - first
    person = np.repeat(heads, per)
    offset = np.concatenate([np.arange(f, count) for f in first]) if len(first) else np.zeros(0, int)
    amount = hh["monthly_amount"][np.repeat(h, per)].astype(np.int64)
    return {
        "id_number": p["id_number"][person],
        "account_no": p["bank_account"][person],
        "month": months[offset],
        "credited": amount,
        "withdrawn": amount.copy(),  # planted cases zero some months of this column only
        "balance": (np.zeros(len(person), np.int64), np.zeros(len(person), bool)),
    }


def business_rows(rng, p, owner: np.ndarray, as_of, counters: Counters, recent: bool) -> dict:
    k = len(owner)
    role = rng.choice(np.array(["经营者", "法定代表人", "股东"]), k, p=[0.7, 0.2, 0.1])
    if recent:
        role = np.where(rng.random(k) < 0.7, "法定代表人", "股东")
    shop = np.char.add(np.char.add("驻马店市", p["name"][owner]), TRADES[rng.integers(0, len(TRADES), k)])
    company = np.char.add(np.char.add("驻马店市", p["name"][owner]), INDUSTRIES[rng.integers(0, len(INDUSTRIES), k)])
    name = np.where(role == "经营者", shop, np.char.add(company, "有限公司"))
    capital = np.where(role == "经营者", 0, rng.integers(100_000, 5_000_000, k).astype(np.int64) * 100)
    if recent:
        capital = rng.integers(500_000, 5_000_000, k).astype(np.int64) * 100
    return {
        "id_number": p["id_number"][owner],
        "credit_code": credit_codes(counters.take("company", k), p["county6"][owner]),
        "company_name": name,
        "role": role,
        "registered_capital": (capital, role == "经营者"),
        "established_on": days_before(rng, as_of, k, *((10, RECENT_DAYS) if recent else (365, 15 * 365))),
        "status": np.where(recent | (rng.random(k) < 0.9), "存续", "注销"),
    }
