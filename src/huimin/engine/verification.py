"""The 核对 rules, written once as Ibis expressions: one row per household with its income, assets, the
thresholds that apply to it, which rules it breaks and the conclusion. The single check (one household) and the
batch re-check (all households, or a filter) both call ``evaluate``; ``explain`` turns a row into reasons.

Money is integer 分 throughout, so DuckDB and Spark give identical answers.
"""

import datetime

import ibis

from huimin.core import regions
from huimin.core.conclusions import Conclusion
from huimin.engine import sources
from huimin.engine.tables import Tables

RULES = (
    "income_standard",
    "deposit_months",
    "vehicle_count",
    "vehicle_value",
    "dwelling_count",
    "company_count",
    "medical_self_paid",
)
MEASURES = (
    "wages_fen",
    "pension_fen",
    "deposits_fen",
    "vehicle_count",
    "vehicle_value_fen",
    "dwelling_count",
    "company_count",
    "medical_fen",
    "deceased_count",
)
# A flag per rule; each is True when the household exceeds the threshold that applies to it.
FLAGS = (
    "r_no_members",
    "r_no_standard",
    "r_income",
    "r_deposits",
    "r_vehicle_count",
    "r_vehicle_value",
    "r_dwellings",
    "r_company",
    "r_medical",
    "r_deceased",
)
INELIGIBLE, VISIT, ELIGIBLE = Conclusion.NOT_ELIGIBLE.value, Conclusion.NEEDS_VISIT.value, Conclusion.ELIGIBLE.value


def month_window(as_of: datetime.date, code: str = "wages") -> tuple[str, str]:
    """The 12 calendar months ending with the last complete month of monthly source ``code`` on ``as_of``, as
    "YYYY-MM" bounds, both inclusive (``engine.sources.month_window``): on 6 December a wage record of December
    last year … November is counted whole, the December under way not at all."""
    return sources.month_window(code, as_of, 12)


def year_before(as_of: datetime.date) -> datetime.date:
    try:
        return as_of.replace(year=as_of.year - 1)
    except ValueError:  # 29 February
        return as_of.replace(year=as_of.year - 1, day=28)


def members_of(t: Tables, households: ibis.Table | None = None) -> ibis.Table:
    """Living members (person_key, household_id), of the given households only when a subset is asked for."""
    living = t.persons.filter(~t.persons.is_deceased.fill_null(False)).select("person_key", "household_id")
    if households is None:
        return living
    return living.inner_join(households.select("household_id"), "household_id")


def measures(t: Tables, households: ibis.Table, as_of: datetime.date, subset: bool = True) -> ibis.Table:
    """household_id + each measure summed over the household's living members."""
    m = members_of(t, households if subset else None)
    first, last = month_window(as_of, "wages")
    p_first, p_last = month_window(as_of, "social_insurance")
    since = year_before(as_of)
    s = t.sources

    def rows(code, predicate):
        src = s[code]
        return src.filter(predicate(src)).inner_join(m, "person_key")

    wages = rows("wages", lambda x: (x.month >= first) & (x.month <= last))
    pensions = rows("social_insurance", lambda x: (x.kind == "养老金") & (x.month >= p_first) & (x.month <= p_last))
    deposits = rows("deposits", lambda x: x.as_of <= as_of)
    vehicles = rows("vehicles", lambda x: (x.status == "正常") & (x.registered_on <= as_of))
    dwellings = rows("real_estate", lambda x: (x.use == "住宅") & (x.registered_on <= as_of))
    companies = rows("business", lambda x: (x.status == "存续") & (x.established_on <= as_of))
    medical = rows("medical", lambda x: (x.settled_on > since) & (x.settled_on <= as_of))
    deaths = rows("deaths", lambda x: x.death_date <= as_of)
    per_household = [
        wages.group_by("household_id").agg(wages_fen=(wages.gross_wage - wages.tax.fill_null(0)).sum()),
        pensions.group_by("household_id").agg(pension_fen=pensions.amount.sum()),
        deposits.group_by("household_id").agg(deposits_fen=deposits.balance.sum()),
        vehicles.group_by("household_id").agg(vehicle_count=vehicles.count(), vehicle_value_fen=vehicles.value.sum()),
        dwellings.group_by("household_id").agg(dwelling_count=dwellings.cert_no.nunique()),  # co-owned: once
        companies.group_by("household_id").agg(company_count=companies.credit_code.nunique()),
        medical.group_by("household_id").agg(medical_fen=medical.self_paid.sum()),
        deaths.group_by("household_id").agg(deceased_count=deaths.person_key.nunique()),
        m.group_by("household_id").agg(members=m.count()),
    ]
    out = households.select("household_id")
    for part in per_household:
        out = out.left_join(part, "household_id").drop("household_id_right")
    return out.select("household_id", **{k: ibis.coalesce(out[k], 0).cast("int64") for k in ("members", *MEASURES)})


