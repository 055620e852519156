"""The amount a programme's calculator gives at a region, area and month: the standards in force are looked
up here (huimin.benefits.standards) and handed to the pure calculators (huimin.benefits.calculators). Used by
the 待遇试算 page, by the assistance approval (the approved amount is the calculated one unless the approver
gives a reason) and by 调标 (huimin.benefits.restandard)."""

import datetime

from huimin.benefits import calculators, standards
from huimin.benefits.calculators import CalculationError, Result
from huimin.benefits.models import StandardKind
from huimin.core.services import ServiceError

# programme kinds with a monthly calculator
CALCULATED = {
    "dibao": "低保",
    "tekun": "特困供养",
    "disability_living": "困难残疾人生活补贴",
    "severe_care": "重度残疾人护理补贴",
    "elderly_service": "经济困难老年人养老服务补贴",
    "elderly_care": "经济困难失能老年人护理补贴",
    "orphan": "散居孤儿基本生活费",
    "orphan_institution": "机构养育孤儿基本生活费",
    "de_facto_child": "事实无人抚养儿童基本生活费",
    "foster_care": "家庭寄养费",
}
# the 儿童福利 allowances: a flat standard per child by the child's status (huimin.children)
CHILD_STANDARDS = {
    "orphan": ("orphan_scattered", StandardKind.ORPHAN_SCATTERED),
    "orphan_institution": ("orphan_institution", StandardKind.ORPHAN_INSTITUTION),
    "de_facto_child": ("de_facto", StandardKind.DE_FACTO_CHILD),
    "foster_care": ("foster", StandardKind.FOSTER_CARE),
}
NEEDS = {"dibao": ("income_per_head", "members"), "tekun": ("grade",)}  # inputs taken from the application's file
ELDERLY_CARE_KINDS = {"moderate": StandardKind.ELDERLY_CARE_MODERATE, "severe": StandardKind.ELDERLY_CARE_SEVERE,
                      "complete": StandardKind.ELDERLY_CARE_TOTAL}  # fmt: skip
_LEVEL_CODES = {name: code for code, name in calculators.ABILITY_LEVELS.items()}  # a stored basis holds the name
CARE_KINDS = {"full": StandardKind.CARE_FULL, "half": StandardKind.CARE_HALF, "self": StandardKind.CARE_SELF}


class MissingStandard(ServiceError):
    """The region has no standard of a kind the calculator needs."""


def _int(value, label: str, default: int = 0) -> int:
    text = str(value if value is not None else "").strip()
    if not text:
        return default
    try:
        number = int(text)
    except ValueError as exc:
        raise ServiceError(f"{label}须为整数") from exc
    if number < 0:
        raise ServiceError(f"{label}不能为负数")
    return number


def needs(kind: str) -> tuple[str, ...]:
    """What the calculator of ``kind`` takes from an application's file (核对报告, 入户调查)."""
    return NEEDS.get(kind, ())


def inputs_of(data, members_default: int | None = None) -> dict:
    """The calculator inputs from a form or a stored basis (strings): income per head, members, the classified
    members by group and the 特困 care grade."""
    return {
        "income_per_head": str(data.get("income_per_head") or "").strip(),  # never 0 by default
        "members": _int(data.get("members"), "保障人数", members_default or 1),
        "classified": {
            group: _int(data.get(group), f"分类施保人数（{label}）")
            for group, label in calculators.EXTRA_GROUPS.items()
        },
        "grade": (data.get("grade") or "self").strip(),
        "disability_grade": _int(data.get("disability_grade"), "残疾等级") or None,
        "disability_category": str(data.get("disability_category") or "").strip(),
        # 养老服务 subsidies: the latest 能力评估 level and whether the household is 低保/特困 (read on application)
        "ability_level": _LEVEL_CODES.get(
            str(data.get("ability_level") or "").strip(), str(data.get("ability_level") or "").strip()
        ),
        "low_income": str(data.get("low_income") or "").strip() in ("1", "True", "true", "是"),
    }


