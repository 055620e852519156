"""三员分立 holds against each of the three: an account with a system role changes only through the security
officer's request confirmed by another system-role holder, or through the command-line procedure."""

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.urls import reverse

from huimin.core import services, system_accounts
from huimin.core.models import AccountChangeRequest, AuditEntry, Region, RoleAssignment, User
from huimin.core.roles import PII_UNMASK, BusinessLine, Role, capabilities_of
from tests.conftest import PASSWORD

Kind = AccountChangeRequest.Kind


def _refusals(target, actor=None):
    entries = AuditEntry.objects.filter(action="core.user.refused", object_id=str(target.pk))
    return entries.filter(actor=actor.username) if actor else entries


def _messages(response) -> str:
    return " ".join(str(m) for m in response.context["messages"]) if response.context else ""


def test_sysadmin_cannot_reset_the_security_officers_password(users, login):
    sysadmin, security = users["sysadmin"], users["security"]
    client = login(sysadmin)
    page = client.get(reverse("core:user_detail", args=[security.pk])).content.decode()
    assert "三员账号：其密码" in page and "重置密码</button>" not in page  # the page offers no such button
    response = client.post(reverse("core:user_reset_password", args=[security.pk]), follow=True)
    assert response.status_code == 200
    assert "三员账号只能由安全保密员提出申请、另一名三员确认" in _messages(response)
    assert "临时密码" not in _messages(response)
    security.refresh_from_db()
    assert security.check_password(PASSWORD) and not security.must_change_password  # unchanged: no takeover
    refused = _refusals(security, sysadmin).get()
    assert "重置密码" in refused.detail and refused.actor_role == "sysadmin"
    assert not AuditEntry.objects.filter(action="core.user.reset_password", object_id=str(security.pk)).exists()


def test_sysadmin_cannot_deactivate_the_auditor_nor_the_security_officer(users, login):
    sysadmin = users["sysadmin"]
    client = login(sysadmin)
    for target in (users["auditor"], users["security"]):
        response = client.post(reverse("core:user_toggle_active", args=[target.pk]), follow=True)
        assert "三员账号" in _messages(response)
        target.refresh_from_db()
        assert target.is_active
        assert "停用账号" in _refusals(target, sysadmin).get().detail
    with pytest.raises(services.AccountRefused):
        services.set_active(sysadmin, users["auditor"], False)


def test_sysadmin_cannot_give_the_security_officer_or_himself_a_business_role(users, login):
    sysadmin, security = users["sysadmin"], users["security"]
    client = login(sysadmin)
    for target in (security, sysadmin):
        url = reverse("core:user_assign_role", args=[target.pk])
        response = client.post(url, {"role": Role.CLERK, "line": BusinessLine.ASSISTANCE})
        assert response.status_code == 403
        assert AuditEntry.objects.filter(action="core.access.denied", actor="sysadmin", detail__contains=url).exists()
    with pytest.raises(PermissionDenied):
        services.grant_role(sysadmin, sysadmin, Role.CLERK, BusinessLine.ASSISTANCE)
    denied = AuditEntry.objects.filter(action="core.access.denied", object_id=str(sysadmin.pk)).get()
    assert denied.actor == "sysadmin" and "roles.assign" in denied.detail
    assert PII_UNMASK not in capabilities_of(User.objects.get(pk=sysadmin.pk))
    assert list(security.role_assignments.values_list("role", flat=True)) == [Role.SECURITY]


def test_the_security_officer_cannot_give_himself_or_another_system_account_a_role(users, login):
    security, sysadmin = users["security"], users["sysadmin"]
    client = login(security)
    response = client.post(
        reverse("core:user_assign_role", args=[security.pk]),
        {"role": Role.APPROVER, "line": BusinessLine.ASSISTANCE},
        follow=True,
    )
    assert "不能给自己分配角色" in _messages(response)
    assert _refusals(security, security).exists()
    # the sysadmin may hold nothing but his system role: no business role path to personal data
    response = client.post(
        reverse("core:user_assign_role", args=[sysadmin.pk]),
        {"role": Role.CLERK, "line": BusinessLine.ASSISTANCE},
        follow=True,
    )
    assert "三员账号不能再持有业务角色" in _messages(response)
    assert _refusals(sysadmin, security).exists()
    with pytest.raises(services.AccountRefused, match="系统角色不能直接分配"):
        services.grant_role(security, users["clerk_a"], Role.SYSADMIN, "")
    with pytest.raises(services.AccountRefused, match="系统角色不能直接撤销"):
        services.revoke_role(security, sysadmin.role_assignments.get())
    held = set(RoleAssignment.objects.filter(user__in=[security, sysadmin]).values_list("user__username", "role"))
    assert held == {("sysadmin", Role.SYSADMIN), ("security", Role.SECURITY)}


def test_a_confirmed_request_resets_a_system_account(users):
    security, sysadmin, auditor = users["security"], users["sysadmin"], users["auditor"]
    request = system_accounts.request_change(security, auditor, Kind.RESET_PASSWORD, reason="审计员忘记密码，工单 17")
    auditor.refresh_from_db()
    assert auditor.check_password(PASSWORD)  # nothing happens on the request alone
    with pytest.raises(services.AccountRefused, match="申请人不能确认自己的申请"):
        system_accounts.confirm(security, request)
    with pytest.raises(services.AccountRefused, match="不能确认针对自己账号的申请"):
        system_accounts.confirm(auditor, request)
    assert _refusals(auditor).count() == 2
    password = system_accounts.confirm(sysadmin, request)
    auditor.refresh_from_db()
    assert auditor.check_password(password) and auditor.must_change_password
    request.refresh_from_db()
    assert request.status == AccountChangeRequest.Status.DONE and request.decided_by == sysadmin
    reset = AuditEntry.objects.get(action="core.user.reset_password", object_id=str(auditor.pk))
    assert f"#{request.pk}" in reset.detail and "security 申请，sysadmin 确认" in reset.detail
    with pytest.raises(services.ServiceError, match="已确认执行"):
        system_accounts.confirm(sysadmin, request)  # done once, never twice


