"""What the resident portal (huimin.portal.payments) shows of the money: the payroll lines of the resident's
household in locked months (a month still being built or checked is not shown), each with what the bank answered.

Status: ``paid`` 已到账 (the bank's return said 成功; ``paid_on`` is the day the return was recorded), ``failed``
发放失败 (with the bank's reason; it is re-sent in a retry batch), ``pending`` 待发放 (not yet sent, or sent and
not yet answered), ``recovery`` 追回 (a negative line: deducted, never sent to the bank)."""

from django.db.models import Q
from django.utils import timezone

from huimin.assistance.models import Programme
from huimin.benefits.models import LineKind, Payment, PayrollLine, PayrollMonth

LIMIT = 60  # the most recent lines; older ones are at the township office

LABELS = {"paid": "已到账", "failed": "发放失败", "pending": "待发放", "recovery": "追回（从发放中扣减）"}


def _state(line: PayrollLine, payments: list[Payment]) -> tuple[str, object, str]:
    """(status, paid_on, reason) of one line from its payments, the latest batch deciding."""
    if line.amount <= 0:
        return "recovery", None, ""
    for payment in sorted(payments, key=lambda p: (p.batch.created_at, p.batch_id), reverse=True):
        if payment.status == Payment.Status.PAID:
            returned = payment.batch.returned_at
            return "paid", timezone.localdate(returned) if returned else None, ""
        if payment.status == Payment.Status.FAILED:
            return "failed", None, payment.reason
        if payment.status == Payment.Status.SENT:
            return "pending", None, ""
        # RETRIED: an older failure already re-sent; the newer payment (seen first) decides
    return "pending", None, ""


def payments_for(person) -> list[dict]:
    """Rows ``month`` (the month the money is for), ``programme`` (name, with the kind when not a regular
    payment), ``amount`` (Decimal 元), ``paid_on`` (date or None), ``status`` (Chinese), ``state`` (code above)
    and ``reason`` (the bank's, when it failed); newest first."""
    condition = Q(payee_id=person.pk)
    if person.household_id:
        condition |= Q(enrolment__household_id=person.household_id)
    lines = list(
        PayrollLine.objects.filter(condition, payroll__status=PayrollMonth.Status.LOCKED)
        .select_related("payroll")
        .defer("bank_account")  # the resident's page shows no account: not decrypted
        .order_by("-payroll__month", "-service_month", "id")[:LIMIT]
    )
    payments: dict[int, list[Payment]] = {}
    for payment in Payment.objects.filter(line_id__in=[ln.pk for ln in lines]).select_related("batch"):
        payments.setdefault(payment.line_id, []).append(payment)
    names = dict(Programme.objects.values_list("code", "name"))
    kinds = dict(LineKind.choices)
    rows = []
    for line in lines:
        state, paid_on, reason = _state(line, payments.get(line.pk, []))
        programme = names.get(line.programme_code, line.programme_code)
        if line.kind != LineKind.REGULAR:
            programme = f"{programme}（{kinds.get(line.kind, line.kind)}）"
        rows.append(
            {
                "month": line.service_month,
                "payroll_month": line.payroll.month,
                "programme": programme,
                "amount": line.amount,
                "paid_on": paid_on,
                "status": LABELS[state],
                "state": state,
                "reason": reason,
            }
        )
    return rows
