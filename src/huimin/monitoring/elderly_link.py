"""养老服务 in 动态监测: an older person not seen for two periods of his 探访 tier raises a warning (rule kind
``elderly_unvisited``). The facts come from huimin.elderly.visits (monitoring stands above elderly and imports
it), not from a departmental feed: the warning names the person, his household and village, the last visit
as its record and the first missed due date as its date. A visit ends the fact; a later lapse is a new one."""

import datetime

import pyarrow as pa

KIND = "elderly_unvisited"
RULE = dict(
    code="elderly_unvisited", name="特殊困难老年人两个周期未探访", kind=KIND, sources=[], direction="care",
    severity="high", deadline_days=5, params={"periods": 2, "tiers": ["high", "key"]},
    description="高风险、重点关爱老年人（已分配探访人员或曾探访）连续两个探访周期未探访：乡镇督促探访人员上门核实。",
)  # fmt: skip

FACT_SCHEMA = pa.schema([("person_id", pa.int64()), ("household_id", pa.int64()), ("record_key", pa.string()),
                         ("occurred_on", pa.date32()), ("value", pa.int64())])  # fmt: skip


def facts(rule, as_of: datetime.date) -> tuple[pa.Table, dict[int, str]]:
    """The rule's facts and the village of each household they name."""
    from huimin.elderly import visits

    prefix = rule.region.prefix if rule.region_id else ""
    params = rule.params or {}
    rows = visits.unvisited_facts(as_of, int(params.get("periods", 2)), prefix, params.get("tiers"))
    table = pa.Table.from_pylist([{k: r[k] for k in FACT_SCHEMA.names} for r in rows], schema=FACT_SCHEMA)
    return table, {r["household_id"]: r["region_id"] for r in rows}


def ensure_rule(rule_model=None) -> None:
    if rule_model is None:
        from huimin.monitoring.models import WarningRule as rule_model
    rule_model.objects.get_or_create(code=RULE["code"], defaults={k: v for k, v in RULE.items() if k != "code"})
