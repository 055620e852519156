"""Roles and what each may do: the one authorisation table of Huimin.

三员分立: the system administrator, the security officer and the security auditor each hold duties the others
lack, and none of the three reads personal data. Business roles act only inside their region's subtree
(see huimin.core.scope).

An account holds one or more role assignments (huimin.core.models.RoleAssignment): a business role for a
business line, or exactly one system role and nothing else. Its capabilities are the union of what each
assignment grants: the role's common capabilities (the shared registry of persons, statistics) plus what the
business apps gave that role on that line (``extend``), so a 养老服务 审批人 gets no 社会救助 capability.
"""

from django.db import models


class Role(models.TextChoices):
    ASSISTANT = "assistant", "社会救助协理员"
    CLERK = "clerk", "经办员"
    REVIEWER = "reviewer", "审核人"
    APPROVER = "approver", "审批人"
    FEDERATION_REVIEWER = "federation_reviewer", "残联审核人"  # 县残联: reviews certificates inside the workflow
    STATISTICIAN = "statistician", "统计人员"
    SYSADMIN = "sysadmin", "系统管理员"
    SECURITY = "security", "安全保密员"
    AUDITOR = "auditor", "安全审计员"


class BusinessLine(models.TextChoices):
    """The offices of a 民政 bureau. A business app names its line when it adds capabilities (``extend``)."""

    ASSISTANCE = "assistance", "社会救助"
    ELDERLY = "elderly", "养老服务"
    CHILDREN = "children", "儿童福利"
    DISABILITY = "disability", "残疾人福利"
    MARRIAGE = "marriage", "婚姻登记"
    ORGS = "orgs", "社会组织"
    FUNERAL = "funeral", "殡葬管理"
    RELIEF = "relief", "流浪乞讨救助"
    PLACES = "places", "区划地名"


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
ROLES_ASSIGN = "roles.assign"  # give a business account its roles
SYSTEM_ACCOUNTS_REQUEST = "accounts.system.request"  # ask for a change of a 三员 account (security officer)
SYSTEM_ACCOUNTS_CONFIRM = "accounts.system.confirm"  # confirm another's request as the second person (三员)
KEYS_MANAGE = "keys.manage"
API_CLIENTS_MANAGE = "api.clients"  # issue, limit and revoke API tokens of departments and partner systems
REGIONS_VIEW = "regions.view"
REGIONS_MANAGE = "regions.manage"
DUTIES_MANAGE = "duties.manage"  # add or end 职责分离 rules of the procedures of one's business line (core.duties)

_BUSINESS_COMMON = {PEOPLE_VIEW, REGIONS_VIEW}

CAPABILITIES: dict[str, frozenset[str]] = {
    Role.ASSISTANT: frozenset(_BUSINESS_COMMON | {PEOPLE_EDIT}),
    Role.CLERK: frozenset(_BUSINESS_COMMON | {PEOPLE_EDIT, PEOPLE_MERGE, PEOPLE_BANK_CONFIRM, PII_UNMASK, EXPORT}),
    Role.REVIEWER: frozenset(_BUSINESS_COMMON | {PEOPLE_MERGE, PEOPLE_BANK_CONFIRM, PII_UNMASK, EXPORT}),
    Role.APPROVER: frozenset(_BUSINESS_COMMON | {PEOPLE_MERGE, PEOPLE_BANK_CONFIRM, PII_UNMASK, EXPORT, DUTIES_MANAGE}),
    Role.STATISTICIAN: frozenset(_BUSINESS_COMMON | {EXPORT}),
    Role.FEDERATION_REVIEWER: frozenset(_BUSINESS_COMMON),
    Role.SYSADMIN: frozenset({USERS_VIEW, USERS_MANAGE, REGIONS_VIEW, REGIONS_MANAGE, SYSTEM_ACCOUNTS_CONFIRM}),
    Role.SECURITY: frozenset(
        {USERS_VIEW, ROLES_ASSIGN, KEYS_MANAGE, API_CLIENTS_MANAGE, SYSTEM_ACCOUNTS_REQUEST, SYSTEM_ACCOUNTS_CONFIRM}
    ),
    Role.AUDITOR: frozenset({AUDIT_VIEW, SYSTEM_ACCOUNTS_CONFIRM}),
}

