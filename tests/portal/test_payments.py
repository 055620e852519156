"""The portal's 发放记录 from a real payroll: built, reviewed, approved and locked, sent to the bank and answered.
A resident sees their household's lines of locked months only, each with what the bank said."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.utils import timezone

from huimin.benefits import bank, portal
from huimin.benefits import services as payroll
from huimin.benefits.models import BankTemplate, PayrollMonth
from tests.benefits.conftest import lock_month, make_enrolment
from tests.clock import at
from tests.conftest import COUNTY
from tests.portal.test_portal import verify

pytestmark = pytest.mark.django_db

MAR, APR = datetime.date(2026, 3, 1), datetime.date(2026, 4, 1)
COLUMNS = [{"field": "account", "header": "账号"}, {"field": "name", "header": "户名"},
           {"field": "amount", "header": "金额"}, {"field": "reference", "header": "流水号"}]  # fmt: skip


@pytest.fixture(autouse=True)
def _pinned_clock():
    """The payroll months paid here are 2026's (built at most one month ahead of today)."""
    with at(2026, 11, 20):
        yield


@pytest.fixture
def paid_month(users):
    """Two enrolled households; March locked and sent, the bank paid the first and refused the second; April
    built but not locked."""
    mine = make_enrolment(users, amount="620.00", start=MAR, members=2, account="6222020200112233401")
    other = make_enrolment(users, amount="480.00", start=MAR, account="6222020200112233402")
    month = lock_month(users, payroll.build(users["approver"], region_code=COUNTY, month=MAR))
    template = bank.create_template(users["approver"], name="邮储", bank_name="邮储银行", region_code=COUNTY,
                                    format="csv", columns=COLUMNS)  # fmt: skip
    _, content, batch = bank.export(users["approver"], month, template)
    rows = list(csv.reader(io.StringIO(content.decode())))[1:]
    result = {r[1]: r[3] for r in rows}  # payee name → reference
    answer = "流水号,结果,原因\r\n" + f"{result[mine.persons[0].name]},成功,\r\n"
    answer += f"{result[other.persons[0].name]},失败,账户已冻结\r\n"
    bank.import_return(users["approver"], batch, "return.csv", answer.encode())
    payroll.build(users["approver"], region_code=COUNTY, month=APR)  # a draft: not shown to residents
    return mine, other, batch


def test_payments_are_the_households_locked_lines_with_the_banks_answer(paid_month):
    mine, other, batch = paid_month
    # the second member of the household sees the household's payment too
    rows = portal.payments_for(mine.persons[1])
    assert [(r["month"], r["amount"], r["state"]) for r in rows] == [(MAR, Decimal("620.00"), "paid")]
    assert rows[0]["programme"] == "最低生活保障" and rows[0]["status"] == "已到账"
    assert rows[0]["paid_on"] == timezone.localdate(batch.returned_at)
    failed = portal.payments_for(other.persons[0])
    assert [(r["amount"], r["state"], r["reason"]) for r in failed] == [(Decimal("480.00"), "failed", "账户已冻结")]


def test_a_failed_payment_resent_shows_the_new_batch(paid_month, users):
    _, other, _ = paid_month
    locked = PayrollMonth.objects.get(month=MAR)
    bank.export(users["approver"], locked, BankTemplate.objects.get(), retry=True)
    assert [r["state"] for r in portal.payments_for(other.persons[0])] == ["pending"]  # re-sent, not yet answered


def test_the_portal_page_lists_them(client, sms, paid_month):
    mine, _, _ = paid_month
    person = mine.persons[0]
    verify(client, sms, person.name, person.id_number, "13900139000")
    page = client.get("/portal/me/").content.decode()
    assert "发放记录将在资金发放模块上线后显示" not in page
    assert "2026年3月" in page and "620.00" in page and "已到账" in page
    assert "480.00" not in page  # another household's payment
    assert "2026年4月" not in page  # the April month is not locked


def test_no_payments_yet_is_said_plainly(client, sms, family):
    _, (wang, *_) = family
    verify(client, sms, "王芳", wang.id_number, "13800138000")
    assert "暂无发放记录" in client.get("/portal/me/").content.decode()
