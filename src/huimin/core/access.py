"""The access layer: every object a request names is fetched here, and every refusal has one of three shapes.

- outside the actor's region → ``NotInScope`` (a 404: the object does not exist for him);
- lacking the capability → ``Forbidden`` (a 403);
- refused by a business rule → ``BusinessRuleError`` (a ``ServiceError`` with a stable code such as
  ``assistance.publicity_not_over`` beside its Chinese message; a 400 in the API, a message on pages).

Each app builds its ``access_<object>_by_id(actor, pk, *, capability, for_update=False)`` on ``access_by_id``
(see ``<app>/access.py``); pages, the API and services use the same helpers. Configuration rows (thresholds,
warning rules, standards, policy figures, calendars, feeds) are written only inside the actor's subtree:
``require_writable_region`` refuses a row whose region is wider than the actor's (a city-wide row is read-only
below the city). Modelled on Zulip's ``access_user_group_by_id`` and Saleor's per-domain ``error_codes.py``.
"""

import copy

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from huimin.core import regions
from huimin.core.roles import BusinessLine, has_capability, lines_with
from huimin.core.scope import in_scope, scoped, subtree, user_prefixes
from huimin.core.services import ServiceError


class AccessError(Exception):
    """What every refusal of the access layer is."""


class NotInScope(AccessError, Http404):
    """The object lies outside the actor's region (or does not exist): answered as 404."""

    def __init__(self, message: str = "对象不存在或不在您的管辖范围内"):
        super().__init__(message)


class Forbidden(AccessError, PermissionDenied):
    """The actor's role lacks the capability: answered as 403."""

    def __init__(self, message: str = "您的角色无权执行此操作"):
        super().__init__(message)


class BusinessRuleError(AccessError, ServiceError):
    """A business rule refused the request: ``code`` is stable (``<domain>.<rule>``, see the apps'
    ``error_codes.py`` and docs/api.md), ``message`` is for the user, in Chinese."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = str(code)
        self.message = message


REFUSED = "refused"  # the code of a ServiceError raised without one


def error_code(exc: ServiceError) -> str:
    return getattr(exc, "code", "") or REFUSED


def require_capability(actor, capability: str, what: str = "", line: str | None = None) -> None:
    """A role without ``capability`` is refused with 403 (``what`` names the action in the message); with
    ``line``, the capability must be held on that business line (huimin.core.roles.BusinessLine)."""
    if not has_capability(actor, capability, line):
        if line is not None and has_capability(actor, capability):
            label = BusinessLine(line).label if line in BusinessLine.values else line
            raise Forbidden(f"您没有“{label}”业务条线的角色，无权{what or '办理该业务'}")
        raise Forbidden(f"您的角色无权{what}" if what else "您的角色无权执行此操作")


def by_line(queryset, actor, capability: str, line_field: str):
    """``queryset`` narrowed to the rows of the business lines on which ``actor`` holds ``capability``
    (``line_field`` is the path to the row's line, e.g. ``programme__business_line``): a case of another line
    does not exist for him, as one outside his region does not."""
    lines = lines_with(actor, capability)
    if lines is None:
        return queryset
    return queryset.filter(**{f"{line_field}__in": sorted(lines)})


def require_region_in_scope(actor, region_code: str | None, what: str = "区划") -> None:
    """A region (of an object or a target) outside the actor's subtree: 404."""
    if not region_code or not in_scope(actor, region_code):
        raise NotInScope(f"{what}不存在或不在您的管辖范围内")


def require_access(actor, capability: str, region_code: str | None, what: str = "") -> None:
    """For an object already in hand: the capability (403), then its region in the actor's subtree (404)."""
    require_capability(actor, capability, what)
    require_region_in_scope(actor, region_code, "对象")


def visible_configuration(queryset, actor, region_field: str = "region"):
    """The configuration rows an actor sees: valid everywhere (no region), set for his region or one above it,
    or set inside his subtree. Another county's own rows do not exist for him."""
    prefixes = user_prefixes(actor)
    if not prefixes:
        return queryset.none()
    condition = Q(**{f"{region_field}__isnull": True})
    for prefix in prefixes:
        condition |= Q(**{f"{region_field}__in": regions.lineage(regions.full_code(prefix))})
        condition |= subtree(region_field, prefix)
    return queryset.filter(condition)


def can_write_region(actor, region) -> bool:
    """Whether ``actor`` may write a configuration row of ``region`` (a Region, a 12-digit code, or None for a
    row valid everywhere in the deployment): only a row whose region lies inside the actor's subtree, and a row
    valid everywhere only at city level or above. A row of a wider region is read-only to him."""
    code = getattr(region, "code", region)
    if not code:
        own = getattr(actor, "region", None)
        return own is not None and own.level <= regions.CITY and in_scope(actor, own.code)
    return in_scope(actor, code)


def require_writable_region(actor, region, what: str = "该配置") -> None:
    if not can_write_region(actor, region):
        raise NotInScope(f"{what}不存在或不在您的管辖范围内（上级设置的配置只能由上级修改）")


def access_by_id(
    queryset,
    actor,
    pk,
    *,
    capability: str,
    region_field: str | None = "region",
    for_update: bool = False,
    what: str = "对象",
):
    """Fetch one row of ``queryset`` by ``pk`` for ``actor``: the capability (403), then the scope (404 for a row
    outside his region, for a row that does not exist and for a malformed id), and with ``for_update`` a lock on
    the row (``SELECT … FOR UPDATE OF`` the row's own table). ``region_field=None`` for rows without a region
    (their writes are guarded with ``require_writable_region``)."""
    require_capability(actor, capability)
    if region_field is not None:
        queryset = scoped(queryset, actor, region_field, capability)
    if for_update:
        queryset = queryset.select_for_update(of=("self",))
    try:
        return queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError) as exc:
        raise NotInScope(f"{what}不存在或不在您的管辖范围内") from exc


def acting_as_role(user, role: str, line: str, region):
    """``user`` acting, for one service call, with ``role`` on ``line`` over ``region`` only — a copy held in memory,
    never saved: another business's services then apply their own checks unchanged, although the user holds no
    such role (the portal's online 协理员; the 收养登记 office moving a child in the registry; a 救助管理站 lodging
    the 特困 application of a person it places). The audit chain still names the user."""
    acting = copy.copy(user)
    acting.role_pairs = ((role, line),)
    acting.region = region
    return acting


def show_refusal(request, exc: ServiceError) -> None:
    """How a page shows a business-rule refusal: its Chinese message above the form (the code is for the API)."""
    messages.error(request, str(exc))
