"""State changes of accounts: each checks capability and scope, applies the rule and writes the audit entry."""

import secrets
import string

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from huimin.core import audit
from huimin.core.models import Region, User
from huimin.core.roles import ROLES_ASSIGN, USERS_MANAGE, Role, has_capability
from huimin.core.scope import require_in_scope


class ServiceError(Exception):
    """A refused request, with a message for the user in Chinese."""


def temporary_password(length: int = 14) -> str:
    alphabet = string.ascii_letters + string.digits
    core = "".join(secrets.choice(alphabet) for _ in range(length - 4))
    return core + secrets.choice(string.ascii_uppercase) + secrets.choice(string.ascii_lowercase) + "7#"


def _require(actor, capability: str) -> None:
    if not has_capability(actor, capability):
        raise PermissionDenied("您的角色无权执行此操作")


def create_user(actor, *, username: str, full_name: str, region: Region, role: str = "") -> tuple[User, str]:
    """Create an account with a temporary password that must be changed at first login."""
    _require(actor, USERS_MANAGE)
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


def assign_role(actor, user: User, role: str) -> None:
    _require(actor, ROLES_ASSIGN)
    require_in_scope(actor, user.region_id or "")
    if user.pk == actor.pk:
        raise ServiceError("不能修改自己的角色")
    if role and role not in Role.values:
        raise ServiceError("角色不存在")
    with transaction.atomic():
        before = user.role
        user.role = role
        user.save(update_fields=["role"])
        audit.record("core.user.assign_role", user, before={"role": before}, after={"role": role})


def set_active(actor, user: User, active: bool) -> None:
    _require(actor, USERS_MANAGE)
    require_in_scope(actor, user.region_id or "")
    if user.pk == actor.pk:
        raise ServiceError("不能停用自己的账号")
    with transaction.atomic():
        user.is_active = active
        user.save(update_fields=["is_active"])
        audit.record("core.user.activate" if active else "core.user.deactivate", user)


def reset_password(actor, user: User) -> str:
    _require(actor, USERS_MANAGE)
    require_in_scope(actor, user.region_id or "")
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
