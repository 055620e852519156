"""Roles and what each may do: the one authorisation table of Huimin.

三员分立: the system administrator, the security officer and the security auditor each hold duties the others
lack, and none of the three reads personal data. Business roles act only inside their region's subtree
(see huimin.core.scope).
"""

from django.db import models


class Role(models.TextChoices):
    ASSISTANT = "assistant", "社会救助协理员"
    CLERK = "clerk", "经办员"
    REVIEWER = "reviewer", "审核人"
    APPROVER = "approver", "审批人"
    STATISTICIAN = "statistician", "统计人员"
    SYSADMIN = "sysadmin", "系统管理员"
    SECURITY = "security", "安全保密员"
    AUDITOR = "auditor", "安全审计员"


# Capabilities. A view or service names the capability it needs; nothing checks a role by name.
PEOPLE_VIEW = "people.view"  # see persons and households (masked) in one's region
PEOPLE_EDIT = "people.edit"  # register, change, import persons and households
PEOPLE_MERGE = "people.merge"  # merge or dismiss likely duplicate persons (township and county staff)
PEOPLE_BANK_CONFIRM = "people.bank_confirm"  # confirm or reject another account's change of a bank account
PII_UNMASK = "pii.unmask"  # reveal a full ID number, phone or bank account (audited)
EXPORT = "data.export"  # export lists to Excel
STATS_VIEW = "stats.view"
AUDIT_VIEW = "audit.view"
USERS_VIEW = "users.view"
USERS_MANAGE = "users.manage"  # create, disable, reset accounts
ROLES_ASSIGN = "roles.assign"  # give an account its role
KEYS_MANAGE = "keys.manage"
API_CLIENTS_MANAGE = "api.clients"  # issue, limit and revoke API tokens of departments and partner systems
REGIONS_VIEW = "regions.view"
REGIONS_MANAGE = "regions.manage"

_BUSINESS_COMMON = {PEOPLE_VIEW, REGIONS_VIEW}

CAPABILITIES: dict[str, frozenset[str]] = {
    Role.ASSISTANT: frozenset(_BUSINESS_COMMON | {PEOPLE_EDIT}),
    Role.CLERK: frozenset(_BUSINESS_COMMON | {PEOPLE_EDIT, PEOPLE_MERGE, PEOPLE_BANK_CONFIRM, PII_UNMASK, EXPORT}),
    Role.REVIEWER: frozenset(_BUSINESS_COMMON | {PEOPLE_MERGE, PEOPLE_BANK_CONFIRM, PII_UNMASK, EXPORT}),
    Role.APPROVER: frozenset(_BUSINESS_COMMON | {PEOPLE_MERGE, PEOPLE_BANK_CONFIRM, PII_UNMASK, EXPORT, STATS_VIEW}),
    Role.STATISTICIAN: frozenset(_BUSINESS_COMMON | {STATS_VIEW, EXPORT}),
    Role.SYSADMIN: frozenset({USERS_VIEW, USERS_MANAGE, REGIONS_VIEW, REGIONS_MANAGE}),
    Role.SECURITY: frozenset({USERS_VIEW, ROLES_ASSIGN, KEYS_MANAGE, API_CLIENTS_MANAGE}),
    Role.AUDITOR: frozenset({AUDIT_VIEW}),
}

SYSTEM_ROLES = frozenset({Role.SYSADMIN, Role.SECURITY, Role.AUDITOR})


def capabilities_of(user) -> frozenset[str]:
    granted = getattr(user, "granted_capabilities", None)  # an API client's principal (huimin.apiclients)
    if granted is not None:
        return frozenset(granted)
    if not getattr(user, "is_authenticated", False) or not user.is_active or not user.role:
        return frozenset()
    return CAPABILITIES.get(user.role, frozenset())


def has_capability(user, capability: str) -> bool:
    return capability in capabilities_of(user)


def extend(role: str, *capabilities: str) -> None:
    """Business apps add their capabilities to a role at start-up (AppConfig.ready)."""
    CAPABILITIES[role] = CAPABILITIES[role] | frozenset(capabilities)