def applicable_thresholds(t: Tables, households: ibis.Table, programme: str, as_of: datetime.date) -> ibis.Table:
    """Per (region_code, is_urban): the value and outcome of each rule. The row in force is chosen by the rule of
    ``core.regions.precedence`` (most specific region, then a row of the household's own area over a 城乡统一
    one, then the latest date; the higher value on a tie), which ``regions.in_force`` applies to Python rows."""
    th = t.thresholds
    th = th.filter(
        (th.programme == programme) & (th.valid_from <= as_of) & (th.valid_to.isnull() | (th.valid_to >= as_of))
    )
    places = households.select("region_code", "is_urban").distinct()
    side = ibis.ifelse(places.is_urban, "urban", "rural")
    j = places.inner_join(
        th, regions.within(places.region_code, th.region_prefix) & ((th.urban_rural == "") | (th.urban_rural == side))
    )
    order = regions.precedence(
        j.region_prefix.length(), j.valid_from, narrower=(j.urban_rural.length(),), tiebreak=(j.value,)
    )
    window = ibis.window(group_by=[j.region_code, j.is_urban, j.rule], order_by=[ibis.desc(c) for c in order])
    best = j.mutate(rank=ibis.row_number().over(window)).filter(ibis._.rank == 0)
    return best.group_by("region_code", "is_urban").agg(
        **{f"t_{r}": best.value.max(where=best.rule == r) for r in RULES},
        **{f"o_{r}": best.outcome.max(where=best.rule == r) for r in RULES},
    )


def evaluate(t: Tables, programme: str, as_of: datetime.date, households: ibis.Table | None = None) -> ibis.Table:
    """The 核对 of every household in ``households`` (default: all): one row each."""
    hh = t.households if households is None else households
    facts = measures(t, hh, as_of, subset=households is not None)
    limits = applicable_thresholds(t, hh, programme, as_of)
    rows = hh.select("household_id", "region_code", "is_urban").inner_join(facts, "household_id")
    rows = rows.left_join(limits, ["region_code", "is_urban"])
    rows = rows.drop("region_code_right", "is_urban_right")
    std = rows.t_income_standard
    n = rows.members
    income = rows.wages_fen + rows.pension_fen

    def over(flag, rule):
        return (flag & rows[f"t_{rule}"].notnull()).fill_null(False)

    flags = {
        "r_no_members": n == 0,
        "r_no_standard": std.isnull(),
        "r_income": over((n > 0) & (income > std * 12 * n), "income_standard"),
        "r_deposits": over((n > 0) & (rows.deposits_fen > rows.t_deposit_months * std * n), "deposit_months"),
        "r_vehicle_count": over(rows.vehicle_count > rows.t_vehicle_count, "vehicle_count"),
        "r_vehicle_value": over(rows.vehicle_value_fen > rows.t_vehicle_value, "vehicle_value"),
        "r_dwellings": over(rows.dwelling_count > rows.t_dwelling_count, "dwelling_count"),
        "r_company": over(rows.company_count > rows.t_company_count, "company_count"),
        "r_medical": over(rows.medical_fen >= rows.t_medical_self_paid, "medical_self_paid"),
        "r_deceased": rows.deceased_count > 0,
    }
    rows = rows.mutate(income_fen=income, **flags)
    outcome_of = {
        "r_income": rows.o_income_standard,
        "r_deposits": rows.o_deposit_months,
        "r_vehicle_count": rows.o_vehicle_count,
        "r_vehicle_value": rows.o_vehicle_value,
        "r_dwellings": rows.o_dwelling_count,
        "r_company": rows.o_company_count,
        "r_medical": rows.o_medical_self_paid,
    }
    ineligible = ibis.or_(*[rows[f] & (o == INELIGIBLE) for f, o in outcome_of.items()]).fill_null(False)
    visit = ibis.or_(
        rows.r_no_members,
        rows.r_no_standard,
        rows.r_deceased,
        *[rows[f] & (o == VISIT) for f, o in outcome_of.items()],
    ).fill_null(False)
    conclusion = ibis.cases((ineligible, INELIGIBLE), (visit, VISIT), else_=ELIGIBLE)
    return rows.mutate(conclusion=conclusion).order_by("household_id")


COLUMNS = (
    "household_id",
    "region_code",
    "is_urban",
    "members",
    *MEASURES,
    "income_fen",
    *[f"t_{r}" for r in RULES],
    *[f"o_{r}" for r in RULES],
    *FLAGS,
    "conclusion",
)
