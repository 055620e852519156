from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from huimin.core.context import actor_for, reset_actor, set_actor


def client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "")


class RequestContextMiddleware:
    """Makes the acting user and their address known to the audit chain for the whole request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = set_actor(actor_for(getattr(request, "user", None), client_ip(request)))
        try:
            return self.get_response(request)
        finally:
            reset_actor(token)


class ForcePasswordChangeMiddleware:
    """An account with a temporary password can do nothing but change it."""

    ALLOWED = ("password_change", "logout")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.must_change_password:
            allowed = {reverse(name) for name in self.ALLOWED}
            if request.path.startswith("/api/"):
                return JsonResponse({"code": 403, "message": "请先登录页面修改临时密码"}, status=403)
            if request.path not in allowed and not request.path.startswith("/static/"):
                return redirect("password_change")
        return self.get_response(request)
