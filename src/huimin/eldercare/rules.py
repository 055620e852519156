"""The rules of 养老机构 and 适老化改造 over plain values."""

from decimal import Decimal

from stdnum.cn import uscc as stdnum_uscc
from stdnum.exceptions import ValidationError

NURSING_TARGET = Decimal("55")  # 护理型床位占比 ≥ 55% (the plans' 2025 target; the stats indicator's default)
RETROFIT_SUBSIDY_CAP = Decimal("5000.00")  # 适老化改造 subsidy per family at most (元)
TEKUN_CENTRAL = "assistance:tekun_central"  # the registry programme filter of 特困人员集中供养
POOR_PROGRAMMES = ("assistance:dibao", "assistance:tekun_scattered", "assistance:tekun_central")


def uscc_problem(code: str) -> str:
    """Why ``code`` is not a valid 统一社会信用代码 ('' when it is), checked by python-stdnum (GB 32100-2015:
    registration department, organisation type, region, organisation code and the check character)."""
    try:
        stdnum_uscc.validate(code)
    except ValidationError as exc:
        kind = type(exc).__name__
        why = {"InvalidLength": "长度应为 18 位", "InvalidFormat": "含有不允许的字符",
               "InvalidChecksum": "校验码不正确", "InvalidComponent": "登记管理部门或机构类别代码不正确"}  # fmt: skip
        return f"统一社会信用代码“{code}”无效：{why.get(kind, '格式不正确')}"
    return ""


def compact_uscc(code: str) -> str:
    return stdnum_uscc.compact(code or "")


def ratio(part, whole, scale=100) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * scale / Decimal(whole)).quantize(Decimal("0.01"))
