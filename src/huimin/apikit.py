"""What the API's routers and its clients share, below the API root: ``api_auth`` (who may call an operation), the
error answers ``ERRORS``, ``paginate``, and the catalogue of operations (``operations``) a client is granted from.

``huimin.api`` builds the API, imports the routers and hands itself to ``serve``; nothing but ``huimin.urls``
imports it. The catalogue reads the API it was handed (loading the URLconf first when no request has yet). The
API clients app hands its token lookup to ``accept_clients`` (from its AppConfig.ready): this module imports
nothing of it, and without it a bearer token is not accepted.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.urls import get_resolver
from django.utils import timezone
from ninja import NinjaAPI, Schema
from ninja.security import SessionAuth

from huimin.core import audit
from huimin.core.context import Actor, set_actor
from huimin.core.middleware import client_ip
from huimin.core.pagination import CappedPaginator
from huimin.core.ratelimit import RateLimited, hit
from huimin.core.roles import has_capability

STAFF_RATE_PER_MINUTE = 600
# 「最近调用」 is kept to the minute: one write a minute per client, not one per call
LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)


class ErrorOut(Schema):
    code: str
    message: str


ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 429: ErrorOut}


def _check_rate(kind: str, ident, limit: int) -> None:
    """A one-minute window per caller (huimin.core.ratelimit)."""
    if not hit(f"api-{kind}", ident, limit):
        raise RateLimited("调用过于频繁，已超过每分钟调用上限，请稍后再试")


# (find: token -> client or None, principal: (client, capabilities) -> request.auth), set by accept_clients
_clients: list[tuple[Callable, Callable]] = []


def accept_clients(find: Callable, principal: Callable) -> None:
    """Bearer tokens are looked up with ``find``; a client's calls run as ``principal(client, capabilities)``."""
    _clients[:] = [(find, principal)]


class ApiAuth(SessionAuth):
    """Authentication and authorisation of one operation.

    A bearer token selects an API client: the operation must be among the client's and open to clients
    (``clients``), otherwise 403. Without a token, the staff session (CSRF on writes) and ``capability``.
    """

    def __init__(
        self, capability: str | None = None, *, clients: bool = True, regional: bool = True, audit_calls: bool = True
    ):
        super().__init__(csrf=True)
        self.capability = capability
        self.clients = clients
        self.regional = regional
        self.audit_calls = audit_calls

    def __call__(self, request):
        header = request.headers.get("Authorization", "")
        if header[:7].lower() == "bearer ":
            return self._client(request, header[7:].strip())
        return super().__call__(request)

    def authenticate(self, request, key):
        user = request.user
        if not user.is_authenticated:
            return None
        operation = getattr(request, "huimin_operation", "")
        if self.capability and not has_capability(user, self.capability):
            audit.record("api.refused", detail=f"{operation} {request.method} {request.path}：角色无权")
            raise PermissionDenied("您的角色无权使用此接口")
        limit = getattr(settings, "HUIMIN_API_STAFF_RATE_PER_MINUTE", STAFF_RATE_PER_MINUTE)
        _check_rate("user", user.pk, limit)
        audit.record("api.call", detail=f"{operation} {request.method} {request.path}")
        return user

    def _client(self, request, token: str):
        if not _clients:
            return None
        find, principal = _clients[0]
        client = find(token)
        if client is None:
            return None
        operation = getattr(request, "huimin_operation", "")
        set_actor(Actor(None, f"api:{client.name}", "api_client", client_ip(request)))
        if not self.clients or operation not in client.operations:
            audit.record("api.refused", client, detail=f"{operation} {request.method} {request.path}：未授权")
            raise PermissionDenied("此客户端未获授权调用该接口")
        _check_rate("client", client.pk, client.rate_limit_per_minute)
        if self.audit_calls:
            audit.record("api.call", client, detail=f"{operation} {request.method} {request.path}")
        now = timezone.now()
        if client.last_used_at is None or now - client.last_used_at >= LAST_USED_RESOLUTION:
            type(client).objects.filter(pk=client.pk).update(last_used_at=now)
        return principal(client, capabilities_for(client.operations))


def api_auth(
    capability: str | None = None, *, clients: bool = True, regional: bool = True, audit_calls: bool = True
) -> ApiAuth:
    """``auth=`` of an operation: the capability a staff member needs; ``clients=False`` keeps the operation
    for staff (an action that needs a person's own authority, e.g. a workflow decision); ``regional=False``
    marks an operation that reads or writes no regional data (a departmental feed is a whole-city extract), so a
    client granted only such operations needs no region. ``audit_calls=False`` is for a machine's telemetry (a
    device heartbeat every few minutes from thousands of devices): a client's accepted call is then not an audit
    entry of its own — what it changes is audited by the service, with the client as actor; refusals always are."""
    return ApiAuth(capability, clients=clients, regional=regional, audit_calls=audit_calls)


def paginate(
    queryset,
    page: int,
    page_size: int,
    convert,
    count_up_to: int | None = None,
    keys=None,
    count_in_order: bool = False,
) -> dict:
    """A page of ``queryset``. With ``count_up_to`` the count stops there (``count_capped`` says more matched) and
    the page is fetched by its keys first — from ``keys`` where given (see ``CappedPaginator``, also for
    ``count_in_order``); pages past the cap are still served."""
    page_size = max(1, min(page_size, 100))
    page = max(1, min(page, 10_000_000))
    start, stop = (page - 1) * page_size, page * page_size
    if count_up_to is None:
        rows = queryset[start:stop]
        counted = {"count": queryset.count()}
    else:
        paginator = CappedPaginator(queryset, page_size, count_up_to, keys, count_in_order)
        rows = paginator.rows(start, stop)
        counted = {"count": paginator.count, "count_capped": paginator.capped}
    return counted | {"page": page, "page_size": page_size, "items": [convert(obj) for obj in rows]}


# --- the catalogue of operations ------------------------------------------------------------------------------


@dataclass(frozen=True)
class OperationInfo:
    operation_id: str
    methods: tuple[str, ...]
    path: str
    summary: str
    capability: str | None
    clients: bool
    regional: bool = True


_served: list[NinjaAPI] = []


def serve(api: NinjaAPI) -> None:
    """Called by the API root once it is built: the catalogue lists its operations."""
    _served[:] = [api]


def _api() -> NinjaAPI:
    if not _served:
        get_resolver().url_patterns  # noqa: B018 - loading the URLconf builds the API root, which calls serve()
    return _served[0]


def operations() -> dict[str, OperationInfo]:
    """Every operation of the API, with what it needs (the catalogue a client is granted from)."""
    found = {}
    for bound in _api()._get_bound_routers():
        for path, path_view in bound.path_operations.items():
            for op in path_view.operations:
                auth = next((cb for cb in op.auth_callbacks if isinstance(cb, ApiAuth)), None)
                name = op.view_func.__name__
                found[name] = OperationInfo(
                    name, tuple(op.methods), f"/api{bound.prefix}{path}", op.summary or name,
                    auth.capability if auth else None, bool(auth and auth.clients),
                    bool(auth is None or auth.regional),
                )  # fmt: skip
    return dict(sorted(found.items()))


def grantable_operations() -> dict[str, OperationInfo]:
    return {name: info for name, info in operations().items() if info.clients}


def capabilities_for(operation_ids) -> frozenset[str]:
    catalogue = operations()
    return frozenset(catalogue[op].capability for op in operation_ids if op in catalogue and catalogue[op].capability)
