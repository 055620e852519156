import datetime

import pytest

from huimin.registry import idnumbers
from huimin.registry.idnumbers import IdNumberError

VALID = idnumbers.make("411702", datetime.date(1985, 7, 9), 124)


def test_valid_number_derives_sex_and_birth_date():
    parsed = idnumbers.parse(VALID)
    assert parsed.birth_date == datetime.date(1985, 7, 9)
    assert parsed.sex == "2"  # 124: even sequence → 女
    assert parsed.region_code == "411702"


def test_bad_checksum_is_refused_in_chinese():
    wrong = VALID[:17] + ("0" if VALID[17] != "0" else "1")
    with pytest.raises(IdNumberError, match="身份证号校验位错误"):
        idnumbers.parse(wrong)


def test_bad_birth_date_is_refused():
    body = "41170219850230123"  # 2 月 30 日
    from stdnum.cn import ric

    with pytest.raises(IdNumberError, match="出生日期不合法"):
        idnumbers.parse(body + ric.calc_check_digit(body + "0"))


def test_fifteen_digit_number_is_upgraded():
    parsed = idnumbers.parse("411702850709124")
    assert parsed.number == VALID
    assert len(parsed.number) == 18


def test_x_check_digit_accepted_in_either_case():
    for seq in range(1000):
        number = idnumbers.make("411702", datetime.date(1990, 1, 1), seq)
        if number.endswith("X"):
            break
    assert idnumbers.parse(number.lower()).number == number


def test_unknown_address_code_is_refused():
    number = idnumbers.make("999999", datetime.date(1990, 1, 1), 1)
    with pytest.raises(IdNumberError, match="地址码"):
        idnumbers.parse(number)


def test_wrong_length_and_letters():
    with pytest.raises(IdNumberError, match="18 位"):
        idnumbers.parse("41170219")
    with pytest.raises(IdNumberError, match="格式错误"):
        idnumbers.parse("4117021985070912A4")
