"""Properties of the ID number parser for any input (hypothesis): generated numbers round-trip, every single-digit
change and every swap of two neighbouring digits is caught, 15-digit numbers upgrade to the same person's 18-digit
number, and nothing but IdNumberError ever comes out of garbage."""

import datetime

from hypothesis import assume, given
from hypothesis import strategies as st

from huimin.registry import idnumbers
from huimin.registry.idnumbers import IdNumberError

COUNTIES = ["110101", "310104", "411702", "411721", "440305", "510104", "650102"]
counties = st.sampled_from(COUNTIES)
births = st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2025, 12, 31))
sequences = st.integers(0, 999)


def test_the_sample_counties_are_known():
    assert all(idnumbers.known_address_code(c) for c in COUNTIES)


@given(counties, births, sequences)
def test_generated_numbers_round_trip(county, birth, seq):
    number = idnumbers.make(county, birth, seq)
    parsed = idnumbers.parse(number)
    assert parsed.number == number and len(number) == 18
    assert parsed.birth_date == birth and parsed.region_code == county
    assert parsed.sex == ("1" if seq % 2 else "2")
    assert idnumbers.parse(number.lower()) == parsed  # a lower-case x check digit is the same number
    assert idnumbers.parse(f" {number[:6]} {number[6:]} ") == parsed


@given(counties, births, sequences, st.integers(0, 17), st.integers(1, 10))
def test_any_single_character_change_is_refused(county, birth, seq, position, shift):
    number = idnumbers.make(county, birth, seq)
    alphabet = "0123456789X" if position == 17 else "0123456789"
    changed = alphabet[(alphabet.index(number[position]) + shift) % len(alphabet)]
    assume(changed != number[position])
    try:
        idnumbers.parse(number[:position] + changed + number[position + 1 :])
    except IdNumberError:
        return
    raise AssertionError(f"a changed digit at {position} was accepted")


@given(counties, births, sequences, st.integers(0, 15))
def test_swapping_two_neighbouring_digits_is_refused(county, birth, seq, position):
    number = idnumbers.make(county, birth, seq)
    assume(number[position] != number[position + 1])
    swapped = number[:position] + number[position + 1] + number[position] + number[position + 2 :]
    try:
        idnumbers.parse(swapped)
    except IdNumberError:
        return
    raise AssertionError(f"digits {position},{position + 1} swapped and accepted")


@given(counties, st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(1999, 12, 31)), sequences)
def test_fifteen_digit_numbers_upgrade_to_the_same_person(county, birth, seq):
    old = f"{county}{birth:%y%m%d}{seq:03d}"
    assert idnumbers.parse(old) == idnumbers.parse(idnumbers.make(county, birth, seq))


@given(st.one_of(st.text(), st.from_regex(r"\A[0-9]{17}[0-9Xx]\Z"), st.from_regex(r"\A[0-9]{15}\Z")))
def test_garbage_raises_only_the_documented_error(value):
    try:
        parsed = idnumbers.parse(value)
    except IdNumberError as exc:
        assert str(exc)  # a Chinese message for the user
    else:
        assert idnumbers.make(parsed.region_code, parsed.birth_date, int(parsed.number[14:17])) == parsed.number
