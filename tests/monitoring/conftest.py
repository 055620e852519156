"""The demo city as ``huimin demo load`` leaves it (registry, real enrolments, departmental snapshots), and the
generator's ground truth for the same seed (the generator is deterministic: same seed, same city)."""

import pyarrow.parquet as pq
import pytest
from django.test import override_settings

from huimin.core.models import User
from huimin.core.roles import Role
from huimin.demo import generator, loader
from tests.clock import at

AS_OF = generator.DEFAULT_AS_OF
PERSONS = 3000
SEED = 1
CITY = "411700000000"


@pytest.fixture(autouse=True)
def _pinned_clock():
    """The demo city is generated as of generator.DEFAULT_AS_OF; its records may not lie in the future."""
    with at(2026, 11, 20):
        yield


@pytest.fixture
def city(seeded, tmp_path):
    out = tmp_path / "city"
    generator.generate(out, PERSONS, SEED, AS_OF)
    with override_settings(VAR_DIR=str(tmp_path / "var")):
        loader.load(PERSONS, SEED, AS_OF)
        yield {"dir": out, "truth": pq.read_table(out / "ground_truth.parquet").to_pylist(),
               "households": pq.read_table(out / "households.parquet").to_pylist()}  # fmt: skip


def city_user(user: User) -> User:
    """An approver placed at the city level (rules and runs are city/county business)."""
    user.region_id = CITY
    user.save()
    return user


@pytest.fixture
def city_approver(city):
    return city_user(
        User.objects.with_role(Role.APPROVER).filter(username__startswith="sp").order_by("username").first()
    )
