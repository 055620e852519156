"""A date field whose natural default is today starts with today's date in Beijing — rendered YYYY-MM-DD, the only
value an ``<input type=date>`` shows — across the registry, assistance, 核对 and benefits pages. The clock stands
at 00:30 in Beijing, when UTC is still on the day before, so a server date would show yesterday."""

import re

import pytest
from django.urls import reverse

from huimin.core.forms import ISO_DATE, iso_date
from huimin.registry import forms as registry_forms
from huimin.verification import forms as verification_forms
from tests.assistance.conftest import apply, walk
from tests.clock import at

TODAY, YESTERDAY = "2026-11-23", "2026-11-22"


def _value(page: str, name: str) -> str:
    """The value of the date input named ``name`` on the page."""
    for tag in re.findall(r"<input[^>]*>", page):
        if re.search(rf'name="{name}"', tag) and 'type="date"' in tag:
            found = re.search(r'value="([^"]*)"', tag)
            return found.group(1) if found else ""
    raise AssertionError(f"no date input {name}")


@pytest.fixture
def just_after_midnight():
    with at(2026, 11, 23, 0, 30):
        yield


def test_the_forms_share_the_one_iso_date_input():
    assert registry_forms.DATE is ISO_DATE
    assert verification_forms.DATE_WIDGET.format == ISO_DATE.format == "%Y-%m-%d"
    widget = iso_date({"class": "x"})
    assert (widget.input_type, widget.attrs, widget.format) == ("date", {"class": "x"}, "%Y-%m-%d")


def test_registry_event_and_registration_dates_start_today(users, login, make_household, just_after_midnight):
    household, people = make_household()
    client = login(users["clerk_a"])
    for url in (
        reverse("registry:person_event", args=[people[1].pk, "death"]),
        reverse("registry:household_event", args=[household.pk, "birth"]),
        reverse("registry:household_register"),
    ):
        assert _value(client.get(url).content.decode(), "on") == TODAY, url


def test_assistance_action_dates_start_today(users, login, make_household, just_after_midnight):
    household, people = make_household()
    client = login(users["clerk_a"])
    app = walk(users, apply(users, household, people), "verify")
    page = client.get(reverse("assistance:application_detail", args=[app.pk])).content.decode()
    assert _value(page, "report_date") == TODAY  # 录入核对报告
    app = walk(users, app, "visit")
    page = client.get(reverse("assistance:application_detail", args=[app.pk])).content.decode()
    assert _value(page, "visit_date") == TODAY


def test_advance_and_case_by_case_dates_start_today(users, login, make_household, just_after_midnight):
    household, people = make_household()
    app = apply(users, household, people, code="temp_urgent")
    page = login(users["clerk_a"]).get(reverse("assistance:application_detail", args=[app.pk])).content.decode()
    assert _value(page, "paid_on") == TODAY  # 先行救助
    app = walk(users, app, "decision")
    page = login(users["approver"]).get(reverse("assistance:application_detail", args=[app.pk])).content.decode()
    assert _value(page, "held_on") == TODAY  # 一事一议


def test_verification_and_benefits_dates_start_today(users, login, just_after_midnight):
    assert _value(str(verification_forms.AssistAnswerForm()["as_of"]), "as_of") == TODAY  # 协查回复的数据日期
    approver = login(users["approver"])
    page = approver.get(reverse("benefits:calculator")).content.decode()
    assert _value(page, "day") == TODAY
    chosen = approver.get(reverse("benefits:calculator"), {"day": YESTERDAY}).content.decode()
    assert _value(chosen, "day") == YESTERDAY
