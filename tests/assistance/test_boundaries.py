"""Rule boundaries of the workflow, each tested on both sides: the last day of 公示 and the day of application
as the earliest 入户调查 date (docs/testing.md: these kill the mutants `<=` → `<` and a removed check)."""

import datetime

import pytest
from django.db import transaction

from huimin.assistance.actions import decide, visit
from huimin.assistance.actions.common import locked_application
from huimin.assistance.models import Application, Stage
from huimin.core.services import ServiceError
from tests.assistance.conftest import apply, walk
from tests.clock import at

BASIS = {"standard": "城市低保标准 630 元/月", "income_per_head": "0", "members": "2"}
DAY = datetime.date(2026, 11, 20)


def _in_publicity(users, make_household, end: datetime.date) -> Application:
    household, people = make_household()
    with at(2026, 11, 10):
        app = walk(users, apply(users, household, people), Stage.PUBLICITY)
    Application.objects.filter(pk=app.pk).update(publicity_end=end)
    return app


def _check_approve(users, app):
    with transaction.atomic():
        return decide.check_approve(users["approver"], locked_application(app), monthly_amount="630", basis=BASIS)


def test_approval_is_refused_on_the_last_day_of_publicity(users, make_household):
    app = _in_publicity(users, make_household, DAY)
    with at(2026, 11, 20, 23, 50), pytest.raises(ServiceError, match="公示期至 2026年11月20日 结束"):
        _check_approve(users, app)


def test_approval_is_allowed_the_day_after_publicity_ends(users, make_household):
    app = _in_publicity(users, make_household, DAY)
    with at(2026, 11, 21, 0, 5):
        assert _check_approve(users, app).day == datetime.date(2026, 11, 21)


def _awaiting_visit(users, make_household) -> Application:
    household, people = make_household()
    with at(2026, 11, 10, 9):
        return walk(users, apply(users, household, people), Stage.VISIT)


def _check_visit(users, app, day):
    with at(2026, 11, 20), transaction.atomic():
        return visit.check_visit(
            users["clerk_a"], locked_application(app), visit_date=day, visitors="王五、赵六", findings="房屋简陋"
        )


def test_a_visit_on_the_day_of_application_is_accepted(users, make_household):
    app = _awaiting_visit(users, make_household)
    assert _check_visit(users, app, datetime.date(2026, 11, 10)) == ("王五、赵六", "房屋简陋")


def test_a_visit_the_day_before_the_application_is_refused(users, make_household):
    app = _awaiting_visit(users, make_household)
    with pytest.raises(ServiceError, match="调查日期不能早于申请日期"):
        _check_visit(users, app, datetime.date(2026, 11, 9))


def test_a_visit_today_is_accepted_and_tomorrow_refused(users, make_household):
    app = _awaiting_visit(users, make_household)
    assert _check_visit(users, app, datetime.date(2026, 11, 20))
    with pytest.raises(ServiceError, match="调查日期不能晚于今天"):
        _check_visit(users, app, datetime.date(2026, 11, 21))


def test_the_day_of_application_is_the_day_in_beijing(users, make_household):
    """An application made at 07:00 Beijing time is still 23:00 the day before in UTC: the visit may not be
    dated that UTC day."""
    household, people = make_household()
    with at(2026, 11, 10, 7):
        app = walk(users, apply(users, household, people), Stage.VISIT)
    with pytest.raises(ServiceError, match="调查日期不能早于申请日期"):
        _check_visit(users, app, datetime.date(2026, 11, 9))
    assert _check_visit(users, app, datetime.date(2026, 11, 10))
