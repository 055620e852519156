"""The 授权书 an application already holds: an application records 授权书已交 and may carry its scan as an
application document. The app that keeps applications plugs in here (huimin.verification.assistance_link, when
social assistance is installed), so the 核对 page can record a person's authorisation from that scan instead of a
second upload; without one there is none."""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class AuthorisationDocument:
    """An application's uploaded 家庭经济状况核对授权书."""

    id: int
    label: str  # "申请 DB… 的申请材料（2026-11-02 上传）"
    file: object  # a Django FieldFile
    lodged_on: object  # the application's date: the default signing date


# household id -> [AuthorisationDocument, …] newest first
_PROVIDERS: list[Callable[[int], list[AuthorisationDocument]]] = []


def register(provider: Callable[[int], list[AuthorisationDocument]]) -> None:
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)


def documents(household_id: int) -> list[AuthorisationDocument]:
    return [doc for provider in _PROVIDERS for doc in provider(household_id)]


def document(household_id: int, doc_id) -> AuthorisationDocument | None:
    return next((d for d in documents(household_id) if str(d.id) == str(doc_id)), None)
