"""三员 accounts change only through the duty that owns them.

An account that holds a system role (系统管理员, 安全保密员, 安全审计员), or is to be given one, is changed in one
of two ways: the security officer files a request and another system-role holder — neither the requester nor
the account itself — confirms it, which carries it out; or an operator with shell access on the server runs
``manage.py systemaccount`` (docs/deploy.md). The ordinary account pages refuse (huimin.core.services).
"""

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from huimin.core import audit
from huimin.core.models import AccountChangeRequest, RoleAssignment, User
from huimin.core.roles import SYSTEM_ACCOUNTS_CONFIRM, SYSTEM_ACCOUNTS_REQUEST, SYSTEM_ROLES, Role, has_capability
from huimin.core.scope import require_in_scope, subtree, user_prefixes
from huimin.core.services import (
    ServiceError,
    forget_cached_roles,
    refuse,
    require_capability,
    temporary_password,
)
from huimin.core.todos import Todo

Kind = AccountChangeRequest.Kind
Status = AccountChangeRequest.Status


def system_role_of(user: User) -> str:
    return (
        RoleAssignment.objects.filter(user_id=user.pk, role__in=SYSTEM_ROLES).values_list("role", flat=True).first()
        or ""
    )


def check_change(user: User, kind: str, role: str = "") -> str:
    """Whether ``kind`` can be done to ``user`` now; returns the system role concerned."""
    if kind not in Kind.values:
        raise ServiceError("变更事项不存在")
    held = system_role_of(user)
    if kind == Kind.GRANT_ROLE:
        if role not in SYSTEM_ROLES:
            raise ServiceError("请选择要授予的系统角色")
        if user.role_assignments.exists():
            raise ServiceError(f"{user.username} 已有角色：三员账号只持有一个系统角色，请先撤销其现有角色")
        return role
    if not held:
        raise ServiceError(f"{user.username} 不持有系统角色，请在账号页面按常规办理")
    if kind == Kind.DEACTIVATE and not user.is_active:
        raise ServiceError("该账号已停用")
    if kind == Kind.ACTIVATE and user.is_active:
        raise ServiceError("该账号已启用")
    return held


def carry_out(user: User, kind: str, role: str, *, granted_by: User | None, detail: str) -> str | None:
    """Make the change and audit it; returns the temporary password of a reset. Call inside a transaction."""
    password = None
    if kind == Kind.RESET_PASSWORD:
        password = temporary_password()
        user.set_password(password)
        user.must_change_password = True
        user.save(update_fields=["password", "must_change_password"])
        audit.record("core.user.reset_password", user, detail=detail)
    elif kind in (Kind.DEACTIVATE, Kind.ACTIVATE):
        user.is_active = kind == Kind.ACTIVATE
        user.save(update_fields=["is_active"])
        audit.record("core.user.activate" if user.is_active else "core.user.deactivate", user, detail=detail)
    elif kind == Kind.GRANT_ROLE:
        RoleAssignment.objects.create(user=user, role=role, line="", granted_by=granted_by)
        audit.record("core.user.grant_role", user, after={"role": role, "line": ""}, detail=detail)
    else:
        RoleAssignment.objects.filter(user=user, role=role).delete()
        audit.record("core.user.revoke_role", user, before={"role": role, "line": ""}, detail=detail)
    forget_cached_roles(user)
    return password


def request_change(actor, user: User, kind: str, *, role: str = "", reason: str) -> AccountChangeRequest:
    """The security officer asks for a change of a 三员 account; nothing changes until another confirms."""
    require_capability(actor, SYSTEM_ACCOUNTS_REQUEST, user)
    require_in_scope(actor, user.region_id or "")
    if user.pk == actor.pk:
        refuse(actor, user, f"申请{Kind(kind).label if kind in Kind.values else kind}", "不能为自己的账号提出变更申请")
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("请填写事由")
    role = check_change(user, kind, role)
    if AccountChangeRequest.objects.filter(target=user, status=Status.PENDING).exists():
        raise ServiceError("该账号已有一项待确认的申请，请先确认、驳回或撤回")
    with transaction.atomic():
        request = AccountChangeRequest.objects.create(
            target=user, kind=kind, role=role, reason=reason[:200], requested_by=actor
        )
        audit.record(
            "core.account_request.create",
            user,
            after={"request": request.pk, "kind": kind, "role": role},
            detail=reason,
        )
    return request


