"""The side navigation: the pages a user's capabilities open and nothing else, the current page marked; kept per
capabilities and page, so a role granted or revoked shows at the next page."""

import re

from django.urls import reverse

from huimin.core.models import RoleAssignment
from huimin.core.roles import BusinessLine, Role
from tests.conftest import TOWN_A


def _sidebar(client, url: str) -> str:
    html = client.get(url).content.decode()
    found = re.search(r'<aside class="[^"]*hm-sidebar">(.*?)</aside>', html, re.S)
    return found.group(1) if found else ""


def test_the_sidebar_shows_what_the_roles_open_and_marks_the_page(users, login):
    client = login(users["clerk_a"])
    persons = _sidebar(client, reverse("registry:persons"))
    assert '<a class="nav-link py-1 active fw-bold" aria-current="page" href="/registry/persons/">人员</a>' in persons
    assert persons.count('aria-current="page"') == 1
    assert "救助申请" in persons
    assert "用户与角色" not in persons  # a system administrator's page
    households = _sidebar(client, reverse("registry:households"))
    assert 'aria-current="page" href="/registry/households/"' in households
    assert 'aria-current="page" href="/registry/persons/"' not in households  # not the first page's, kept


def test_a_role_granted_or_revoked_shows_at_the_next_page(users, login):
    clerk = users["clerk_a"]
    client = login(clerk)
    assert "老年人名册" not in _sidebar(client, reverse("registry:persons"))
    granted = RoleAssignment.objects.create(user=clerk, role=Role.CLERK, line=BusinessLine.ELDERLY)
    assert "老年人名册" in _sidebar(client, reverse("registry:persons"))
    granted.delete()
    assert "老年人名册" not in _sidebar(client, reverse("registry:persons"))


def test_the_home_page_says_whether_the_account_opens_any_page(users, make_user, login):
    assert "暂无待办事项" in login(users["statistician"]).get("/").content.decode()  # pages, no to-do list
    no_role = make_user("no_role", "", TOWN_A)
    html = login(no_role).get("/").content.decode()
    assert "尚未分配角色" in html and "hm-sidebar" not in html
