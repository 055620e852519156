import ipaddress

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from huimin.core.context import actor_for, reset_actor, set_actor


def client_ip(request) -> str:
    """The client's address, for the audit trail, the login lockout and rate limits. X-Forwarded-For is believed
    only when the connection comes from a trusted proxy (HUIMIN_TRUSTED_PROXIES); then the address is the
    rightmost one in the header that is not itself a trusted proxy, so a client cannot choose its own address by
    sending the header."""
    remote = request.META.get("REMOTE_ADDR", "")
    if not _is_trusted_proxy(remote):
        return remote
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    for hop in reversed(hops):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            return remote  # a malformed chain: trust none of what the proxy was sent
        if len(hop) > 45:  # an IPv6 zone id can make it longer than any address the audit trail stores
            return remote
        if not _is_trusted_proxy(hop):
            return hop
    return remote


def _is_trusted_proxy(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in settings.HUIMIN_TRUSTED_PROXIES)


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
