"""Who is enrolled in a programme, for 定期核对 (a batch of enrolled households only). The app that keeps
enrolments plugs in here (huimin.verification.assistance_link, when social assistance is installed); without one,
no household is enrolled."""

from collections.abc import Callable

# (programme code, region prefix) -> household ids
_PROVIDERS: list[Callable[[str, str], list[int]]] = []


def register(provider: Callable[[str, str], list[int]]) -> None:
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)


def enrolled_households(programme: str, prefix: str) -> list[int]:
    """Households whose enrolment in ``programme`` under ``prefix`` is open (在保, 渐退期, 停发)."""
    return sorted({household for provider in _PROVIDERS for household in provider(programme, prefix)})
