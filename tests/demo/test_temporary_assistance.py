"""临时救助 in the demo city as ``huimin demo load`` leaves it: from the household to the 决定书 through the
services, with no configuration step (the demo ships the 核对 thresholds and the 一事一议 起点金额)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone

from huimin.assistance import documents, services
from huimin.assistance.models import Application, Enrolment, Programme, Stage
from huimin.core.models import User
from huimin.core.roles import BusinessLine, Role
from huimin.core.services import ServiceError
from huimin.demo import generator, loader
from huimin.registry.models import Household
from huimin.verification import services as verification
from tests.clock import at

PERSONS, SEED = 500, 3


@pytest.fixture
def city(seeded, tmp_path):
    with at(2026, 11, 20), override_settings(VAR_DIR=str(tmp_path / "var"), MEDIA_ROOT=str(tmp_path / "media")):
        loader.load(PERSONS, SEED, generator.DEFAULT_AS_OF)
        yield


def _staff(role, region_code):
    return (
        User.objects.with_role(role, BusinessLine.ASSISTANCE).filter(region_id=region_code).order_by("username").first()
    )


def _a_household_with_staff():
    """A 低保 household (its income is under the standard, so its 核对 passes) with no application in progress."""
    busy = Application.objects.exclude(stage=Stage.ENROLLED).values_list("household_id", flat=True)
    enrolled = Enrolment.objects.filter(programme__code="dibao").values_list("household_id", flat=True)
    for household in (
        Household.objects.filter(pk__in=enrolled).exclude(pk__in=busy).select_related("head", "region").order_by("id")
    ):
        township = household.region.parent_id
        clerk, reviewer = _staff(Role.CLERK, township), _staff(Role.REVIEWER, township)
        approver = _staff(Role.APPROVER, household.region.parent.parent_id)
        if household.head and clerk and reviewer and approver:
            return household, clerk, reviewer, approver
    raise AssertionError("the demo city has no household with a clerk, a reviewer and an approver")


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["temp_urgent", "temp_expense"])
def test_temporary_assistance_goes_from_the_household_to_the_decision(city, code):
    household, clerk, reviewer, approver = _a_household_with_staff()
    programme = Programme.objects.get(code=code)
    with at(2026, 11, 20):
        day = timezone.localdate()
        app = services.create_application(
            clerk, programme=programme, household=household, applicant=household.head, channel="window",
            reason="突发火灾，基本生活陷入困境", documents=[d["code"] for d in programme.required_documents],
            requested_amount="6000",
        )  # fmt: skip
        app = services.accept(clerk, app)
        for person in verification.missing_authorisations(household, day):
            scan = SimpleUploadedFile("授权书.pdf", b"%PDF-1.4 signed", content_type="application/pdf")
            verification.record_authorisation(clerk, household, person, day, scan)
        report = verification.check_household(clerk, household, code, day)
        assert report.programme == code
        app = services.finish_verification(clerk, Application.objects.get(pk=app.pk))
        services.record_visit(clerk, app, visit_date=day, visitors="王五、赵六", findings="房屋过火，生活用品损毁")
        app = services.submit_visit(clerk, app)
        if app.stage == Stage.APPRAISAL:
            app = services.record_appraisal(clerk, app, held_on=day, participants="村民代表 9 人", result="同意")
        app = services.review(reviewer, app, "情况属实，同意")
        assert app.stage == Stage.DECISION, app.stage
        threshold = loader.CASE_BY_CASE_THRESHOLD
        with pytest.raises(ServiceError, match="一事一议"):  # above the demo's 起点金额: collective decision
            services.approve(approver, app, monthly_amount="6000", basis={})
        app = services.approve(approver, app, monthly_amount=str(threshold), basis={})
        assert app.stage == Stage.ENROLLED
        assert ("decision", "决定书") in documents.available_forms(app)
