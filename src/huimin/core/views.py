from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from huimin.core import audit, logins, menu, services, system_accounts, todos
from huimin.core.decorators import capability_required
from huimin.core.forms import (
    AccountChangeRequestForm,
    AuditSearchForm,
    HuiminPasswordChangeForm,
    RoleAssignForm,
    UserCreateForm,
)
from huimin.core.models import AccountChangeRequest, AuditEntry, Region, RoleAssignment, User
from huimin.core.pagination import page_of
from huimin.core.roles import (
    AUDIT_VIEW,
    REGIONS_VIEW,
    ROLES_ASSIGN,
    SYSTEM_ACCOUNTS_CONFIRM,
    SYSTEM_ACCOUNTS_REQUEST,
    USERS_MANAGE,
    USERS_VIEW,
)
from huimin.core.scope import PICKED_REGION_SESSION_KEY, in_scope, scoped, starting_with


class LoginView(auth_views.LoginView):
    template_name = "core/login.html"
    redirect_authenticated_user = True


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "core/password_change.html"
    form_class = HuiminPasswordChangeForm
    success_url = reverse_lazy("home")

    def form_valid(self, form):
        response = super().form_valid(form)
        services.password_changed(self.request.user)
        messages.success(self.request, "密码已修改。")
        return response


@login_required
def home(request):
    items = todos.for_user(request.user)
    by_section = [
        (title, [item for item in items if item.section == key])
        for key, title in menu.SECTIONS.items()
        if any(item.section == key for item in items)
    ]
    previous = logins.previous_login(request)
    context = {
        "todo_sections": by_section,
        "first_login": previous == logins.FIRST_LOGIN,
        "previous_login": previous if previous != logins.FIRST_LOGIN else None,
    }
    return render(request, "core/home.html", context)


@login_required
def region_children(request):
    """The picker's next level: children of a region inside the user's subtree (htmx partial)."""
    code = request.GET.get("code") or (request.user.region_id or "")
    if not in_scope(request.user, code):
        raise Http404("区划不在您的管辖范围内")
    region = get_object_or_404(Region, code=code)
    children = region.children.filter(is_active=True).order_by("code")
    return render(request, "core/_region_children.html", {"region": region, "children": children})


@login_required
@require_POST
def region_pick(request):
    code = request.POST.get("code", "")
    if not in_scope(request.user, code) or not Region.objects.filter(code=code).exists():
        raise Http404("区划不在您的管辖范围内")
    request.session[PICKED_REGION_SESSION_KEY] = code
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = "/"
    return redirect(next_url)


@capability_required(REGIONS_VIEW)
def region_list(request):
    code = request.GET.get("code") or request.user.region_id
    if not in_scope(request.user, code):
        raise Http404("区划不在您的管辖范围内")
    region = get_object_or_404(Region, code=code)
    children = region.children.order_by("code")
    ancestors = [r for r in region.ancestors() if in_scope(request.user, r.code)]
    return render(
        request,
        "core/regions.html",
        {"region": region, "children": page_of(request, children, 50), "ancestors": ancestors},
    )


@capability_required(USERS_VIEW)
def user_list(request):
    users = scoped(
        User.objects.select_related("region").prefetch_related("role_assignments"), request.user, capability=USERS_VIEW
    ).order_by("username")
    q = request.GET.get("q", "").strip()
    if q:
        users = users.filter(username__icontains=q) | users.filter(full_name__icontains=q)
    form = UserCreateForm(actor=request.user)
    return render(request, "core/users.html", {"page": page_of(request, users), "q": q, "form": form})


@capability_required(USERS_MANAGE, audit_denied=True)
@require_POST
def user_create(request):
    form = UserCreateForm(request.POST, actor=request.user)
    if form.is_valid():
        user, password = services.create_user(
            request.user,
            username=form.cleaned_data["username"],
            full_name=form.cleaned_data["full_name"],
            region=form.cleaned_data["region"],
        )
        messages.success(request, f"已创建账号 {user.username}，临时密码：{password}（仅显示一次，首次登录须修改）")
        return redirect("core:users")
    users = scoped(User.objects.select_related("region"), request.user, capability=USERS_VIEW).order_by("username")
    return render(request, "core/users.html", {"page": page_of(request, users), "form": form}, status=400)


def _scoped_user(request, pk):
    return get_object_or_404(scoped(User.objects.all(), request.user, capability=USERS_VIEW), pk=pk)


@capability_required(USERS_VIEW)
def user_detail(request, pk):
    user = _scoped_user(request, pk)
    context = {
        "account": user,
        "assignments": user.role_assignments.select_related("granted_by"),
        "is_system_account": services.holds_system_role(user),
        "form": RoleAssignForm(),
        "request_form": AccountChangeRequestForm(),
        "change_requests": user.change_requests.select_related("requested_by", "decided_by")[:20],
    }
    return render(request, "core/user_detail.html", context)


def _form_errors(form) -> str:
    return "；".join(str(e) for errors in form.errors.values() for e in errors)


@capability_required(ROLES_ASSIGN, audit_denied=True)
@require_POST
def user_assign_role(request, pk):
    user = _scoped_user(request, pk)
    form = RoleAssignForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect("core:user_detail", pk=user.pk)
    try:
        assignment = services.grant_role(request.user, user, form.cleaned_data["role"], form.cleaned_data["line"])
        messages.success(request, f"已为 {user} 分配角色：{assignment}")
    except services.ServiceError as exc:
        messages.error(request, str(exc))
    return redirect("core:user_detail", pk=user.pk)


