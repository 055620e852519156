"""经济困难老年人养老服务补贴 and 经济困难失能老年人护理补贴: programmes on the assistance application machinery
(BusinessLine.ELDERLY, per person, 受理 → 乡镇审核 → 县级审批, paid from the month after approval by the monthly
payroll), with their calculators in benefits (standards as data per region: ``elderly_service`` and
``elderly_care_moderate/severe/total``).

On application (``application_details``, registered as assistance's details hook for both kinds) the person must be
an older person of a 低保 or 特困 household (经济困难, read through the registry's programme hook); for the 护理补贴
his latest 能力评估 must be 中度, 重度 or 完全失能 and not past its re-assessment date. The level and the household's
status are recorded on the application; the approval's calculator pays the standard of that level."""

import datetime

from huimin.core.access import BusinessRuleError
from huimin.elderly import services
from huimin.elderly.error_codes import ElderlyErrorCode
from huimin.elderly.models import Assessment

LOW_INCOME = {"assistance:dibao", "assistance:dibao_single", "assistance:tekun_scattered", "assistance:tekun_central"}
CARE_LEVELS = ("moderate", "severe", "complete")
WHERE_ASSESS = "请由乡镇或县级养老服务经办人员在“养老服务 › 老年人名册”该老人页面登记能力评估"


def latest_assessment(person, day: datetime.date) -> Assessment | None:
    return (
        Assessment.objects.filter(person=person, assessed_on__lte=day)
        .select_related("level")
        .order_by("-assessed_on", "-id")
        .first()
    )


def application_details(programme, household, beneficiary, day: datetime.date) -> dict:
    """Refuse an applicant who is not an 经济困难 older person (or, for the 护理补贴, not assessed as 中度 to 完全失能
    within the re-assessment period); return what the application records. Writes nothing."""
    person = beneficiary
    age = person.age_on(day)
    register_age = services.register_age()
    if age is None or age < register_age:
        raise BusinessRuleError(
            ElderlyErrorCode.NOT_ELDERLY, f"{person.name}未满 {register_age} 周岁，不能申请{programme.name}"
        )
    low_income = bool(services._programmes_of({household.pk}, LOW_INCOME).get(household.pk))
    if not low_income:
        raise BusinessRuleError(
            ElderlyErrorCode.NOT_ELIGIBLE,
            f"{person.name}所在家庭不是低保或特困家庭，不属于经济困难老年人，不能申请{programme.name}",
        )
    latest = latest_assessment(person, day)
    if programme.kind == "elderly_care":
        if latest is None:
            raise BusinessRuleError(
                ElderlyErrorCode.NOT_ELIGIBLE, f"{person.name}尚无老年人能力综合评估：{WHERE_ASSESS}"
            )
        if latest.next_due < day:
            raise BusinessRuleError(
                ElderlyErrorCode.NOT_ELIGIBLE,
                f"{person.name}的能力评估已于 {latest.next_due:%Y年%m月%d日} 到期，请先复评：{WHERE_ASSESS}",
            )
        if latest.level.code not in CARE_LEVELS:
            raise BusinessRuleError(
                ElderlyErrorCode.NOT_ELIGIBLE,
                f"{person.name}最近一次能力评估为“{latest.level.name}”，护理补贴限中度、重度、完全失能的老年人",
            )
    return {
        "ability": {
            "level": latest.level.code if latest else "",
            "name": latest.level.name if latest else "未评估",
            "assessed_on": str(latest.assessed_on) if latest else "",
            "assessment": latest.pk if latest else None,
            "low_income": low_income,
        }
    }


def connect() -> None:
    from huimin.assistance import enrolment_hooks

    for kind in ("elderly_service", "elderly_care"):
        enrolment_hooks.register_details(kind, application_details)
