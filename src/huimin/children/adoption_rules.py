"""The conditions of adoption in the 民法典 (第一千零九十三条至第一千一百零五条) and of 家庭寄养 (民政部《家庭寄养管理
办法》2014) as pure rules: each check takes plain values and returns the reasons it refuses, each reason citing the
article in Chinese (empty: the condition is met). Nothing here reads the database or the clock.

"以上" in the law includes the number itself (民法典第一千二百五十九条): a gap of exactly 40 years is enough, an
adopter who is exactly 30 years old is old enough, a child on his 8th birthday must consent.
"""

import datetime
from dataclasses import dataclass

from huimin.children.rules import age_on, birthday

ADULT_AGE = 18
ADOPTER_MIN_AGE = 30  # 第一千零九十八条第五项
SINGLE_OPPOSITE_SEX_GAP = 40  # 第一千一百零二条
CONSENT_AGE = 8  # 第一千一百零四条

# 第一千零九十三条: who may be adopted
SITUATIONS = {
    "orphan": "丧失父母的孤儿",
    "unfound": "查找不到生父母的未成年人",
    "hardship": "生父母有特殊困难无力抚养的子女",
}
# 第一千一百条第二款: these children are not limited by the number of children (nor by 第一千零九十八条第一项)
UNLIMITED = ("orphan", "unfound")


@dataclass(frozen=True)
class Adopter:
    birth_date: datetime.date
    sex: str  # "1" male, "2" female (GB/T 2261.1, as registry.Person.sex)
    has_spouse: bool
    spouse_joins: bool  # 第一千一百零一条: a married adopter adopts together with the spouse
    children: int  # the children he has (his own and adopted before)
    able: bool  # 有抚养、教育和保护被收养人的能力 (the 收养评估)
    health_clear: bool  # 未患有在医学上认为不应当收养子女的疾病 (the health check)
    record_clear: bool  # 无不利于被收养人健康成长的违法犯罪记录 (the police check)


@dataclass(frozen=True)
class Child:
    birth_date: datetime.date
    sex: str
    situation: str  # a key of SITUATIONS
    disabled: bool = False
    institution: bool = False  # 儿童福利机构抚养
    consents: bool = False  # 第一千一百零四条: the child's own consent, recorded


def who_may_be_adopted(child: Child, day: datetime.date) -> list[str]:
    """第一千零九十三条."""
    reasons = []
    if age_on(child.birth_date, day) >= ADULT_AGE:
        reasons.append("不符合民法典第一千零九十三条：被收养人须为未成年人")
    if child.situation not in SITUATIONS:
        reasons.append("不符合民法典第一千零九十三条：被收养人须为丧失父母的孤儿、查找不到生父母的未成年人或"
                       "生父母有特殊困难无力抚养的子女")  # fmt: skip
    return reasons


def _unlimited(child: Child) -> bool:
    """第一千一百条第二款: 孤儿、残疾未成年人或者儿童福利机构抚养的查找不到生父母的未成年人."""
    return child.situation == "orphan" or child.disabled or (child.situation == "unfound" and child.institution)


def adopter_conditions(adopter: Adopter, child: Child, day: datetime.date) -> list[str]:
    """第一千零九十八条第二至五项 and 第一千一百零一条 (its first item, the number of children: number_of_children)."""
    reasons = []
    if not adopter.able:
        reasons.append(
            "不符合民法典第一千零九十八条第二项：收养人应当有抚养、教育和保护被收养人的能力（收养评估未通过）"
        )
    if not adopter.health_clear:
        reasons.append("不符合民法典第一千零九十八条第三项：收养人应当未患有在医学上认为不应当收养子女的疾病")
    if not adopter.record_clear:
        reasons.append("不符合民法典第一千零九十八条第四项：收养人应当无不利于被收养人健康成长的违法犯罪记录")
    age = age_on(adopter.birth_date, day)
    if age < ADOPTER_MIN_AGE:
        reasons.append(f"不符合民法典第一千零九十八条第五项：收养人应当年满三十周岁（现年 {age} 周岁，"
                       f"{birthday(adopter.birth_date, ADOPTER_MIN_AGE):%Y年%m月%d日}年满三十周岁）")  # fmt: skip
    if adopter.has_spouse and not adopter.spouse_joins:
        reasons.append("不符合民法典第一千一百零一条：有配偶者收养子女，应当夫妻共同收养")
    return reasons


