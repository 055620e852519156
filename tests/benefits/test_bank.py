"""Bank 代发 files: templates in three formats, accounts decrypted only in the export (audited), the return
file with failures, the retry list and the retry batch."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from huimin.benefits import bank, services
from huimin.benefits.models import BankBatch, Payment, PayrollMonth, ProgrammeFund
from huimin.core.access import Forbidden
from huimin.core.models import AuditEntry
from huimin.core.services import ServiceError
from tests.benefits.conftest import lock_month
from tests.conftest import COUNTY

MAR = datetime.date(2026, 3, 1)
COLUMNS = [
    {"field": "account", "header": "账号", "width": 19},
    {"field": "name", "header": "户名", "width": 12},
    {"field": "amount", "header": "金额", "width": 12},
    {"field": "reference", "header": "流水号", "width": 20},
]


def _template(users, fmt="csv", **kw):
    return bank.create_template(
        users["approver"],
        name=f"邮储{fmt}",
        bank_name="邮储银行",
        region_code=COUNTY,
        format=fmt,
        columns=COLUMNS,
        **kw,
    )


def _locked_month(users, enrol, n=3):
    made = [enrol(amount=f"{100 * (i + 1)}.00", account=f"62220202001122334{i:02d}") for i in range(n)]
    payroll = services.build(users["approver"], region_code=COUNTY, month=MAR)
    payroll = lock_month(users, payroll)
    return payroll, made


def _csv_rows(content: bytes, encoding="utf-8"):
    return list(csv.reader(io.StringIO(content.decode(encoding))))


@pytest.mark.django_db
def test_round_trip_export_return_with_failures_then_retry(users, enrol):
    payroll, made = _locked_month(users, enrol)
    template = _template(users)
    name, content, batch = bank.export(users["approver"], payroll, template)
    rows = _csv_rows(content)
    assert rows[0] == ["账号", "户名", "金额", "流水号"] and len(rows) == 4
    assert rows[1][0] == "6222020200112233400" and rows[1][2] == "100.00"  # decrypted account, 元 with 2 places
    assert name.endswith(".csv") and batch.count == 3 and batch.total == Decimal("600.00")
    entry = AuditEntry.objects.get(action="benefits.bank.export")
    assert entry.after["sha256"] == batch.sha256 and "6222020200112233400" not in str(entry.after) + entry.detail
    # a second export of the same month sends nothing twice
    with pytest.raises(ServiceError, match="没有尚未报盘"):
        bank.export(users["approver"], payroll, template)
    refs = [r[3] for r in rows[1:]]
    answer = "流水号,结果,原因\r\n" + f"{refs[0]},成功,\r\n{refs[1]},失败,账户已销户\r\n{refs[2]},成功,\r\n"
    result = bank.import_return(users["approver"], batch, "return.csv", answer.encode("gb18030"))
    assert result == {"paid": 2, "failed": 1, "unanswered": 0}
    retry = list(bank.retry_list(payroll))
    assert [p.line.enrolment_id for p in retry] == [made[1].pk] and retry[0].reason == "账户已销户"
    assert bank.paid_total(payroll) == Decimal("400.00")
    _, again, retry_batch = bank.export(users["approver"], payroll, template, retry=True)
    assert retry_batch.is_retry and retry_batch.count == 1 and len(_csv_rows(again)) == 2
    assert not bank.retry_list(payroll).exists()
    assert Payment.objects.get(batch=batch, line__enrolment=made[1]).status == "retried"


@pytest.mark.django_db
def test_return_file_with_a_foreign_reference_changes_nothing(users, enrol):
    payroll, _ = _locked_month(users, enrol, n=1)
    _, content, batch = bank.export(users["approver"], payroll, _template(users))
    ref = _csv_rows(content)[1][3]
    bad = f"流水号,结果\n{ref},成功\nB999999L0000000001,成功\n".encode()
    with pytest.raises(ServiceError, match="不属于本批次"):
        bank.import_return(users["approver"], batch, "r.csv", bad)
    assert Payment.objects.get(batch=batch).status == "sent"
    with pytest.raises(ServiceError, match="流水号"):
        bank.import_return(users["approver"], batch, "r.csv", b"a,b\n1,2\n")


@pytest.mark.django_db
def test_fixed_width_and_xlsx_templates(users, enrol):
    payroll, _ = _locked_month(users, enrol, n=1)
    fixed = _template(users, "fixed", encoding="gb18030", header_row=False)
    _, content, _ = bank.export(users["approver"], payroll, fixed)
    line = content.decode("gb18030").split("\r\n")[0]
    assert len(line.encode("gb18030")) == 19 + 12 + 12 + 20  # CJK names take two columns, as banks count bytes
    assert line.startswith("6222020200112233400") and line[19:].startswith("待遇")
    assert "      100.00" in line  # amounts right-aligned
    # the xlsx file of a retry-free second month
    payroll2 = services.build(users["approver"], region_code=COUNTY, month=datetime.date(2026, 4, 1))
    payroll2 = lock_month(users, payroll2)
    _, data, _ = bank.export(users["approver"], payroll2, _template(users, "xlsx"))
    sheet = load_workbook(io.BytesIO(data)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == ("账号", "户名", "金额", "流水号") and values[1][2] == 100


@pytest.mark.django_db
def test_only_locked_months_and_only_payers_in_scope_export(users, enrol):
    enrol()
    draft = services.build(users["approver"], region_code=COUNTY, month=MAR)
    template = _template(users)
    with pytest.raises(ServiceError, match="锁定后"):
        bank.export(users["approver"], draft, template)
    with pytest.raises(Forbidden):
        bank.export(users["clerk_a"], draft, template)
    assert not BankBatch.objects.exists()
    assert not AuditEntry.objects.filter(action="benefits.bank.export").exists()


@pytest.mark.django_db
def test_missing_account_refuses_the_whole_file(users, enrol):
    enrol(account="")
    payroll = services.build(users["approver"], region_code=COUNTY, month=MAR)
    payroll = lock_month(users, payroll)
    with pytest.raises(ServiceError, match="没有银行账号"):
        bank.export(users["approver"], payroll, _template(users))
    assert not BankBatch.objects.exists() and not Payment.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "columns, message",
    [([], "至少"), ([{"field": "account"}, {"field": "amount"}], "流水号"), ([{"field": "password"}], "字段不正确")],
)
def test_bad_templates_are_refused(users, columns, message):
    with pytest.raises(ServiceError, match=message):
        bank.create_template(
            users["approver"], name="x", bank_name="y", region_code=COUNTY, format="csv", columns=columns
        )


@pytest.mark.django_db
def test_funds_report_totals_locked_months_by_programme_and_county(users, enrol):
    _locked_month(users, enrol, n=2)
    services.build(users["approver"], region_code=COUNTY, month=datetime.date(2026, 4, 1))  # draft: not counted
    rows = list(services.funds_report("411702", MAR, datetime.date(2026, 12, 31)))
    fund = ProgrammeFund.objects.get(programme__code="dibao", region=None)  # the national default row
    assert rows == [
        {"county": "411702", "programme_code": "dibao", "fund_id": fund.pk, "kind": "regular", "n": 2,
         "total": Decimal("300.00")}
    ]  # fmt: skip
    assert PayrollMonth.objects.count() == 2


@pytest.mark.django_db
def test_export_decrypts_accounts_under_an_older_key_after_rotation(users, enrol, settings):
    from django.db import connection

    from huimin.core import crypto

    def key_ids():
        with connection.cursor() as cursor:  # the stored ciphertexts (the ORM would decrypt them)
            cursor.execute(
                "SELECT bank_account FROM registry_person WHERE id = ANY(%s)", [[m.persons[0].pk for m in made]]
            )
            return {crypto.key_id_of(token) for (token,) in cursor.fetchall()}

    made = [enrol(account=f"62220202001122334{i:02d}") for i in range(3)]  # under the ring's current key
    (old_kid,) = key_ids()
    settings.HUIMIN_FIELD_KEYS = f"{crypto.generate_key_line('rot2')},{settings.HUIMIN_FIELD_KEYS}"
    payee = made[1].persons[0]
    payee.bank_account = "6217000011112222333"  # saved again: now under the new key
    payee.save()
    assert key_ids() == {old_kid, "rot2"}
    payroll = lock_month(users, services.build(users["approver"], region_code=COUNTY, month=MAR))  # lines copy both
    _, content, batch = bank.export(users["approver"], payroll, _template(users))
    accounts = [r[0] for r in _csv_rows(content)[1:]]
    assert accounts == ["6222020200112233400", "6217000011112222333", "6222020200112233402"]
    assert batch.count == 3 and Payment.objects.filter(batch=batch).count() == 3


@pytest.mark.django_db
def test_an_account_that_cannot_be_decrypted_refuses_the_whole_file(users, enrol):
    from django.db import connection

    payroll, made = _locked_month(users, enrol, n=2)
    with connection.cursor() as cursor:  # a damaged ciphertext (one character changed) in the line the file pays
        cursor.execute("SELECT bank_account FROM benefits_payrollline WHERE enrolment_id = %s", [made[1].pk])
        (token,) = cursor.fetchone()
        damaged = token[:-6] + ("A" if token[-6] != "A" else "B") + token[-5:]
        cursor.execute(
            "UPDATE benefits_payrollline SET bank_account = %s WHERE enrolment_id = %s", [damaged, made[1].pk]
        )
    with pytest.raises(ServiceError, match="无法解密"):
        bank.export(users["approver"], payroll, _template(users))
    assert not BankBatch.objects.exists() and not Payment.objects.exists()
    assert not AuditEntry.objects.filter(action="benefits.bank.export").exists()


@pytest.mark.django_db
def test_payment_references_in_the_file_and_in_the_database_agree(users, enrol):
    payroll, _ = _locked_month(users, enrol, n=3)
    _, content, batch = bank.export(users["approver"], payroll, _template(users))
    in_file = {r[3]: r[2] for r in _csv_rows(content)[1:]}
    stored = {p.reference: f"{p.line.amount:.2f}" for p in Payment.objects.filter(batch=batch).select_related("line")}
    assert in_file == stored and all(ref.startswith(f"B{batch.pk:06d}L") and len(ref) == 18 for ref in stored)


@pytest.mark.django_db
def test_a_payroll_month_with_lines_or_a_batch_with_payments_cannot_be_deleted(users, enrol):
    from django.db import IntegrityError, connection, transaction

    payroll, _ = _locked_month(users, enrol, n=1)
    _, _, batch = bank.export(users["approver"], payroll, _template(users))
    for table, pk in (("benefits_payrollmonth", payroll.pk), ("benefits_bankbatch", batch.pk)):
        with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {table} WHERE id = %s", [pk])  # noqa: S608 - fixed table names
    assert PayrollMonth.objects.filter(pk=payroll.pk).exists() and BankBatch.objects.filter(pk=batch.pk).exists()
