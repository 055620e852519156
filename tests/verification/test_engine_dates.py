"""The 核对 engine's look-back day (engine.verification.year_before) on an ordinary day and on 29 February —
written against mutmut's survivors (docs/testing.md)."""

import datetime

from huimin.engine import verification as engine

D = datetime.date


def test_a_year_before_an_ordinary_day():
    assert engine.year_before(D(2026, 12, 6)) == D(2025, 12, 6)
    assert engine.year_before(D(2026, 1, 1)) == D(2025, 1, 1)


def test_a_year_before_29_february_is_28_february():
    assert engine.year_before(D(2028, 2, 29)) == D(2027, 2, 28)
    assert engine.year_before(D(2028, 2, 28)) == D(2027, 2, 28)
    assert engine.year_before(D(2027, 3, 1)) == D(2026, 3, 1)
