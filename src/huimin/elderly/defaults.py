"""Default rows of 养老服务, loaded by data migrations (``ensure``): parameters, the 特殊困难老年人 categories and
their derivation rules, and the item table of GB/T 42195-2022 老年人能力评估规范 (domains, items and the scores
each item can take, levels by total score, the circumstances that raise the level). docs/elderly.md cites the
standard and says which figures were checked against what."""

PARAMETERS = {"register_age": 60, "reassess_months": 12}

# (code, name, rules) — rules: see huimin.elderly.rules.DERIVATIONS; [] = only the township can 认定 it
CATEGORIES = [
    ("living_alone", "独居", [{"kind": "alone"}, {"kind": "special_status", "statuses": ["living_alone"]}]),
    ("empty_nest", "空巢", [{"kind": "empty_nest"}, {"kind": "special_status", "statuses": ["empty_nest"]}]),
    ("left_behind", "留守", [{"kind": "special_status", "statuses": ["left_behind_elderly"]}]),
    ("dependent", "失能", [
        {"kind": "special_status", "statuses": ["dependent", "semi_dependent"]},
        {"kind": "assessment", "levels": ["moderate", "severe", "complete"]},
    ]),
    ("severe_disability", "重残", [{"kind": "disability", "max_grade": 2}]),
    ("family_planning", "计划生育特殊家庭", []),
    ("advanced_age", "高龄", [{"kind": "age", "min_age": 80}]),
    ("dibao_tekun", "低保/特困", [
        {"kind": "programme", "programmes": [
            "assistance:dibao", "assistance:dibao_single", "assistance:tekun_scattered", "assistance:tekun_central",
        ]},
    ]),
]  # fmt: skip

DOMAINS = [
    ("self_care", "自理能力"),
    ("motor", "基础运动能力"),
    ("mental", "精神状态"),
    ("perception", "感知觉与社会参与"),
]

_CARE = ["完全依赖他人", "需要大量帮助", "需要部分帮助", "需要监护或提示", "独立完成"]
_MIND = ["完全丧失", "重度障碍", "中度障碍", "轻度障碍", "正常"]


def _graded(labels: list[str]) -> list[dict]:
    return [{"score": score, "label": label} for score, label in reversed(list(enumerate(labels)))]


# domain → [(code, number, name, options)]
ITEMS = {
    "self_care": [
        ("eating", "B.1.1", "进食", _graded(_CARE)),
        ("grooming", "B.1.2", "修饰", _graded(_CARE)),
        ("bathing", "B.1.3", "洗澡", _graded(_CARE)),
        ("dressing_upper", "B.1.4", "穿/脱上衣", _graded(_CARE)),
        ("dressing_lower", "B.1.5", "穿/脱裤子和鞋袜", _graded(_CARE)),
        ("urine", "B.1.6", "小便控制", _graded(_CARE)),
        ("bowel", "B.1.7", "大便控制", _graded(_CARE)),
        ("toileting", "B.1.8", "如厕", _graded(_CARE)),
    ],
    "motor": [
        ("bed_position", "B.2.1", "床上体位转移", _graded(_CARE)),
        ("bed_chair", "B.2.2", "床椅转移", _graded(_CARE)),
        ("walking", "B.2.3", "平地行走", _graded(_CARE)),
        ("stairs", "B.2.4", "上下楼梯", _graded(_CARE)),
    ],
    "mental": [
        ("time_orientation", "B.3.1", "时间定向", _graded(_MIND)),
        ("place_orientation", "B.3.2", "空间定向", _graded(_MIND)),
        ("person_orientation", "B.3.3", "人物定向", _graded(_MIND)),
        ("memory", "B.3.4", "记忆", _graded(_MIND)),
        ("understanding", "B.3.5", "理解能力", _graded(_MIND)),
        ("expression", "B.3.6", "表达能力", _graded(_MIND)),
        ("aggression", "B.3.7", "攻击行为", _graded(["近一个月内出现过攻击行为", "未出现"])),
        ("depression", "B.3.8", "抑郁症状", _graded(["近一个月内出现过抑郁症状", "未出现"])),
        ("consciousness", "B.3.9", "意识水平", _graded(["昏睡（昏迷另行勾选）", "嗜睡", "神志清醒"])),
    ],
    "perception": [
        ("vision", "B.4.1", "视力", _graded(["只能看到光、颜色和形状或完全失明", "视力有限", "视力正常"])),
        ("hearing", "B.4.2", "听力", _graded(["完全失聪或仅能听到很大的声音", "听力有限", "听力正常"])),
        ("daily_affairs", "B.4.3", "执行日常事务", _graded(_CARE)),
        ("transport", "B.4.4", "使用交通工具外出", _graded(
            ["完全不能外出或外出完全需要协助", "需有人陪同方可外出", "能乘出租车但不能独自搭乘公共交通",
             "能独自乘坐公共交通工具外出"]
        )),
        ("social", "B.4.5", "社会交往能力", _graded(
            ["不能与人交往", "勉强可与人接触", "可被动接触他人", "主动参与社会交往，待人接物恰当"]
        )),
    ],
}  # fmt: skip

# (code, name, min_total, max_total, rank)
LEVELS = [
    ("intact", "能力完好", 90, 90, 0),
    ("mild", "轻度失能", 66, 89, 1),
    ("moderate", "中度失能", 46, 65, 2),
    ("severe", "重度失能", 30, 45, 3),
    ("complete", "完全失能", 0, 29, 4),
]

ADJUSTMENTS = [
    ("dementia", "确诊为认知障碍/痴呆"),
    ("psychiatric", "确诊为精神科专科疾病"),
    ("care_risk", "近30天内发生过2次及以上照护风险事件（如跌倒、噎食、自杀、自伤、走失等）"),
]


def ensure(apps=None) -> None:
    """Create the default rows that are missing; rows already there (perhaps changed by a migration) stay."""
    from django.apps import apps as global_apps

    apps = apps or global_apps
    Parameter = apps.get_model("elderly", "Parameter")
    Category = apps.get_model("elderly", "Category")
    Domain = apps.get_model("elderly", "Domain")
    Item = apps.get_model("elderly", "Item")
    Level = apps.get_model("elderly", "Level")
    Adjustment = apps.get_model("elderly", "Adjustment")
    for code, value in PARAMETERS.items():
        Parameter.objects.get_or_create(code=code, defaults={"value": value})
    for order, (code, name, rules) in enumerate(CATEGORIES):
        Category.objects.get_or_create(code=code, defaults={"name": name, "rules": rules, "order": order})
    for order, (code, name) in enumerate(DOMAINS):
        domain, _ = Domain.objects.get_or_create(code=code, defaults={"name": name, "order": order})
        for item_order, (item_code, number, item_name, options) in enumerate(ITEMS[code]):
            Item.objects.get_or_create(code=item_code, defaults={
                "domain": domain, "number": number, "name": item_name, "options": options, "order": item_order,
            })  # fmt: skip
    for code, name, low, high, rank in LEVELS:
        Level.objects.get_or_create(code=code, defaults={"name": name, "min_total": low, "max_total": high,
                                                         "rank": rank})  # fmt: skip
    for order, (code, name) in enumerate(ADJUSTMENTS):
        Adjustment.objects.get_or_create(code=code, defaults={"name": name, "order": order})
