"""The pure rules of 区划地名: the pinyin of a standard name (GB/T 16159 and 《地名标志》GB 17733: the specific
part written as one word, the generic part — 路, 街, 桥, 村 … — as another, each capitalised, an apostrophe before
a syllable beginning with a, o or e inside a word), the check of a pinyin someone typed against every reading of
each character, and the naming rules in force applied to a proposed name. Nothing here reads the database."""

import re
from dataclasses import dataclass

from pypinyin import Style, lazy_pinyin, pinyin

# Generic parts (通名), longest first, so that "大街" wins over "街".
GENERICS = sorted(
    ["大道", "大街", "路", "街", "巷", "胡同", "里", "道", "桥", "大桥", "村", "庄", "屯", "寨", "湾", "营", "小区",
     "花园", "家园", "苑", "园", "社区", "新村", "广场", "河", "湖", "渠", "山", "岭", "站"],
    key=len, reverse=True,
)  # fmt: skip
NAME_PATTERN = re.compile(r"^[\u4e00-\u9fff0-9〇]+$")
MAX_LENGTH = 20


def split_name(name: str) -> tuple[str, str]:
    """(specific, generic): the generic part is a known 通名 ending the name and leaving something before it."""
    for generic in GENERICS:
        if name.endswith(generic) and len(name) > len(generic):
            return name[: -len(generic)], generic
    return name, ""


def _word(text: str) -> str:
    syllables = lazy_pinyin(text, style=Style.NORMAL, v_to_u=True, errors=lambda s: list(s))
    out = ""
    for i, s in enumerate(syllables):
        if i and s[:1] in "aoe":
            out += "'"
        out += s
    return out[:1].upper() + out[1:]


def standard_pinyin(name: str) -> str:
    """顺河路 → Shunhe Lu; 西安村 → Xi'an Cun."""
    specific, generic = split_name(name)
    return " ".join(_word(part) for part in (specific, generic) if part)


def _normal(text: str) -> str:
    return re.sub(r"[\s'’\-]", "", text.lower().replace("ü", "v").replace("u:", "v"))


def pinyin_matches(name: str, given: str) -> bool:
    """Whether ``given`` (any case, spaces and apostrophes ignored) reads ``name`` with one of the readings pypinyin
    knows for each character (多音字: 长 may be chang or zhang)."""
    readings = []
    for ch in name:
        if ch.isdigit() or not NAME_PATTERN.match(ch):
            readings.append({ch})
        else:
            readings.append({_normal(r) for r in pinyin(ch, style=Style.NORMAL, heteronym=True)[0]})
    target = _normal(given)
    reachable = {0}
    for options in readings:
        reachable = {j + len(r) for j in reachable for r in options if target.startswith(r, j)}
        if not reachable:
            return False
    return len(target) in reachable


@dataclass(frozen=True)
class Rule:
    kind: str  # NamingRule.Kind value
    value: str
    basis: str = ""


@dataclass(frozen=True)
class Violation:
    rule: str
    message: str


def check_name(name: str, kind_label: str, rules: list[Rule], same_kind_names: set[str]) -> list[Violation]:
    """Every naming rule the name breaks. ``same_kind_names``: the names in force of the same kind in the county
    (without the place being renamed)."""
    found: list[Violation] = []
    if not name:
        return [Violation("format", "请填写拟用名称")]
    if len(name) > MAX_LENGTH:
        found.append(Violation("format", f"地名不超过 {MAX_LENGTH} 个字"))
    if not NAME_PATTERN.match(name):
        found.append(Violation("format", "地名只能由汉字和数字组成，不得使用字母、符号或空格"))
    for rule in rules:
        basis = f"（{rule.basis}）" if rule.basis else ""
        if rule.kind == "unique_in_county" and name in same_kind_names:
            found.append(
                Violation(rule.kind, f"本县（区）已有同名{kind_label}“{name}”，同一县级区划内同类地名不得重名")
            )
        elif rule.kind == "forbidden_char" and rule.value and rule.value in name:
            found.append(Violation(rule.kind, f"“{name}”含禁用字“{rule.value}”{basis}"))
        elif rule.kind == "forbidden_word" and rule.value and rule.value in name:
            found.append(Violation(rule.kind, f"“{name}”含禁用词“{rule.value}”{basis}"))
        elif rule.kind == "reserved" and rule.value == name:
            found.append(Violation(rule.kind, f"“{name}”是保留地名，不得用于新命名或更名{basis}"))
    return found
