"""``huimin demo load`` gives real enrolments (with their demo-history application, 核对 record, members and
amounts) and the demo city's standards, and a county's month can be built from them."""

import datetime
import os
import sqlite3
import subprocess
import sys

import pytest

from huimin.assistance.models import Application, Enrolment, EnrolmentChange, EnrolmentMember, ManualVerification
from huimin.benefits import services, standards
from huimin.benefits.models import PayrollLine, PayrollMonth, Standard
from huimin.core.models import User
from huimin.demo import loader


@pytest.fixture
def loaded(db):
    return loader.load(600, seed=5)


def test_demo_households_become_enrolments(loaded):
    expected = sum(loaded.programmes.get(k, 0) for k in loader.PROGRAMME_CODES)
    subsidies = sum(loaded.subsidies.values())  # 残疾人两项补贴, per person, without a 核对 (docs/disability.md)
    lines = ["assistance", "disability"]  # the other lines' demo enrolments are counted by their own tests
    assert expected > 0 and subsidies > 0
    assert Enrolment.objects.filter(programme__business_line__in=lines).count() == expected + subsidies
    assert (
        Application.objects.filter(
            stage="enrolled", reason=loader.HISTORY_NOTE, programme__business_line__in=lines
        ).count()
        == expected + subsidies
    )
    assert ManualVerification.objects.filter(conclusion="eligible", recorded_by="演示历史").count() == expected
    assert EnrolmentChange.objects.filter(kind="enrol", enrolment__programme__business_line__in=lines).count() == (
        expected + subsidies
    )
    tekun = Enrolment.objects.filter(programme__code__in=["tekun_scattered", "tekun_central"])
    assert all(e.person_id and EnrolmentMember.objects.filter(enrolment=e).count() == 1 for e in tekun)
    dibao = Enrolment.objects.filter(programme__code="dibao").first()
    assert dibao.monthly_amount > 0 and dibao.basis["note"] == "演示历史数据"
    # sequences moved past the explicit ids
    Application.objects.create(
        number="NEW-1", programme=dibao.programme, household=dibao.household, applicant=dibao.household.head,
        region=dibao.region, channel="window", reason="新申请", stage_entered_on=datetime.date(2026, 1, 1),
        created_by=User.objects.with_role("approver").first(),
    )  # fmt: skip


def test_demo_standards_load_with_the_tekun_rule(loaded):
    assert Standard.objects.filter(kind="dibao").count() == 2
    tekun = Standard.objects.get(kind="tekun_basic", area="urban")
    assert tekun.base_kind == "dibao" and standards.check(tekun) is None
    assert standards.rule_value(tekun) == tekun.value  # 740 × 1.3 = 962


def test_a_demo_county_month_pays_the_generated_amounts(loaded):
    """The loader locks the last three months of every county through the payroll services; the as-of month pays
    every 低保 and 特困 enrolment of the county that had started, its generated amount."""
    approver = User.objects.with_role("approver").filter(username__startswith="sp").order_by("username").first()
    county = approver.region_id
    month = datetime.date(2026, 10, 1)
    payroll = PayrollMonth.objects.get(region_id=county, month=month)
    assert payroll.status == "locked" and payroll.locked_by == approver.username
    assert PayrollMonth.objects.filter(region_id=county, status="locked").count() == loader.PAYROLL_MONTHS
    # 低保, 特困 and the 残疾人两项补贴 are paid; 低保边缘 and 支出型 recognitions carry no monthly amount
    # … and so are the other lines' allowances on the same payroll (高龄津贴, 养老服务补贴, 孤儿基本生活费 …)
    paid = [
        "dibao",
        "tekun",
        "disability_living",
        "severe_care",
        "aged_allowance",
        "elderly_service",
        "elderly_care",
        "orphan",
        "orphan_institution",
        "de_facto_child",
    ]
    in_county = Enrolment.objects.filter(region__code__startswith=county[:6], start_month__lte=month,
                                         programme__kind__in=paid)  # fmt: skip
    assert payroll.line_count == in_county.count() > 0
    line = PayrollLine.objects.filter(payroll=payroll).first()
    assert line.amount == Enrolment.objects.get(pk=line.enrolment_id).monthly_amount
    with pytest.raises(services.ServiceError):  # an earlier month can no longer be built
        services.build(approver, region_code=county, month=datetime.date(2026, 1, 1))


@pytest.mark.sqlite
def test_demo_enrolments_on_sqlite(tmp_path):
    db = tmp_path / "demo.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}", "HUIMIN_VAR_DIR": str(tmp_path)}
    huimin = [sys.executable, "-m", "huimin"]
    subprocess.run([*huimin, "migrate", "--noinput", "-v0"], env=env, check=True, timeout=300)
    subprocess.run([*huimin, "demo", "load", "--persons", "500"], env=env, check=True, timeout=300, capture_output=True)
    with sqlite3.connect(db) as con:
        enrolments = con.execute("SELECT count(*) FROM assistance_enrolment").fetchone()[0]
        members = con.execute("SELECT count(*) FROM assistance_enrolmentmember").fetchone()[0]
        # the 养老服务 and 儿童福利 standards the demo adds are not counted here
        standards_rows = con.execute(
            "SELECT count(*) FROM benefits_standard WHERE kind NOT IN ('orphan_scattered', 'orphan_institution', "
            "'de_facto_child', 'foster_care', 'aged_allowance', 'elderly_service', 'elderly_care_moderate', "
            "'elderly_care_severe', 'elderly_care_total')"
        ).fetchone()[0]
        counties = con.execute("SELECT count(*) FROM core_region WHERE level = 3 AND code LIKE '4117%'").fetchone()[0]
    # 低保 and 特困 (urban, rural), and each county's two 残疾人 subsidy standards
    assert enrolments > 0 and members >= enrolments and standards_rows == 4 + 2 * counties
