"""A change of a person's bank account (or bank) is a request that takes effect only when a second person
confirms it (maker–checker): someone other than the requester, holding PEOPLE_BANK_CONFIRM, with the person in
their region. Until then the registry — and so every payroll built meanwhile — keeps the old account. Request,
confirmation and rejection are audited with masked before/after values (6222****1234), never in clear."""

import datetime

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from huimin.core import audit, masking
from huimin.core.roles import PEOPLE_BANK_CONFIRM, PEOPLE_EDIT, has_capability
from huimin.core.scope import require_in_scope, scoped
from huimin.core.services import ServiceError
from huimin.registry import codes
from huimin.registry.models import BankAccountChange, LifeEvent, Person

MAX_ACCOUNT_DIGITS = 30
MIN_ACCOUNT_DIGITS = 8


def _masked(account: str) -> str:
    return masking.mask("bank_account", account) or "（无）"


def _snapshot(masked: str, bank_name: str) -> dict:
    return {"bank_account": masked, "bank_name": bank_name}


def _compact(value) -> str:
    return str(value or "").strip().replace(" ", "").replace("-", "")


def clean_account(value) -> str:
    account = _compact(value)
    if account and not (account.isascii() and account.isdigit()):
        raise ServiceError("银行账号只能包含数字（可用空格或短横线分隔）")
    if account and not MIN_ACCOUNT_DIGITS <= len(account) <= MAX_ACCOUNT_DIGITS:
        raise ServiceError(f"银行账号应为 {MIN_ACCOUNT_DIGITS}–{MAX_ACCOUNT_DIGITS} 位数字")
    return account


def differs(person: Person, bank_account, bank_name) -> bool:
    """Whether (``bank_account``, ``bank_name``) as entered differ from the person's own."""
    entered = (_compact(bank_account), (bank_name or "").strip())
    return entered != (person.bank_account or "", person.bank_name or "")


def pending_of(person: Person) -> BankAccountChange | None:
    return person.bank_changes.filter(status=BankAccountChange.Status.PENDING).select_related("requested_by").first()


def pending_for(actor):
    """The pending changes of persons in ``actor``'s region that ``actor`` may confirm (empty without the
    capability)."""
    changes = BankAccountChange.objects.filter(status=BankAccountChange.Status.PENDING)
    return scoped(
        changes.select_related("person__region", "requested_by"), actor, "person__region", PEOPLE_BANK_CONFIRM
    ).order_by("requested_at", "id")


def request_change(actor, person: Person, *, bank_account, bank_name: str, reason: str = "") -> BankAccountChange:
    """Record a requested change of ``person``'s bank account and bank; nothing of the person changes yet.
    Runs inside the caller's transaction when there is one (update_person)."""
    if not has_capability(actor, PEOPLE_EDIT):
        raise PermissionDenied("您的角色无权变更人员信息")
    require_in_scope(actor, person.region_id)
    return _propose(actor, person, bank_account, bank_name, reason)


def propose_from_merge(actor, keep: Person, drop: Person) -> BankAccountChange | None:
    """When a duplicate record with an account is merged into one without, its account becomes a pending change of
    the kept person (the merger is its maker), not the kept person's account at once. The merge has checked the
    actor's capability and scope."""
    if keep.bank_account or not drop.bank_account or pending_of(keep) is not None:
        return None
    reason = f"合并重复人员记录 #{drop.pk} 的账号"
    try:
        return _propose(actor, keep, drop.bank_account, drop.bank_name, reason, bank_name_required=False)
    except ServiceError:  # an account the registry would not accept today: left on the merged record
        return None


