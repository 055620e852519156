"""居民身份证号码 (GB 11643): validation with clear Chinese errors, 15-to-18 upgrade, derived sex and birth date."""

import datetime
from dataclasses import dataclass
from functools import lru_cache

from stdnum import numdb
from stdnum.cn import ric
from stdnum.exceptions import InvalidComponent


class IdNumberError(ValueError):
    pass


@dataclass(frozen=True)
class IdNumber:
    number: str
    birth_date: datetime.date
    sex: str  # GB/T 2261.1: "1" 男, "2" 女
    region_code: str  # the 6-digit 户籍 code at issue


@lru_cache(maxsize=8192)
def known_address_code(code6: str) -> bool:
    """Whether the code was ever a county-level code. stdnum's own check also demands that the county existed
    in the birth year, which rejects real numbers: a number carries the code of its first issue, not of birth."""
    info = {k: v for _, props in numdb.get("cn/loc").info(code6) for k, v in props.items()}
    return "county" in info


def upgrade_15(number: str) -> str:
    """A first-generation 15-digit number → its 18-digit form (century 19, GB 11643 check digit)."""
    if len(number) != 15 or not number.isdigit():
        raise IdNumberError("15 位身份证号应全部为数字")
    body = number[:6] + "19" + number[6:]
    return body + ric.calc_check_digit(body + "0")


def parse(value: str) -> IdNumber:
    number = str(value or "").strip().upper().replace(" ", "")
    if not number:
        raise IdNumberError("身份证号为空")
    if len(number) == 15:
        number = upgrade_15(number)
    if len(number) != 18:
        raise IdNumberError(f"身份证号应为 18 位（或 15 位旧号），实际 {len(number)} 位")
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise IdNumberError("身份证号格式错误：前 17 位应为数字，末位为数字或 X")
    try:
        birth = ric.get_birth_date(number)
    except (InvalidComponent, ValueError) as exc:
        raise IdNumberError("身份证号中的出生日期不合法") from exc
    if birth > datetime.date.today() or birth.year < 1880:
        raise IdNumberError("身份证号中的出生日期不合法")
    if ric.calc_check_digit(number) != number[17]:
        raise IdNumberError("身份证号校验位错误")
    if not known_address_code(number[:6]):
        raise IdNumberError("身份证号中的地址码（前 6 位）不存在")
    sex = "1" if int(number[16]) % 2 == 1 else "2"
    return IdNumber(number=number, birth_date=birth, sex=sex, region_code=number[:6])


def make(region6: str, birth: datetime.date, sequence: int) -> str:
    """Build a valid number (for synthetic data and tests): sequence 0–999, odd = male."""
    if not 0 <= sequence <= 999:
        raise ValueError(f"顺序码须在 0–999 之间，得到 {sequence}")
    body = f"{region6}{birth:%Y%m%d}{sequence:03d}"
    return body + ric.calc_check_digit(body + "0")
