"""调标: a standard raised from an earlier month recomputes the enrolments on it (preview, then apply with one
audit entry), and the next payroll pays the locked months' difference as arrears."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from huimin.assistance.models import EnrolmentChange
from huimin.benefits import restandard, services
from huimin.benefits.models import PayrollLine, Standard
from huimin.core.access import Forbidden, NotInScope
from huimin.core.models import AuditEntry
from huimin.core.services import ServiceError
from tests.benefits.conftest import lock_month
from tests.conftest import COUNTY, VILLAGE_B1

JAN, FEB, MAR, APR = (datetime.date(2026, m, 1) for m in (1, 2, 3, 4))
TODAY = datetime.date(2026, 3, 20)


def _dibao(value, since):
    return Standard.objects.create(kind="dibao", region_id=COUNTY, value=Decimal(value), effective_from=since)


def _calculated(enrol, income="300", members=2, **extra):
    """An enrolment whose amount the calculator gave: (740 − income) × members."""
    amount = (Decimal(740) - Decimal(income)) * members
    enrolment = enrol(amount=f"{amount:.2f}", members=members)
    enrolment.basis = {"income_per_head": income, "members": str(members), "calculated": f"{amount:.2f}", **extra}
    enrolment.save()
    return enrolment


@pytest.mark.django_db
def test_preview_then_apply_recomputes_from_the_effective_month(users, enrol):
    _dibao("740", datetime.date(2025, 1, 1))
    a = _calculated(enrol)  # 880
    b = _calculated(enrol, income="700", members=1)  # 40
    manual = enrol(amount="500.00")  # a basis entered by hand without the income: cannot be recomputed
    manual.basis = {"standard": "城市低保 740 元/月（手工核定）", "members": "1"}
    manual.save()
    overridden = _calculated(enrol, override_reason="会议纪要多补")
    _dibao("800", FEB)  # the raise, published in March, effective from February
    plan = restandard.plan(users["approver"], region_code=COUNTY, kind="dibao", month="2026-02", today=TODAY)
    assert {(r.enrolment.pk, r.old, r.new) for r in plan.changed} == {
        (a.pk, Decimal("880.00"), Decimal("1000.00")),
        (b.pk, Decimal("40.00"), Decimal("100.00")),
    }
    assert {r.enrolment.pk for r in plan.manual} == {manual.pk, overridden.pk}
    assert plan.monthly_difference == Decimal("180.00")
    assert not EnrolmentChange.objects.filter(kind="adjust").exists()  # a preview writes nothing
    restandard.apply(
        users["approver"], region_code=COUNTY, kind="dibao", month="2026-02", reasons="市政府通知", today=TODAY
    )
    a.refresh_from_db()
    assert a.monthly_amount == Decimal("1000.00") and a.basis["calculated"] == "1000.00"
    change = a.changes.get(kind="adjust")
    assert change.effective_month == FEB and change.after["amount"] == "1000.00" and "市政府通知" in change.reasons
    entry = AuditEntry.objects.get(action="benefits.restandard.apply")
    assert entry.after["changed"] == 2 and entry.after["manual"] == 2 and entry.after["monthly_difference"] == "180.00"
    # a second run finds nothing to change
    again = restandard.apply(
        users["approver"], region_code=COUNTY, kind="dibao", month="2026-02", reasons="重复", today=TODAY
    )
    assert again.changed == [] and again.unchanged == 2 and a.changes.filter(kind="adjust").count() == 1


@pytest.mark.django_db
def test_the_next_payroll_pays_the_locked_months_difference_as_arrears(users, enrol):
    _dibao("740", datetime.date(2025, 1, 1))
    a = _calculated(enrol)  # 880 from January
    lock_month(users, services.build(users["approver"], region_code=COUNTY, month=JAN, today=TODAY))
    lock_month(users, services.build(users["approver"], region_code=COUNTY, month=FEB, today=TODAY))
    _dibao("800", FEB)
    restandard.apply(users["approver"], region_code=COUNTY, kind="dibao", month=FEB, reasons="提标", today=TODAY)
    mar = services.build(users["approver"], region_code=COUNTY, month=MAR, today=TODAY)
    rows = sorted(PayrollLine.objects.filter(payroll=mar, enrolment=a).values_list("service_month", "kind", "amount"))
    assert rows == [(FEB, "arrears", Decimal("120.00")), (MAR, "regular", Decimal("1000.00"))]  # January unchanged


@pytest.mark.django_db
def test_a_lowered_standard_recovers_and_bad_requests_are_refused(users, enrol):
    _dibao("740", datetime.date(2025, 1, 1))
    a = _calculated(enrol)
    lock_month(users, services.build(users["approver"], region_code=COUNTY, month=FEB, today=TODAY))
    _dibao("700", FEB)  # a correction downwards
    restandard.apply(users["approver"], region_code=COUNTY, kind="dibao", month=FEB, reasons="更正", today=TODAY)
    mar = services.build(users["approver"], region_code=COUNTY, month=MAR, today=TODAY)
    assert PayrollLine.objects.get(payroll=mar, enrolment=a, kind="recovery").amount == Decimal("-80.00")
    with pytest.raises(ServiceError, match="调标依据"):
        restandard.apply(users["approver"], region_code=COUNTY, kind="dibao", month=FEB, reasons=" ", today=TODAY)
    with pytest.raises(ServiceError, match="最晚为下月"):
        restandard.plan(users["approver"], region_code=COUNTY, kind="dibao", month="2026-06", today=TODAY)
    with pytest.raises(ServiceError, match="追溯期限"):
        restandard.plan(users["approver"], region_code=COUNTY, kind="dibao", month="2023-01", today=TODAY)
    with pytest.raises(NotInScope):
        restandard.plan(users["approver"], region_code="419999", kind="dibao", month=FEB)
    with pytest.raises(Forbidden):
        restandard.plan(users["clerk_a"], region_code=VILLAGE_B1, kind="dibao", month=FEB)


@pytest.mark.django_db
def test_the_page_previews_and_applies(users, enrol, login):
    _dibao("740", datetime.date(2025, 1, 1))
    a = _calculated(enrol)
    _dibao("800", datetime.date(2026, 1, 1))
    client = login(users["approver"])
    month = f"{datetime.date.today():%Y-%m}"
    page = client.get(reverse("benefits:restandard"), {"region": COUNTY, "kind": "dibao", "month": month, "preview": 1})
    assert "1,000.00" in page.content.decode() or "1000.00" in page.content.decode()
    r = client.post(
        reverse("benefits:restandard_apply"), {"region": COUNTY, "kind": "dibao", "month": month, "reasons": "提标"}
    )
    assert r.status_code == 302
    a.refresh_from_db()
    assert a.monthly_amount == Decimal("1000.00")
    r = client.post(
        reverse("benefits:restandard_apply"), {"region": COUNTY, "kind": "dibao", "month": month}, follow=True
    )
    assert "调标依据" in r.content.decode()


@pytest.mark.django_db
def test_the_command_previews_by_default_and_applies_with_a_reason(users, enrol):
    import io

    from django.core.management import CommandError, call_command

    _dibao("740", datetime.date(2025, 1, 1))
    a = _calculated(enrol)
    _dibao("800", datetime.date(2026, 1, 1))
    month = f"{datetime.date.today():%Y-%m}"
    out = io.StringIO()
    call_command("restandard", by="approver", region=COUNTY, kind="dibao", month=month, stdout=out)
    assert "预览：将调标 1 户" in out.getvalue() and "880.00\t→ 1000.00" in out.getvalue()
    a.refresh_from_db()
    assert a.monthly_amount == Decimal("880.00")
    with pytest.raises(CommandError, match="调标依据"):
        call_command("restandard", by="approver", region=COUNTY, kind="dibao", month=month, apply=True)
    call_command("restandard", by="approver", region=COUNTY, kind="dibao", month=month, apply=True, reason="提标",
                 stdout=io.StringIO())  # fmt: skip
    a.refresh_from_db()
    assert a.monthly_amount == Decimal("1000.00")
    assert AuditEntry.objects.get(action="benefits.restandard.apply").actor == "approver"
    with pytest.raises(CommandError, match="无权"):
        call_command("restandard", by="clerk_a", region=COUNTY, kind="dibao", month=month)
