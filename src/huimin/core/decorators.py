from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from huimin.core import audit
from huimin.core.roles import has_capability


def capability_required(capability: str, *, audit_denied: bool = False):
    """Logged-in users lacking ``capability`` get 403; anonymous users go to the login page. With
    ``audit_denied`` the refused attempt is also written to the audit chain (account changes: 三员分立)."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not has_capability(request.user, capability):
                if audit_denied:
                    audit.record("core.access.denied", detail=f"{request.method} {request.path}：缺少权限 {capability}")
                raise PermissionDenied("您的角色无权使用此功能")
            return view(request, *args, **kwargs)

        wrapped.required_capability = capability
        return wrapped

    return decorator
