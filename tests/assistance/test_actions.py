"""The larger actions of social assistance are a check that validates and writes nothing, then a do that writes
(huimin.assistance.actions); the public action is the one followed by the other."""

from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from huimin.assistance.actions import apply as apply_actions
from huimin.assistance.actions import decide, enrol, visit
from huimin.assistance.actions.common import locked_application
from huimin.assistance.models import (
    Application,
    ApplicationEvent,
    Enrolment,
    EnrolmentChange,
    HomeVisit,
    Notification,
    Stage,
)
from huimin.core.models import AuditEntry
from huimin.core.services import ServiceError
from tests.assistance.conftest import apply, approve, end_publicity, walk
from tests.clock import at


@pytest.fixture(autouse=True)
def _pinned_clock():
    with at(2026, 11, 20):
        yield


BASIS = {"standard": "城市低保标准 630 元/月", "income_per_head": "0", "members": "2"}


def written():
    return tuple(
        model.objects.count()
        for model in (ApplicationEvent, Enrolment, EnrolmentChange, HomeVisit, Notification, AuditEntry)
    )


def stage(app):
    return Application.objects.get(pk=app.pk).stage


def test_check_approve_writes_nothing_then_do_approve_enrols(users, make_household):
    household, people = make_household()
    app = end_publicity(walk(users, apply(users, household, people), Stage.PUBLICITY))
    before = written()
    with transaction.atomic():
        approval = decide.check_approve(users["approver"], locked_application(app), monthly_amount="630", basis=BASIS)
    assert written() == before and stage(app) == Stage.PUBLICITY
    assert approval.amount == Decimal("630.00") and approval.authority == "county"
    assert sorted(p.pk for p in approval.persons) == sorted(p.pk for p in people)
    with transaction.atomic():
        decide.do_approve(users["approver"], locked_application(app), approval, income_unstable=False, reasons="")
    assert stage(app) == Stage.ENROLLED
    assert Enrolment.objects.get(application=app).monthly_amount == Decimal("630.00")


def test_check_approve_refuses_before_the_publicity_ends_and_writes_nothing(users, make_household):
    household, people = make_household()
    app = walk(users, apply(users, household, people), Stage.PUBLICITY)
    before = written()
    with pytest.raises(ServiceError, match="公示期满后才能审批"), transaction.atomic():
        decide.check_approve(users["approver"], locked_application(app), monthly_amount="630", basis=BASIS)
    assert written() == before and stage(app) == Stage.PUBLICITY


def test_check_accept_counts_ticked_documents_without_saving_them(users, make_household):
    household, people = make_household()
    app = apply(users, household, people, documents=[])
    with pytest.raises(ServiceError, match="申请材料不齐"), transaction.atomic():
        apply_actions.check_accept(users["clerk_a"], locked_application(app))
    codes = [d["code"] for d in app.programme.required_documents]
    with transaction.atomic():
        documents = apply_actions.check_accept(users["clerk_a"], locked_application(app), codes)
    assert documents == sorted(codes)
    assert Application.objects.get(pk=app.pk).documents == [] and stage(app) == Stage.ACCEPT


def test_check_review_and_check_visit_write_nothing(users, make_household):
    household, people = make_household()
    app = walk(users, apply(users, household, people), Stage.VISIT)
    before = written()
    with transaction.atomic():
        kept = visit.check_visit(
            users["clerk_a"], locked_application(app), visit_date=timezone.localdate(), visitors=" 王五、赵六 ",
            findings="房屋简陋",
        )  # fmt: skip
    assert kept == ("王五、赵六", "房屋简陋") and written() == before and stage(app) == Stage.VISIT
    app = walk(users, app, Stage.REVIEW)
    before = written()
    with transaction.atomic():
        assert decide.check_review(users["reviewer_a"], locked_application(app), " 同意 ") == "同意"
    assert written() == before and stage(app) == Stage.REVIEW


def test_check_stop_and_check_adjust_write_nothing(users, make_household):
    household, people = make_household()
    app = end_publicity(walk(users, apply(users, household, people), Stage.PUBLICITY))
    approve(users["approver"], app)
    enr = Enrolment.objects.get(application=app)
    before = written()
    assert enrol.check_stop(users["approver"], enr, " 收入超过标准 ") == "收入超过标准"
    amount, reasons = enrol.check_adjust(users["approver"], enr, monthly_amount="700", reasons="标准提高")
    assert (amount, reasons) == (Decimal("700.00"), "标准提高")
    with pytest.raises(ServiceError, match="无权变更在保对象"):
        enrol.check_stop(users["clerk_a"], enr, "收入超过标准")
    assert written() == before and Enrolment.objects.get(pk=enr.pk).status == Enrolment.Status.ACTIVE
