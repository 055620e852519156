"""Fixtures for social assistance: households in the test region tree and a helper that walks an application
through its stages with the right actors."""

import datetime
import itertools

import pytest
from django.utils import timezone

from huimin.assistance import defaults, services
from huimin.assistance.models import Application, Programme, RegionPolicy, Stage
from huimin.core.models import Region
from huimin.core.roles import Role
from huimin.registry import idnumbers
from huimin.registry.codes import LabourAbility
from huimin.registry.models import Household, Membership, Person
from tests.conftest import OTHER_COUNTY, TOWN_A, VILLAGE_A1

_seq = itertools.count(1)


@pytest.fixture
def make_household(regions):
    defaults.ensure()  # a transactional (browser) test flushes the rows the migration loaded

    def make(region_code=VILLAGE_A1, names=("张三丰", "李四"), labour=LabourAbility.UNABLE):
        region = Region.objects.get(code=region_code) if region_code != OTHER_COUNTY else regions[OTHER_COUNTY]
        n = next(_seq)
        household = Household.objects.create(number=f"H{region_code[:6]}{n:06d}", region=region, address="幸福路1号")
        people = []
        for i, name in enumerate(names):
            person = Person.objects.create(
                name=name,
                id_number=idnumbers.make("411702", datetime.date(1960 + i, 1, 1), (n * 10 + i) % 1000),
                region=region,
                labour_ability=labour,
                household=household,
            )
            Membership.objects.create(
                household=household,
                person=person,
                relation="01" if i == 0 else "02",
                started_on=datetime.date(2020, 1, 1),
            )
            people.append(person)
        household.head = people[0]
        household.save()
        return household, people

    return make


@pytest.fixture
def second_reviewer(users, make_user):
    """Another 审核人 of township A: who confirms on the county's delegation is not who reviewed (职责分离)."""
    return make_user("reviewer_a2", Role.REVIEWER, TOWN_A, full_name="顺河街道第二审核人")


ALL_DOCS = {"application", "identity", "authorization", "illness_disability", "hardship", "expense_receipts"}


def programme(code: str) -> Programme:
    return Programme.objects.get(code=code)


def docs_for(code: str) -> list[str]:
    return [d["code"] for d in programme(code).required_documents]


def apply(users, household, people, code="dibao", **extra) -> Application:
    prog = programme(code)
    kwargs = {"documents": docs_for(code), "reason": "因病致贫，收入低于当地低保标准"}
    if prog.scope == "person":
        kwargs["beneficiary"] = people[0]
    if prog.one_off:
        kwargs["requested_amount"] = "800"
    kwargs.update(extra)
    return services.create_application(
        users["clerk_a"], programme=prog, household=household, applicant=people[0], channel="window", **kwargs
    )


def verify(users, app, conclusion="eligible", income=None):
    services.record_verification(
        users["clerk_a"], app, report_number="HD-2026-001", report_date=timezone.localdate(), conclusion=conclusion,
        reasons="月人均收入低于标准，无车辆、无商品房", income_per_head=income,
    )  # fmt: skip


def end_publicity(app: Application) -> Application:
    """Test helper: move the 公示 end into the past instead of waiting seven days."""
    Application.objects.filter(pk=app.pk).update(publicity_end=timezone.localdate() - datetime.timedelta(days=1))
    return Application.objects.get(pk=app.pk)


def walk(users, app: Application, until: str, reviewer=None, income=None, visit=None) -> Application:
    """Take ``app`` forward until it reaches stage ``until``: the township clerk accepts, records 核对 (stating
    ``income`` per head when given) and the visit (with ``visit``'s figures: members, care_grade), the township
    reviewer (``reviewer_a`` unless given) passes the 乡镇审核 (职责分离: the defaults keep these apart)."""
    clerk, reviewer = users["clerk_a"], reviewer or users["reviewer_a"]
    while app.stage != until:
        if app.stage == Stage.ACCEPT:
            app = services.accept(clerk, app)
        elif app.stage == Stage.VERIFY:
            verify(users, app, income=income)
            app = services.finish_verification(clerk, app)
        elif app.stage == Stage.VISIT:
            services.record_visit(
                clerk,
                app,
                visit_date=timezone.localdate(),
                visitors="王五、赵六",
                findings="房屋简陋，家中无大件电器",
                **(visit or {}),
            )
            app = services.submit_visit(clerk, app)
        elif app.stage == Stage.APPRAISAL:
            app = services.record_appraisal(
                clerk, app, held_on=timezone.localdate(), participants="村民代表 9 人", result="一致同意"
            )
        elif app.stage == Stage.REVIEW:
            app = services.review(reviewer, app, "情况属实，同意")
        else:
            raise AssertionError(f"cannot walk from {app.stage}")
    return app


def approve(actor, app, amount="630.00", **extra):
    return services.approve(
        actor, app, monthly_amount=amount,
        basis={"standard": "城市低保标准 630 元/月", "income_per_head": "0", "members": "2"}, **extra,
    )  # fmt: skip


@pytest.fixture
def policy(db):
    def set_(key, value, region=None, programme_code=None):
        return RegionPolicy.objects.create(
            key=key, value=value, region=region, effective_from=datetime.date(2020, 1, 1),
            programme=programme(programme_code) if programme_code else None,
        )  # fmt: skip

    return set_
