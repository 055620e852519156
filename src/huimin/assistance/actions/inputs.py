"""The approval calculator's inputs come from the application's file, never from a blank field: the household's
income per head from the latest 核对 report that counts (huimin.assistance.verification_link), the members and the
特困 self-care grade from the latest 入户调查 (the members from the report, else the household register, when the
visit did not record them). Each value carries its source ("来自核对报告 HD-3，2026-11-20"). The approver may
change one only by giving a reason, which the approval's basis and its audit entry record. A missing income is an
error saying what to do, never 0."""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from huimin.assistance import calculation_link
from huimin.assistance.actions.common import covered_ids
from huimin.assistance.models import CareGrade
from huimin.assistance.verification_link import verification_conclusion
from huimin.core.services import ServiceError

LABELS = {"income_per_head": "家庭月人均收入（元）", "members": "保障人数", "grade": "生活自理能力等级"}


@dataclass(frozen=True)
class FileValue:
    """One calculator input as the file gives it: its value (None when the file has none), where it comes from,
    and, when missing, what to do."""

    name: str
    value: str | None
    source: str
    missing: str = ""

    @property
    def label(self) -> str:
        return LABELS[self.name]

    @property
    def shown(self) -> str:
        """The value as a person reads it (a grade by its Chinese name)."""
        if self.value is None:
            return "—"
        if self.name == "grade":
            return CareGrade(self.value).label
        return self.value


def _latest_visit(app, field: str):
    visits = (
        app.visits.exclude(**{f"{field}__isnull": True}) if field == "members" else app.visits.exclude(**{field: ""})
    )
    return visits.order_by("-visit_date", "-id").first()


def _visit_source(visit) -> str:
    return f"来自入户调查 {visit.visit_date:%Y-%m-%d}（{visit.visitors}）"


def _income(app) -> FileValue:
    result = verification_conclusion(app)
    if result is None:
        return FileValue(
            "income_per_head", None, "",
            "尚无家庭经济状况核对结果，不能按标准计算：请先完成核对（在核对系统核对该家庭，或由乡镇经办员录入核对报告）",
        )  # fmt: skip
    if result.income_per_head in (None, ""):
        return FileValue(
            "income_per_head", None, result.source_text.removeprefix("来自"),
            f"核对报告 {result.report_number} 未载明家庭月人均收入，不能按标准计算：请在核对系统重新核对该家庭，"
            "或由乡镇经办员录入载明家庭月人均收入的核对报告",
        )  # fmt: skip
    return FileValue("income_per_head", str(Decimal(result.income_per_head).quantize(Decimal("0.01"))),
                     result.source_text)  # fmt: skip


def _members(app) -> FileValue:
    if app.programme.scope == "person":
        return FileValue("members", "1", "按人保障（保障对象本人）")
    visit = _latest_visit(app, "members")
    if visit is not None:
        return FileValue("members", str(visit.members), _visit_source(visit))
    result = verification_conclusion(app)
    if result is not None and result.members:
        return FileValue("members", str(result.members), result.source_text)
    return FileValue("members", str(len(covered_ids(app))), "来自家庭成员登记（现有成员）")


def _grade(app) -> FileValue:
    visit = _latest_visit(app, "care_grade")
    if visit is not None:
        return FileValue("grade", visit.care_grade, _visit_source(visit))
    return FileValue(
        "grade", None, "",
        "入户调查未记录生活自理能力等级：请选择等级并在“修改理由”中说明依据（如评估报告）",
    )  # fmt: skip


_READERS = {"income_per_head": _income, "members": _members, "grade": _grade}


def file_inputs(app) -> dict[str, FileValue]:
    """The inputs the calculator of ``app``'s programme takes from its file, by name (none without a calculator)."""
    if app.programme.one_off:
        return {}
    return {name: _READERS[name](app) for name in calculation_link.needs(app.programme.kind) if name in _READERS}


def _same(name: str, given: str, value: str | None) -> bool:
    if value is None:
        return False
    try:
        if name == "income_per_head":
            return Decimal(given) == Decimal(value)
        if name == "members":
            return int(given) == int(value)
    except (InvalidOperation, ValueError):
        return False
    return given == value


@dataclass(frozen=True)
class Resolved:
    """The inputs the calculation uses, what the approver changed (with the reason) and where each came from."""

    values: dict  # name -> value (strings), what the calculator is given
    files: dict  # name -> FileValue
    changes: list  # "家庭月人均收入（元）：核对报告 … 450.00 → 300"
    reason: str
    missing: list  # messages of inputs the file lacks and the approver did not (or may not) supply
    refused: list  # messages of values the approver changed without a reason

    def basis(self) -> dict:
        """What the approval's basis records about its inputs (all strings)."""
        out = {f"{name}_source": f.source for name, f in self.files.items() if f.source}
        if self.changes:
            out |= {"input_changes": "；".join(self.changes), "input_reason": self.reason[:200]}
        return out


def resolve(app, entered) -> Resolved:
    """The calculator's inputs for ``app``: each from the file, unless the approver entered another value with a
    reason (``input_reason``). A value changed without a reason (``Resolved.refused``) and a missing income
    (``Resolved.missing``) are refused by the caller once it knows a calculation is possible (the region has the
    standards); the file's value stands in meanwhile."""
    files = file_inputs(app)
    reason = str(entered.get("input_reason") or "").strip()
    values, changes, missing, refused = {}, [], [], []
    for name, file in files.items():
        given = str(entered.get(name) or "").strip()
        if not given or _same(name, given, file.value):
            if file.value is None:
                missing.append(file.missing)
            else:
                values[name] = file.value
            continue
        if file.value is None and name == "income_per_head":
            missing.append(file.missing)  # an income is never typed in at the approval: the file must state it
            continue
        if not reason:
            was = f"{file.source}的 {file.shown}" if file.value is not None else "档案中没有"
            refused.append(f"{file.label} {given} 与{was} 不同：修改须在“修改理由”中写明依据")
            if file.value is not None:
                values[name] = file.value
            else:
                missing.append(file.missing)
            continue
        shown = CareGrade(given).label if name == "grade" and given in CareGrade.values else given
        changes.append(f"{file.label}：{file.shown} → {shown}")
        values[name] = given
    if "grade" in values and values["grade"] not in CareGrade.values:
        raise ServiceError("生活自理能力等级不正确（全自理、半护理、全护理）")
    if "members" in values and not values["members"].isdigit():
        raise ServiceError("保障人数须为整数")
    for group in ("elderly", "minor", "severe_disability", "serious_illness"):
        if str(entered.get(group) or "").strip():
            values[group] = str(entered.get(group)).strip()
    return Resolved(values, files, changes, reason, missing, refused)


PLACEHOLDERS = {"income_per_head": ["0"], "members": ["1"], "grade": CareGrade.values}


def candidates(resolved: Resolved) -> list[dict]:
    """The values with stand-ins for the missing ones (every grade for a missing grade): only to learn whether the
    region's standards allow a calculation at all; a calculation that does exist is refused while anything is
    missing (``check``)."""
    out = [dict(resolved.values)]
    for name in resolved.files:
        if name not in resolved.values:
            out = [values | {name: stand_in} for values in out for stand_in in PLACEHOLDERS[name]]
    return out


def check(resolved: Resolved) -> None:
    """Refuse a calculation whose inputs are missing or were changed without a reason."""
    problems = resolved.refused + resolved.missing
    if problems:
        raise ServiceError(problems[0])
