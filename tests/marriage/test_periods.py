"""The 协议离婚 windows (periods.py): the issue's exact days, and properties across month ends, leap years and the
year end."""

import datetime

from hypothesis import given
from hypothesis import strategies as st

from huimin.marriage import periods

D = datetime.date
days = st.dates(min_value=D(1990, 1, 1), max_value=D(2100, 12, 31))
edges = st.sampled_from(
    [
        D(2024, 1, 31),
        D(2024, 2, 28),
        D(2024, 2, 29),
        D(2025, 2, 28),
        D(2026, 12, 31),
        D(2027, 12, 1),
        D(2028, 1, 30),
        D(2100, 2, 28),
        D(2000, 2, 29),
    ]
)


def test_the_issues_days():
    received = D(2026, 12, 10)
    on = lambda n: received + datetime.timedelta(days=n)  # noqa: E731
    assert periods.may_withdraw(received, on(0)) and periods.may_withdraw(received, on(30))
    assert not periods.may_withdraw(received, on(31))
    assert not periods.may_register(received, on(30))
    assert periods.may_register(received, on(31)) and periods.may_register(received, on(60))
    assert not periods.may_register(received, on(61)) and periods.lapsed(received, on(61))
    assert not periods.lapsed(received, on(60))
    w = periods.windows(received)
    assert (w.cooling_start, w.cooling_end, w.register_start, w.register_end) == (
        D(2026, 12, 11),
        D(2027, 1, 9),
        D(2027, 1, 10),
        D(2027, 2, 8),
    )


def test_leap_february():
    w = periods.windows(D(2028, 2, 1))  # 2028 is a leap year: 29 days in February
    assert w.cooling_end == D(2028, 3, 2) and w.register_end == D(2028, 4, 1)
    w = periods.windows(D(2027, 2, 1))
    assert w.cooling_end == D(2027, 3, 3) and w.register_end == D(2027, 4, 2)


@given(st.one_of(days, edges))
def test_windows_are_contiguous_and_thirty_days_each(received):
    w = periods.windows(received)
    assert w.cooling_start == received + datetime.timedelta(days=1)
    assert (w.cooling_end - w.cooling_start).days + 1 == 30
    assert w.register_start == w.cooling_end + datetime.timedelta(days=1)
    assert (w.register_end - w.register_start).days + 1 == 30


@given(st.one_of(days, edges), st.integers(min_value=-5, max_value=120))
def test_each_day_is_in_exactly_one_state(received, n):
    day = received + datetime.timedelta(days=n)
    w = periods.windows(received)
    states = [periods.may_withdraw(received, day), periods.may_register(received, day), periods.lapsed(received, day)]
    if n < 0:
        assert states == [False, False, False]
    else:
        assert sum(states) == 1
    assert periods.may_withdraw(received, day) == (received <= day <= w.cooling_end)
    assert periods.may_register(received, day) == (w.register_start <= day <= w.register_end)
    assert periods.lapsed(received, day) == (day > w.register_end)


@given(st.dates(min_value=D(1950, 1, 1), max_value=D(2010, 12, 31)), st.integers(min_value=0, max_value=80))
def test_age_turns_on_the_birthday(birth, years):
    try:
        birthday = birth.replace(year=birth.year + years)
    except ValueError:  # 29 February in a common year: the age turns on 1 March
        birthday = D(birth.year + years, 3, 1)
    assert periods.age_on(birth, birthday) == years
    if years:
        assert periods.age_on(birth, birthday - datetime.timedelta(days=1)) == years - 1


@given(days)
def test_week_of(day):
    monday, sunday = periods.week_of(day)
    assert monday.weekday() == 0 and sunday.weekday() == 6 and monday <= day <= sunday