def calculate(kind: str, region_code: str, day: datetime.date, urban: bool | None, inputs: dict) -> Result:
    """The monthly amount of programme ``kind`` with the standards in force at ``region_code`` on ``day``.
    Raises MissingStandard when a needed standard is not set there, ServiceError or CalculationError (both
    with Chinese messages) for bad inputs."""

    def need(std_kind):
        value = standards.value_of(std_kind, region_code, day, urban)
        if value is None:
            raise MissingStandard(f"该地区未设置{StandardKind(std_kind).label}")
        return value

    if kind == "dibao":
        if not inputs["income_per_head"]:
            raise ServiceError("请填写家庭月人均收入（没有收入的家庭填 0）")
        try:
            return calculators.dibao(
                standard=need(StandardKind.DIBAO),
                income_per_head=inputs["income_per_head"],
                members=inputs["members"],
                floor=standards.value_of(StandardKind.DIBAO_FLOOR, region_code, day, urban),
                extra_rate=standards.value_of(StandardKind.DIBAO_EXTRA_RATE, region_code, day, urban),
                classified=inputs["classified"],
            )
        except ArithmeticError as exc:
            raise ServiceError("家庭月人均收入须为数字") from exc
    if kind == "tekun":
        grade = inputs["grade"]
        if grade not in CARE_KINDS:
            raise ServiceError("生活自理能力等级不正确")
        return calculators.tekun(basic=need(StandardKind.TEKUN_BASIC), care=need(CARE_KINDS[grade]), grade=grade)
    if kind in ("disability_living", "severe_care"):
        # each subsidy is its own programme (and payroll line): the calculator's part of that subsidy; who
        # qualifies (低保 household, grade, the regional extension) was decided by the overlap rules
        living = kind == "disability_living"
        return calculators.disability_subsidies(
            grade=inputs["disability_grade"],
            category=inputs["disability_category"],
            low_income=living,
            living=need(StandardKind.DISABILITY_LIVING) if living else None,
            care=None if living else need(StandardKind.SEVERE_CARE),
            extend_care_to_grade_3_4_intellectual_mental=not living,
            only="living" if living else "care",
        )
    if kind in ("elderly_service", "elderly_care"):
        level = inputs["ability_level"]
        service = kind == "elderly_service"
        care_kind = ELDERLY_CARE_KINDS.get(level)
        return calculators.elderly_subsidy(
            kind="service" if service else "care", level=level, low_income=inputs["low_income"],
            service=need(StandardKind.ELDERLY_SERVICE) if service and inputs["low_income"] else None,
            care=need(care_kind) if not service and care_kind and inputs["low_income"] else None,
        )  # fmt: skip
    if kind in CHILD_STANDARDS:
        status, std_kind = CHILD_STANDARDS[kind]
        return calculators.child_living(standard=need(std_kind), status=status)
    raise ServiceError("该项目没有按标准计算的公式")


def basis_of(result: Result, inputs: dict, kind: str) -> dict:
    """What an enrolment records as its basis when its amount was calculated (all strings, as bases are)."""
    basis = {
        "calculated": str(result.amount),
        "formula": result.formula,
        "standard": "；".join(f"{s.label} {s.value.normalize():f}" for s in result.standards),
        "standard_rows": ",".join(str(s.row_id) for s in result.standards if s.row_id),
    }
    if kind == "dibao":
        basis |= {"income_per_head": inputs["income_per_head"], "members": str(inputs["members"])}
        basis |= {g: str(n) for g, n in inputs["classified"].items() if n}
    elif kind in ("elderly_service", "elderly_care"):
        level = inputs["ability_level"]
        basis["ability_level"] = calculators.ABILITY_LEVELS.get(level, level)
        basis["low_income"] = "是" if inputs["low_income"] else "否"
    elif kind in CHILD_STANDARDS:
        pass
    elif kind in ("disability_living", "severe_care"):
        basis |= {"disability_grade": str(inputs["disability_grade"] or ""),
                  "disability_category": inputs["disability_category"]}  # fmt: skip
    else:
        basis["grade"] = inputs["grade"]
    if result.parts:
        basis["detail"] = "；".join(result.parts)
    return basis


__all__ = ["CALCULATED", "CalculationError", "MissingStandard", "basis_of", "calculate", "inputs_of", "needs"]
