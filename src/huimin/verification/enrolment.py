"""Who is enrolled in a programme, for 定期核对 (a batch of enrolled households only), and the 核对 results the
programme's app recorded outside the engine (reports entered by hand, the demo's history), which a batch compares
with. The app that keeps enrolments plugs in here (huimin.verification.assistance_link, when social assistance is
installed); without one, no household is enrolled and no result was recorded elsewhere."""

import datetime
from collections.abc import Callable

# (programme code, region prefix) -> household ids
_PROVIDERS: list[Callable[[str, str], list[int]]] = []


def register(provider: Callable[[str, str], list[int]]) -> None:
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)


def enrolled_households(programme: str, prefix: str) -> list[int]:
    """Households whose enrolment in ``programme`` under ``prefix`` is open (在保, 渐退期, 停发)."""
    return sorted({household for provider in _PROVIDERS for household in provider(programme, prefix)})


# (programme code, region prefix, until) -> {household id: (result date, recorded at, conclusion)}
Result = tuple[datetime.date, datetime.datetime, str]
_RESULTS: list[Callable[[str, str, datetime.date], dict[int, Result]]] = []


def register_results(provider: Callable[[str, str, datetime.date], dict[int, Result]]) -> None:
    if provider not in _RESULTS:
        _RESULTS.append(provider)


def recorded_results(programme: str, prefix: str, until: datetime.date) -> dict[int, Result]:
    """Per household under ``prefix``: its latest 核对 result for ``programme`` dated on or before ``until`` that
    the programme's app recorded (e.g. a report entered by hand)."""
    latest: dict[int, Result] = {}
    for provider in _RESULTS:
        for household, result in provider(programme, prefix, until).items():
            if household not in latest or result[:2] > latest[household][:2]:
                latest[household] = result
    return latest
