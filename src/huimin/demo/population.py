"""Households and persons of the demo city, vectorised: household composition by age (GB/T 4761 relations),
names, sex, birth dates, ID numbers consistent with county, birth date and sex, health, disability, income."""

from dataclasses import dataclass

import numpy as np

from huimin.demo import ids, names
from huimin.demo.city import City

# Household types: (name, share of households, head age range, share of male heads).
HOUSEHOLD_TYPES = [
    ("single_elder", 0.12, (62, 95), 0.45),
    ("elder_couple", 0.12, (60, 88), 0.9),
    ("couple", 0.08, (23, 45), 0.85),
    ("nuclear", 0.33, (27, 55), 0.85),
    ("three_gen", 0.13, (50, 72), 0.85),
    ("with_parent", 0.06, (30, 52), 0.85),
    ("single_adult", 0.13, (20, 59), 0.62),
    ("single_parent", 0.03, (28, 50), 0.4),
]
TYPE_NAMES = [t[0] for t in HOUSEHOLD_TYPES]
_TYPE_P = np.array([t[1] for t in HOUSEHOLD_TYPES]) / sum(t[1] for t in HOUSEHOLD_TYPES)

DISABILITY_CATEGORY_P = {"1": 0.14, "2": 0.22, "3": 0.02, "4": 0.32, "5": 0.08, "6": 0.08, "7": 0.14}
SERIOUS_ILLNESSES = np.array(
    ["恶性肿瘤", "尿毒症（终末期肾病）", "白血病", "脑卒中后遗症", "重性精神疾病", "耐多药肺结核", "重症肌无力"]
)
BANKS = np.array(["中国农业银行", "中国邮政储蓄银行", "河南省农村信用社", "中国建设银行", "中国工商银行"])
_EDU_CODES = np.array(["90", "80", "70", "60", "30", "20", "10"])


@dataclass
class Members:
    """Flat member arrays of a chunk of households; household_index points into the chunk's households."""

    household_index: np.ndarray
    relation: np.ndarray
    sex: np.ndarray
    age: np.ndarray


def _slots(rng, kind: str, head_age: np.ndarray, head_sex: np.ndarray):
    """Yield (relation, sex, age, present) for each member slot of households of one type."""
    c = len(head_age)
    other = np.where(head_sex == "1", "2", "1")
    yield np.full(c, "01"), head_sex, head_age, np.ones(c, bool)
    if kind in ("elder_couple", "couple", "nuclear", "three_gen", "with_parent"):
        spouse_age = head_age + np.where(head_sex == "1", -1, 1) * rng.integers(0, 5, c)
        yield np.full(c, "02"), other, np.maximum(spouse_age, 20), np.ones(c, bool)
    mother_age = np.where(head_sex == "2", head_age, head_age - rng.integers(0, 4, c))
    if kind in ("nuclear", "single_parent", "with_parent"):
        n_children = rng.choice([1, 2, 3], size=c, p=[0.45, 0.45, 0.10])
        for k in range(3):
            age = mother_age - rng.integers(22, 34, c) + 0 * k - 2 * k
            sex = np.where(rng.random(c) < 0.52, "1", "2")
            yield np.where(sex == "1", "10", "20"), sex, age, (n_children > k) & (age >= 0) & (age <= head_age - 18)
    if kind == "with_parent":
        age = head_age + rng.integers(22, 34, c)
        sex = np.where(rng.random(c) < 0.35, "1", "2")
        yield np.full(c, "40"), sex, age, age <= 96
    if kind == "three_gen":
        son_age = mother_age - rng.integers(22, 32, c)
        yield np.full(c, "10"), np.full(c, "1"), son_age, son_age >= 20
        yield np.full(c, "70"), np.full(c, "2"), son_age - rng.integers(0, 4, c), son_age >= 20
        n_grand = rng.choice([1, 2], size=c, p=[0.55, 0.45])
        for k in range(2):
            age = son_age - rng.integers(22, 30, c) - 2 * k
            sex = np.where(rng.random(c) < 0.52, "1", "2")
            yield np.full(c, "30"), sex, age, (son_age >= 20) & (n_grand > k) & (age >= 0)


