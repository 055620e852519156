"""Error pages in Chinese; API paths answer with the same JSON error body as the API itself."""

from django.http import JsonResponse
from django.shortcuts import render


def _error(request, status: int, title: str, message: str):
    if request.path.startswith("/api/"):
        return JsonResponse({"code": status, "message": message}, status=status)
    return render(request, "error.html", {"status": status, "title": title, "message": message}, status=status)


def bad_request(request, exception=None):
    return _error(request, 400, "请求有误", "请求的内容不完整或格式不正确。")


def permission_denied(request, exception=None):
    """The access layer's refusal names what the role may not do (huimin.core.access.Forbidden)."""
    from huimin.core.access import Forbidden

    if isinstance(exception, Forbidden) and str(exception):
        return _error(request, 403, "无权访问", f"{exception}。如需开通，请联系安全保密员。")
    return _error(request, 403, "无权访问", "您的角色无权使用此功能。如需开通，请联系安全保密员。")


def page_not_found(request, exception=None):
    return _error(request, 404, "页面不存在", "您要找的页面或对象不存在，或不在您的管辖范围内。")


def server_error(request):
    return _error(request, 500, "系统出错", "系统处理请求时出错，已记录。请稍后重试，或联系系统管理员。")


def csrf_failure(request, reason=""):
    """A POST without a valid CSRF token (a form from another site, or a page left open past its session)."""
    return _error(request, 403, "页面已过期", "页面已过期或请求来源不可信（CSRF 校验未通过）。请刷新页面后重新提交。")
