"""Checking a person's data before it is stored: ID number against sex and birth date, codes, required
facts; and the derived values (pinyin for search, urban/rural from the village). Errors are Chinese sentences."""

import datetime
import re
from functools import lru_cache

from pypinyin import Style, lazy_pinyin

from huimin.registry import codes, idnumbers

# The fields of a person a clerk may set (protected ones included); everything else is derived or managed.
EDITABLE_FIELDS = (
    "name", "id_number", "no_id_reason", "sex", "birth_date", "ethnicity", "region", "hukou_region",
    "has_residence_permit", "is_urban", "urban_rural_overridden", "phone", "bank_account", "bank_name",
    "labour_ability", "health", "serious_illness", "disability_category", "disability_grade",
    "disability_cert_no", "marital_status", "education", "special_statuses",
)  # fmt: skip
PROTECTED = ("id_number", "phone", "bank_account", "disability_cert_no")
# What the audit trail may show of a person: never a protected plaintext.
AUDIT_FIELDS = tuple(f for f in EDITABLE_FIELDS if f not in PROTECTED) + ("is_deceased", "death_date")


class PersonDataError(ValueError):
    """One or more problems with a person's data; ``messages`` lists them in Chinese."""

    def __init__(self, messages: list[str]):
        self.messages = messages
        super().__init__("；".join(messages))


_LETTERS = re.compile(r"[^a-z]")


@lru_cache(maxsize=65536)
def pinyin_of(name: str) -> tuple[str, str]:
    """(full pinyin, initials), lowercase letters only: 张三 → ("zhangsan", "zs")."""
    full = _LETTERS.sub("", "".join(lazy_pinyin(name)).lower())
    initials = _LETTERS.sub("", "".join(lazy_pinyin(name, style=Style.FIRST_LETTER)).lower())
    return full, initials


def clean(data: dict, *, today: datetime.date | None = None) -> dict:
    """Check ``data`` (model field names → values) and return it completed with derived values.

    Raises PersonDataError listing every problem found."""
    today = today or datetime.date.today()
    data = dict(data)
    errors: list[str] = []
    name = str(data.get("name") or "").strip()
    if not name:
        errors.append("姓名不能为空")
    elif len(name) > 50:
        errors.append("姓名过长（最多 50 个字）")
    data["name"] = name

    raw_id = str(data.get("id_number") or "").strip()
    if raw_id:
        try:
            parsed = idnumbers.parse(raw_id)
        except idnumbers.IdNumberError as exc:
            errors.append(str(exc))
        else:
            data["id_number"] = parsed.number
            sex, birth = data.get("sex"), data.get("birth_date")
            if sex in (codes.Sex.MALE, codes.Sex.FEMALE) and sex != parsed.sex:
                errors.append(f"性别（{codes.Sex(sex).label}）与身份证号不符（应为{codes.Sex(parsed.sex).label}）")
            if birth and birth != parsed.birth_date:
                errors.append(f"出生日期（{birth:%Y-%m-%d}）与身份证号不符（应为{parsed.birth_date:%Y-%m-%d}）")
            data["sex"], data["birth_date"] = parsed.sex, parsed.birth_date
            data["no_id_reason"] = ""
    else:
        data["id_number"] = ""
        if not str(data.get("no_id_reason") or "").strip():
            errors.append("身份证号为空：无身份证号的人员（如未办证的婴儿、流浪乞讨人员）须填写无身份证号原因")
        birth = data.get("birth_date")
        if birth and birth > today:
            errors.append("出生日期不合法：晚于今天")

    if data.get("region") is None:
        errors.append("居住地区划不能为空")
    elif not data.get("urban_rural_overridden"):
        urban = data["region"].is_urban
        data["is_urban"] = bool(urban)

    category, grade = data.get("disability_category") or "", data.get("disability_grade")
    if grade not in (None, ""):
        try:
            grade = int(grade)
        except (TypeError, ValueError):
            grade = 0
        if not 1 <= grade <= 4:
            errors.append("残疾等级应为 1–4 级")
        if not category:
            errors.append("填写残疾等级时须填写残疾类别")
        data["disability_grade"] = grade
    else:
        data["disability_grade"] = None
        if category:
            errors.append("填写残疾类别时须填写残疾等级（1–4 级）")
    if data.get("health") == codes.Health.SERIOUS and not str(data.get("serious_illness") or "").strip():
        errors.append("健康状况为“患重病”时须填写重病诊断")
    unknown = [s for s in data.get("special_statuses") or [] if s not in codes.SPECIAL_STATUSES]
    if unknown:
        errors.append(f"特殊身份不在代码表中：{'、'.join(unknown)}")
    if errors:
        raise PersonDataError(errors)
    data["name_pinyin"], data["name_initials"] = pinyin_of(name)
    return data
