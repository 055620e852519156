"""What an engine row means in words: the reasons of a conclusion, each naming its rule, figures and sources.

The rules themselves are the Ibis expressions of ``huimin.engine.verification``; this module only explains their
output, identically for single checks and batch re-checks.
"""

from decimal import Decimal

from huimin.verification.models import Conclusion, Rule

CENT = Decimal("0.01")


def yuan(fen) -> Decimal:
    return (Decimal(int(fen or 0)) / 100).quantize(CENT)


def fmt(amount: Decimal) -> str:
    return f"{amount:,.2f} 元"


# flag → (rule whose threshold applies, sources that hold the evidence)
FLAG_RULES = {
    "r_income": (Rule.INCOME_STANDARD, ("wages", "social_insurance")),
    "r_deposits": (Rule.DEPOSIT_MONTHS, ("deposits",)),
    "r_vehicle_count": (Rule.VEHICLE_COUNT, ("vehicles",)),
    "r_vehicle_value": (Rule.VEHICLE_VALUE, ("vehicles",)),
    "r_dwellings": (Rule.DWELLING_COUNT, ("real_estate",)),
    "r_company": (Rule.COMPANY_COUNT, ("business",)),
    "r_medical": (Rule.MEDICAL_SELF_PAID, ("medical",)),
}


def figures(row: dict) -> dict:
    """The household's 数据素描 in 元 (strings, exact)."""
    n = int(row["members"] or 0)
    income = yuan(row["income_fen"])
    deposits = yuan(row["deposits_fen"])
    per_head = (income / 12 / n).quantize(CENT) if n else Decimal("0.00")
    standard = yuan(row["t_income_standard"]) if row["t_income_standard"] is not None else None
    return {
        "members": n,
        "wages_12m": str(yuan(row["wages_fen"])),
        "pensions_12m": str(yuan(row["pension_fen"])),
        "business_12m": "0.00",
        "other_12m": "0.00",
        "income_12m": str(income),
        "income_per_head_month": str(per_head),
        "deposits": str(deposits),
        "deposits_per_head": str((deposits / n).quantize(CENT) if n else Decimal("0.00")),
        "vehicle_count": int(row["vehicle_count"]),
        "vehicle_value": str(yuan(row["vehicle_value_fen"])),
        "dwelling_count": int(row["dwelling_count"]),
        "company_count": int(row["company_count"]),
        "medical_self_paid_12m": str(yuan(row["medical_fen"])),
        "deceased_count": int(row["deceased_count"]),
        "income_standard": str(standard) if standard is not None else None,
        "thresholds": {r: _threshold_text(r, row.get(f"t_{r}")) for r in Rule.values},
    }


def _threshold_text(rule: str, value) -> str | None:
    if value is None:
        return None
    if rule in (Rule.INCOME_STANDARD, Rule.VEHICLE_VALUE, Rule.MEDICAL_SELF_PAID):
        return fmt(yuan(value))
    return str(int(value))


def explain(row: dict) -> list[dict]:
    """Every reason behind the row's conclusion (empty when it is 符合 with nothing to note)."""
    f = figures(row)
    n = f["members"]
    std = yuan(row["t_income_standard"]) if row["t_income_standard"] is not None else None
    reasons = []

    def add(code, outcome, text, sources=()):
        reasons.append(
            {
                "code": code,
                "outcome": outcome,
                "label": Conclusion(outcome).label,
                "text": text,
                "sources": list(sources),
            }
        )

    if row["r_no_members"]:
        add("no_members", Conclusion.NEEDS_VISIT, "家庭没有在世成员记录，无法计算人均收入")
    if row["r_no_standard"]:
        add(
            "no_standard",
            Conclusion.NEEDS_VISIT,
            "该地区在核对基准日没有有效的核对收入标准（当地低保标准或其倍数未设置），无法比对收入和金融资产；"
            "请县级审批人在「保障标准」页面设置当地低保标准，或在「核对规则阈值」页面设置倍数",
        )
    if row["r_deceased"]:
        add("deceased", Conclusion.NEEDS_VISIT, f"{f['deceased_count']} 名成员有死亡记录，需核实家庭成员", ("deaths",))
    texts = {
        "r_income": lambda: (
            f"近12个月家庭收入 {fmt(yuan(row['income_fen']))}（工资 {f['wages_12m']} 元、养老金 {f['pensions_12m']}"
            f" 元），月人均 {f['income_per_head_month']} 元，高于核对收入标准 {fmt(std)}"
        ),
        "r_deposits": lambda: (
            f"存款、理财与证券合计 {fmt(yuan(row['deposits_fen']))}，人均 {f['deposits_per_head']} 元，超过"
            f" {int(row['t_deposit_months'])} 个月核对收入标准（人均 {fmt(std * int(row['t_deposit_months']))}）"
        ),
        "r_vehicle_count": lambda: f"名下机动车 {f['vehicle_count']} 辆，超过上限 {int(row['t_vehicle_count'])} 辆",
        "r_vehicle_value": lambda: (
            f"名下机动车总价值 {fmt(yuan(row['vehicle_value_fen']))}，超过上限 {fmt(yuan(row['t_vehicle_value']))}"
        ),
        "r_dwellings": lambda: f"名下住宅 {f['dwelling_count']} 套，超过上限 {int(row['t_dwelling_count'])} 套",
        "r_company": lambda: (
            f"成员登记存续市场主体 {f['company_count']} 个，超过 {int(row['t_company_count'])} 个，经营收入需核实"
        ),
        "r_medical": lambda: (
            f"近12个月个人自付医疗费用 {fmt(yuan(row['medical_fen']))}，达到提示线"
            f" {fmt(yuan(row['t_medical_self_paid']))}，可能属于支出型困难"
        ),
    }
    for flag, (rule, sources) in FLAG_RULES.items():
        if row[flag]:
            outcome = row[f"o_{rule}"] or Conclusion.NOT_ELIGIBLE
            add(rule.value, outcome, texts[flag](), sources)
    order = {Conclusion.NOT_ELIGIBLE: 0, Conclusion.NEEDS_VISIT: 1}
    reasons.sort(key=lambda r: order.get(r["outcome"], 2))
    if not reasons and n:
        add("ok", Conclusion.ELIGIBLE, f"月人均收入 {f['income_per_head_month']} 元，收入与财产均未超过核对标准")
    return reasons


REASON_LABELS = {
    "no_members": "无在世成员",
    "no_standard": "未配置核对收入标准",
    "deceased": "成员有死亡记录",
    "ok": "未超过核对标准",
    **{r.value: r.label for r in Rule},
}


def reason_summary(reasons: list[dict]) -> str:
    return "；".join(r["text"] for r in reasons)
