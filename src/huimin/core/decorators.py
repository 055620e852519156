from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from huimin.core.roles import has_capability


def capability_required(capability: str):
    """Logged-in users lacking ``capability`` get 403; anonymous users go to the login page."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not has_capability(request.user, capability):
                raise PermissionDenied("您的角色无权使用此功能")
            return view(request, *args, **kwargs)

        wrapped.required_capability = capability
        return wrapped

    return decorator
