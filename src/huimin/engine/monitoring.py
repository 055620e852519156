"""Warning rules of 动态监测, one Ibis expression per rule kind, over the same departmental tables the 核对
engine reads (``huimin.engine.tables.load``). Each kind returns the facts it finds, one row per fact:

    person_id, household_id, record_key (the source record that proves it), occurred_on, value

``pop`` is the monitored population: person_key, canonical_key (blind index of the 18-digit ID number),
person_id, household_id, category, region_code, standard_fen (保障标准, 分/人·月, from the enrolment), members.
A rule's parameters (thresholds, months, look-back days, categories) are data on its WarningRule row.
Money is integer 分.
"""

import datetime

import ibis

from huimin.engine import sources
from huimin.engine.tables import Tables

FACT_COLUMNS = ("person_id", "household_id", "record_key", "occurred_on", "value")
# how a protected identifier (kept in the snapshots only as its blind index) is named in a warning's record_key
DISABILITY_CERT_LABEL = "残疾人证摘要 "
DIGEST_CHARS = 12


def _since(as_of: datetime.date, params: dict) -> datetime.date | None:
    days = params.get("lookback_days")
    return as_of - datetime.timedelta(days=int(days)) if days else None


def _fact(rows: ibis.Table, record_key, occurred_on, value) -> ibis.Table:
    return rows.select(
        person_id=rows.person_id,
        household_id=rows.household_id,
        record_key=record_key.cast("string"),
        occurred_on=occurred_on.cast("date"),
        value=ibis.coalesce(value.cast("int64"), 0),
    )


def _events(t: Tables, pop: ibis.Table, code: str, date_col: str, predicate, as_of, params):
    """Rows of source ``code`` of monitored persons, dated within the look-back window."""
    src = t.sources[code]
    since = _since(as_of, params)
    cond = src[date_col] <= as_of
    if since is not None:
        cond &= src[date_col] > since
    if predicate is not None:
        cond &= predicate(src)
    return src.filter(cond).inner_join(pop, "person_key")


def death(t, pop, params, as_of):
    rows = _events(t, pop, "deaths", "death_date", None, as_of, params)
    if params.get("min_members"):
        rows = rows.filter(rows.members >= int(params["min_members"]))
    return _fact(rows, rows.death_date, rows.death_date, ibis.literal(0))


def vehicle(t, pop, params, as_of):
    """A vehicle in 正常 status registered in the look-back window, worth at least the floor (equal warns), of a
    type none of ``exclude_types`` names (a keyword: "摩托" leaves out 普通二轮摩托车 and 轻便摩托车 alike)."""
    floor = int(params.get("min_value_yuan", 0)) * 100
    excluded = [str(k) for k in params.get("exclude_types", []) if str(k)]

    def keep(s):
        cond = (s.status == "正常") & (s.value >= floor)
        for keyword in excluded:
            cond &= ~s.vehicle_type.fill_null("").contains(keyword)
        return cond

    rows = _events(t, pop, "vehicles", "registered_on", keep, as_of, params)
    return _fact(rows, rows.plate_no, rows.registered_on, rows.value)


def deposits(t, pop, params, as_of):
    """存款/理财/证券: the household's financial assets (each account's latest balance dated on or before ``as_of``,
    products as listed) above ``months`` × standard × members (equal does not warn). record_key names the rule's
    measure, not a balance date, so one household has one open warning however many statements follow."""
    products = list(params.get("products", ["存款", "理财", "证券"]))
    months = float(params.get("months", 24))
    src = t.sources["deposits"]
    src = src.filter((src.as_of <= as_of) & src.product.isin(products))
    since = _since(as_of, params)
    if since is not None:
        src = src.filter(src.as_of > since)
    latest = ibis.window(group_by=[src.person_key, src.institution, src.product], order_by=ibis.desc(src.as_of))
    src = src.mutate(rank=ibis.row_number().over(latest)).filter(ibis._.rank == 0)
    rows = src.inner_join(pop, "person_key")
    per = rows.group_by("household_id").agg(
        value=rows.balance.sum(),
        person_id=rows.person_id.argmax(rows.balance),
        line=(rows.standard_fen * rows.members).max(),
        dated=rows.as_of.max(),
    )
    per = per.filter(per.line.notnull() & (per.value > per.line * months))
    label = f"金融资产超过{months:g}个月标准"
    return _fact(per, ibis.literal(label), per.dated, per.value)


