"""The demo city as ``huimin demo load`` leaves it (500 persons), for the walks that must work on the shipped
configuration with no setup step; and a 临时救助 case brought to a stage through the services, for the walks of the
people who take it on from there."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from huimin.assistance import services
from huimin.assistance.models import Application, Enrolment, Programme, Stage
from huimin.core.models import User
from huimin.core.roles import BusinessLine, Role
from huimin.demo import generator, loader
from huimin.registry.models import Household
from huimin.verification import services as verification
from tests.clock import at

PERSONS, SEED = 500, 3
PASSWORD = loader.DEMO_PASSWORD
REASON = "突发火灾，基本生活陷入困境"


@pytest.fixture
def demo_city(seeded, settings, tmp_path, monkeypatch):
    """The demo city, today pinned to the day it was generated for (its records may not lie in the future). Its
    configuration is the shipped one; only its payroll and statistics history is one month instead of several (most of
    the load's time, and no walk here reads past months)."""
    settings.VAR_DIR = str(tmp_path / "var")
    settings.MEDIA_ROOT = str(tmp_path / "media")
    monkeypatch.setattr(loader, "PAYROLL_MONTHS", 1)
    monkeypatch.setattr(loader, "STATS_MONTHS", 1)
    with at(2026, 11, 20):
        loader.load(PERSONS, SEED, generator.DEFAULT_AS_OF)
        yield


def staff(role, region_code) -> User:
    """The 社会救助 line's account of ``role`` at the region (the demo also has 残疾人福利 and 养老服务 staff)."""
    return (
        User.objects.with_role(role, BusinessLine.ASSISTANCE).filter(region_id=region_code).order_by("username").first()
    )


def household_with_staff():
    """A 低保 household (its income is under the standard, so its 核对 passes) with no application in progress,
    with its township's clerk and reviewer and its county's approver."""
    busy = Application.objects.exclude(stage=Stage.ENROLLED).values_list("household_id", flat=True)
    enrolled = Enrolment.objects.filter(programme__code="dibao").values_list("household_id", flat=True)
    for household in (
        Household.objects.filter(pk__in=enrolled).exclude(pk__in=busy).select_related("head", "region").order_by("id")
    ):
        township = household.region.parent_id
        clerk, reviewer = staff(Role.CLERK, township), staff(Role.REVIEWER, township)
        approver = staff(Role.APPROVER, household.region.parent.parent_id)
        if household.head and clerk and reviewer and approver:
            return household, {"clerk": clerk, "reviewer": reviewer, "approver": approver}
    raise AssertionError("the demo city has no household with a clerk, a reviewer and an approver")


def temporary_application(until: str, code: str = "temp_urgent"):
    """A 临时救助 application of a demo household taken by its township clerk through the services up to ``until``
    (Stage.REVIEW or Stage.DECISION). Returns (application, staff)."""
    household, people = household_with_staff()
    clerk = people["clerk"]
    programme = Programme.objects.get(code=code)
    day = timezone.localdate()
    app = services.create_application(
        clerk, programme=programme, household=household, applicant=household.head, channel="window",
        reason=REASON, documents=[d["code"] for d in programme.required_documents], requested_amount="3000",
    )  # fmt: skip
    app = services.accept(clerk, app)
    for person in verification.missing_authorisations(household, day):
        scan = SimpleUploadedFile("授权书.pdf", b"%PDF-1.4 signed", content_type="application/pdf")
        verification.record_authorisation(clerk, household, person, day, scan)
    verification.check_household(clerk, household, code, day)
    app = services.finish_verification(clerk, Application.objects.get(pk=app.pk))
    services.record_visit(clerk, app, visit_date=day, visitors="王五、赵六", findings="房屋过火，生活用品损毁")
    app = services.submit_visit(clerk, app)  # saving and submitting the visit are two steps
    if app.stage == Stage.APPRAISAL:
        app = services.record_appraisal(clerk, app, held_on=day, participants="村民代表 9 人", result="同意")
    if until == Stage.DECISION:
        app = services.review(people["reviewer"], app, "情况属实，同意")
    assert app.stage == until, app.stage
    return app, people
