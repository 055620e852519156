"""The register criteria as data: each category's ``criteria`` is a list of {"kind": …} checked here against the
child (a registry person) and the guardians recorded. A criterion that fails gives its reason in Chinese."""

import datetime

from huimin.children.models import GuardianStatus

STATUS_LABELS = dict(GuardianStatus.choices)


def age_on(birth: datetime.date, day: datetime.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def birthday(birth: datetime.date, age: int) -> datetime.date:
    """The day ``birth`` turns ``age`` (29 February: 1 March in a common year)."""
    try:
        return birth.replace(year=birth.year + age)
    except ValueError:
        return datetime.date(birth.year + age, 3, 1)


def _parents(guardians: list[dict]) -> dict[str, str]:
    return {g["relation"]: g["status"] for g in guardians if g["relation"] in ("father", "mother")}


def _names(statuses) -> str:
    return "、".join(STATUS_LABELS.get(s, s) for s in statuses)


def _both_parents(parents) -> str | None:
    if set(parents) != {"father", "mother"}:
        return "须登记父母双方的状况"
    return None


def check(criteria: list[dict], child, guardians: list[dict], day: datetime.date) -> list[str]:
    """The reasons the child does not meet ``criteria`` (empty: met)."""
    reasons = []
    parents = _parents(guardians)
    for c in criteria:
        kind = c.get("kind")
        if kind == "parents_all":
            missing = _both_parents(parents)
            if missing:
                reasons.append(missing)
            elif not all(s in c["statuses"] for s in parents.values()):
                reasons.append(f"父母双方须均为：{_names(c['statuses'])}")
        elif kind == "de_facto":
            missing = _both_parents(parents)
            if missing:
                reasons.append(missing)
                continue
            values = list(parents.values())
            in_list = [s in c["statuses"] for s in values]
            lost = [s in c["lost"] for s in values]
            if not (all(in_list) or (any(in_list) and any(lost))):
                reasons.append(f"父母双方须均为{_names(c['statuses'])}之一，或一方如此、另一方{_names(c['lost'])}")
        elif kind == "any_of":
            met = []
            for cond in c["conditions"]:
                if cond == "child_disabled":
                    met.append(bool(getattr(child, "disability_grade", None)))
                elif cond == "child_ill":
                    met.append(bool(getattr(child, "serious_illness", "")))
                elif cond == "guardian_unable":
                    met.append(any(g["status"] not in ("normal", "migrant") for g in guardians))
            if not any(met):
                reasons.append("须儿童本人残疾或患重病，或监护人无法履行监护职责")
        elif kind == "max_age":
            if child.birth_date and age_on(child.birth_date, day) >= int(c["age"]):
                reasons.append(f"须未满 {c['age']} 周岁")
        elif kind == "rural":
            if getattr(child, "is_urban", False):
                reasons.append("须为农村儿童")
        elif kind == "parents_away":
            missing = _both_parents(parents)
            if missing:
                reasons.append(missing)
                continue
            values = list(parents.values())
            away = [s in c["statuses"] for s in values]
            unable = [s in c["unable"] for s in values]
            if not (all(away) or (any(away) and any(unable))):
                reasons.append("须父母双方外出务工，或一方外出务工、另一方无监护能力")
        else:
            reasons.append(f"未知的认定条件“{kind}”，请由县级儿童福利审批人员检查名册类别设置")
    return reasons
