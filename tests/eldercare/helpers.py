"""Builders for the eldercare and supervision tests."""

import datetime
import itertools

from stdnum.cn import uscc as stdnum_uscc

from huimin.core.models import User
from huimin.eldercare.models import Institution

_SEQ = itertools.count(1)


def uscc(n: int | None = None) -> str:
    """A valid 统一社会信用代码 (GB 32100-2015), different for each ``n``."""
    base = f"91411702MA{(n if n is not None else next(_SEQ) + 5000):07d}"
    return base + stdnum_uscc.calc_check_digit(base)


def institution(region_code: str, name: str = "", *, nursing=30, general=20, by: User, **extra) -> Institution:
    n = next(_SEQ)
    return Institution.objects.create(
        name=name or f"测试养老院{n}", kind=Institution.Kind.PRIVATE, uscc=uscc(n), operator="测试公司",
        address="测试路 1 号", region_id=region_code, filed_on=datetime.date(2025, 1, 1), nursing_beds=nursing,
        general_beds=general, registered_by=by, **extra,
    )  # fmt: skip
