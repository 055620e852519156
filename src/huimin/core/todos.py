"""The 工作台's to-dos. An app registers its providers when it exists (AppConfig.ready), as it registers its menu
entries; core never imports the apps. A provider takes the actor and today's date and returns the actor's to-dos:
nothing without its capability, counts only inside the actor's region (huimin.core.scope)."""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.utils import timezone


@dataclass(frozen=True)
class Todo:
    section: str  # the business it belongs to, as in the menu (huimin.core.menu.SECTIONS)
    label: str
    count: int
    url: str
    overdue: int = 0  # of ``count``, past their deadline
    due_soon: int = 0  # of ``count``, due within the next week


Provider = Callable[[object, datetime.date], Iterable[Todo]]

DUE_SOON_DAYS = 7
_PROVIDERS: list[Provider] = []


def register(provider: Provider) -> None:
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)


def for_user(user, day: datetime.date | None = None) -> list[Todo]:
    day = day or timezone.localdate()
    return [todo for provider in _PROVIDERS for todo in provider(user, day)]
