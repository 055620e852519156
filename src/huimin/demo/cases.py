"""Applications in progress for the demo city, taken through the real assistance services by the demo staff,
so every list of the workflow (受理, 核对, 入户调查, 审核, 公示, refusals) shows believable cases.

The city's low-income households that are not enrolled (低保边缘, 支出型困难) apply for 低保, and their cases are
left in turn at each open stage or refused at review, so every stage has cases. Everything is audited like any
other case; 核对 is recorded by hand (ManualVerification) as before the engine's report exists for a household.
"""

import datetime
from decimal import Decimal

from django.db import transaction

from huimin.assistance import services
from huimin.assistance.models import Programme, Stage
from huimin.core.models import User
from huimin.core.roles import Role
from huimin.demo import programmes as demo_programmes
from huimin.registry.models import Household, Membership

MAX_CASES = 200
# the stage each case is left at, in turn, so every stage has cases
STOPS = (Stage.ACCEPT, Stage.VERIFY, Stage.VISIT, Stage.REVIEW, Stage.PUBLICITY, Stage.REFUSED)
REASONS = {
    demo_programmes.DIBAO_EDGE: "家庭收入低于当地低保标准，主要劳动力患病，申请最低生活保障",
    demo_programmes.EXPENSE_HARDSHIP: "家庭成员重病住院，医疗支出大，生活困难，申请最低生活保障",
}


def _claimed_income(row: dict):
    """The income per head the demo's 核对 report states for a case: below the local 低保标准, as its reason says
    (four tenths of it), so the approval's calculation proposes an amount."""
    standard = row.get("standard")
    if not standard:
        return None
    return (Decimal(str(standard)) * Decimal("0.4")).quantize(Decimal("0.01"))


def _staff(role: str, region_code: str) -> User | None:
    return User.objects.with_role(role).filter(region_id=region_code, is_active=True).order_by("username").first()


def _advance(clerk, reviewer, application, stop: str, day: datetime.date, income=None):
    """The clerk accepts, records 核对 (with the household's income per head, which the approval's calculation
    takes) and the visit; the 乡镇审核 is the township reviewer's (职责分离)."""
    if stop == Stage.ACCEPT:
        return application
    application = services.accept(clerk, application)
    if stop == Stage.VERIFY:
        return application
    services.record_verification(
        clerk,
        application,
        report_number=f"HD{day:%Y%m%d}{application.pk:05d}",
        report_date=day,
        conclusion="eligible",
        reasons="演示：收入、财产均在核对标准以内（手工录入的核对报告）",
        income_per_head=income,
    )
    application = services.finish_verification(clerk, application)
    if stop == Stage.VISIT:
        return application
    services.record_visit(
        clerk,
        application,
        visit_date=day,
        visitors=f"{clerk.full_name or clerk.username}、村协理员",
        findings="住房简陋，家中无大额财产，情况属实",
        members=Membership.objects.filter(household=application.household, ended_on__isnull=True).count() or None,
    )
    application = services.submit_visit(clerk, application)
    if application.stage == Stage.APPRAISAL:
        application = services.record_appraisal(
            clerk, application, held_on=day, participants="村民代表 9 人", result="一致同意"
        )
    if stop == Stage.REVIEW:
        return application
    if stop == Stage.REFUSED:
        return services.refuse(reviewer, application, "经入户调查，家庭有稳定务工收入，人均收入高于当地低保标准")
    return services.review(reviewer, application, "经审核，情况属实，同意上报")


def load_cases(household_rows: list[dict], day: datetime.date | None = None) -> int:
    """Create the demo's open applications; returns how many. ``household_rows`` are the generated rows."""
    day = day or services.today()
    dibao = Programme.objects.filter(code="dibao").first()
    if dibao is None:
        return 0
    candidates = sorted(
        (row["township_code"], row["number"], row["programme"], _claimed_income(row))
        for row in household_rows
        if row["programme"] in REASONS
    )
    staff = {}
    created = 0
    for i, (township, number, programme, income) in enumerate(candidates[:MAX_CASES]):
        if township not in staff:
            staff[township] = (_staff(Role.CLERK, township), _staff(Role.REVIEWER, township))
        clerk, reviewer = staff[township]
        if clerk is None or reviewer is None:
            continue
        household = Household.objects.select_related("head").get(number=number)
        with transaction.atomic():
            application = services.create_application(
                clerk,
                programme=dibao,
                household=household,
                applicant=household.head,
                channel="window",
                reason=REASONS[programme],
                documents=[d["code"] for d in dibao.required_documents],
            )
            _advance(clerk, reviewer, application, STOPS[i % len(STOPS)], day, income)
        created += 1
    return created
