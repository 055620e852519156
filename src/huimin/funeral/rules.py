"""惠民殡葬 rules over data rows: which policy governs a place and group, and the waiver of a record, explained
per yuan. Pure functions (no writes)."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from huimin.core import regions
from huimin.funeral.models import Group, Service, WaiverPolicy

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
SERVICE_NAMES = dict(Service.choices)


def money(value) -> Decimal:
    return Decimal(str(value or 0)).quantize(CENT)


def policy_for(policies, region_code: str, group: str, day: datetime.date) -> WaiverPolicy | None:
    """The row that governs ``group`` at ``region_code`` on ``day``: the most specific region, then the latest
    effective date (``core.regions.in_force``)."""
    rows = [p for p in policies if p.group == group and p.effective_from <= day]
    return regions.in_force(rows, region_code, region=lambda p: p.region_id, effective_from=lambda p: p.effective_from,
                            tiebreak=lambda p: (p.pk or 0,))  # fmt: skip


@dataclass
class Waiver:
    group: str = ""
    amount: Decimal = ZERO
    policy_id: int | None = None
    lines: list[dict] = field(default_factory=list)  # per service: name, fee, waived, why
    text: list[str] = field(default_factory=list)  # the explanation, one sentence a line

    def as_basis(self) -> dict:
        return {"group": self.group, "policy": self.policy_id, "amount": str(self.amount),
                "lines": self.lines, "text": self.text}  # fmt: skip


def compute(fees: dict[str, Decimal], policy: WaiverPolicy, group: str, why_group: str) -> Waiver:
    """The waiver of ``fees`` (service → fee charged) under ``policy``: each fee of a service the policy waives,
    the total capped at the policy's cap; every yuan named in the explanation."""
    w = Waiver(group=group, policy_id=policy.pk)
    w.text.append(f"减免类别：{Group(group).label}（{why_group}）；适用政策：{policy.basis or '惠民殡葬政策'}"
                  f"（{policy.effective_from:%Y年%m月%d日}起）")  # fmt: skip
    subtotal = ZERO
    for code in Service.values:
        if code not in fees:
            continue
        fee = money(fees[code])
        waived = fee if code in policy.services else ZERO
        why = "属基本殡葬服务减免项目" if code in policy.services else "不在本类别减免项目内，由家属自付"
        w.lines.append({"service": code, "name": SERVICE_NAMES[code], "fee": str(fee), "waived": str(waived),
                        "why": why})  # fmt: skip
        w.text.append(f"{SERVICE_NAMES[code]} 收费 {fee} 元，{why}，减免 {waived} 元")
        subtotal += waived
    cap = money(policy.cap)
    w.amount = min(subtotal, cap)
    if subtotal > cap:
        w.text.append(f"减免项目合计 {subtotal} 元，超过本类别减免上限 {cap} 元，按上限减免 {w.amount} 元")
    else:
        w.text.append(f"减免项目合计 {subtotal} 元，未超过本类别减免上限 {cap} 元，减免 {w.amount} 元")
    total = sum((money(v) for v in fees.values()), ZERO)
    w.text.append(f"基本服务收费合计 {total} 元，减免 {w.amount} 元，家属自付 {total - w.amount} 元")
    return w


def best(candidates: list[Waiver]) -> Waiver:
    """Of the groups the deceased belongs to, the one that waives most (a 特困 person who is also a 重点优抚对象
    gets the larger waiver, not both)."""
    return max(candidates, key=lambda w: (w.amount, list(Group.values).index(w.group)))
