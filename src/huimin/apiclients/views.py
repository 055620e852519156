"""The security officer's page: issue, limit, rotate and revoke API client tokens (a token is shown once)."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from huimin.apiclients import services
from huimin.apiclients.models import ApiClient
from huimin.apikit import grantable_operations
from huimin.core.decorators import capability_required
from huimin.core.roles import API_CLIENTS_MANAGE
from huimin.core.services import ServiceError
from huimin.engine.sources import SOURCES


def _page(request, status=200, post=None):
    context = {
        "clients": ApiClient.objects.all(), "operations": grantable_operations().values(), "post": post or {},
        "sources": SOURCES.values(), "source_names": {code: s.name for code, s in SOURCES.items()},
    }  # fmt: skip
    return render(request, "apiclients/clients.html", context, status=status)


@capability_required(API_CLIENTS_MANAGE)
def client_list(request):
    return _page(request)


@capability_required(API_CLIENTS_MANAGE)
@require_POST
def client_issue(request):
    p = request.POST
    try:
        client, token = services.issue(
            request.user, name=p.get("name", ""), department=p.get("department", ""),
            operations=p.getlist("operations"), region_codes=p.get("regions", "").replace("，", ",").split(","),
            rate_limit=p.get("rate_limit") or 60, sources=p.getlist("sources"),
        )  # fmt: skip
    except ServiceError as exc:
        messages.error(request, str(exc))
        return _page(request, status=400, post=p)
    messages.success(request, f"已签发客户端“{client.name}”的令牌（仅显示一次，请立即交付对方保存）：{token}")
    return redirect("apiclients:clients")


@capability_required(API_CLIENTS_MANAGE)
@require_POST
def client_toggle_active(request, pk):
    client = get_object_or_404(ApiClient, pk=pk)
    services.set_active(request.user, client, not client.is_active)
    messages.success(request, f"客户端“{client.name}”已{'启用' if client.is_active else '停用（令牌立即失效）'}")
    return redirect("apiclients:clients")


@capability_required(API_CLIENTS_MANAGE)
@require_POST
def client_rotate(request, pk):
    client = get_object_or_404(ApiClient, pk=pk)
    token = services.rotate(request.user, client)
    messages.success(request, f"客户端“{client.name}”的新令牌（旧令牌已失效，仅显示一次）：{token}")
    return redirect("apiclients:clients")
