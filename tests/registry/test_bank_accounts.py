"""A bank account changes only with a second person's confirmation (maker–checker), audited masked."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.http import Http404

from huimin.core.models import AuditEntry
from huimin.core.services import ServiceError
from huimin.registry import bank_accounts, codes, services
from huimin.registry.models import BankAccountChange, Person
from tests.registry.conftest import VILLAGE_A1, VILLAGE_B1

pytestmark = pytest.mark.django_db
OLD, NEW = "6222020200112233445", "6217000011112222333"
OLD_MASKED, NEW_MASKED = "6222***********3445", "6217***********2333"


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(datetime.datetime(2026, 5, 6, 10, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))):
        yield


@pytest.fixture
def payee(household_of):
    household = household_of(VILLAGE_A1, [("王五", datetime.date(1960, 2, 2), 31, codes.HEAD)])
    person = household.head  # the account as registered (a new person's first account needs no request)
    person.bank_account, person.bank_name = OLD, "邮储银行"
    person.save()
    return Person.objects.get(pk=person.pk)


def _edit(actor, person, **changes):
    return services.update_person(actor, person, changes)


def test_a_changed_account_has_no_effect_until_someone_else_confirms_it(users, payee):
    _edit(users["assistant_a"], payee, bank_account=NEW, bank_name="建设银行", phone="13800138000")
    person = Person.objects.get(pk=payee.pk)
    assert person.bank_account == OLD and person.bank_name == "邮储银行"  # unchanged …
    assert person.phone == "13800138000"  # … while the rest of the edit is saved
    change = BankAccountChange.objects.get(person=payee, status="pending")
    assert change.bank_account == NEW and change.requested_by == users["assistant_a"]
    bank_accounts.confirm(users["clerk_a"], change, note="已核对银行卡")
    person.refresh_from_db()
    assert person.bank_account == NEW and person.bank_name == "建设银行"
    change.refresh_from_db()
    assert change.status == "confirmed" and change.decided_by == users["clerk_a"]


def test_the_maker_cannot_confirm_his_own_change(users, payee):
    change = bank_accounts.request_change(users["clerk_a"], payee, bank_account=NEW, bank_name="建设银行")
    with pytest.raises(ServiceError, match="职责分离"):
        bank_accounts.confirm(users["clerk_a"], change)
    with pytest.raises(ServiceError, match="职责分离"):
        bank_accounts.reject(users["clerk_a"], change, note="撤回")
    with pytest.raises(PermissionDenied):  # a 协理员 does not confirm
        bank_accounts.confirm(users["assistant_a"], change)
    with pytest.raises(Http404):  # another township's clerk does not see the person
        bank_accounts.confirm(users["clerk_b"], change)
    assert Person.objects.get(pk=payee.pk).bank_account == OLD
    bank_accounts.confirm(users["reviewer_a"], change)
    assert Person.objects.get(pk=payee.pk).bank_account == NEW
    with pytest.raises(ServiceError, match="已确认生效"):
        bank_accounts.reject(users["reviewer_a"], change, note="晚了")


def test_request_and_confirmation_are_audited_with_masked_before_and_after(users, payee):
    change = bank_accounts.request_change(users["assistant_a"], payee, bank_account=NEW, bank_name="建设银行")
    bank_accounts.confirm(users["clerk_a"], change)
    entries = {e.action: e for e in AuditEntry.objects.filter(action__startswith="registry.person.bank_account")}
    assert set(entries) == {"registry.person.bank_account.request", "registry.person.bank_account.confirm"}
    for entry in entries.values():
        assert entry.before == {"bank_account": OLD_MASKED, "bank_name": "邮储银行"}
        assert entry.after == {"bank_account": NEW_MASKED, "bank_name": "建设银行"}
        assert OLD not in str(entry.before) + str(entry.after) + entry.detail
        assert NEW not in str(entry.before) + str(entry.after) + entry.detail
    assert "assistant_a 申请，clerk_a 确认" in entries["registry.person.bank_account.confirm"].detail


def test_a_rejected_change_changes_nothing_and_needs_a_reason(users, payee):
    change = bank_accounts.request_change(users["assistant_a"], payee, bank_account=NEW, bank_name="建设银行")
    with pytest.raises(ServiceError, match="退回理由"):
        bank_accounts.reject(users["clerk_a"], change, note=" ")
    bank_accounts.reject(users["clerk_a"], change, note="户名与本人不符")
    assert Person.objects.get(pk=payee.pk).bank_account == OLD
    assert AuditEntry.objects.filter(action="registry.person.bank_account.reject").exists()
    # one pending request at a time; a new one may follow a rejected one
    bank_accounts.request_change(users["assistant_a"], payee, bank_account=NEW, bank_name="建设银行")
    with pytest.raises(ServiceError, match="待确认"):
        bank_accounts.request_change(users["assistant_a"], payee, bank_account="6228480000000000011", bank_name="农行")


@pytest.mark.parametrize(
    "account, message",
    [("6222-abc-1", "只能包含数字"), ("1234", "8–30 位"), (OLD, "无需变更"), ("６２２２０２０２", "只能包含数字")],
)
def test_bad_accounts_are_refused_in_chinese(users, payee, account, message):
    with pytest.raises(ServiceError, match=message):
        bank_accounts.request_change(users["assistant_a"], payee, bank_account=account, bank_name="邮储银行")
    assert not BankAccountChange.objects.exists()


def test_the_pages_route_an_edit_into_a_pending_change_for_another_to_confirm(users, payee, login, household_of):
    other = household_of(VILLAGE_B1, [("孙七", datetime.date(1961, 3, 3), 33, codes.HEAD)]).head
    bank_accounts.request_change(users["clerk_b"], other, bank_account=NEW, bank_name="建设银行")
    client = login(users["clerk_a"])
    form = client.get(f"/registry/persons/{payee.pk}/edit/").context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(bank_account=NEW, bank_name="建设银行", special_statuses=[])
    response = client.post(f"/registry/persons/{payee.pk}/edit/", data, follow=True)
    assert "银行账号变更待其他人员确认后生效" in response.content.decode()
    assert Person.objects.get(pk=payee.pk).bank_account == OLD
    page = client.get(f"/registry/persons/{payee.pk}/").content.decode()
    assert "银行账号变更待确认" in page and NEW_MASKED in page and "由您申请，须由其他人员确认" in page
    listing = client.get("/registry/bank-changes/").content.decode()
    assert NEW_MASKED in listing and "孙七" not in listing  # the other township's request is not listed
    change = BankAccountChange.objects.get(person=payee)
    client.post(f"/registry/bank-changes/{change.pk}/", {"action": "confirm"})
    assert Person.objects.get(pk=payee.pk).bank_account == OLD  # the maker's own click changes nothing
    reviewer = login(users["reviewer_a"])
    assert reviewer.get(f"/registry/bank-changes/{change.pk}/").status_code == 405
    reviewer.post(f"/registry/bank-changes/{change.pk}/", {"action": "confirm", "note": "核对银行卡"})
    assert Person.objects.get(pk=payee.pk).bank_account == NEW
    other_change = BankAccountChange.objects.get(person=other)
    assert reviewer.post(f"/registry/bank-changes/{other_change.pk}/", {"action": "confirm"}).status_code == 404


def test_merging_a_duplicate_proposes_its_account_instead_of_taking_it(household_of, users):
    from huimin.registry import dedup

    birth = datetime.date(1950, 8, 8)
    keep = household_of(VILLAGE_A1, [("王芳", birth, None, codes.HEAD), ("王小", datetime.date(1980, 1, 1), 31, "10")])
    keep = keep.head  # no ID number, no account
    second = household_of(VILLAGE_A1, [("刘强", datetime.date(1948, 1, 1), 41, codes.HEAD), ("王芳", birth, 21, "02")])
    drop = Person.objects.get(name="王芳", household=second)
    drop.bank_account, drop.bank_name = NEW, "建设银行"
    drop.save()
    kept = dedup.merge(users["clerk_a"], keep, drop)
    assert Person.objects.get(pk=kept.pk).bank_account == ""
    change = BankAccountChange.objects.get(person=kept, status="pending")
    assert change.requested_by == users["clerk_a"] and change.after_masked == NEW_MASKED
    with pytest.raises(ServiceError, match="职责分离"):
        bank_accounts.confirm(users["clerk_a"], change)
    bank_accounts.confirm(users["reviewer_a"], change)
    assert Person.objects.get(pk=kept.pk).bank_account == NEW