def compose(rng: np.random.Generator, n_households: int) -> tuple[np.ndarray, Members]:
    """Household types and their members (head first), in household order."""
    types = rng.choice(len(HOUSEHOLD_TYPES), size=n_households, p=_TYPE_P)
    parts = []
    for t, (kind, _share, (lo, hi), male) in enumerate(HOUSEHOLD_TYPES):
        idx = np.flatnonzero(types == t)
        if not len(idx):
            continue
        head_age = rng.integers(lo, hi + 1, len(idx))
        head_sex = np.where(rng.random(len(idx)) < male, "1", "2")
        for slot, (rel, sex, age, present) in enumerate(_slots(rng, kind, head_age, head_sex)):
            parts.append((idx[present], np.full(present.sum(), slot), rel[present], sex[present], age[present]))
    hh = np.concatenate([p[0] for p in parts])
    slot = np.concatenate([p[1] for p in parts])
    order = np.lexsort((slot, hh))
    return types, Members(
        household_index=hh[order],
        relation=np.concatenate([p[2] for p in parts])[order],
        sex=np.concatenate([p[3] for p in parts])[order].astype("U1"),
        age=np.concatenate([p[4] for p in parts])[order].astype(np.int64),
    )


class IdAllocator:
    """Hands out 顺序码 per (county, birth date, sex) across chunks so every ID number is unique."""

    def __init__(self, counties: list[str], as_of: np.datetime64):
        self.county_index = {int(c[:6]): i for i, c in enumerate(counties)}
        self.first_day = as_of - np.timedelta64(110 * 366, "D")
        self.used = np.zeros((len(counties), 110 * 366 + 1, 2), dtype=np.int32)

    def allocate(self, county6: np.ndarray, birth: np.ndarray, sex: np.ndarray) -> np.ndarray:
        ci = np.array([self.county_index[int(c)] for c in np.unique(county6)])
        lookup = dict(zip(np.unique(county6).tolist(), ci.tolist(), strict=True))
        c = np.array([lookup[v] for v in county6.tolist()]) if len(county6) else np.zeros(0, int)
        d = (birth - self.first_day).astype(np.int64)
        s = (sex == "2").astype(np.int64)
        key = (c * self.used.shape[1] + d) * 2 + s
        order = np.argsort(key, kind="stable")
        sorted_key = key[order]
        start = np.r_[0, np.flatnonzero(np.diff(sorted_key)) + 1]
        rank_sorted = np.arange(len(key)) - np.repeat(start, np.diff(np.r_[start, len(key)]))
        rank = np.empty_like(rank_sorted)
        rank[order] = rank_sorted
        k = self.used[c, d, s] + rank
        np.add.at(self.used, (c, d, s), 1)
        if len(k) and k.max() > 497:
            raise OverflowError("同一县、同一出生日期、同一性别的人数超过顺序码容量")
        # odd 顺序码 for men (1, 3, 5 …), even for women (2, 4, 6 …), starting from a police-station-like block.
        return np.where(s == 0, 2 * k + 1, 2 * k + 2)


