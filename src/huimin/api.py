"""The project's REST API (django-ninja): session authentication with CSRF for staff, consistent Chinese error
bodies ``{"code": ..., "message": ...}``, page-number pagination. OpenAPI at /api/docs. Apps add routers here."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import SessionAuth

from huimin.core.roles import has_capability
from huimin.core.services import ServiceError


class ErrorOut(Schema):
    code: str
    message: str


class StaffSession(SessionAuth):
    """The staff member's session (CSRF checked on writes); with ``capability``, a user lacking it gets 403."""

    def __init__(self, capability: str | None = None):
        super().__init__(csrf=True)
        self.capability = capability

    def authenticate(self, request, key):
        user = request.user
        if not user.is_authenticated:
            return None
        if self.capability and not has_capability(user, self.capability):
            raise PermissionDenied("您的角色无权使用此接口")
        return user


def staff(capability: str | None = None) -> StaffSession:
    return StaffSession(capability)


api = NinjaAPI(title="惠民 API", version="1", urls_namespace="api", auth=staff(), docs_url="/docs")


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
    return _error(request, 401, "unauthenticated", "请先登录（会话认证，写操作须携带 CSRF 令牌）")


@api.exception_handler(ServiceError)
def refused(request, exc):
    return _error(request, 400, "refused", str(exc))


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


def paginate(queryset, page: int, page_size: int, convert) -> dict:
    page_size = max(1, min(page_size, 100))
    page = max(1, page)
    count = queryset.count()
    items = [convert(obj) for obj in queryset[(page - 1) * page_size : page * page_size]]
    return {"count": count, "page": page, "page_size": page_size, "items": items}


from huimin.registry.api import router as registry_router  # noqa: E402 - routers import the api helpers above

api.add_router("/registry", registry_router)
