"""The project's REST API (django-ninja). OpenAPI at /api/docs (document at /api/openapi.json).

Who may call: staff with their session (CSRF checked on writes) and their own role and region; departments and
partner systems with a bearer token of an ``ApiClient`` (huimin.apiclients), limited to the operations (operation
ids) and region subtrees it was granted. Every call is rate limited (Django cache; 429) and audited with its
operation. Errors are ``{"code": ..., "message": ...}`` in Chinese. Lists are paginated (``page``,
``page_size`` ≤ 100). Apps mount routers with ``mount`` (see docs/api.md); every operation names its
capability with ``api_auth`` (``huimin.apikit``, with ``ERRORS``, ``paginate`` and the catalogue of operations).
Only ``huimin.urls`` imports this module.
"""

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from huimin import apikit
from huimin.apikit import api_auth
from huimin.core.access import error_code
from huimin.core.apidocs import LocalSwagger, docs_login_required
from huimin.core.ratelimit import RateLimited
from huimin.core.services import ServiceError


class HuiminAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation) -> str:
        # one name for an operation everywhere: OpenAPI operationId, URL name, ApiClient grant
        return operation.view_func.__name__


api = HuiminAPI(
    title="惠民 API", version="1", urls_namespace="api", auth=api_auth(), docs_url="/docs",
    docs=LocalSwagger(), docs_decorator=docs_login_required,
)  # fmt: skip


def _name_operation(run):
    """Tell the auth callback which operation is called (view-mode decorator: runs before authentication)."""
    operation = getattr(run, "__self__", None)
    name = operation.view_func.__name__ if operation is not None else ""

    @wraps(run)
    def wrapped(request, *args, **kwargs):
        request.huimin_operation = name
        return run(request, *args, **kwargs)

    return wrapped


api.add_decorator(_name_operation, mode="view")


def _error(request, status: int, code: str, message: str):
    return api.create_response(request, {"code": code, "message": message}, status=status)


@api.exception_handler(Http404)
def not_found(request, exc):
    return _error(request, 404, "not_found", "对象不存在或不在您的管辖范围内")


@api.exception_handler(PermissionDenied)
def forbidden(request, exc):
    return _error(request, 403, "forbidden", str(exc) or "您的角色无权执行此操作")


@api.exception_handler(AuthenticationError)
def unauthenticated(request, exc):
    return _error(request, 401, "unauthenticated", "请先登录（会话认证，写操作须携带 CSRF 令牌），或使用有效的接口令牌")


@api.exception_handler(RateLimited)
def rate_limited(request, exc):
    response = _error(request, 429, "rate_limited", "调用过于频繁，已超过每分钟调用上限，请稍后再试")
    response["Retry-After"] = "60"
    return response


@api.exception_handler(ServiceError)
def refused(request, exc):
    """A business rule's refusal: its stable code (``<domain>.<rule>``, docs/api.md) beside the message."""
    return _error(request, 400, error_code(exc), str(exc))


@api.exception_handler(NinjaValidationError)
def invalid(request, exc):
    parts = []
    for error in exc.errors:
        where = ".".join(str(p) for p in error.get("loc", ()) if p not in ("body", "query", "path", "payload"))
        parts.append(f"{where}：{error.get('msg', '')}" if where else str(error.get("msg", "")))
    return _error(request, 400, "invalid", "请求数据不合法：" + "；".join(parts))


@api.exception_handler(HttpError)
def http_error(request, exc):
    return _error(request, exc.status_code, "error", str(exc))


def mount(prefix: str, router) -> None:
    """Add an app's router (see docs/api.md for the rules an app's operations follow)."""
    api.add_router(prefix, router)


from huimin.assistance.api import router as assistance_router  # noqa: E402 - routers need the api object above
from huimin.registry.api import router as registry_router  # noqa: E402

mount("/registry", registry_router)
mount("/assistance", assistance_router)
from huimin.benefits.api import router as benefits_router  # noqa: E402
from huimin.eligibility.api import router as eligibility_router  # noqa: E402
from huimin.monitoring.api import router as monitoring_router  # noqa: E402
from huimin.verification.api import router as verification_router  # noqa: E402

mount("/verification", verification_router)
mount("/monitoring", monitoring_router)
mount("/benefits", benefits_router)
mount("/eligibility", eligibility_router)
from huimin.elderly.api import router as elderly_router  # noqa: E402

mount("/elderly", elderly_router)
from huimin.homecare.api import router as homecare_router  # noqa: E402

mount("/homecare", homecare_router)
from huimin.marriage.api import router as marriage_router  # noqa: E402

mount("/marriage", marriage_router)
from huimin.children.api import router as children_router  # noqa: E402

mount("/children", children_router)
apikit.serve(api)
