"""Sections other apps add to the household page (programmes, applications, warnings …) once they exist.

Two kinds, registered in the app's AppConfig.ready (the registry imports nothing of theirs):

    from huimin.registry import panels
    # a fragment the page loads with htmx from the app's own scoped view (URL takes the household pk)
    panels.register_fragment("社会救助", "assistance:household_panel", capability="assistance.view")
    # or a template rendered in place with a context built from (request, household); None hides it
    panels.register("预警", "monitoring/_household_panel.html", lambda request, household: {...})
"""

from collections.abc import Callable
from dataclasses import dataclass

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
