"""Money cannot be redirected: a month pays the accounts it was approved with, a changed account is flagged for
the reviewer, a failed payment is retried to the account confirmed since, and the 代发 CSV runs no formula."""

import csv
import datetime
import io
import zoneinfo

import pytest
import time_machine
from openpyxl import load_workbook

from huimin.benefits import bank, services
from huimin.core.models import AuditEntry
from huimin.registry import bank_accounts
from huimin.registry import services as registry_services
from huimin.registry.models import Person
from tests.benefits.conftest import lock_month
from tests.conftest import COUNTY

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _april_2026():
    """Months are built up to the current one: the clock stands in April 2026 (10:00 Beijing time)."""
    with time_machine.travel(datetime.datetime(2026, 4, 20, 10, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))):
        yield


MAR, APR = datetime.date(2026, 3, 1), datetime.date(2026, 4, 1)
OLD, NEW = "6222020200112233400", "6217000011112222333"
COLUMNS = [
    {"field": "account", "header": "账号"},
    {"field": "name", "header": "户名"},
    {"field": "amount", "header": "金额"},
    {"field": "reference", "header": "流水号"},
]


def _template(users, columns=COLUMNS):
    return bank.create_template(
        users["approver"], name="邮储", bank_name="邮储银行", region_code=COUNTY, format="csv", columns=columns
    )


def _rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode())))[1:]


def _month(users, month):
    return lock_month(users, services.build(users["approver"], region_code=COUNTY, month=month))


def _change_confirmed(users, payee: Person, account: str) -> None:
    change = bank_accounts.request_change(users["assistant_a"], payee, bank_account=account, bank_name="建设银行")
    bank_accounts.confirm(users["clerk_a"], change)


def test_an_account_changed_after_the_month_was_locked_is_not_what_the_bank_file_pays(users, enrol):
    enrolment = enrol(account=OLD)
    payroll = _month(users, MAR)
    payee = enrolment.persons[0]
    approved_name = payee.name
    payee.bank_account, payee.name = NEW, "改名者"  # whatever the registry holds by now, confirmed or not
    payee.save()
    _, content, batch = bank.export(users["approver"], payroll, _template(users))
    assert [row[:3] for row in _rows(content)] == [[OLD, approved_name, "500.00"]]
    entry = AuditEntry.objects.get(action="benefits.bank.export")
    assert entry.after["accounts_from_registry"] == 0 and batch.count == 1


def test_an_account_change_nobody_confirmed_is_not_paid(users, enrol):
    enrolment = enrol(account=OLD)
    registry_services.update_person(
        users["assistant_a"], enrolment.persons[0], {"bank_account": NEW, "bank_name": "建设银行"}
    )
    _, content, _ = bank.export(users["approver"], _month(users, MAR), _template(users))
    assert _rows(content)[0][0] == OLD


def test_a_confirmed_change_after_approval_waits_for_the_next_month(users, enrol):
    enrolment = enrol(account=OLD)
    mar = _month(users, MAR)
    _change_confirmed(users, enrolment.persons[0], NEW)
    _, content, _ = bank.export(users["approver"], mar, _template(users))
    assert _rows(content)[0][0] == OLD
    apr = _month(users, APR)
    _, content, _ = bank.export(users["approver"], apr, _template(users))
    assert _rows(content)[0][0] == NEW


def test_a_line_whose_account_changed_since_last_month_is_flagged_on_the_page_and_in_the_export(users, enrol, login):
    changed, same, payee_changed = enrol(account=OLD), enrol(account="6222020200112233499"), enrol(members=2)
    _month(users, MAR)
    _change_confirmed(users, changed.persons[0], NEW)
    household = payee_changed.household  # a new head of household: another payee, another account
    payee_changed.persons[1].bank_account = "6228480000000000011"
    payee_changed.persons[1].save()
    household.head = payee_changed.persons[1]
    household.save()
    apr = services.build(users["approver"], region_code=COUNTY, month=APR)
    flags = dict(apr.lines.values_list("enrolment_id", "account_changed"))
    assert flags == {changed.pk: True, same.pk: False, payee_changed.pk: True}
    assert AuditEntry.objects.filter(action="benefits.payroll.build").first().after["account_changed"] == 2
    client = login(users["approver"])
    page = client.get(f"/benefits/payroll/{apr.pk}/").content.decode()
    assert "领款账号较上月变更 2 笔" in page and page.count("较上月变更</span>") == 2
    assert NEW not in page and "6217***********2333" in page  # masked
    only = client.get(f"/benefits/payroll/{apr.pk}/?account_changed=1").content.decode()
    assert only.count("较上月变更</span>") == 2 and f">{same.pk}</a>" not in only
    response = client.get(f"/benefits/payroll/{apr.pk}/lines.xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    by_enrolment = {r[1]: dict(zip(header, r, strict=True)) for r in rows[1:]}
    assert by_enrolment[changed.pk]["账号较上月变更"] == "是" and not by_enrolment[same.pk]["账号较上月变更"]
    assert by_enrolment[changed.pk]["领款账号（脱敏）"] == "6217***********2333"
    assert NEW.encode() not in response.content
    assert AuditEntry.objects.filter(action="benefits.payroll.export").exists()


def test_a_failed_payment_is_retried_to_the_account_confirmed_since(users, enrol):
    enrolment = enrol(account=OLD)
    payroll = _month(users, MAR)
    template = _template(users)
    _, content, batch = bank.export(users["approver"], payroll, template)
    reference = _rows(content)[0][3]
    bank.import_return(users["approver"], batch, "r.csv", f"流水号,结果,原因\n{reference},失败,账户已销户\n".encode())
    _change_confirmed(users, enrolment.persons[0], NEW)
    _, again, _ = bank.export(users["approver"], payroll, template, retry=True)
    assert _rows(again)[0][0] == NEW
    entry = AuditEntry.objects.filter(action="benefits.bank.export").first()  # the latest
    assert entry.after["accounts_from_registry"] == 1 and NEW not in str(entry.after) + entry.detail


def test_the_bank_csv_runs_no_formula(users, enrol):
    enrolment = enrol(account=OLD)
    Person.objects.filter(pk=enrolment.persons[0].pk).update(name='=HYPERLINK("http://x","点我")')
    payroll = _month(users, MAR)
    columns = [*COLUMNS, {"field": "literal", "header": "@备注", "value": "+1+1"}]
    _, content, _ = bank.export(users["approver"], payroll, _template(users, columns))
    header, row = list(csv.reader(io.StringIO(content.decode())))
    assert header[-1] == "'@备注"
    assert row[1] == '\'=HYPERLINK("http://x","点我")' and row[4] == "'+1+1"
    assert row[0] == OLD and row[2] == "500.00"  # accounts and amounts untouched
