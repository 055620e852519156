"""The payee accounts a payroll month carries: each line holds the account (ciphertext), bank name and payee name
of when the month was built, and a line whose account differs from the previous month's line of the same
enrolment is flagged for the reviewer. Only the lines whose stored ciphertexts differ are decrypted (equal
ciphertexts are equal accounts; different ones may still be the same account under a rotated key)."""

from django.db import connection

from huimin.benefits import labels
from huimin.benefits.models import PayrollLine, PayrollMonth
from huimin.core import audit, crypto, masking

_CHANGED = (
    "SELECT l.id, l.payee_id, l.bank_account, l.bank_name, p.payee_id, p.bank_account, p.bank_name"
    " FROM benefits_payrollline l JOIN ("
    "   SELECT enrolment_id, MAX(payee_id) AS payee_id, MAX(bank_account) AS bank_account,"
    "   MAX(bank_name) AS bank_name FROM benefits_payrollline WHERE payroll_id = %s GROUP BY enrolment_id"
    " ) p ON p.enrolment_id = l.enrolment_id"
    " WHERE l.payroll_id = %s AND (l.payee_id <> p.payee_id"
    "   OR (p.bank_account <> '' AND (l.bank_account <> p.bank_account OR l.bank_name <> p.bank_name)))"
)


def previous_month(payroll: PayrollMonth) -> PayrollMonth | None:
    return PayrollMonth.objects.filter(region_id=payroll.region_id, month__lt=payroll.month).order_by("-month").first()


def flag_changes(payroll: PayrollMonth) -> int:
    """Mark the lines of ``payroll`` whose payee, account or bank differ from the previous month's line of the same
    enrolment (an enrolment new this month, or whose previous line had no account, is not flagged: adding an
    account is itself a confirmed change). Returns how many lines were flagged."""
    previous = previous_month(payroll)
    if previous is None:
        return 0
    with connection.cursor() as cursor:
        cursor.execute(_CHANGED, [previous.pk, payroll.pk])
        rows = cursor.fetchall()
    flagged = [row[0] for row in rows if row[1] != row[4] or row[3] != row[6]]
    different = [row for row in rows if row[1] == row[4] and row[3] == row[6]]
    if different:  # same payee and bank, other ciphertext: compare the accounts themselves
        now = crypto.decrypt_many([row[2] for row in different if row[2]])
        before = crypto.decrypt_many([row[5] for row in different if row[2]])
        flagged += [row[0] for row in different if not row[2]]  # the account was removed
        flagged += [row[0] for row, a, b in zip([r for r in different if r[2]], now, before, strict=True) if a != b]
    for start in range(0, len(flagged), 5000):
        PayrollLine.objects.filter(pk__in=flagged[start : start + 5000]).update(account_changed=True)
    return len(flagged)


REVIEW_HEADERS = (
    "明细号", "在保记录", "领款人", "开户银行", "领款账号（脱敏）", "账号较上月变更", "村（社区）", "救助项目",
    "所属月份", "类别", "金额（元）",
)  # fmt: skip


def review_export(actor, payroll: PayrollMonth):
    """``review_rows`` for a download, audited (who exported which month, how many lines)."""
    audit.record(
        "benefits.payroll.export",
        payroll,
        after={"lines": payroll.line_count, "by": getattr(actor, "username", "")},
        detail="发放明细导出（领款账号脱敏）",
        region_code=payroll.region_id,
    )
    return review_rows(payroll)


def review_rows(payroll: PayrollMonth, *, chunk: int = 5000):
    """The month's lines as the reviewer checks them: the account masked (decrypted a chunk at a time, never
    written out in clear) and the flag for an account changed since the previous month."""
    lines = (
        PayrollLine.objects.filter(payroll=payroll)
        .order_by("id")
        .values_list(
            "id", "enrolment_id", "account_holder", "bank_name", "account_changed", "region__name",
            "programme_code", "service_month", "kind", "amount",
        )
    )  # fmt: skip
    kinds = dict(PayrollLine._meta.get_field("kind").choices)
    names = labels.programme_names()
    tokens = PayrollLine.objects.filter(payroll=payroll).order_by("id").values_list("id", "bank_account")
    last = 0
    while True:
        rows = list(lines.filter(id__gt=last)[:chunk])
        if not rows:
            return
        accounts = dict(tokens.filter(id__gt=last, id__lte=rows[-1][0]))  # decrypted by the field, masked below
        for pk, enrolment, holder, bank, changed, region, programme, month, kind, amount in rows:
            yield (
                pk, enrolment, holder, bank, masking.mask("bank_account", accounts.get(pk, "")),
                "是" if changed else "", region, names.get(programme, programme), f"{month:%Y-%m}",
                kinds.get(kind, kind), amount,
            )  # fmt: skip
        last = rows[-1][0]
