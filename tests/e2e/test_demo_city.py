"""The loaded demo city in a real browser: a demo account logs in with the documented password and the
lists show the synthetic city."""

import pytest

from huimin.core.models import User
from huimin.core.roles import Role
from huimin.demo import loader


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_demo_accounts_browse_the_city(page, log_in):
    loader.load(500, seed=1)
    clerk = User.objects.with_role(Role.CLERK).order_by("username").first()
    log_in(clerk, password=loader.DEMO_PASSWORD)
    assert "/login/" not in page.url
    admin = User.objects.get(username="xitong")
    page.context.clear_cookies()
    log_in(admin, password=loader.DEMO_PASSWORD)
    page.goto("/system/users/")
    assert clerk.full_name in page.content()
