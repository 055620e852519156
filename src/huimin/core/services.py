"""State changes of accounts: each checks capability and scope, applies the rule and writes the audit entry."""

import secrets
import string
from typing import NoReturn

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from huimin.core import audit
from huimin.core.context import actor_for, current_actor
from huimin.core.models import Region, RoleAssignment, User
from huimin.core.roles import (
    ROLE_LEVELS,
    ROLE_LINES,
    ROLES_ASSIGN,
    SYSTEM_ROLES,
    USERS_MANAGE,
    BusinessLine,
    Role,
    has_capability,
)
from huimin.core.scope import require_in_scope

SYSTEM_ACCOUNT_RULE = (
    "三员账号只能由安全保密员提出申请、另一名三员确认后变更（“三员账号变更申请”），或按部署文档以命令行办理"
)


class ServiceError(Exception):
    """A refused request, with a message for the user in Chinese."""


class AccountRefused(ServiceError):
    """A change of an account refused by 三员分立 or the role rules; the attempt is in the audit log."""


def audit_actor(user):
    """The request's actor (with its address) when ``user`` is the one acting, else ``user`` itself."""
    actor = current_actor()
    return actor if actor.user_id == getattr(user, "pk", None) else actor_for(user)


def refuse(actor, target: User, attempted: str, message: str) -> NoReturn:
    """Record the refused attempt in the audit chain (committed even though the change is not), then raise."""
    audit.record("core.user.refused", target, detail=f"{attempted}：{message}", actor=audit_actor(actor))
    raise AccountRefused(message)


def holds_system_role(user: User) -> bool:
    """From the database, not the account's cached roles: a check that refuses must see the stored state."""
    return RoleAssignment.objects.filter(user_id=user.pk, role__in=SYSTEM_ROLES).exists()


def forget_cached_roles(user: User) -> None:
    user.__dict__.pop("role_pairs", None)


def guard_system_account(actor, user: User, attempted: str) -> None:
    """No account changes a 三员 account through the ordinary account pages (see huimin.core.system_accounts)."""
    if holds_system_role(user):
        forget_cached_roles(user)
        refuse(actor, user, attempted, f"{user.username} 是{user.role_label}账号。{SYSTEM_ACCOUNT_RULE}")


def temporary_password(length: int = 14) -> str:
    alphabet = string.ascii_letters + string.digits
    core = "".join(secrets.choice(alphabet) for _ in range(length - 4))
    return core + secrets.choice(string.ascii_uppercase) + secrets.choice(string.ascii_lowercase) + "7#"


def _require(actor, capability: str) -> None:
    if not has_capability(actor, capability):
        raise PermissionDenied("您的角色无权执行此操作")


def require_capability(actor, capability: str, target: User | None = None) -> None:
    """Account changes: a caller without the right is refused (403) and the attempt is audited."""
    if not has_capability(actor, capability):
        audit.record("core.access.denied", target, detail=f"缺少权限 {capability}", actor=audit_actor(actor))
        raise PermissionDenied("您的角色无权执行此操作")


def create_user(actor, *, username: str, full_name: str, region: Region, role: str = "") -> tuple[User, str]:
    """Create an account with a temporary password that must be changed at first login."""
    require_capability(actor, USERS_MANAGE)
    require_in_scope(actor, region.code)
    if role:
        raise PermissionDenied("系统管理员不能分配角色（三员分立：角色由安全保密员分配）")
    password = temporary_password()
    with transaction.atomic():
        user = User(username=username, full_name=full_name, region=region, must_change_password=True)
        user.set_password(password)
        user.save()
        audit.record("core.user.create", user, after={"username": username, "region": region.code})
    return user, password


def grant_role(actor, user: User, role: str, line: str) -> RoleAssignment:
    """Give a business account one more role on one business line (the security officer's duty)."""
    require_capability(actor, ROLES_ASSIGN, user)
    require_in_scope(actor, user.region_id or "")
    attempted = f"分配角色 {role}/{line}"
    if user.pk == actor.pk:
        refuse(actor, user, attempted, "不能给自己分配角色")
    if role not in Role.values:
        raise ServiceError("角色不存在")
    if role in SYSTEM_ROLES:
        refuse(actor, user, attempted, f"系统角色不能直接分配。{SYSTEM_ACCOUNT_RULE}")
    if line not in BusinessLine.values:
        raise ServiceError("请选择业务条线")
    if role in ROLE_LINES and line not in ROLE_LINES[role]:
        allowed = "、".join(BusinessLine(x).label for x in sorted(ROLE_LINES[role]))
        raise ServiceError(f"{Role(role).label}只能分配在{allowed}条线")
    if role in ROLE_LEVELS and getattr(user.region, "level", None) != ROLE_LEVELS[role]:
        raise ServiceError(f"{Role(role).label}须为县级账号（县残联），该账号的所属区划不是县级")
    exclusive = f"{user.username} 持有系统角色（三员），三员账号不能再持有业务角色"
    if holds_system_role(user):
        refuse(actor, user, attempted, exclusive)
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()  # serialises the exclusivity check
        if holds_system_role(user):  # granted meanwhile
            raise AccountRefused(exclusive)
        if user.role_assignments.filter(role=role, line=line).exists():
            raise ServiceError(f"该账号已是{BusinessLine(line).label}条线的{Role(role).label}")
        assignment = RoleAssignment.objects.create(user=user, role=role, line=line, granted_by=actor)
        audit.record("core.user.grant_role", user, after={"role": role, "line": line})
    forget_cached_roles(user)
    return assignment


def revoke_role(actor, assignment: RoleAssignment) -> None:
    require_capability(actor, ROLES_ASSIGN, assignment.user)
    user = assignment.user
    require_in_scope(actor, user.region_id or "")
    attempted = f"撤销角色 {assignment.role}/{assignment.line}"
    if user.pk == actor.pk:
        refuse(actor, user, attempted, "不能修改自己的角色")
    if assignment.role in SYSTEM_ROLES:
        refuse(actor, user, attempted, f"系统角色不能直接撤销。{SYSTEM_ACCOUNT_RULE}")
    with transaction.atomic():
        assignment.delete()
        audit.record("core.user.revoke_role", user, before={"role": assignment.role, "line": assignment.line})
    forget_cached_roles(user)


def set_active(actor, user: User, active: bool) -> None:
    require_capability(actor, USERS_MANAGE, user)
    require_in_scope(actor, user.region_id or "")
    if user.pk == actor.pk:
        raise ServiceError("不能停用自己的账号")
    guard_system_account(actor, user, "启用账号" if active else "停用账号")
    with transaction.atomic():
        user.is_active = active
        user.save(update_fields=["is_active"])
        audit.record("core.user.activate" if active else "core.user.deactivate", user)


def reset_password(actor, user: User) -> str:
    require_capability(actor, USERS_MANAGE, user)
    require_in_scope(actor, user.region_id or "")
    guard_system_account(actor, user, "重置密码")
    password = temporary_password()
    with transaction.atomic():
        user.set_password(password)
        user.must_change_password = True
        user.save(update_fields=["password", "must_change_password"])
        audit.record("core.user.reset_password", user)
    return password


def password_changed(user: User) -> None:
    with transaction.atomic():
        user.must_change_password = False
        user.password_changed_at = timezone.now()
        user.save(update_fields=["must_change_password", "password_changed_at"])
        audit.record("core.user.change_password", user)