def people(rng, city: City, members: Members, village_of_household: np.ndarray, as_of, allocator) -> dict:
    """Everything about each person except programme-dependent income adjustments."""
    n = len(members.age)
    hh = members.household_index
    as_of_day = np.datetime64(as_of, "D")
    # birth date: as_of minus age years minus a random day of that year of life
    birth = as_of_day - (members.age * 365.25).astype(np.int64).astype("timedelta64[D]")
    birth = birth - rng.integers(0, 365, n).astype("timedelta64[D]")
    birth_year = birth.astype("datetime64[Y]").astype(np.int64) + 1970
    village = village_of_household[hh]
    county6 = np.array([int(city.villages[v].county[:6]) for v in range(len(city.villages))])[village]
    seq = allocator.allocate(county6, birth, members.sex)
    id_number = ids.make_many(county6, birth, seq)

    # Names: children and grandchildren take the family surname (the husband's), others their own.
    own = names.surnames(rng, n)
    head_pos = np.r_[0, np.flatnonzero(np.diff(hh)) + 1]
    head_of = np.repeat(head_pos, np.diff(np.r_[head_pos, n]))
    head_surname = own[head_of]
    spouse_pos = np.full(hh.max() + 1 if n else 0, -1)
    is_spouse = members.relation == "02"
    spouse_pos[hh[is_spouse]] = np.flatnonzero(is_spouse)
    spouse_of = spouse_pos[hh]
    head_female = members.sex[head_of] == "2"
    family = np.where(head_female & (spouse_of >= 0), own[np.maximum(spouse_of, 0)], head_surname)
    kin = np.isin(members.relation, ["10", "20", "30"]) | ((members.relation == "40") & (members.sex == "1"))
    surname = np.where(kin, family, own)
    name = np.char.add(surname.astype(str), names.given_names(rng, members.sex, birth_year))

    # Health and disability (certificate holders ≈ 3%, more with age).
    age = members.age
    p_dis = np.clip(0.008 + 0.0007 * age, 0, 0.09)
    disabled = rng.random(n) < p_dis
    cats = np.array(list(DISABILITY_CATEGORY_P))
    category = np.where(disabled, rng.choice(cats, n, p=list(DISABILITY_CATEGORY_P.values())), "")
    grade = np.where(disabled, rng.choice([1, 2, 3, 4], n, p=[0.12, 0.22, 0.3, 0.36]), 0)
    serious = (rng.random(n) < np.where(age >= 40, 0.012 + 0.0002 * age, 0.002)) & ~disabled
    chronic = (rng.random(n) < np.where(age >= 45, 0.06 + 0.004 * (age - 45), 0.01)) & ~disabled & ~serious
    health = np.where(disabled, "disabled", np.where(serious, "serious", np.where(chronic, "chronic", "healthy")))
    severe = disabled & (grade <= 2)
    labour = np.where(
        (age < 16) | (age >= 70) | severe | serious,
        "unable",
        np.where((age >= 60) | disabled | chronic, "partial", "able"),
    )
    illness = np.where(serious, SERIOUS_ILLNESSES[rng.integers(0, len(SERIOUS_ILLNESSES), n)], "")
    issued = as_of_day - rng.integers(400, 6000, n).astype("timedelta64[D]")
    cert_no = np.where(disabled, np.char.add(id_number, np.char.add(category, grade.astype(str))), "")

    # Marriage and education.
    married = np.isin(members.relation, ["01", "02", "70"]) & (spouse_of >= 0)
    married |= members.relation == "70"
    marital = np.where(married, "20", np.where(age >= 60, "30", np.where(age >= 22, "10", "90")))
    marital = np.where((age >= 30) & (age < 60) & ~married & (rng.random(n) < 0.3), "40", marital)
    edu_level = np.clip(
        np.round(rng.normal(np.where(birth_year < 1960, 1.2, np.where(birth_year < 1980, 2.2, 3.0)), 1.0)), 0, 6
    ).astype(int)
    edu_level = np.where(age < 7, 0, np.where(age < 13, np.minimum(edu_level, 1), edu_level))
    education = np.where(age < 7, "", _EDU_CODES[edu_level])

    # Income (分/month): work for the able, pensions for the old.
    urban = np.array([v.is_urban for v in city.villages])[village]
    work = (labour != "unable") & (age >= 18) & (age < 60) & (rng.random(n) < 0.85)
    median = np.where(urban, 3800, 2300) * np.where(labour == "partial", 0.5, 1.0)
    wage = np.where(work, rng.lognormal(np.log(np.maximum(median, 1)), 0.45), 0)
    formal = work & (rng.random(n) < np.where(urban, 0.55, 0.2))
    retired = (age >= 60) & (rng.random(n) < np.where(urban, 0.45, 0.06))
    pension = np.where(age >= 60, np.where(retired, rng.normal(2900, 500, n), rng.uniform(160, 260, n)), 0)
    income = np.round((wage + np.maximum(pension, 0)) * 100).astype(np.int64)

    phone_ok = (age >= 16) & (rng.random(n) < 0.9)
    prefix = rng.choice(np.array(["13", "15", "17", "18", "19"]), n)
    phone = np.where(phone_ok, np.char.add(prefix, np.char.zfill(rng.integers(0, 10**9, n).astype(str), 9)), "")
    has_bank = (age >= 18) & (rng.random(n) < 0.8)
    bank = np.where(has_bank, np.char.add("6228", np.char.zfill(rng.integers(0, 10**15, n).astype(str), 15)), "")
    bank_name = np.where(has_bank, BANKS[rng.integers(0, len(BANKS), n)], "")
    ethnicity = np.where(rng.random(n) < 0.012, "03", "01")  # 回族 about 1% in 驻马店

    return {
        "id_number": id_number,
        "name": name,
        "sex": members.sex,
        "birth_date": birth,
        "age": age,
        "ethnicity": ethnicity,
        "relation": members.relation,
        "household_index": hh,
        "village_index": village,
        "county6": county6,
        "is_urban": urban,
        "health": health,
        "labour_ability": labour,
        "serious_illness": illness,
        "disability_category": category,
        "disability_grade": grade,
        "disability_cert_no": cert_no,
        "disability_issued_on": np.where(disabled, issued, np.datetime64("NaT")),
        "marital_status": marital,
        "education": education,
        "works": work,
        "formal_job": formal,
        "retired": retired,
        "income_cents": income,
        "phone": phone,
        "bank_account": bank,
        "bank_name": bank_name,
    }