@capability_required(ROLES_ASSIGN, audit_denied=True)
@require_POST
def user_revoke_role(request, pk, assignment_pk):
    user = _scoped_user(request, pk)
    assignment = get_object_or_404(RoleAssignment, pk=assignment_pk, user=user)
    try:
        services.revoke_role(request.user, assignment)
        messages.success(request, f"已撤销 {user} 的角色：{assignment}")
    except services.ServiceError as exc:
        messages.error(request, str(exc))
    return redirect("core:user_detail", pk=user.pk)


@capability_required(SYSTEM_ACCOUNTS_REQUEST, audit_denied=True)
@require_POST
def user_request_change(request, pk):
    user = _scoped_user(request, pk)
    form = AccountChangeRequestForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect("core:user_detail", pk=user.pk)
    try:
        change = system_accounts.request_change(
            request.user, user, form.cleaned_data["kind"], role=form.cleaned_data["role"],
            reason=form.cleaned_data["reason"],
        )  # fmt: skip
        messages.success(request, f"已提出申请：{change.summary}，待另一名三员确认后执行")
    except services.ServiceError as exc:
        messages.error(request, str(exc))
    return redirect("core:user_detail", pk=user.pk)


@capability_required(SYSTEM_ACCOUNTS_CONFIRM)
def account_requests(request):
    changes = system_accounts.pending_for(request.user)
    return render(
        request,
        "core/account_requests.html",
        {
            "pending": changes.filter(status=AccountChangeRequest.Status.PENDING),
            "page": page_of(request, changes.exclude(status=AccountChangeRequest.Status.PENDING)),
        },
    )


def _scoped_request(request, pk):
    return get_object_or_404(system_accounts.pending_for(request.user), pk=pk)


@capability_required(SYSTEM_ACCOUNTS_CONFIRM, audit_denied=True)
@require_POST
def account_request_confirm(request, pk):
    change = _scoped_request(request, pk)
    try:
        password = system_accounts.confirm(request.user, change)
        done = f"已确认并执行：{change.target.username} {change.summary}"
        if password:
            done += f"。临时密码：{password}（仅显示一次，请当面转交；首次登录须修改）"
        messages.success(request, done)
    except services.ServiceError as exc:
        messages.error(request, str(exc))
    return redirect("core:account_requests")


@capability_required(SYSTEM_ACCOUNTS_CONFIRM, audit_denied=True)
@require_POST
def account_request_reject(request, pk):
    change = _scoped_request(request, pk)
    try:
        system_accounts.reject(request.user, change)
        messages.success(request, f"已{'撤回' if change.requested_by_id == request.user.pk else '驳回'}申请")
    except services.ServiceError as exc:
        messages.error(request, str(exc))
    return redirect("core:account_requests")


@capability_required(USERS_MANAGE, audit_denied=True)
@require_POST
def user_toggle_active(request, pk):
    user = _scoped_user(request, pk)
    try:
        services.set_active(request.user, user, not user.is_active)
        messages.success(request, f"账号 {user.username} 已{'启用' if user.is_active else '停用'}")
    except services.ServiceError as exc:
        messages.error(request, str(exc))
    return redirect("core:user_detail", pk=user.pk)


@capability_required(USERS_MANAGE, audit_denied=True)
@require_POST
def user_reset_password(request, pk):
    user = _scoped_user(request, pk)
    try:
        password = services.reset_password(request.user, user)
        messages.success(request, f"账号 {user.username} 的临时密码：{password}（仅显示一次，登录后须修改）")
    except services.ServiceError as exc:
        messages.error(request, str(exc))
    return redirect("core:user_detail", pk=user.pk)


@capability_required(AUDIT_VIEW)
def audit_list(request):
    form = AuditSearchForm(request.GET or None)
    entries = AuditEntry.objects.all()
    if form.is_valid():
        data = form.cleaned_data
        if data["actor"]:
            entries = entries.filter(actor__icontains=data["actor"])
        if data["action"]:
            entries = entries.filter(action__icontains=data["action"])
        if data["object_id"]:
            entries = entries.filter(object_id=data["object_id"])
        if data["region"]:
            entries = entries.filter(starting_with("region_code", data["region"]))
        if data["date_from"]:
            entries = entries.filter(ts__date__gte=data["date_from"])
        if data["date_to"]:
            entries = entries.filter(ts__date__lte=data["date_to"])
    audit.record("core.audit.search", detail=request.GET.urlencode()[:500])
    return render(request, "core/audit.html", {"form": form, "page": page_of(request, entries.order_by("-seq"))})


@capability_required(AUDIT_VIEW)
@require_POST
def audit_verify(request):
    result = audit.verify()
    (messages.success if result.ok else messages.error)(request, result.message())
    return redirect("core:audit")


def healthz(request):
    return HttpResponse("ok", content_type="text/plain")


def service_worker(request):
    """The service worker (static/huimin/js/sw.js) served from the site root so that its scope covers every page
    that keeps itself for offline use; never cached by the browser's HTTP cache, so an update reaches phones."""
    from django.contrib.staticfiles import finders
    from django.contrib.staticfiles.storage import staticfiles_storage

    path = finders.find("huimin/js/sw.js")
    if path:
        with open(path, "rb") as f:
            body = f.read()
    else:  # collected static files only (production)
        with staticfiles_storage.open("huimin/js/sw.js") as f:
            body = f.read()
    response = HttpResponse(body, content_type="application/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = "/"
    return response
