"""The demo city's 高龄津贴 (免申即享): each county's 养老服务 approver sets the bands and amounts of his county, and
confirms the proposal of the first demo payroll month, so the allowance is on the demo payrolls; next month's
proposal is left for the townships to confirm on 养老服务 › 高龄津贴名单."""

import datetime

from huimin.benefits import services as benefit_services
from huimin.core.context import acting_as, actor_for
from huimin.core.models import Region, User
from huimin.core.roles import BusinessLine, Role
from huimin.elderly import allowance
from huimin.elderly import capabilities as cap

# demo figures (元/月), not a county's published ones: 80–89, 90–99, 100 and over
BANDS = ((80, 89, 50), (90, 99, 100), (100, None, 300))
SOURCE = "演示数据：县级高龄津贴标准（非真实文件）"


def load_allowance(first_month: datetime.date) -> dict[str, int]:
    counts = {"bands": 0, "enrolled": 0}
    for approver in User.objects.with_role(Role.APPROVER, BusinessLine.ELDERLY).order_by("region_id"):
        with acting_as(actor_for(approver)):
            for low, high, value in BANDS:
                benefit_services.add_standard(
                    approver, kind="aged_allowance", region_code=approver.region_id, value=value,
                    effective_from=datetime.date(2020, 1, 1), age_from=low, age_to=high, source=SOURCE,
                    capability=cap.ALLOWANCE_POLICY,
                )  # fmt: skip
                counts["bands"] += 1
            prop = allowance.proposal(approver.region_id, first_month)
            if prop.new:
                region = Region.objects.get(code=approver.region_id)
                checked = allowance.Checked(region, first_month, prop.new, [], allowance.programme())
                counts["enrolled"] += allowance.do_confirm(approver, checked).enrolled
    return counts


# 经济困难老年人养老服务补贴 and 护理补贴 (元/月, demo figures) and how many older persons of 低保/特困 households each
# county's townships apply for
SUBSIDY_STANDARDS = {"elderly_service": 100, "elderly_care_moderate": 100, "elderly_care_severe": 200,
                     "elderly_care_total": 300}  # fmt: skip
SUBSIDY_APPLICANTS = 2  # in each of the first SUBSIDY_COUNTIES counties (the chain is slow to walk for many)
SUBSIDY_COUNTIES = 2


def load_subsidies(as_of: datetime.date) -> dict[str, int]:
    """Each county's standards, then for a few older persons of 低保/特困 households: an application for the
    养老服务补贴 (and, after a 重度失能 assessment, for the 护理补贴) made by the township clerk, reviewed by the
    township reviewer and approved by the county's 养老服务 approver — the ordinary chain."""
    from huimin.assistance import services as assistance
    from huimin.assistance.models import Enrolment, Programme
    from huimin.core.services import ServiceError
    from huimin.demo.elderly import _scores
    from huimin.elderly import services as elderly
    from huimin.elderly.models import Item
    from huimin.registry.models import Person

    counts = {"standards": 0, "enrolled": 0}
    staff = {u.username: u for u in User.objects.filter(username__regex=r"^(jb|sh)")}
    items = list(Item.objects.select_related("domain").order_by("domain__order", "order"))
    programmes = {p.code: p for p in Programme.objects.filter(code__in=["elderly_service", "elderly_care"])}
    born_by = as_of.replace(year=as_of.year - 61)
    for index, approver in enumerate(User.objects.with_role(Role.APPROVER, BusinessLine.ELDERLY).order_by("region_id")):
        county = approver.region_id[:6]
        with acting_as(actor_for(approver)):
            for kind, value in SUBSIDY_STANDARDS.items():
                benefit_services.add_standard(
                    approver, kind=kind, region_code=approver.region_id, value=value,
                    effective_from=datetime.date(2020, 1, 1), source=SOURCE.replace("高龄津贴", "经济困难老年人补贴"),
                    capability=cap.ALLOWANCE_POLICY,
                )  # fmt: skip
                counts["standards"] += 1
            if index >= SUBSIDY_COUNTIES:
                continue
            members = (
                Enrolment.objects.filter(programme__code__in=["dibao", "tekun_scattered"], status="active",
                                         region__code__startswith=county)
                .filter(members__person__birth_date__lte=born_by, members__person__is_deceased=False,
                        members__removed_on__isnull=True)
                .values_list("members__person", flat=True).order_by("members__person")[:SUBSIDY_APPLICANTS]
            )  # fmt: skip
        for n, pk in enumerate(list(members)):
            person = Person.objects.select_related("household").get(pk=pk)
            town = person.region_id[:9]
            clerk, reviewer = staff.get(f"jb{town}"), staff.get(f"sh{town}")
            if clerk is None or reviewer is None or person.household_id is None:
                continue
            codes = ["elderly_service"]
            if n == 0:  # the first is assessed 重度失能 and applies for the 护理补贴 too
                with acting_as(actor_for(approver)):
                    assessed = {"assessed_on": min(as_of, elderly.today()), "scores": _scores(items, 40),
                                "second_assessor": "演示评估员"}  # fmt: skip
                    elderly.do_assessment(approver, pk, assessed)
                codes.append("elderly_care")
            for code in codes:
                try:
                    with acting_as(actor_for(clerk)):
                        app = assistance.create_application(
                            clerk, programme=programmes[code], household=person.household, applicant=person,
                            beneficiary=person, channel="window", reason="演示：经济困难老年人申请补贴",
                            documents=[d["code"] for d in programmes[code].required_documents],
                        )  # fmt: skip
                        app = assistance.accept(clerk, app)
                    with acting_as(actor_for(reviewer)):
                        app = assistance.review(reviewer, app, "演示：乡镇初审，情况属实")
                    with acting_as(actor_for(approver)):
                        assistance.approve(approver, app, monthly_amount="", basis={}, reasons="演示：符合条件")
                    counts["enrolled"] += 1
                except ServiceError:
                    continue  # a member the rules refuse (e.g. already receiving): the demo moves on
    return counts
