"""Sections other apps add to the household page (programmes, applications, warnings …) once they exist.

Two kinds, registered in the app's AppConfig.ready (the registry imports nothing of theirs):

    from huimin.registry import panels
    # a fragment the page loads with htmx from the app's own scoped view (URL takes the household pk)
    panels.register_fragment("社会救助", "assistance:household_panel", capability="assistance.view")
    # or a template rendered in place with a context built from (request, household); None hides it
    panels.register("预警", "monitoring/_household_panel.html", lambda request, household: {...})

and actions: a button on the household page that opens the app's page for this household (URL name, and the query
parameter that carries the household's id), shown to a user with the capability while the household is active:

    panels.register_action("申请救助", "assistance:application_create", capability="assistance.apply")
"""

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import reverse

from huimin.core.roles import has_capability


@dataclass(frozen=True)
class Panel:
    title: str
    template: str = ""
    context: Callable | None = None
    url_name: str = ""
    capability: str = ""


_PANELS: list[Panel] = []


def register(title: str, template: str, context: Callable) -> None:
    if not any(p.template == template for p in _PANELS if p.template):
        _PANELS.append(Panel(title, template=template, context=context))


def register_fragment(title: str, url_name: str, *, capability: str) -> None:
    if not any(p.url_name == url_name for p in _PANELS if p.url_name):
        _PANELS.append(Panel(title, url_name=url_name, capability=capability))


@dataclass(frozen=True)
class HouseholdAction:
    label: str
    url_name: str
    capability: str
    param: str = "household_id"


_ACTIONS: list[HouseholdAction] = []


def register_action(label: str, url_name: str, *, capability: str, param: str = "household_id") -> None:
    if not any(a.url_name == url_name for a in _ACTIONS):
        _ACTIONS.append(HouseholdAction(label, url_name, capability, param))


def actions_for(request, household) -> list[tuple[str, str]]:
    """(label, URL) of the actions other apps offer on this household page, for this user."""
    if not household.is_active:
        return []
    return [
        (a.label, f"{reverse(a.url_name)}?{urlencode({a.param: household.pk})}")
        for a in _ACTIONS
        if has_capability(request.user, a.capability)
    ]


def for_household(request, household) -> list[tuple[Panel, dict]]:
    shown = []
    for panel in _PANELS:
        if panel.url_name:
            if has_capability(request.user, panel.capability):
                shown.append((panel, {"url": reverse(panel.url_name, args=[household.pk])}))
            continue
        context = panel.context(request, household)
        if context is not None:
            shown.append((panel, context))
    return shown
