"""Sections other apps add to the household page (programmes, applications, warnings …) once they exist.

An app registers in its AppConfig.ready::

    from huimin.registry import panels
    panels.register("社会救助", "assistance/_household_panel.html", lambda request, household: {...})

The household page includes each template with the returned context; a panel whose context is None is hidden.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Panel:
    title: str
    template: str
    context: Callable


_PANELS: list[Panel] = []


def register(title: str, template: str, context: Callable) -> None:
    if not any(p.template == template for p in _PANELS):
        _PANELS.append(Panel(title, template, context))


def for_household(request, household) -> list[tuple[Panel, dict]]:
    shown = []
    for panel in _PANELS:
        context = panel.context(request, household)
        if context is not None:
            shown.append((panel, context))
    return shown
