"""The engine's 核对报告 is what the application workflow reads (逢进必核), and the newer report decides."""

import datetime

import pyarrow.parquet as pq
import pytest

from huimin.assistance import services as assistance
from huimin.assistance.models import Stage
from huimin.assistance.verification_link import verification_conclusion
from huimin.core.services import ServiceError
from huimin.verification import services
from huimin.verification.models import Conclusion
from tests.assistance.conftest import apply, make_household  # noqa: F401 - make_household is a fixture
from tests.verification.factories import AS_OF, authorise_all, load, standard_thresholds, threshold


def test_the_workflow_reads_the_engine_report_for_its_household_and_programme(users, make_household):  # noqa: F811
    standard_thresholds()
    threshold("income_standard", "1.5", programme="edge")  # 1.5 × the 低保标准
    household, people = make_household(names=("周大山", "吴小花"))
    application = assistance.accept(users["clerk_a"], apply(users, household, people))
    assert application.stage == Stage.VERIFY and verification_conclusion(application) is None
    with pytest.raises(ServiceError):  # 逢进必核: no report, no way forward
        assistance.finish_verification(users["clerk_a"], application)

    authorise_all(household)
    report = services.check_household(users["clerk_a"], household, "dibao", AS_OF)
    result = verification_conclusion(application)
    assert (result.source, result.conclusion) == ("engine", Conclusion.ELIGIBLE)
    assert result.report_number == f"HD-{report.pk}"
    assert assistance.finish_verification(users["clerk_a"], application).stage == Stage.VISIT

    # a later report for another programme says nothing about this application
    services.check_household(users["clerk_a"], household, "edge", AS_OF)
    assert verification_conclusion(application).report_number == f"HD-{report.pk}"


def test_a_newer_engine_report_that_finds_a_car_overrides_an_earlier_one(users, make_household):  # noqa: F811
    standard_thresholds()
    household, people = make_household(names=("郑强", "王丽"))
    application = assistance.accept(users["clerk_a"], apply(users, household, people))
    authorise_all(household)
    services.check_household(users["clerk_a"], household, "dibao", AS_OF)
    assert verification_conclusion(application).conclusion == Conclusion.ELIGIBLE
    car = {"id_number": people[0].id_number, "plate_no": "豫Q12345", "vehicle_type": "小型轿车",
           "value": "180000.00", "registered_on": "2026-05-01", "status": "正常"}  # fmt: skip
    load(users["approver"], "vehicles", [car], as_of=AS_OF - datetime.timedelta(days=1))
    services.check_household(users["clerk_a"], household, "dibao", AS_OF)
    result = verification_conclusion(application)
    assert result.conclusion == Conclusion.NOT_ELIGIBLE and "车" in result.reasons


def test_periodic_batch_re_checks_only_the_programmes_enrolled_households(users, make_household):  # noqa: F811
    from huimin.assistance.models import Enrolment
    from tests.assistance.conftest import approve, end_publicity, walk

    standard_thresholds()
    enrolled, people = make_household(names=("冯一", "冯二"))
    other, _ = make_household(names=("陈三",))
    # the 低保标准 of 600 元 that standard_thresholds sets also fixes the amount: (600 − 0) × 2 persons
    app = walk(users, apply(users, enrolled, people), Stage.PUBLICITY, income="0")  # the 核对 report: no income
    approve(users["approver"], end_publicity(app), "1200.00")
    assert Enrolment.objects.filter(household=enrolled).exists()

    everyone = services.run_batch(users["approver"], "dibao", AS_OF, "411702001")
    periodic = services.run_batch(users["approver"], "dibao", AS_OF, "411702001", enrolled_only=True)
    checked = set(pq.read_table(periodic.results_path).column("household_id").to_pylist())
    assert checked == {enrolled.pk} and periodic.enrolled_only
    assert {enrolled.pk, other.pk} <= set(pq.read_table(everyone.results_path).column("household_id").to_pylist())


def test_the_application_page_links_to_the_household_s_check_for_those_who_may_run_one(users, make_household, login):  # noqa: F811
    """The 核对 system registers its household page with assistance (assistance imports nothing of it)."""
    household, people = make_household(names=("郑一", "郑二"))
    application = apply(users, household, people)
    link = f"/verification/households/{household.pk}/"
    assert link in login(users["clerk_a"]).get(f"/assistance/applications/{application.pk}/").content.decode()
    assert link not in login(users["assistant_a"]).get(f"/assistance/applications/{application.pk}/").content.decode()


def test_the_check_link_of_a_temporary_assistance_application_opens_on_its_programme(users, make_household, login):  # noqa: F811
    household, people = make_household(names=("钱一", "钱二"))
    application = apply(users, household, people, code="temp_urgent")
    client = login(users["clerk_a"])
    link = f"/verification/households/{household.pk}/?programme=temp_urgent"
    assert link in client.get(f"/assistance/applications/{application.pk}/").content.decode()
    page = client.get(link).content.decode()
    assert '<option value="temp_urgent" selected>临时救助（急难型）</option>' in page


def test_the_approval_takes_income_and_members_from_the_engine_report_with_its_source(users, make_household):  # noqa: F811
    standard_thresholds()
    household, people = make_household(names=("周大山", "吴小花"))
    wages = [{"id_number": people[0].id_number, "month": f"2026-{m:02d}", "gross_wage": "1200.00", "tax": "0"}
             for m in range(1, 7)]  # fmt: skip
    load(users["approver"], "wages", wages, as_of=AS_OF)
    application = assistance.accept(users["clerk_a"], apply(users, household, people))
    authorise_all(household)
    report = services.check_household(users["clerk_a"], household, "dibao", AS_OF)
    files = assistance.file_inputs(application)
    assert files["income_per_head"].value == report.figures["income_per_head_month"] == "300.00"  # 7200 / 12 / 2
    assert files["income_per_head"].source == f"来自核对报告 HD-{report.pk}，{AS_OF:%Y-%m-%d}"
    assert (files["members"].value, files["members"].source) == ("2", files["income_per_head"].source)
