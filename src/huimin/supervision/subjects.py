"""What can be supervised: a business app registers each kind of subject here (in its ``AppConfig.ready``), so the
supervision machinery imports no business app.

``register(kind, label, resolver, url_name, line, population)``: ``resolver(ids) -> {id: (label, region_code)}``
names the subjects that exist (a missing id is absent from the answer); ``url_name`` is the page of one subject
(reversed with ``pk``); ``line`` the business line whose roles supervise it.

The 职责分离 of a rectification (core.duties procedure ``supervision.rectification``: whoever recorded it neither
accepts nor returns it) is registered here, on the lines of the kinds registered so far: an approver of any of
them manages its rules on 「职责分离规则」."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

from huimin.core import duties

Resolver = Callable[[Iterable[int]], dict[int, tuple[str, str]]]


@dataclass(frozen=True)
class SubjectKind:
    kind: str
    label: str
    resolver: Resolver
    url_name: str
    line: str
    population: Callable[[str], list[tuple[str, int, str]]] | None = None
    note: str = ""  # shown beside the kind on the draw form (e.g. the yearly ratio a business must reach)


_KINDS: dict[str, SubjectKind] = {}


def register(kind: str, label: str, resolver: Resolver, url_name: str, line: str = "", population=None,
             note: str = "") -> None:  # fmt: skip
    """``population(region_code) -> [(kind, id, label)]``, when given, lists the subjects a draw in a region may
    pick from (the draw page offers it); without it the caller of ``services.draw`` passes the list. ``note`` is
    shown with the kind on the draw form (what the business requires of its draws, e.g. a minimum ratio)."""
    _KINDS[kind] = SubjectKind(kind, label, resolver, url_name, line, population, note)
    register_duties()


RECTIFICATION = "supervision.rectification"


def register_duties() -> duties.Procedure:
    lines = tuple(sorted({k.line for k in _KINDS.values() if k.line}))
    return duties.register(duties.Procedure(
        code=RECTIFICATION, label="检查发现问题整改验收", line=lines,
        steps={"record": "登记整改", "close": "验收销号"},
        doing={"record": "登记整改", "close": "验收销号"},
        defaults=(("record", "close", "整改须由登记人以外的工作人员验收"),),
        required=frozenset({frozenset(("record", "close"))}),
    ))  # fmt: skip


def get(kind: str) -> SubjectKind | None:
    return _KINDS.get(kind)


def kinds() -> list[SubjectKind]:
    return list(_KINDS.values())


def label_of(kind: str) -> str:
    found = _KINDS.get(kind)
    return found.label if found else kind


def resolve(kind: str, pk: int) -> tuple[str, str] | None:
    """(label, region code) of one subject, or None when the kind or the subject does not exist."""
    found = _KINDS.get(kind)
    if found is None:
        return None
    try:
        return found.resolver([int(pk)]).get(int(pk))
    except (TypeError, ValueError):
        return None


def url_of(kind: str, pk: int) -> str:
    found = _KINDS.get(kind)
    if found is None:
        return ""
    try:
        return reverse(found.url_name, kwargs={"pk": pk})
    except NoReverseMatch:
        return ""
