"""登记家庭 through the page, posting what a browser posts: every card's selects carry a value even when the clerk
touched nothing, so blank cards must be ignored, and a bad ID number is reported under that member's ID field."""

import datetime
import re
from html.parser import HTMLParser

import pytest

from huimin.registry import codes
from huimin.registry.models import Household
from tests.registry.conftest import VILLAGE_A1, id_for

pytestmark = pytest.mark.django_db
URL = "/registry/households/new/"
B = datetime.date(1960, 5, 5)


class _FormDefaults(HTMLParser):
    """The values a browser submits for a form nobody touched (inputs, the selected or first option)."""

    def __init__(self):
        super().__init__()
        self.values: dict[str, str] = {}
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "template":
            self._skip = True
        if getattr(self, "_skip", False):
            return
        if tag == "input" and a.get("name") and a.get("type") not in ("checkbox", "submit", "button"):
            self.values[a["name"]] = a.get("value") or ""
        elif tag == "select":
            self._select = a["name"]
        elif tag == "option" and self._select and (self._select not in self.values or "selected" in a):
            self.values[self._select] = a.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        if tag == "template":
            self._skip = False


def browser_post(client, cards: int, members: list[tuple[str, str, str]]):
    """Open the page, add cards up to ``cards`` as the 添加成员 button does, fill ``members`` (name, id, relation)
    into the first cards and submit."""
    page = client.get(URL).content.decode()
    parser = _FormDefaults()
    parser.feed(page)
    data = dict(parser.values)
    template = re.search(r'<template id="member-card-template">(.*?)</template>', page, re.S).group(1)
    empty = _FormDefaults()
    empty.feed(template)
    for index in range(int(data["m-TOTAL_FORMS"]), cards):
        data.update({k.replace("__prefix__", str(index)): v for k, v in empty.values.items()})
    data["m-TOTAL_FORMS"] = str(max(cards, int(data["m-TOTAL_FORMS"])))
    data.update({"region": VILLAGE_A1, "household_type": "family", "on": "2026-11-01"})
    for i, (name, number, relation) in enumerate(members):
        data.update({f"m-{i}-name": name, f"m-{i}-id_number": number, f"m-{i}-relation": relation})
    return client.post(URL, data)


def _members(count):
    relations = [codes.HEAD, "02", "10", "20", "40", "60"]
    return [(f"刘{i}", id_for(B, 11 + i), relations[i]) for i in range(count)]


@pytest.mark.parametrize("size", [1, 2, 6])
def test_register_a_household_of_any_size(users, login, size):
    client = login(users["clerk_a"])
    response = browser_post(client, cards=size, members=_members(size))
    assert response.status_code == 302, response.content.decode()[:3000]
    household = Household.objects.get()
    assert household.memberships.count() == size and household.head.name == "刘0"


def test_blank_extra_cards_are_ignored(users, login):
    client = login(users["clerk_a"])
    response = browser_post(client, cards=4, members=_members(1))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Household.objects.get().memberships.count() == 1


def test_the_page_starts_with_one_card_and_an_add_button(users, login):
    page = login(users["clerk_a"]).get(URL).content.decode()
    assert page.count('data-testid="member-card"') == 2  # the first card and the template of the next
    assert 'id="add-member"' in page and "household-register.js" in page


def test_a_bad_id_number_is_reported_under_that_members_field(users, login):
    client = login(users["clerk_a"])
    members = _members(2)
    members[1] = ("刘坏", members[1][1][:-1] + ("0" if members[1][1][-1] != "0" else "1"), "02")
    response = browser_post(client, cards=2, members=members)
    assert response.status_code == 200 and not Household.objects.exists()
    page = response.content.decode()
    error = re.search(r'data-testid="error-m-1-id_number">([^<]*)<', page)
    assert error and "校验位" in error.group(1)
    assert 'data-testid="error-m-0-id_number"' not in page
