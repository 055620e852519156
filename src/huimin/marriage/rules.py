"""The legal conditions of 结婚登记 as rules over plain facts (no database): each refusal names its article and
says why in Chinese. The services gather the facts (the subsisting-marriage check reads the archive)."""

import datetime
from dataclasses import dataclass, field

from huimin.marriage.periods import age_on

MIN_AGE = {"1": 22, "2": 20}  # 民法典 第1047条: 男不得早于二十二周岁，女不得早于二十周岁
SEX_LABEL = {"1": "男方", "2": "女方"}

ART_AGE = "《民法典》第一千零四十七条"
ART_BIGAMY = "《民法典》第一千零四十二条、第一千零五十一条"
ART_KINSHIP = "《民法典》第一千零四十八条"
ART_CAPACITY = "《民法典》第一千零四十六条；《婚姻登记条例》"
ART_SEXES = "《民法典》第一千零四十九条"


@dataclass(frozen=True)
class Reason:
    code: str
    article: str
    message: str

    def as_dict(self) -> dict:
        return {"code": self.code, "article": self.article, "message": self.message}


@dataclass(frozen=True)
class PartyFacts:
    name: str
    sex: str  # "1" 男 / "2" 女 (from the ID number)
    birth_date: datetime.date
    subsisting_offices: tuple[str, ...] = ()  # 登记机关 of each valid marriage record of this party
    under_guardianship: bool = False  # 无民事行为能力或限制民事行为能力, under guardianship


@dataclass(frozen=True)
class MarriageFacts:
    day: datetime.date
    parties: tuple[PartyFacts, PartyFacts]
    no_kinship_declared: bool = False
    extra: list = field(default_factory=list)


def legal_age_date(birth: datetime.date, sex: str) -> datetime.date:
    """The first day on which the party has the legal age: the birthday of that year (29 February → 1 March)."""
    year = birth.year + MIN_AGE[sex]
    try:
        return birth.replace(year=year)
    except ValueError:
        return datetime.date(year, 3, 1)


def check_marriage(f: MarriageFacts) -> list[Reason]:
    reasons: list[Reason] = []
    sexes = sorted(p.sex for p in f.parties)
    if sexes != ["1", "2"]:
        reasons.append(Reason("sexes", ART_SEXES, "结婚登记须男女双方共同申请（按身份证号，双方性别相同）"))
    for p in f.parties:
        label = SEX_LABEL.get(p.sex, "一方")
        need = MIN_AGE.get(p.sex)
        if need is not None and age_on(p.birth_date, f.day) < need:
            reasons.append(
                Reason(
                    "age",
                    ART_AGE,
                    f"{label}{p.name}未达法定婚龄：{f.day:%Y年%m月%d日}年满 {age_on(p.birth_date, f.day)} 周岁，"
                    f"{label}须年满 {need} 周岁（{legal_age_date(p.birth_date, p.sex):%Y年%m月%d日}起可登记）",
                )
            )
        for office in p.subsisting_offices:
            reasons.append(
                Reason("subsisting", ART_BIGAMY, f"{label}{p.name}存在有效婚姻登记记录（登记机关：{office}）")
            )
        if p.under_guardianship:
            reasons.append(
                Reason(
                    "capacity",
                    ART_CAPACITY,
                    f"{label}{p.name}为无民事行为能力或限制民事行为能力人，不能独立作出结婚的意思表示",
                )
            )
    if not f.no_kinship_declared:
        reasons.append(
            Reason("kinship", ART_KINSHIP, "双方未签署无直系血亲和三代以内旁系血亲关系的声明（《申请结婚登记声明书》）")
        )
    return reasons
