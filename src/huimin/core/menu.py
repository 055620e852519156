"""Navigation by business. An app registers its entries when it exists; no entry points to an unbuilt page."""

import functools
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.urls import reverse

SECTIONS = {
    "registry": "社会救助对象",
    "assistance": "社会救助",
    "verification": "经济状况核对",
    "monitoring": "动态监测",
    "eligibility": "待遇资格认证",
    "benefits": "资金发放",
    "elderly": "养老服务",
    "marriage": "婚姻登记",
    "orgs": "社会组织",
    "supervision": "监督检查",
    "funeral": "殡葬管理",
    "places": "区划地名",
    "children": "儿童福利",
    "relief": "流浪乞讨救助",
    "stats": "统计决策",
    "system": "系统管理",
}


@dataclass(frozen=True)
class MenuItem:
    section: str
    label: str
    key: str
    url_name: str
    capability: str

    @property
    def url(self) -> str:
        return _url(self.url_name)


@functools.cache
def _url(url_name: str) -> str:
    # the menu's pages take no arguments: their addresses are fixed once the URLconf is loaded
    return reverse(url_name)


_ITEMS: list[MenuItem] = []


def register(section: str, label: str, key: str, url_name: str, capability: str) -> None:
    if section not in SECTIONS:
        raise ValueError(f"unknown menu section {section}")
    if not any(item.key == key for item in _ITEMS):
        _ITEMS.append(MenuItem(section, label, key, url_name, capability))
        sidebar.cache_clear()


def _sections(granted: frozenset[str]) -> list[tuple[str, list[MenuItem]]]:
    visible = [item for item in _ITEMS if item.capability in granted]
    return [
        (title, [item for item in visible if item.section == key])
        for key, title in SECTIONS.items()
        if any(item.section == key for item in visible)
    ]


@functools.lru_cache(maxsize=1024)
def sidebar(granted: frozenset[str], active: str) -> str:
    """The side navigation's HTML for these capabilities, with the page ``active`` (a view name) marked; "" when
    they open no page. It holds nothing of the user but what their capabilities show, and the entries' addresses
    are fixed, so each process renders it once per capabilities and page and keeps it (every page shows it)."""
    sections = _sections(granted)
    if not sections:
        return ""
    return render_to_string("_sidebar.html", {"menu": sections, "active": active})
