"""Objects inside the approver's county and in another county that the authorisation matrix (tests/security)
opens benefits pages with."""

import datetime

from huimin.benefits.models import BankBatch, BankTemplate, PayrollMonth
from tests.conftest import COUNTY, OTHER_COUNTY


def _month(users, region_code):
    payroll = PayrollMonth.objects.create(region_id=region_code, month=datetime.date(2026, 1, 1))
    template = BankTemplate.objects.create(
        name="矩阵", bank_name="矩阵银行", region_id=region_code, format="csv",
        columns=[{"field": "account", "header": "账号"}, {"field": "amount", "header": "金额"},
                 {"field": "reference", "header": "流水号"}],
    )  # fmt: skip
    batch = BankBatch.objects.create(
        payroll=payroll,
        region_id=region_code,
        template=template,
        count=0,
        total=0,
        sha256="",
        created_by=users["approver"],
    )
    return payroll, batch


def benefits_targets(users) -> dict:
    p_in, b_in = _month(users, COUNTY)
    p_out, b_out = _month(users, OTHER_COUNTY)
    return {
        "benefits_payroll": ({"kwargs": {"pk": p_in.pk}}, {"kwargs": {"pk": p_out.pk}}),
        "benefits_payroll_act": (
            {"kwargs": {"pk": p_in.pk, "action": "review"}},
            {"kwargs": {"pk": p_out.pk, "action": "review"}},
        ),
        "benefits_batch": ({"kwargs": {"pk": b_in.pk}}, {"kwargs": {"pk": b_out.pk}}),
    }
