"""The suite passes on any date: the date-sensitive tests run again with the clock moved far from today.

Each date is a moment in Beijing time when something turns over: the Spring Festival holidays (deadlines counted
in working days), the last day of a month and the first minutes of a year, when Beijing is already in the new
year while UTC is still in the old one (so ``datetime.date.today()`` on a UTC machine and ``timezone.localdate()``
disagree). A test that reads today's date without pinning it fails here.
"""

import os
import subprocess
import sys
from pathlib import Path

import dj_database_url
import pytest

ROOT = Path(__file__).resolve().parent.parent

FAR_DATES = [
    "2026-02-17T09:30",  # 春节 2026: the holidays run 2026-02-15 … 2026-02-23
    "2027-01-31T09:30",  # the last day of a month, a year the holiday data does not cover yet
    "2027-01-01T00:30",  # Beijing in 2027, UTC still in 2026
]

# The tests that read today's date instead of pinning it (tests whose data carries fixed dates pin the clock with
# tests.clock.at and need not run again).
DATE_SENSITIVE = [
    "tests/assistance",
    "tests/portal/test_portal.py",
    "tests/core/test_accounts.py",
    "tests/api/test_clients.py",
    "tests/security/test_api_tokens.py",
]


def _database_url_for_the_slice(today: str) -> str:
    """The same server, another database for each date, so the slice's test database meets neither this session's
    nor another date's slice running beside it in a parallel worker."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        pytest.skip("the far-date slice runs against PostgreSQL (make test sets DATABASE_URL)")
    config = dj_database_url.parse(url)
    return url.rsplit("/", 1)[0] + f"/{config['NAME']}_any_date_{FAR_DATES.index(today)}"


@pytest.mark.parametrize("today", FAR_DATES)
def test_date_sensitive_tests_pass_with_the_clock_moved(today):
    env = {**os.environ, "DATABASE_URL": _database_url_for_the_slice(today)}
    # a fresh database each date: a reused one lacks what the migrations seeded once a transactional test flushed it
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-m", "not e2e", "--create-db",
               f"--today={today}"]  # fmt: skip
    result = subprocess.run(  # noqa: S603 — our own interpreter and test paths
        [*command, *DATE_SENSITIVE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=1800
    )
    summary = "\n".join(result.stdout.splitlines()[-40:])
    assert result.returncode == 0, f"on {today}:\n{summary}\n{result.stderr[-2000:]}"