def property_(t, pop, params, as_of):
    uses = list(params.get("uses", ["住宅"]))
    area = float(params.get("min_area_m2", 0))
    rows = _events(t, pop, "real_estate", "registered_on", lambda s: s.use.isin(uses) & (s.area_m2 >= area), as_of,
                   params)  # fmt: skip
    return _fact(rows, rows.cert_no, rows.registered_on, rows.value)


def company(t, pop, params, as_of):
    roles = list(params.get("roles", ["法定代表人", "股东", "经营者"]))
    capital = int(params.get("min_capital_yuan", 0)) * 100
    rows = _events(
        t, pop, "business", "established_on",
        lambda s: (s.status == "存续") & s.role.isin(roles) & (s.registered_capital.fill_null(0) >= capital),
        as_of, params,
    )  # fmt: skip
    return _fact(rows, rows.credit_code, rows.established_on, rows.registered_capital)


def _months_over_line(t, pop, params, as_of, monthly: ibis.Table, code: str):
    """Households whose monthly sum (person_key, month, amount) exceeds multiple × standard × members in at least
    N of the 12 months ending with the source's last complete month (both ends inclusive). record_key = the first
    such month (stable while it stays in the window)."""
    first, last = sources.month_window(code, as_of, 12)
    monthly = monthly.filter((monthly.month >= first) & (monthly.month <= last)).inner_join(pop, "person_key")
    per_month = monthly.group_by("household_id", "month").agg(
        amount=monthly.amount.sum(),
        person_id=monthly.person_id.argmax(monthly.amount),
        line=(monthly.standard_fen * monthly.members).max(),
    )
    multiple = float(params.get("line_multiple", 1.0))
    over = per_month.filter(per_month.line.notnull() & (per_month.amount > per_month.line * multiple))
    per_household = over.group_by("household_id").agg(
        months=over.month.nunique(),
        first_month=over.month.min(),
        person_id=over.person_id.argmax(over.amount),
        value=over.amount.max(),
    )
    rows = per_household.filter(per_household.months >= int(params.get("months", 3)))
    return _fact(rows, rows.first_month, (rows.first_month + "-01").cast("date"), rows.value)


def wages_over_line(t, pop, params, as_of):
    w = t.sources["wages"]
    monthly = w.select("person_key", "month", amount=w.gross_wage - w.tax.fill_null(0))
    return _months_over_line(t, pop, params, as_of, monthly, "wages")


def pension_over_line(t, pop, params, as_of):
    s = t.sources["social_insurance"]
    monthly = s.filter(s.kind == "养老金").select("person_key", "month", amount=s.amount)
    return _months_over_line(t, pop, params, as_of, monthly, "social_insurance")


def medical(t, pop, params, as_of):
    rows = _events(t, pop, "medical", "settled_on", None, as_of, params)
    per = rows.group_by("household_id").agg(
        value=rows.self_paid.sum(),
        person_id=rows.person_id.argmax(rows.self_paid),
        first=rows.settled_on.min(),
    )
    per = per.filter(per.value >= int(params.get("min_self_paid_yuan", 30000)) * 100)
    return _fact(per, per.first, per.first, per.value)


def disability(t, pop, params, as_of):
    grade = int(params.get("max_grade", 2))
    rows = _events(t, pop, "disability", "issued_on", lambda s: (s.status == "有效") & (s.grade <= grade), as_of,
                   params)  # fmt: skip
    # new: the registry knows no certificate of this grade or worse for the person
    rows = rows.filter(rows.disability_grade.isnull() | (rows.disability_grade > rows.grade))
    # cert_no is the snapshot's blind index of the 残疾人证号 (which begins with the ID number), never the number
    return _fact(rows, DISABILITY_CERT_LABEL + rows.cert_no.substr(0, DIGEST_CHARS), rows.issued_on, rows.grade)


def unemployment(t, pop, params, as_of):
    rows = _events(t, pop, "unemployment", "registered_on", lambda s: s.status == "失业", as_of, params)
    return _fact(rows, rows.registered_on, rows.registered_on, ibis.literal(0))


def moved_away(t, pop, params, as_of):
    digits = int(params.get("outside_digits", 6))  # 6: outside the county; 4: outside the city
    rows = _events(t, pop, "hukou", "changed_on", lambda s: s.status == "迁出", as_of, params)
    rows = rows.filter(rows.region_code.substr(0, digits) != rows.region_code_right.substr(0, digits))
    return _fact(rows, rows.region_code, rows.changed_on, ibis.literal(0))