def test_the_two_person_path_through_the_pages(users, login, client):
    security, sysadmin, auditor = users["security"], users["sysadmin"], users["auditor"]
    login(security)
    response = client.post(
        reverse("core:user_request_change", args=[auditor.pk]),
        {"kind": Kind.DEACTIVATE, "reason": "调离岗位"},
        follow=True,
    )
    assert "待另一名三员确认后执行" in _messages(response)
    change = AccountChangeRequest.objects.get(target=auditor)
    page = client.get(reverse("core:account_requests")).content.decode()
    assert "调离岗位" in page and "撤回" in page and "确认执行" not in page  # the requester cannot confirm
    login(sysadmin)
    assert "确认执行" in client.get(reverse("core:account_requests")).content.decode()
    response = client.post(reverse("core:account_request_confirm", args=[change.pk]), follow=True)
    assert "已确认并执行" in _messages(response)
    auditor.refresh_from_db()
    assert not auditor.is_active
    assert AuditEntry.objects.filter(action="core.user.deactivate", object_id=str(auditor.pk)).exists()


def test_a_system_role_is_granted_only_by_request_to_an_account_without_roles(users):
    security, auditor = users["security"], users["auditor"]
    town = Region.objects.get(code="411700000000")
    fresh, _ = services.create_user(users["sysadmin"], username="new_auditor", full_name="新审计员", region=town)
    with pytest.raises(services.ServiceError, match="三员账号只持有一个系统角色"):
        system_accounts.request_change(security, users["approver"], Kind.GRANT_ROLE, role=Role.AUDITOR, reason="x")
    with pytest.raises(services.ServiceError, match="请选择要授予的系统角色"):
        system_accounts.request_change(security, fresh, Kind.GRANT_ROLE, role=Role.CLERK, reason="x")
    request = system_accounts.request_change(security, fresh, Kind.GRANT_ROLE, role=Role.AUDITOR, reason="增补审计员")
    system_accounts.confirm(auditor, request)
    fresh.refresh_from_db()
    assert fresh.role_pairs == ((Role.AUDITOR, ""),) and fresh.role == Role.AUDITOR


def test_only_the_security_officer_files_requests_and_a_rejected_one_changes_nothing(users):
    security, sysadmin, auditor = users["security"], users["sysadmin"], users["auditor"]
    with pytest.raises(PermissionDenied):
        system_accounts.request_change(sysadmin, security, Kind.RESET_PASSWORD, reason="接管")
    assert AuditEntry.objects.filter(action="core.access.denied", actor="sysadmin", object_id=str(security.pk)).exists()
    with pytest.raises(services.AccountRefused):
        system_accounts.request_change(security, security, Kind.RESET_PASSWORD, reason="自己")
    with pytest.raises(services.ServiceError, match="不持有系统角色"):
        system_accounts.request_change(security, users["clerk_a"], Kind.DEACTIVATE, reason="x")
    request = system_accounts.request_change(security, sysadmin, Kind.DEACTIVATE, reason="离职")
    with pytest.raises(services.ServiceError, match="已有一项待确认的申请"):
        system_accounts.request_change(security, sysadmin, Kind.RESET_PASSWORD, reason="x")
    with pytest.raises(services.AccountRefused):
        system_accounts.reject(sysadmin, request)  # the account itself does not decide
    system_accounts.reject(auditor, request)
    request.refresh_from_db()
    sysadmin.refresh_from_db()
    assert request.status == AccountChangeRequest.Status.REJECTED and sysadmin.is_active
    withdrawn = system_accounts.request_change(security, sysadmin, Kind.RESET_PASSWORD, reason="误操作")
    system_accounts.reject(security, withdrawn)
    withdrawn.refresh_from_db()
    assert withdrawn.status == AccountChangeRequest.Status.WITHDRAWN


def test_the_command_line_procedure(users, capsys):
    security = users["security"]
    call_command("systemaccount", "reset-password", "security", "--reason", "工单 2026-118：保密员离岗交接")
    out = capsys.readouterr().out
    password = out.split("临时密码：")[1].split("（")[0]
    security.refresh_from_db()
    assert security.check_password(password) and security.must_change_password
    entry = AuditEntry.objects.get(action="core.user.reset_password", object_id=str(security.pk))
    assert entry.actor.startswith("命令行:") and "工单 2026-118" in entry.detail
    call_command("systemaccount", "deactivate", "auditor", "--reason", "调离")
    assert not User.objects.get(pk=users["auditor"].pk).is_active
    with pytest.raises(CommandError, match="不持有系统角色"):
        call_command("systemaccount", "deactivate", "clerk_a", "--reason", "x")
    with pytest.raises(CommandError):
        call_command("systemaccount", "reset-password", "sysadmin")  # a reason is required
    with pytest.raises(CommandError, match="请用 --reason 写明事由"):
        call_command("systemaccount", "reset-password", "sysadmin", "--reason", "  ")


def test_ordinary_accounts_stay_the_sysadmins_duty(users):
    clerk = users["clerk_a"]
    password = services.reset_password(users["sysadmin"], clerk)
    services.set_active(users["sysadmin"], clerk, False)
    clerk.refresh_from_db()
    assert clerk.check_password(password) and not clerk.is_active
    assert not _refusals(clerk).exists()
