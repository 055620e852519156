"""残疾人两项补贴 in the demo city, in proportion to 眉山's figures (seeds 001: 31,604 困难残疾人生活补贴 and 38,611
重度残疾人护理补贴 recipients in a city of about 2.95 million): per generated chunk, the recipients of each subsidy
by the national rules (生活补贴: a certificate holder of a 低保 household; 护理补贴: grade 1–2, 特困 included), with
certificates issued to more persons where the generated holders are too few to reach the share (disability is a
main cause of poverty: 低保 members first for 生活补贴; the old first for 护理补贴).

The draws use their own generator, seeded from the chunk's first person id, so the main stream of the city (and
everything generated from it) stays as it was.
"""

import numpy as np

from huimin.demo.population import DISABILITY_CATEGORY_P

MEISHAN_PERSONS = 2_950_000
LIVING_SHARE = 31_604 / MEISHAN_PERSONS
CARE_SHARE = 38_611 / MEISHAN_PERSONS
LIVING, CARE = "disability_living", "severe_care"
# demo standards, 元 per person per month, city-wide (of the order of published figures; no real year claimed)
STANDARDS = {LIVING: 80, CARE: 100}


def _certify(rng, p, who: np.ndarray, grades, weights, as_of64) -> None:
    """Give the persons at ``who`` a 第二代残疾人证 (number = ID number + category + grade)."""
    if not len(who):
        return
    cats = np.array(list(DISABILITY_CATEGORY_P))
    category = rng.choice(cats, len(who), p=list(DISABILITY_CATEGORY_P.values()))
    grade = rng.choice(np.array(grades), len(who), p=weights)
    p["disability_category"][who] = category
    p["disability_grade"][who] = grade
    p["disability_cert_no"][who] = np.char.add(p["id_number"][who], np.char.add(category, grade.astype(str)))
    p["disability_issued_on"][who] = as_of64 - rng.integers(400, 4000, len(who)).astype("timedelta64[D]")
    p["health"][who] = "disabled"
    p["labour_ability"][who] = np.where(grade <= 2, "unable", "partial")


def assign(p, programme_of_person: np.ndarray, as_of64) -> np.ndarray:
    """The subsidies each person receives ("", "disability_living", "severe_care" or both, comma-separated);
    certifies more persons where needed. ``p`` is changed in place."""
    n = len(p["id_number"])
    rng = np.random.default_rng([int(p["person_id"][0]), 16])
    p["disability_category"] = p["disability_category"].astype("U1")
    p["disability_cert_no"] = p["disability_cert_no"].astype("U20")
    p["health"] = p["health"].astype("U10")
    p["labour_ability"] = p["labour_ability"].astype("U10")
    full_id = np.char.str_len(p["id_number"].astype(str)) == 18
    adult = p["age"] >= 16

    in_dibao = programme_of_person == "dibao"
    want = int(round(LIVING_SHARE * n))
    holders = np.flatnonzero(in_dibao & (p["disability_grade"] > 0) & full_id)
    if len(holders) < want:
        pool = np.flatnonzero(in_dibao & (p["disability_grade"] == 0) & full_id & adult)
        _certify(rng, p, rng.permutation(pool)[: want - len(holders)], [1, 2, 3, 4], [0.12, 0.22, 0.3, 0.36], as_of64)
        holders = np.flatnonzero(in_dibao & (p["disability_grade"] > 0) & full_id)
    living = np.zeros(n, bool)
    living[rng.permutation(holders)[:want]] = True

    want = int(round(CARE_SHARE * n))
    severe = np.flatnonzero((p["disability_grade"] > 0) & (p["disability_grade"] <= 2) & full_id)
    if len(severe) < want:
        pool = np.flatnonzero((p["disability_grade"] == 0) & full_id & adult)
        older = pool[np.argsort(-p["age"][pool], kind="stable")][: 4 * (want - len(severe))]
        _certify(rng, p, rng.permutation(older)[: want - len(severe)], [1, 2], [0.35, 0.65], as_of64)
        severe = np.flatnonzero((p["disability_grade"] > 0) & (p["disability_grade"] <= 2) & full_id)
    care = np.zeros(n, bool)
    care[rng.permutation(severe)[:want]] = True
    both = np.where(living & care, f"{LIVING},{CARE}", "")
    return np.where(living & ~care, LIVING, np.where(care & ~living, CARE, both))