def enrolled_twice(t, pop, params, as_of):
    """The same person (by the canonical 18-digit number, so an old 15-digit record matches) in two enrolments:
    two households, or two programmes."""
    counts = pop.group_by("canonical_key").agg(places=pop.household_id.nunique(), programmes=pop.category.nunique())
    dup = counts.filter((counts.places >= 2) | (counts.programmes >= 2))
    rows = pop.inner_join(dup, "canonical_key")
    return _fact(rows, rows.places.cast("string") + "处/" + rows.programmes.cast("string") + "项",
                 ibis.literal(as_of), rows.places)  # fmt: skip


def no_withdrawal(t, pop, params, as_of):
    """资金长期未支取: the bank's statements of the household's benefit accounts cover each of the last N months
    (ending with the bank's last complete month — on 6 December, November: a December statement does not exist
    yet), money came in, and nothing was taken out. A household the bank has not
    reported for all N months raises nothing (missing data is not idleness). record_key = the last month anything
    was withdrawn (stable while the account stays idle), occurred_on = the month after it."""
    n = max(1, int(params.get("months", 6)))
    first, last = sources.month_window("benefit_account", as_of, n)
    acc = t.sources["benefit_account"].inner_join(pop, "person_key")
    acc = acc.filter(acc.month <= last)
    window = acc.filter(acc.month >= first)
    per = window.group_by("household_id").agg(
        months=window.month.nunique(),
        withdrawn=window.withdrawn.fill_null(0).sum(),
        credited=window.credited.fill_null(0).sum(),
        person_id=window.person_id.min(),
    )
    idle = per.filter((per.months >= n) & (per.withdrawn == 0) & (per.credited > 0))
    took = acc.filter(acc.withdrawn > 0)
    last_taken = took.group_by("household_id").agg(last_month=took.month.max())
    rows = idle.left_join(last_taken, "household_id")
    after_last = (rows.last_month + "-01").cast("date") + ibis.interval(months=1)
    occurred = ibis.coalesce(after_last, ibis.literal(datetime.date.fromisoformat(first + "-01")))
    return _fact(rows, "最后支取" + ibis.coalesce(rows.last_month, "无"), occurred, rows.credited)


# --- 残疾人两项补贴 -------------------------------------------------------------------------------------------
SUBSIDY_CATEGORIES = ("disability_living", "severe_care")


def _certificates_in_force(t: Tables, as_of: datetime.date) -> ibis.Table:
    """Per person, the newest certificate record (by 发证日期, then 变更日期) dated on or before ``as_of``, with
    ``valid`` true when it is 有效 and not past its 有效期至 (the last valid day itself is still valid)."""
    src = t.sources["disability"]
    src = src.filter(src.issued_on <= as_of)
    newest = ibis.window(
        group_by=src.person_key, order_by=[ibis.desc(src.issued_on), ibis.desc(src.changed_on.fill_null(src.issued_on))]
    )
    src = src.mutate(rank=ibis.row_number().over(newest)).filter(ibis._.rank == 0)
    valid = (src.status == "有效") & (src.valid_until.isnull() | (src.valid_until >= as_of))
    return src.mutate(valid=valid)


def _split(pop: ibis.Table, params: dict):
    subsidy = list(params.get("subsidy_categories", SUBSIDY_CATEGORIES))
    return pop.filter(pop.category.isin(subsidy)), pop.filter(~pop.category.isin(subsidy))


def subsidy_unclaimed(t, pop, params, as_of):
    """应享未享: a holder of a valid certificate of grade ≤ ``max_grade``, or of any grade in a household of
    ``low_income_categories`` (低保), who receives neither subsidy. record_key names the rule's reason (stable)."""
    recipients, others = _split(pop, params)
    grade = int(params.get("max_grade", 2))
    low = list(params.get("low_income_categories", ["dibao"]))
    certs = _certificates_in_force(t, as_of)
    certs = certs.filter(certs.valid)
    rows = certs.inner_join(others, "person_key")
    rows = rows.anti_join(recipients.select("person_id"), "person_id")
    low_income = others.filter(others.category.isin(low)).select("person_id").distinct().mutate(low=ibis.literal(1))
    rows = rows.left_join(low_income, "person_id")
    is_low = rows.low.notnull()
    rows = rows.filter((rows.grade <= grade) | is_low)
    label = ibis.cases((rows.grade <= grade, f"持{grade}级及以上残疾人证未享受补贴"), else_="低保家庭残疾人未享受补贴")
    return _fact(rows, label, rows.issued_on, rows.grade)