def _decide(actor, request: AccountChangeRequest) -> AccountChangeRequest:
    """Lock the request and check that it is still open."""
    locked = AccountChangeRequest.objects.select_for_update().select_related("target").get(pk=request.pk)
    if locked.status != Status.PENDING:
        raise ServiceError(f"该申请已{locked.get_status_display()}，不能再处理")
    return locked


def confirm(actor, request: AccountChangeRequest) -> str | None:
    """The second person confirms, which carries the change out; returns the temporary password of a reset
    (shown once to the confirmer, to be handed over; it must be changed at first login)."""
    require_capability(actor, SYSTEM_ACCOUNTS_CONFIRM, request.target)
    target = request.target
    require_in_scope(actor, target.region_id or "")
    if actor.pk == request.requested_by_id:
        refuse(actor, target, f"确认申请 #{request.pk}", "申请人不能确认自己的申请，须由另一名三员确认")
    if actor.pk == target.pk:
        refuse(actor, target, f"确认申请 #{request.pk}", "不能确认针对自己账号的申请")
    with transaction.atomic():
        request = _decide(actor, request)
        target = User.objects.select_for_update().get(pk=request.target_id)
        check_change(target, request.kind, request.role)
        detail = f"三员账号变更申请 #{request.pk}：{request.requested_by.username} 申请，{actor.username} 确认"
        password = carry_out(target, request.kind, request.role, granted_by=request.requested_by, detail=detail)
        request.status, request.decided_by, request.decided_at = Status.DONE, actor, timezone.now()
        request.save(update_fields=["status", "decided_by", "decided_at"])
        audit.record("core.account_request.confirm", target, after={"request": request.pk, "kind": request.kind})
    forget_cached_roles(request.target)
    return password


def reject(actor, request: AccountChangeRequest) -> None:
    """Another system-role holder turns the request down, or the requester withdraws it."""
    require_capability(actor, SYSTEM_ACCOUNTS_CONFIRM, request.target)
    require_in_scope(actor, request.target.region_id or "")
    if actor.pk == request.target_id:
        refuse(actor, request.target, f"驳回申请 #{request.pk}", "不能处理针对自己账号的申请")
    with transaction.atomic():
        request = _decide(actor, request)
        withdrawn = actor.pk == request.requested_by_id
        request.status = Status.WITHDRAWN if withdrawn else Status.REJECTED
        request.decided_by, request.decided_at = actor, timezone.now()
        request.save(update_fields=["status", "decided_by", "decided_at"])
        audit.record(
            "core.account_request.withdraw" if withdrawn else "core.account_request.reject",
            request.target,
            after={"request": request.pk, "kind": request.kind},
        )


def pending_for(actor):
    """Requests the actor may see: those about accounts in their subtree."""
    prefixes = user_prefixes(actor)
    queryset = AccountChangeRequest.objects.select_related("target", "requested_by", "decided_by")
    if not prefixes:
        return queryset.none()
    condition = Q()
    for prefix in prefixes:
        condition |= subtree("target__region", prefix)
    return queryset.filter(condition)


def change_from_command_line(username: str, kind: str, *, role: str = "", reason: str) -> str | None:
    """The documented break-glass procedure (``manage.py systemaccount``): run on the server by an operator,
    audited with the operator's system login and the reason."""
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("请用 --reason 写明事由")
    user = User.objects.filter(username=username).first()
    if user is None:
        raise ServiceError(f"账号 {username} 不存在")
    if kind == Kind.GRANT_ROLE and role not in SYSTEM_ROLES:
        raise ServiceError(f"只能授予系统角色：{'、'.join(Role(r).label for r in sorted(SYSTEM_ROLES))}")
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        role = check_change(user, kind, role)
        return carry_out(user, kind, role, granted_by=None, detail=f"命令行办理：{reason}")


def todos(actor, day):
    """The 工作台's to-do of a 三员: requests about 三员 accounts waiting for a second person (not their own)."""
    if not has_capability(actor, SYSTEM_ACCOUNTS_CONFIRM):
        return []
    waiting = pending_for(actor).filter(status=AccountChangeRequest.Status.PENDING).exclude(requested_by=actor)
    return [Todo("system", "三员账号变更待确认", waiting.count(), reverse("core:account_requests"))]
