"""Objects inside the approver's county and in another county that the authorisation matrix (tests/security)
opens benefits pages with."""

import datetime
import json

from huimin.benefits.models import BankBatch, BankTemplate, PayrollMonth, Recovery
from tests.conftest import COUNTY, OTHER_COUNTY, VILLAGE_A1, VILLAGE_B1
from tests.security.matrix import outside_region

COLUMNS = json.dumps([{"field": "account", "header": "账号"}, {"field": "amount", "header": "金额"},
                      {"field": "reference", "header": "流水号"}])  # fmt: skip
FORMS = {
    "benefits_standard_form": {"kind": "dibao", "value": "800", "effective_from": "2026-01-01"},
    "benefits_price_index_form": {"month": "2026-01", "value": "2.5"},
    "benefits_payroll_form": {"month": "2026-01"},
    "benefits_template_form": {"name": "他县模板", "bank_name": "银行", "format": "csv", "columns": COLUMNS},
    "benefits_restandard_form": {"kind": "dibao", "month": "2026-01", "reasons": "调标"},
    "benefits_fund_form": {"programme": "dibao", "fund_name": "他县资金", "effective_from": "2026-01-01"},
}


def _region_form(base: dict):
    """(inside, outside, outside for county and city callers) of a benefits form naming its ``region``."""
    inside = lambda user: {"data": base | {"region": user.region_id}}  # noqa: E731
    outside = lambda user: {"data": base | {"region": outside_region(user)}}  # noqa: E731
    return inside, outside, outside


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


def _recovery(users, region_code):
    """A 追缴 of 100 元 outstanding, on an enrolment of ``region_code``."""
    from tests.benefits.conftest import make_enrolment

    enrolment = make_enrolment(users, region=region_code)
    return Recovery.objects.create(
        enrolment=enrolment, region_id=region_code, programme_code="dibao", payee=enrolment.persons[0],
        reason="death", event_date=datetime.date(2025, 12, 20), from_month=datetime.date(2026, 1, 1), total=100,
    )  # fmt: skip


def benefits_targets(users) -> dict:
    p_in, b_in = _month(users, COUNTY)
    p_out, b_out = _month(users, OTHER_COUNTY)
    # a recovery lies in the enrolment's village: inside township A, in township B, in another county
    r_in, r_b, r_out = (_recovery(users, code) for code in (VILLAGE_A1, VILLAGE_B1, OTHER_COUNTY))
    # the second element is outside for township callers, the third for the county approver: another county
    return {
        "benefits_payroll": ({"kwargs": {"pk": p_in.pk}}, {"kwargs": {"pk": p_out.pk}}, {"kwargs": {"pk": p_out.pk}}),
        "benefits_payroll_act": (
            {"kwargs": {"pk": p_in.pk, "action": "review"}},
            {"kwargs": {"pk": p_out.pk, "action": "review"}},
            {"kwargs": {"pk": p_out.pk, "action": "review"}},
        ),
        "benefits_batch": ({"kwargs": {"pk": b_in.pk}}, {"kwargs": {"pk": b_out.pk}}, {"kwargs": {"pk": b_out.pk}}),
        "benefits_recovery": ({"kwargs": {"pk": r_in.pk}}, {"kwargs": {"pk": r_b.pk}}, {"kwargs": {"pk": r_out.pk}}),
        # a write-off approval with nothing pending: refused inside (a message), 404 outside
        "benefits_recovery_act": (
            {"kwargs": {"pk": r_in.pk, "action": "approve"}},
            {"kwargs": {"pk": r_b.pk, "action": "approve"}},
            {"kwargs": {"pk": r_out.pk, "action": "approve"}},
        ),
    } | {kind: _region_form(base) for kind, base in FORMS.items()}