SYSTEM_ROLES = frozenset({Role.SYSADMIN, Role.SECURITY, Role.AUDITOR})

# Roles that belong to one business line and one region level: the 县残联's reviewer reviews the 残疾人 subsidies
# of his own county and nothing else.
ROLE_LINES: dict[str, frozenset[str]] = {Role.FEDERATION_REVIEWER: frozenset({BusinessLine.DISABILITY})}
ROLE_LEVELS: dict[str, int] = {Role.FEDERATION_REVIEWER: 3}  # 县级
BUSINESS_ROLES = frozenset(Role) - SYSTEM_ROLES

# What business apps added to a role on one business line: (role, line) → capabilities. The statistics so far
# (dashboards, 月报, 核对统计) are 社会救助's figures, so reading them is a 社会救助 capability too.
LINE_CAPABILITIES: dict[tuple[str, str], frozenset[str]] = {
    (Role.APPROVER, BusinessLine.ASSISTANCE): frozenset({STATS_VIEW}),
    (Role.STATISTICIAN, BusinessLine.ASSISTANCE): frozenset({STATS_VIEW}),
}


def is_system_role(role: str) -> bool:
    return role in SYSTEM_ROLES


def capabilities_for(role: str, line: str = "") -> frozenset[str]:
    """What one assignment grants: the role's common capabilities and, for a business role, its line's."""
    return CAPABILITIES.get(role, frozenset()) | LINE_CAPABILITIES.get((role, line), frozenset())


def capabilities_of(user) -> frozenset[str]:
    granted = getattr(user, "granted_capabilities", None)  # an API client's principal (huimin.apiclients)
    if granted is not None:
        return frozenset(granted)
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    pairs = tuple(getattr(user, "role_pairs", ()))
    # a page asks dozens of times (the menu once per entry): kept on the user object while its roles are the same
    cached = user.__dict__.get("_capabilities_of")
    if cached is not None and cached[0] == pairs:
        return cached[1]
    granted = frozenset().union(*(capabilities_for(role, line) for role, line in pairs))
    user.__dict__["_capabilities_of"] = (pairs, granted)
    return granted


def lines_with(user, capability: str) -> frozenset[str] | None:
    """The business lines on which ``user`` holds ``capability``; None for a caller not bound to lines (an API
    client's principal, whose capabilities were granted per token and hold on every line)."""
    if getattr(user, "granted_capabilities", None) is not None:
        return None if capability in user.granted_capabilities else frozenset()
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    pairs = getattr(user, "role_pairs", ())
    return frozenset(line for role, line in pairs if capability in capabilities_for(role, line))


def has_capability(user, capability: str, line: str | None = None) -> bool:
    """Whether ``user`` holds ``capability`` — on business line ``line`` when it is given (a 残疾人福利 经办员
    holds 受理 for the two subsidies, not for 低保), on any line otherwise."""
    if line is None:
        return capability in capabilities_of(user)
    lines = lines_with(user, capability)
    return lines is None or line in lines


def extend(role: str, *capabilities: str, line: str = BusinessLine.ASSISTANCE) -> None:
    """Business apps add their capabilities to a business role on their line at start-up (AppConfig.ready).
    The line defaults to 社会救助, the business every capability so far belongs to; the next apps name theirs."""
    if role in SYSTEM_ROLES:
        raise ValueError("系统角色（三员）不能获得业务功能")
    if line not in BusinessLine.values:
        raise ValueError(f"业务条线 {line} 不存在")
    key = (role, line)
    LINE_CAPABILITIES[key] = LINE_CAPABILITIES.get(key, frozenset()) | frozenset(capabilities)