def certificate_lost(t, pop, params, as_of):
    """应退未退: a recipient whose newest certificate is 注销 or past its 有效期至 on ``as_of``. record_key: the
    status or the expiry (stable), occurred_on: the change or expiry date."""
    recipients, _ = _split(pop, params)
    certs = _certificates_in_force(t, as_of)
    rows = certs.filter(~certs.valid).inner_join(recipients, "person_key")
    revoked = rows.status == "注销"
    key = ibis.cases((revoked, "残疾人证注销"), else_="残疾人证有效期至" + rows.valid_until.cast("string"))
    day = ibis.cases((revoked, rows.changed_on.fill_null(rows.issued_on)), else_=rows.valid_until)
    return _fact(rows, key, day, rows.grade)


def also_enrolled(t, pop, params, as_of):
    """应退未退: a recipient (``categories``) who is also enrolled in one of ``programmes`` (特困 集中供养): the
    institution provides the care and the living the subsidies pay for."""
    programmes = list(params.get("programmes", ["tekun_central"]))
    whole = t.persons
    other = whole.filter(whole.programme.isin(programmes)).select("person_id", other=whole.programme).distinct()
    rows = pop.inner_join(other, "person_id")
    return _fact(rows, "同时在保：" + rows.other, ibis.literal(as_of), ibis.literal(0))


KINDS = {
    "death": (death, ("deaths",)),
    "vehicle": (vehicle, ("vehicles",)),
    "deposits": (deposits, ("deposits",)),
    "property": (property_, ("real_estate",)),
    "company": (company, ("business",)),
    "wages_over_line": (wages_over_line, ("wages",)),
    "pension_over_line": (pension_over_line, ("social_insurance",)),
    "medical": (medical, ("medical",)),
    "disability": (disability, ("disability",)),
    "unemployment": (unemployment, ("unemployment",)),
    "moved_away": (moved_away, ("hukou",)),
    "enrolled_twice": (enrolled_twice, ()),
    "no_withdrawal": (no_withdrawal, ("benefit_account",)),
    "subsidy_unclaimed": (subsidy_unclaimed, ("disability",)),
    "certificate_lost": (certificate_lost, ("disability",)),
    "also_enrolled": (also_enrolled, ()),
}


def population_for(pop: ibis.Table, params: dict) -> ibis.Table:
    categories = params.get("categories")
    return pop.filter(pop.category.isin(list(categories))) if categories else pop


def evaluate(t: Tables, pop: ibis.Table, kind: str, params: dict, as_of: datetime.date) -> ibis.Table:
    """The facts one rule finds today."""
    function, _ = KINDS[kind]
    return function(t, population_for(pop, params), params, as_of).distinct()


def touched(t: Tables, previous: dict[str, ibis.Table]) -> ibis.Table:
    """person_key of every record new since the previous snapshots (rows of the current snapshot of a source not
    present in the one the last run read). Sources not in ``previous`` are unchanged."""
    parts = []
    for code, old in previous.items():
        cur = t.sources[code]
        # a set difference (EXCEPT) is null-safe — a record with an empty optional column (a blank 变动日期) is the
        # same record, not a new one — and hashes whole rows, faster than a join on every column
        parts.append(cur.difference(old.select(*cur.columns), distinct=True).select("person_key"))
    if not parts:
        return None
    return ibis.union(*parts, distinct=True) if len(parts) > 1 else parts[0].distinct()


def household_keys(pop: ibis.Table, keys: ibis.Table) -> ibis.Table:
    """person_key of every monitored member of the households of ``keys``: rules that add up a household's
    records (wages, pensions, medical bills, benefit accounts) must see all its members, not only the one whose
    record is new."""
    households = pop.semi_join(keys, "person_key").select("household_id").distinct()
    return pop.semi_join(households, "household_id").select("person_key").distinct()


def restrict(t: Tables, keys: ibis.Table) -> Tables:
    """The tables with every source cut to the given persons (all their records, so windows still see history)."""
    from dataclasses import replace

    return replace(t, sources={c: s.semi_join(keys, "person_key") for c, s in t.sources.items()})
