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


class DataErrorMiddleware:
    """Input the database cannot store (a NUL character, a number out of range) is the user's error: answer 400
    with the Chinese page or the API's JSON body instead of a 500. The failed statement's transaction is already
    rolled back when this runs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.db import DataError
        from django.shortcuts import render

        if not isinstance(exception, DataError):
            return None
        message = "提交的内容含有无法保存的字符（如空字符）或超出允许的范围，请检查后重试。"
        if request.path.startswith("/api/"):
            return JsonResponse({"code": "invalid", "message": message}, status=400)
        return render(request, "error.html", {"status": 400, "title": "请求有误", "message": message}, status=400)
