"""Chinese names with a realistic surname distribution.

Surname weights are the shares (per cent) of the most common surnames in the 2020 census as published by the
Ministry of Public Security (《二〇二〇年全国姓名报告》), rounded; the long tail is folded into the listed ones.
Given names are drawn from characters common in names of each sex and generation.
"""

import numpy as np

SURNAMES = [
    ("王", 7.12), ("李", 7.00), ("张", 6.74), ("刘", 5.10), ("陈", 4.61), ("杨", 3.22), ("赵", 2.45), ("黄", 2.20),
    ("周", 1.90), ("吴", 1.85), ("徐", 1.45), ("孙", 1.38), ("胡", 1.31), ("朱", 1.26), ("高", 1.21), ("林", 1.18),
    ("何", 1.17), ("郭", 1.15), ("马", 1.05), ("罗", 0.86), ("梁", 0.84), ("宋", 0.77), ("郑", 0.76), ("谢", 0.71),
    ("韩", 0.70), ("唐", 0.64), ("冯", 0.63), ("于", 0.62), ("董", 0.61), ("萧", 0.30), ("程", 0.55), ("曹", 0.54),
    ("袁", 0.52), ("邓", 0.51), ("许", 0.50), ("傅", 0.47), ("沈", 0.46), ("曾", 0.45), ("彭", 0.44), ("吕", 0.43),
    ("苏", 0.42), ("卢", 0.41), ("蒋", 0.40), ("蔡", 0.39), ("贾", 0.38), ("丁", 0.37), ("魏", 0.36), ("薛", 0.35),
    ("叶", 0.34), ("阎", 0.33), ("余", 0.32), ("潘", 0.31), ("杜", 0.30), ("戴", 0.29), ("夏", 0.28), ("钟", 0.27),
    ("汪", 0.26), ("田", 0.26), ("任", 0.25), ("姜", 0.25), ("范", 0.24), ("方", 0.24), ("石", 0.23), ("姚", 0.23),
    ("谭", 0.22), ("廖", 0.21), ("邹", 0.21), ("熊", 0.20), ("金", 0.20), ("陆", 0.19), ("郝", 0.19), ("孔", 0.18),
    ("白", 0.18), ("崔", 0.17), ("康", 0.17), ("毛", 0.16), ("邱", 0.16), ("秦", 0.16), ("江", 0.15), ("史", 0.15),
    ("顾", 0.14), ("侯", 0.14), ("邵", 0.14), ("孟", 0.13), ("龙", 0.13), ("万", 0.13), ("段", 0.12), ("雷", 0.12),
    ("钱", 0.11), ("汤", 0.11), ("尹", 0.11), ("黎", 0.10), ("易", 0.10), ("常", 0.10), ("武", 0.10), ("乔", 0.10),
    ("贺", 0.09), ("赖", 0.09), ("龚", 0.09), ("文", 0.09), ("司马", 0.01), ("欧阳", 0.02), ("上官", 0.005),
]  # fmt: skip

# Characters of given names: (born before 1970, born 1970–1999, born 2000 or later), for men and women.
MALE_CHARS = (
    "国建德福明华文忠志军永庆海林平春学东金成宝保富贵山红兴振德广祥清和",
    "伟强磊勇军涛斌杰鹏超波辉刚健明亮俊峰帅龙旭东晓飞宏志浩凯",
    "浩宇子轩梓睿一博宇泽奕晨俊熙思远皓天锦程嘉铭宇航沐辰逸",
)
FEMALE_CHARS = (
    "秀英兰芳桂珍凤玉华梅淑琴素云花荣爱莲霞香翠娥菊凤敏",
    "丽娟静敏燕艳霞娜丹婷雪芳慧莉琳颖玲倩萍红洁丽晶佳",
    "梓涵子萱欣怡一诺雨桐可馨诗涵紫萱依诺思琪语嫣若汐梦瑶佳怡",
)

_SURNAME_TEXT = np.array([s for s, _ in SURNAMES])
_SURNAME_P = np.array([w for _, w in SURNAMES]) / sum(w for _, w in SURNAMES)
_CHARS = {
    (sex, era): np.array(list(text))
    for sex, table in (("1", MALE_CHARS), ("2", FEMALE_CHARS))
    for era, text in enumerate(table)
}


def surnames(rng: np.random.Generator, n: int) -> np.ndarray:
    return _SURNAME_TEXT[rng.choice(len(_SURNAME_TEXT), size=n, p=_SURNAME_P)]


def given_names(rng: np.random.Generator, sex: np.ndarray, birth_year: np.ndarray) -> np.ndarray:
    """One or two characters by sex and generation; older people more often have two."""
    n = len(sex)
    era = np.where(birth_year < 1970, 0, np.where(birth_year < 2000, 1, 2))
    out = np.empty(n, dtype=object)
    two = rng.random(n) < np.where(era == 2, 0.8, 0.65)
    first_u = rng.random(n)
    second_u = rng.random(n)
    for (s, e), chars in _CHARS.items():
        sel = (sex == s) & (era == e)
        if not sel.any():
            continue
        a = chars[(first_u[sel] * len(chars)).astype(int)]
        b = chars[(second_u[sel] * len(chars)).astype(int)]
        out[sel] = np.where(two[sel], np.char.add(a, b), a)
    return out.astype(str)
