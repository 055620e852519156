"""Jurisdiction scope: the one function every query of people and cases goes through.

A user sees their region's subtree and nothing else; an object outside it does not exist for them (404).
System roles (三员) hold no data capability, so their scoped querysets are empty.
"""

from django.db.models import Q
from django.http import Http404

from huimin.core.regions import code_after
from huimin.core.roles import PEOPLE_VIEW, has_capability


def user_prefix(user) -> str | None:
    region = getattr(user, "region", None)
    if region is None:
        return None
    return region.prefix


def user_prefixes(user) -> tuple[str, ...]:
    """The subtrees a caller acts in: a staff member's one region, or the regions an API client was granted."""
    granted = getattr(user, "region_prefixes", None)
    if granted is not None:
        return tuple(granted)
    prefix = user_prefix(user)
    return () if prefix is None else (prefix,)


def starting_with(field: str, prefix: str) -> Q:
    """Rows whose ``field`` (a code of digits) starts with ``prefix``, said as the range of codes that holds exactly
    those (``regions.code_after``; property-tested): PostgreSQL answers a LIKE prefix from an index only under the
    "C" collation (C.UTF-8 is not), a range from any B-tree index that starts with the field. Said once: a LIKE
    beside the range squares the planner's estimate of the rows (docs/decisions.md). A prefix with no range (all
    nines, empty, not digits) is the LIKE alone."""
    after = code_after(prefix)
    if after is None:
        return Q(**{f"{field}__startswith": prefix})
    return Q(**{f"{field}__gte": prefix, f"{field}__lt": after})


def sql_starting_with(expression: str, prefix: str) -> tuple[str, list[str]]:
    """``starting_with`` for hand-written SQL: the condition on ``expression`` (with %s placeholders) and its
    parameters."""
    after = code_after(prefix)
    if after is None:
        return f"{expression} LIKE %s", [prefix + "%"]
    return f"({expression} >= %s AND {expression} < %s)", [prefix, after]


def subtree(region_field: str, prefix: str) -> Q:
    """Rows whose region's code starts with ``prefix`` (``starting_with``): a township's list, in (region, name)
    order, walks its own stretch of that index instead of the whole province's (2.2 s → ms at 10,000,000
    persons)."""
    return starting_with(f"{region_field}__code", prefix)


def scoped(queryset, user, region_field: str = "region", capability: str = PEOPLE_VIEW):
    """Restrict ``queryset`` to rows whose ``region_field`` (a path to a Region foreign key) lies in the
    user's subtree."""
    prefixes = user_prefixes(user)
    if not prefixes or not has_capability(user, capability):
        return queryset.none()
    condition = Q()
    for prefix in prefixes:
        condition |= subtree(region_field, prefix)
    return queryset.filter(condition)


def narrowed(queryset, user, region_code: str | None, region_field: str = "region"):
    """``scoped`` narrowed to a region the user picked inside their subtree: that region's own range, which lies
    inside the scope (``in_scope``), instead of both — two ranges multiply the planner's estimates and a county's
    township list was sorted from all its persons (1.5 s)."""
    if region_code and in_scope(user, region_code) and has_capability(user, PEOPLE_VIEW):
        from huimin.core import regions

        return queryset.filter(subtree(region_field, regions.prefix_of(region_code)))
    return scoped(queryset, user, region_field)


def named_region(user, region: str, *region_fields: str) -> Q | None:
    """The condition for the region an API caller named — a 12-digit code or a code prefix — on any of
    ``region_fields`` (default ``region``); None when nothing is named or it lies outside the user's subtree (the
    caller's scope already narrows the list)."""
    if not region or not in_scope(user, region):
        return None
    from huimin.core import regions

    prefix = regions.prefix_of(region) if len(region) == 12 else region
    condition = Q()
    for field in region_fields or ("region",):
        condition |= subtree(field, prefix)
    return condition


def in_scope(user, region_code: str | None) -> bool:
    return bool(region_code) and any(region_code.startswith(prefix) for prefix in user_prefixes(user))


def get_scoped_or_404(queryset, user, region_field: str = "region", capability: str = PEOPLE_VIEW, **lookup):
    try:
        return scoped(queryset, user, region_field, capability).get(**lookup)
    except queryset.model.DoesNotExist as exc:
        raise Http404("对象不存在或不在您的管辖范围内") from exc


def require_in_scope(user, region_code: str) -> None:
    """For writes: a target region outside the user's subtree is refused as if it did not exist."""
    if not in_scope(user, region_code):
        raise Http404("区划不存在或不在您的管辖范围内")


PICKED_REGION_SESSION_KEY = "huimin_region"


def picked_region(request):
    """The region the user narrowed their view to with the picker (always inside their subtree)."""
    from huimin.core.models import Region

    user = request.user
    code = request.session.get(PICKED_REGION_SESSION_KEY)
    if code and in_scope(user, code):
        region = Region.objects.filter(code=code).first()
        if region is not None:
            return region
    return user.region


def regions_of(user, levels):
    """The regions at ``levels`` inside the user's scope, by code (a form's region choices)."""
    from huimin.core.models import Region

    prefixes = user_prefixes(user)
    if not prefixes:
        return Region.objects.none()
    condition = Q()
    for p in prefixes:
        condition |= starting_with("code", p)
    return Region.objects.filter(condition, level__in=levels).order_by("code")
