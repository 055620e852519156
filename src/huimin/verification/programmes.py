"""The names of the programmes the 核对 system checks for. The app that defines programmes plugs in here
(huimin.verification.assistance_link, when social assistance is installed); without one, the code is the name."""

from collections.abc import Callable

# programme code -> its Chinese name, or "" when the provider does not know it; and () -> [(code, name), …]
_NAMERS: list[Callable[[str], str]] = []
_LISTS: list[Callable[[], list[tuple[str, str]]]] = []


def register(namer: Callable[[str], str], listing: Callable[[], list[tuple[str, str]]] | None = None) -> None:
    if namer not in _NAMERS:
        _NAMERS.append(namer)
    if listing is not None and listing not in _LISTS:
        _LISTS.append(listing)


def choices() -> list[tuple[str, str]]:
    """Every programme a check can be made for, as (code, Chinese name); empty when no provider is installed."""
    return [pair for listing in _LISTS for pair in listing()]


def label(code: str) -> str:
    return next((name for namer in _NAMERS if (name := namer(code))), code)
