"""Shared fixtures: a small region tree under 驿城区 (the national tree to county level comes with migrate),
users of every role, and logged-in clients."""

import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from hypothesis import HealthCheck, settings

from huimin.core.models import Region
from huimin.core.roles import Role

COUNTY = "411702000000"  # 驻马店市驿城区 (real code, loaded by the national migration)
TOWN_A = "411702001000"  # synthetic townships and villages beneath it
TOWN_B = "411702002000"
VILLAGE_A1 = "411702001001"
VILLAGE_A2 = "411702001002"
VILLAGE_B1 = "411702002001"
OTHER_COUNTY = "411721000000"  # 西平县

PASSWORD = "Test-Passw0rd!"

# Property tests check what holds, not how fast examples are drawn: on a 2-core machine shared with the browser
# walks, hypothesis's timing health checks and per-example deadline failed tests whose properties held.
settings.register_profile("huimin", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("huimin")


def _own_directories_per_worker():
    """``make test`` runs the suite in parallel processes (pytest-xdist); each gets its own database (pytest-django)
    and, here, its own var/ and media/ so that files named after a row id do not meet. The per-checkout secrets are
    copied so that every process, and the child processes the tests start, encrypt with the same keys."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return
    shared = Path(django_settings.VAR_DIR)
    own = shared / "workers" / worker
    own.mkdir(parents=True, exist_ok=True)
    for secret in shared.glob(".*"):
        if secret.is_file():
            shutil.copy2(secret, own / secret.name)
    os.environ["HUIMIN_VAR_DIR"] = str(own)
    django_settings.VAR_DIR = own
    django_settings.MEDIA_ROOT = own / "media"
    django_settings.HUIMIN_ENGINE_TEMP_DIR = own / "engine" / "tmp"


_own_directories_per_worker()


def pytest_addoption(parser):
    parser.addoption(
        "--today",
        metavar="YYYY-MM-DD",
        help="run the whole session as if today were this date (the clock still ticks); tests that pin their own "
        "date with time_machine keep it. tests/test_any_date.py runs a date-sensitive slice this way.",
    )


@pytest.fixture(scope="session", autouse=True)
def _session_today(request):
    """With ``--today``, every test of the session sees that moment in Beijing time (09:30 when only a date is
    given), the clock ticking on from it."""
    today = request.config.getoption("--today")
    if not today:
        yield
        return
    import datetime as dt
    import zoneinfo

    import time_machine

    start = dt.datetime.fromisoformat(today if "T" in today else f"{today}T09:30")
    start = start.replace(tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))
    with time_machine.travel(start, tick=True):
        yield


def pytest_collection_modifyitems(items):
    """Transactional tests empty every table when they end. With serialized_rollback each one restores what
    the migrations seeded (regions, programmes …) first; mixing the two kinds breaks whichever runs next."""
    for item in items:
        marker = item.get_closest_marker("django_db")
        if marker and marker.kwargs.get("transaction") and not marker.kwargs.get("serialized_rollback"):
            raise pytest.UsageError(
                f"{item.nodeid}: use @pytest.mark.django_db(transaction=True, serialized_rollback=True)"
            )


@pytest.fixture(scope="session", autouse=True)
def _demo_city_loaded_once():
    """Every ``huimin.demo.loader.load`` of the session goes through tests/demo_cache.py: the first load with given
    arguments runs, the next identical ones put its copy back (seconds instead of a minute each)."""
    from huimin.demo import loader
    from tests import demo_cache

    loader.load = demo_cache.load
    yield
    loader.load = demo_cache._real_load


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Rate-limit counters live in the cache (huimin.core.ratelimit); each test starts with none, whatever the
    tests before it posted from the same address."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def seeded(db):
    """What the data migrations seed (regions, the audit head, programmes, warning rules). A transactional
    (browser) test empties every table when it ends, and the live server's tests do not get the serialized
    rollback back, so the seed is put back here for every test that needs it."""
    from huimin.core.models import AuditHead
    from huimin.core.region_data import load_national

    if not Region.objects.filter(code=COUNTY).exists():
        load_national()
    AuditHead.objects.get_or_create(id=1)
    from huimin.assistance import defaults as assistance_defaults
    from huimin.eligibility import defaults as eligibility_defaults
    from huimin.monitoring import defaults as monitoring_defaults
    from huimin.stats import defaults as stats_defaults

    eligibility_defaults.ensure()
    assistance_defaults.ensure()
    from huimin.assistance.models import DutySeparation, Programme
    from huimin.elderly import allowance_defaults
    from huimin.elderly.models import AllowancePolicy

    allowance_defaults.load(Programme, AllowancePolicy, DutySeparation)  # 高龄津贴 and the 养老服务 subsidies
    from huimin.benefits import funds as benefits_funds

    benefits_funds.load_defaults()  # which programmes the monthly payroll pays, out of which fund
    monitoring_defaults.ensure()
    from huimin.elderly import defaults as elderly_defaults

    elderly_defaults.ensure()
    from huimin.homecare import defaults as homecare_defaults

    homecare_defaults.ensure()
    from huimin.elderly import visit_defaults

    visit_defaults.ensure()
    from huimin.children import defaults as children_defaults

    children_defaults.ensure()
    from huimin.core import duties

    duties.ensure_defaults()  # the two-person rules (written on post_migrate, which a flush does not send again)
    from huimin.orgs import defaults as orgs_defaults

    orgs_defaults.ensure()
    from huimin.places import defaults as places_defaults

    places_defaults.ensure()
    stats_defaults.ensure()


@pytest.fixture
def regions(seeded):
    county = Region.objects.get(code=COUNTY)
    town_a = Region.objects.create(code=TOWN_A, name="顺河街道", level=4, parent=county)
    town_b = Region.objects.create(code=TOWN_B, name="老街街道", level=4, parent=county)
    Region.objects.create(code=VILLAGE_A1, name="交通路社区", level=5, parent=town_a, urban_rural_code="111")
    Region.objects.create(code=VILLAGE_A2, name="小王庄村", level=5, parent=town_a, urban_rural_code="220")
    Region.objects.create(code=VILLAGE_B1, name="胡庙村", level=5, parent=town_b, urban_rural_code="220")
    return {r.code: r for r in Region.objects.filter(code__startswith="411702")} | {
        OTHER_COUNTY: Region.objects.get(code=OTHER_COUNTY)
    }


@pytest.fixture(scope="session")
def password_hash():
    """Argon2 is slow on purpose; hash the shared test password once, not for every fixture user."""
    from django.contrib.auth.hashers import make_password

    return make_password(PASSWORD)


@pytest.fixture
def make_user(db, django_user_model, password_hash):
    def make(username: str, role: str, region_code: str, **extra):
        """An account holding ``role`` — on the 社会救助 line for a business role, unless ``line=`` names
        another; ``also=[(role, line), …]`` adds more assignments; ``role=""`` gives none."""
        from huimin.core.models import RoleAssignment
        from huimin.core.roles import SYSTEM_ROLES, BusinessLine

        line = extra.pop("line", BusinessLine.ASSISTANCE)
        pairs = [(role, "" if role in SYSTEM_ROLES else line)] if role else []
        pairs += list(extra.pop("also", ()))
        user = django_user_model(
            username=username,
            full_name=extra.pop("full_name", username),
            region=Region.objects.get(code=region_code),
            must_change_password=extra.pop("must_change_password", False),
            **extra,
        )
        user.password = password_hash
        user.save()
        RoleAssignment.objects.bulk_create(RoleAssignment(user=user, role=r, line=ln) for r, ln in pairs)
        return user

    return make


@pytest.fixture
def users(regions, make_user):
    return {
        "assistant_a": make_user("assistant_a", Role.ASSISTANT, VILLAGE_A1),
        "clerk_a": make_user("clerk_a", Role.CLERK, TOWN_A),
        "clerk_b": make_user("clerk_b", Role.CLERK, TOWN_B),
        "reviewer_a": make_user("reviewer_a", Role.REVIEWER, TOWN_A),
        "approver": make_user("approver", Role.APPROVER, COUNTY),
        "statistician": make_user("statistician", Role.STATISTICIAN, "411700000000"),
        "sysadmin": make_user("sysadmin", Role.SYSADMIN, "411700000000"),
        "security": make_user("security", Role.SECURITY, "411700000000"),
        "auditor": make_user("auditor", Role.AUDITOR, "411700000000"),
    }


@pytest.fixture
def login(client):
    """login(user) → a test client logged in as that user."""

    def do(user):
        client.force_login(user)
        return client

    return do
