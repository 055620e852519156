"""The API's documentation page: Swagger UI served from the vendored npm files (no CDN, no inline script), and
behind login unless HUIMIN_API_DOCS_PUBLIC (outside production by default)."""

from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse
from django.shortcuts import render
from ninja.openapi.docs import Swagger


class LocalSwagger(Swagger):
    """ninja's Swagger page rendered from huimin's template, whatever INSTALLED_APPS says (ninja itself falls back
    to a CDN template when "ninja" is not an installed app)."""

    def render_page(self, request, api, **kwargs):
        config = {**self.settings, "url": self.get_openapi_url(api, kwargs)}
        return render(request, "core/api_docs.html", {"api": api, "swagger_settings": config})


def docs_login_required(view):
    """Wraps the docs page and the OpenAPI document: anonymous callers are sent to the login page (the document
    answers 401 JSON) unless the documentation is public."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if settings.HUIMIN_API_DOCS_PUBLIC or request.user.is_authenticated:
            return view(request, *args, **kwargs)
        if request.path.endswith(".json"):
            return JsonResponse({"code": "unauthenticated", "message": "请先登录后查看接口文档"}, status=401)
        return redirect_to_login(request.get_full_path())

    return wrapped