def _propose(
    actor, person: Person, bank_account, bank_name: str, reason: str, *, bank_name_required: bool = True
) -> BankAccountChange:
    account, bank_name = clean_account(bank_account), (bank_name or "").strip()[:100]
    if not differs(person, account, bank_name):
        raise ServiceError("银行账号和开户银行与现有信息相同，无需变更")
    if account and not bank_name and bank_name_required:
        raise ServiceError("请填写开户银行")
    if pending_of(person) is not None:
        raise ServiceError("该人员已有一项待确认的银行账号变更，请待确认或退回后再申请")
    change = BankAccountChange(
        person=person,
        bank_account=account,
        bank_name=bank_name,
        before_masked=_masked(person.bank_account),
        before_bank_name=person.bank_name,
        after_masked=_masked(account),
        reason=(reason or "").strip()[:200],
        requested_by=actor,
    )
    try:
        with transaction.atomic():
            change.save()
    except IntegrityError as exc:  # a concurrent request for the same person
        raise ServiceError("该人员已有一项待确认的银行账号变更，请待确认或退回后再申请") from exc
    audit.record(
        "registry.person.bank_account.request",
        person,
        before=_snapshot(change.before_masked, change.before_bank_name),
        after=_snapshot(change.after_masked, bank_name),
        detail=f"银行账号变更申请 #{change.pk}，待他人确认后生效",
    )
    return change


def _check_checker(actor, change: BankAccountChange) -> None:
    if not has_capability(actor, PEOPLE_BANK_CONFIRM):
        raise PermissionDenied("您的角色无权确认银行账号变更")
    require_in_scope(actor, change.person.region_id)
    if change.requested_by_id == actor.pk:
        raise ServiceError("职责分离：银行账号变更由您申请，须由其他人员确认")
    if change.status != BankAccountChange.Status.PENDING:
        raise ServiceError(f"该变更已{change.get_status_display()}，不能再处理")


def _locked(change: BankAccountChange) -> BankAccountChange:
    return BankAccountChange.objects.select_for_update().select_related("person").get(pk=change.pk)


@transaction.atomic
def confirm(actor, change: BankAccountChange, *, note: str = "", on: datetime.date | None = None) -> Person:
    """The second person's confirmation: the new account becomes the person's (payroll months built from now on
    pay it; months already built keep the account they carry)."""
    change = _locked(change)
    _check_checker(actor, change)
    person = Person.objects.select_for_update().get(pk=change.person_id)
    if _masked(person.bank_account) != change.before_masked or person.bank_name != change.before_bank_name:
        raise ServiceError("申请后该人员的银行账号已有变动，请退回本申请后重新申请")
    before = _snapshot(change.before_masked, change.before_bank_name)
    person.bank_account, person.bank_name = change.bank_account, change.bank_name
    person.save(update_fields=["bank_account", "bank_name", "updated_at"])
    change.status, change.decided_by, change.decided_at = BankAccountChange.Status.CONFIRMED, actor, timezone.now()
    change.decision_note = (note or "").strip()[:200]
    change.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    LifeEvent.objects.create(
        kind=codes.EventKind.UPDATE, household=person.household, person=person,
        occurred_on=on or timezone.localdate(), detail={"fields": ["bank_account", "bank_name"], "change": change.pk},
        note=f"变更：银行账号（{change.requested_by.username} 申请，{actor.username} 确认）",
        recorded_by=actor.username,
    )  # fmt: skip
    audit.record(
        "registry.person.bank_account.confirm",
        person,
        before=before,
        after=_snapshot(change.after_masked, change.bank_name),
        detail=f"银行账号变更 #{change.pk}：{change.requested_by.username} 申请，{actor.username} 确认",
    )
    return person


@transaction.atomic
def reject(actor, change: BankAccountChange, *, note: str) -> BankAccountChange:
    change = _locked(change)
    _check_checker(actor, change)
    note = (note or "").strip()
    if not note:
        raise ServiceError("请填写退回理由")
    change.status, change.decided_by, change.decided_at = BankAccountChange.Status.REJECTED, actor, timezone.now()
    change.decision_note = note[:200]
    change.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    audit.record(
        "registry.person.bank_account.reject",
        change.person,
        before=_snapshot(change.before_masked, change.before_bank_name),
        after=_snapshot(change.after_masked, change.bank_name),
        detail=f"银行账号变更 #{change.pk} 被退回：{change.decision_note}",
    )
    return change
