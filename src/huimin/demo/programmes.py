"""Which households receive assistance in the demo city, and incomes consistent with that.

The demo's standards (元/month) are demo data, written to ``standards.parquet`` for whoever loads them; they
are of the order of 驻马店's published figures and claim nothing about any real year.
"""

import numpy as np

DIBAO, TEKUN_SCATTERED, TEKUN_CONCENTRATED = "dibao", "tekun_scattered", "tekun_concentrated"
DIBAO_EDGE, EXPENSE_HARDSHIP, NONE = "dibao_edge", "expense_hardship", "none"
ENROLLED = (DIBAO, TEKUN_SCATTERED, TEKUN_CONCENTRATED)
LOW_INCOME_NOT_ENROLLED = (DIBAO_EDGE, EXPENSE_HARDSHIP)
MONITORED = ENROLLED + LOW_INCOME_NOT_ENROLLED

# Demo standards, 元 per person per month, for the whole city: (urban, rural).
DIBAO_STANDARD = {True: 740, False: 560}
TEKUN_FACTOR = 1.3  # 特困 basic living standard ≥ 1.3 × 低保 standard
EDGE_FACTOR = 1.5  # 低保边缘: income per head under 1.5 × the 低保 standard

# Shares of persons (the issue: about 4–5% in 低保/特困, plus the wider low-income population).
SHARE_TEKUN, SHARE_ENROLLED, SHARE_EDGE, SHARE_EXPENSE = 0.007, 0.045, 0.02, 0.006


def months_back(household_id):
    """How many months before the month of as_of a generated 低保/特困 household's enrolment began (the loader's
    start month); the bank statement covers the months from that one on."""
    return 1 + np.asarray(household_id) % 24


def standard_cents(urban: np.ndarray) -> np.ndarray:
    return np.where(urban, DIBAO_STANDARD[True], DIBAO_STANDARD[False]).astype(np.int64) * 100


def assign(rng, hh_size, hh_type, hh_urban, p, hh_index_of_person) -> np.ndarray:
    """Programme per household, ranked by need (low income, severe disability, serious illness, age)."""
    n_hh = len(hh_size)
    income = np.bincount(hh_index_of_person, weights=p["income_cents"], minlength=n_hh) / np.maximum(hh_size, 1)
    is_severe = (p["disability_grade"] > 0) & (p["disability_grade"] <= 2)
    severe = np.bincount(hh_index_of_person, weights=is_severe, minlength=n_hh)
    serious = np.bincount(hh_index_of_person, weights=p["health"] == "serious", minlength=n_hh)
    elderly = np.bincount(hh_index_of_person, weights=p["age"] >= 70, minlength=n_hh)
    need = -np.log(income / standard_cents(hh_urban) + 0.2) + 0.8 * (severe > 0) + 0.8 * (serious > 0)
    need += 0.3 * (elderly > 0) + rng.normal(0, 0.4, n_hh)
    programme = np.full(n_hh, NONE, dtype="U20")
    total = hh_size.sum()
    # 特困: single-person households of the old or the severely disabled, without support.
    single_needy = (hh_size == 1) & ((hh_type == "single_elder") | (severe > 0))
    order = np.argsort(-need)
    candidates = order[single_needy[order]]
    n_tekun = int(round(SHARE_TEKUN * total))
    tekun = candidates[:n_tekun]
    programme[tekun] = np.where(rng.random(len(tekun)) < 0.2, TEKUN_CONCENTRATED, TEKUN_SCATTERED)
    for label, share in ((DIBAO, SHARE_ENROLLED - SHARE_TEKUN), (DIBAO_EDGE, SHARE_EDGE)):
        free = order[programme[order] == NONE]
        upto = np.searchsorted(np.cumsum(hh_size[free]), share * total)
        programme[free[:upto]] = label
    # 支出型: rigid medical expenses, taken from the households with a seriously ill member.
    free = order[(programme[order] == NONE) & (serious[order] > 0)]
    upto = np.searchsorted(np.cumsum(hh_size[free]), SHARE_EXPENSE * total)
    programme[free[:upto]] = EXPENSE_HARDSHIP
    return programme


def fit_incomes(rng, programme, hh_size, hh_urban, p, hh_of) -> tuple[np.ndarray, np.ndarray]:
    """Scale members' incomes so each household's income per head fits its programme; returns
    (income per head in 分, monthly amount basis in 分)."""
    n_hh = len(hh_size)
    std = standard_cents(hh_urban)
    current = np.bincount(hh_of, weights=p["income_cents"], minlength=n_hh) / np.maximum(hh_size, 1)
    target = current.copy()
    r = rng.random(n_hh)
    enrolled_dibao = programme == DIBAO
    tekun = np.isin(programme, [TEKUN_SCATTERED, TEKUN_CONCENTRATED])
    edge = programme == DIBAO_EDGE
    expense = programme == EXPENSE_HARDSHIP
    rest = programme == NONE
    target[enrolled_dibao] = (r * 0.7 * std)[enrolled_dibao]
    target[tekun] = (r * 0.35 * std)[tekun]
    target[edge] = ((1.02 + 0.45 * r) * std)[edge]
    target[expense] = ((1.1 + 0.8 * r) * std)[expense]
    # The general population stays above the 低保边缘 line, so no one unlisted is obviously eligible.
    floor = EDGE_FACTOR * std * 1.05
    target[rest] = np.maximum(current[rest], floor[rest] + r[rest] * std[rest])
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.where(current > 0, target / current, 0)
    scaled = np.round(p["income_cents"] * factor[hh_of]).astype(np.int64)
    # Households with no income at all that need some: the head gets it.
    missing = np.round(target * hh_size).astype(np.int64) - np.bincount(hh_of, weights=scaled, minlength=n_hh).astype(
        np.int64
    )
    head = p["relation"] == "01"
    scaled[head] += np.maximum(missing[hh_of[head]], 0)
    p["income_cents"] = scaled
    per_head = np.bincount(hh_of, weights=scaled, minlength=n_hh) // np.maximum(hh_size, 1)
    per_head = per_head.astype(np.int64)
    amount = np.zeros(n_hh, dtype=np.int64)
    gap = np.maximum(std - per_head, std // 10)  # a floor of 10% of the standard per person
    amount[enrolled_dibao] = (gap * hh_size)[enrolled_dibao]
    amount[tekun] = np.round(std * TEKUN_FACTOR)[tekun].astype(np.int64)
    return per_head, amount
