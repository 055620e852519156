"""The names of the programmes the 核对 system checks for. The app that defines programmes plugs in here
(huimin.verification.assistance_link, when social assistance is installed); without one, the code is the name."""

from collections.abc import Callable

# programme code -> its Chinese name, or "" when the provider does not know it
_NAMERS: list[Callable[[str], str]] = []


def register(namer: Callable[[str], str]) -> None:
    if namer not in _NAMERS:
        _NAMERS.append(namer)


def label(code: str) -> str:
    return next((name for namer in _NAMERS if (name := namer(code))), code)
