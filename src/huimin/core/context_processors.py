from huimin.core import menu
from huimin.core.regions import LEVEL_NAMES
from huimin.core.roles import capabilities_of
from huimin.core.scope import picked_region


def shell(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    granted = capabilities_of(user)
    match = getattr(request, "resolver_match", None)
    return {
        "sidebar": menu.sidebar(granted, match.view_name if match else ""),
        "capabilities": granted,
        "user_region": user.region,
        "user_region_level": LEVEL_NAMES.get(user.region.level) if user.region else "",
        "current_region": picked_region(request) if user.region else None,
    }