def number_of_children(adopter: Adopter, child: Child) -> list[str]:
    """第一千零九十八条第一项 and 第一千一百条 (lifted by its second paragraph for 孤儿, 残疾未成年人 and
    儿童福利机构抚养的查找不到生父母的未成年人): 无子女的收养人可以收养两名子女；有子女的收养人只能收养一名子女
    (``children`` counts the adopted ones: a childless adopter who adopted one may adopt a second, then no
    more)."""
    if _unlimited(child):
        return []
    if adopter.children >= 2:
        return [f"不符合民法典第一千零九十八条第一项、第一千一百条：收养人应当无子女或者只有一名子女；无子女的收养人"
                f"可以收养两名子女，有子女的收养人只能收养一名子女"
                f"（收养人现有子女 {adopter.children} 名）"]  # fmt: skip
    return []


def age_gap(adopter: Adopter, child: Child) -> list[str]:
    """第一千一百零二条: 无配偶者收养异性子女的，收养人与被收养人的年龄应当相差四十周岁以上 — the child born on or after
    the adopter's 40th birthday."""
    if adopter.has_spouse or adopter.sex == child.sex:
        return []
    if child.birth_date >= birthday(adopter.birth_date, SINGLE_OPPOSITE_SEX_GAP):
        return []
    gap = age_on(adopter.birth_date, child.birth_date)
    return [f"不符合民法典第一千一百零二条：无配偶者收养异性子女的，收养人与被收养人的年龄应当相差四十周岁以上"
            f"（现相差 {gap} 周岁）"]  # fmt: skip


def consent(child: Child, day: datetime.date) -> list[str]:
    """第一千一百零四条: 收养八周岁以上未成年人的，应当征得被收养人的同意 (from the 8th birthday on)."""
    if age_on(child.birth_date, day) >= CONSENT_AGE and not child.consents:
        return [
            "不符合民法典第一千一百零四条：收养八周岁以上未成年人的，应当征得被收养人的同意（请登记其本人同意意见）"
        ]
    return []


def check(adopter: Adopter, child: Child, day: datetime.date) -> list[str]:
    """Every condition of 第一千零九十三条至第一千一百零四条 on ``day`` (the day of registration, 第一千一百零五条)."""
    return [
        *who_may_be_adopted(child, day),
        *adopter_conditions(adopter, child, day),
        *number_of_children(adopter, child),
        *age_gap(adopter, child),
        *consent(child, day),
    ]


# --- 家庭寄养 (《家庭寄养管理办法》) ---------------------------------------------------------------------------------

FOSTER_CARER_MIN_AGE = 30  # 第八条第四项: 主要照料人的年龄在三十周岁以上六十五周岁以下
FOSTER_CARER_MAX_AGE = 65
FOSTER_MAX_CHILDREN = 2  # 第九条: 每个寄养家庭寄养儿童的人数不得超过2人


def foster_carer(carer_birth: datetime.date, day: datetime.date) -> list[str]:
    age = age_on(carer_birth, day)
    if not FOSTER_CARER_MIN_AGE <= age <= FOSTER_CARER_MAX_AGE:
        return [
            f"不符合《家庭寄养管理办法》第八条：主要照料人的年龄应当在三十周岁以上六十五周岁以下（现年 {age} 周岁）"
        ]
    return []


def foster_room(placed: int) -> list[str]:
    if placed >= FOSTER_MAX_CHILDREN:
        return [f"不符合《家庭寄养管理办法》第九条：每个寄养家庭寄养儿童的人数不得超过 {FOSTER_MAX_CHILDREN} 人"
                f"（已寄养 {placed} 人）"]  # fmt: skip
    return []
