"""Registry benchmark: 台账 import of a large .xlsx file, and ID-number search on a large registry.

* import — a township 台账 of ``import_rows`` persons (≈3 a household) checked (dry run) and committed in one
  transaction through ``huimin.registry.excel``, into a registry already holding the search population.
  Target: commit of 100,000 rows < 60 s.
  Baseline: the same households registered one by one through ``registry.services.register_household`` (the
  path of the registration form: per-person checks, audit entry and duplicate scan), on a sample, extrapolated.
* id search — ``registry.search.persons`` (the path the pages and API use: scope filter + blind index) for
  random ID numbers among ``persons`` persons bulk-loaded with COPY (ciphertext and blind index computed here).
  Target: p95 < 50 ms on 1,000,000 persons. Baseline: the same query with PostgreSQL index scans switched off
  (what the search would cost without the blind-index B-tree), on a sample.

Runs against a dedicated PostgreSQL database (``huimin_bench`` on the server of DATABASE_URL), which it empties
of registry rows at the start. ``python -m bench.scenarios.registry small|full`` runs it alone and records
``bench/results/registry-<date>.json``.
"""

import datetime
import json
import os
import pathlib
import random
import resource
import statistics
import sys
import tempfile
import time

SIZES = {
    "small": {"persons": 50_000, "import_rows": 5_000, "searches": 300, "baseline_rows": 300, "baseline_searches": 20},
    "full": {"persons": 1_000_000, "import_rows": 100_000, "searches": 500, "baseline_rows": 1_000,
             "baseline_searches": 20},
}  # fmt: skip
TARGETS = {"import_100k_commit_s": 60.0, "id_search_p95_ms": 50.0}
BENCH_DB = "huimin_bench"
# Real county codes (loaded by the national migration) for the search population; the import uses 驿城区.
BASE_COUNTIES = ["410102", "410103", "410104", "410105", "410122", "410181", "410182", "410183", "410184",
                 "410185", "410202", "410203", "410204", "410205", "410212", "410221", "410222", "410223",
                 "410225", "410302"]  # fmt: skip
IMPORT_COUNTY = "411702"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国玉兰志强海燕文"


def _bench_url() -> str:
    url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/huimin")
    if not url.startswith("postgres"):
        raise SystemExit("registry 基准需要 PostgreSQL：请设置 DATABASE_URL=postgres://…")
    return url.rsplit("/", 1)[0] + "/" + BENCH_DB


def _setup_django() -> None:
    """Point Django at the bench database (creating it), whether or not the harness set Django up already."""
    import psycopg

    url = _bench_url()
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [BENCH_DB]).fetchone():
            conn.execute(f'CREATE DATABASE "{BENCH_DB}"')
    from django.conf import settings

    if settings.configured:
        from django.db import connections

        connections["default"].close()
        connections["default"].settings_dict["NAME"] = BENCH_DB
    else:
        os.environ["DATABASE_URL"] = url
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huimin.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _names(rng: random.Random, count: int) -> list[str]:
    return [rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2)))) for _ in range(count)]


def _ids(region6: str, count: int, start: datetime.date, offset: int = 0) -> list[tuple[str, datetime.date]]:
    from huimin.registry import idnumbers

    out = []
    for k in range(offset, offset + count):  # births spread over ~55 years, as in a real population
        birth = start + datetime.timedelta(days=k % 20000)
        out.append((idnumbers.make(region6, birth, k // 20000), birth))
    return out


def _reset(cursor) -> None:
    cursor.execute(
        "TRUNCATE registry_duplicatecandidate, registry_lifeevent, registry_membership, registry_importjob, "
        "registry_person, registry_household RESTART IDENTITY CASCADE"
    )


def _copy_persons(count: int, rng: random.Random) -> list[str]:
    """COPY ``count`` persons spread over BASE_COUNTIES; returns their ID numbers."""
    from functools import lru_cache

    from django.db import connection
    from django.utils import timezone

    from huimin.core import crypto
    from huimin.registry import persons

    pinyin = lru_cache(maxsize=None)(persons.pinyin_of)
    columns = ["name", "name_pinyin", "name_initials", "id_number", "id_number_bidx", "id_number_sfx",
               "disability_cert_no_bidx", "no_id_reason", "sex",
               "birth_date", "ethnicity", "region_id", "has_residence_permit", "is_urban", "urban_rural_overridden",
               "phone", "phone_bidx", "bank_account", "bank_name", "labour_ability", "health", "serious_illness",
               "disability_category", "disability_cert_no", "marital_status", "education", "special_statuses",
               "is_deceased", "created_at", "updated_at"]  # fmt: skip
    names = _names(rng, 5000)
    now = timezone.now()
    numbers = []
    per_county = -(-count // len(BASE_COUNTIES))
    with connection.cursor() as cursor:
        raw = cursor.cursor
        with raw.copy(f"COPY registry_person ({', '.join(columns)}) FROM STDIN") as copy:
            for c, county in enumerate(BASE_COUNTIES):
                n = min(per_county, count - c * per_county)
                for number, birth in _ids(county, n, datetime.date(1940, 1, 1)):
                    name = names[len(numbers) % len(names)]
                    full, initials = pinyin(name)
                    copy.write_row(
                        (name, full, initials, crypto.encrypt(number), crypto.blind_index("id_number", number),
                         crypto.suffix_index("id_number", number, 6), "", "",
                         "1" if int(number[16]) % 2 else "2", birth, "01", county + "000000", False, False, False,
                         "", "", "", "", "able", "healthy", "", "", "", "90", "", "[]", False, now, now)
                    )  # fmt: skip
                    numbers.append(number)
        cursor.execute("ANALYZE registry_person")
    return numbers


def _import_file(path: pathlib.Path, rows: int, villages: list[str], rng: random.Random) -> None:
    from openpyxl import Workbook

    from huimin.registry import excel

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(excel.SHEET_NAME)
    sheet.append([c.header for c in excel.COLUMNS])
    keys = [c.key for c in excel.COLUMNS]
    names = _names(rng, 5000)
    relations = ["户主", "配偶", "子", "女"]
    household, member = 0, 0
    for k, (number, _birth) in enumerate(_ids(IMPORT_COUNTY, rows, datetime.date(1950, 1, 1))):
        if member == 0:
            size = rng.choice((1, 2, 3, 3, 4))
            household += 1
        values = {"household_number": f"B{household:07d}", "relation": relations[member], "name": names[k % len(names)],
                  "id_number": number, "region": villages[household % len(villages)], "address": f"{household} 号",
                  "phone": f"139{k:08d}", "health": "健康"}  # fmt: skip
        sheet.append([values.get(key, "") for key in keys])
        member = (member + 1) % size
    workbook.save(path)


def _villages() -> list[str]:
    from huimin.core.models import Region

    county = Region.objects.get(code=IMPORT_COUNTY + "000000")
    codes = []
    for t in range(1, 11):
        town, _ = Region.objects.get_or_create(
            code=f"{IMPORT_COUNTY}{100 + t:03d}000", defaults={"name": f"基准镇{t}", "level": 4, "parent": county}
        )
        for v in range(1, 21):
            code = f"{IMPORT_COUNTY}{100 + t:03d}{v:03d}"
            Region.objects.get_or_create(
                code=code, defaults={"name": f"基准村{t}-{v}", "level": 5, "parent": town, "urban_rural_code": "220"}
            )
            codes.append(code)
    return codes


def _user(code: str, username: str):
    from huimin.core.models import Region, RoleAssignment, User
    from huimin.core.roles import BusinessLine, Role

    user, created = User.objects.get_or_create(
        username=username, defaults={"region": Region.objects.get(code=code), "must_change_password": False}
    )
    if created:
        RoleAssignment.objects.create(user=user, role=Role.CLERK, line=BusinessLine.ASSISTANCE)
    return user


def _baseline_import(rows: int, villages: list[str], clerk, rng: random.Random) -> int:
    """Register ``rows`` persons household by household through the registration service; returns the count."""
    from huimin.core.context import acting_as, actor_for
    from huimin.core.models import Region
    from huimin.registry import services

    region_of = {r.code: r for r in Region.objects.filter(code__in=villages)}
    names = _names(rng, 1000)
    ids = _ids("411721", rows, datetime.date(1955, 1, 1))
    done, household = 0, 0
    with acting_as(actor_for(clerk)):
        while done < rows:
            size = min(rng.choice((1, 2, 3, 3, 4)), rows - done)
            members = [
                services.MemberInput(relation="01" if m == 0 else "10", data={"name": names[(done + m) % 1000],
                                                                              "id_number": ids[done + m][0]})
                for m in range(size)
            ]  # fmt: skip
            household += 1
            services.register_household(
                clerk, region=region_of[villages[household % len(villages)]], members=members,
                on=datetime.date.today(), number=f"R{household:07d}",
            )  # fmt: skip
            done += size
    return done


def _baseline_search(user, numbers: list[str]) -> float:
    from django.db import connection, transaction

    from huimin.registry import search

    latencies = []
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute("SET LOCAL enable_indexonlyscan = off")
        for number in numbers:
            started = time.perf_counter()
            assert len(list(search.persons(user, q=number)[:30])) == 1
            latencies.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(latencies), 2)


def _peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def run(size: str, workdir: pathlib.Path) -> dict:
    spec = SIZES[size]
    workdir = pathlib.Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    _setup_django()
    from django.db import connection

    from huimin.core.context import SYSTEM, acting_as
    from huimin.registry import excel, search

    rng = random.Random(20261123)
    timings: dict[str, float] = {}
    with connection.cursor() as cursor:
        _reset(cursor)

    started = time.perf_counter()
    numbers = _copy_persons(spec["persons"], rng)
    timings["load_persons_copy_s"] = round(time.perf_counter() - started, 2)

    villages = _villages()
    path = workdir / f"registry-import-{spec['import_rows']}.xlsx"
    started = time.perf_counter()
    _import_file(path, spec["import_rows"], villages, rng)
    timings["write_import_file_s"] = round(time.perf_counter() - started, 2)

    clerk = _user(IMPORT_COUNTY + "000000", "bench_clerk")
    with acting_as(SYSTEM):
        started = time.perf_counter()
        checked = excel.check(path, clerk)
        timings["import_dry_run_s"] = round(time.perf_counter() - started, 2)
        if not checked.ok:
            raise RuntimeError(f"bench file has errors: {checked.error_list()[:5]}")
        started = time.perf_counter()
        result = excel.commit(path, clerk, file_name=path.name)
        timings["import_commit_s"] = round(time.perf_counter() - started, 2)
    assert result.ok and result.persons == spec["import_rows"]

    started = time.perf_counter()
    baseline_rows = _baseline_import(spec["baseline_rows"], villages, clerk, rng)
    timings["baseline_row_by_row_sample_s"] = round(time.perf_counter() - started, 2)
    timings["baseline_row_by_row_projected_s"] = round(
        timings["baseline_row_by_row_sample_s"] * spec["import_rows"] / baseline_rows, 1
    )

    province_user = _user("410000000000", "bench_province")
    samples = rng.sample(numbers, spec["searches"])
    list(search.persons(province_user, q=samples[0])[:30])  # warm the connection and caches
    latencies = []
    for number in samples:
        started = time.perf_counter()
        found = list(search.persons(province_user, q=number)[:30])
        latencies.append((time.perf_counter() - started) * 1000)
        assert len(found) == 1
    latencies.sort()
    timings["id_search_p50_ms"] = round(statistics.median(latencies), 2)
    timings["id_search_p95_ms"] = round(latencies[int(len(latencies) * 0.95) - 1], 2)
    timings["id_search_max_ms"] = round(latencies[-1], 2)
    initials = []
    for _ in range(50):
        started = time.perf_counter()
        list(search.persons(province_user, q="zw")[:30])
        initials.append((time.perf_counter() - started) * 1000)
    timings["initials_search_p50_ms"] = round(statistics.median(initials), 2)
    timings["baseline_id_search_no_index_p50_ms"] = _baseline_search(
        province_user, samples[: spec["baseline_searches"]]
    )

    rows_per_s = spec["import_rows"] / timings["import_commit_s"]
    projected = 100_000 / rows_per_s
    full = size == "full"
    return {
        "scenario": "registry",
        "sizes": {"size": size, **spec},
        "timings_s": timings,
        "ratios": {
            "import_rows_per_s": round(rows_per_s, 1),
            "import_100k_projected_s": round(projected, 1),
            "baseline_row_by_row / import_commit": round(
                timings["baseline_row_by_row_projected_s"] / timings["import_commit_s"], 1
            ),
            "baseline_no_index / id_search_p50": round(
                timings["baseline_id_search_no_index_p50_ms"] / timings["id_search_p50_ms"], 1
            ),
        },
        "peak_memory_mb": _peak_mb(),
        "targets": {
            "import_100k_commit_lt_60s": (timings["import_commit_s"] if full else projected)
            < TARGETS["import_100k_commit_s"],
            "id_search_p95_lt_50ms": timings["id_search_p95_ms"] < TARGETS["id_search_p95_ms"],
        },
        "notes": (
            f"{'measured' if full else 'small size: the 100k import target is judged on a linear projection'}; "
            f"registry held {spec['persons']} persons (COPY-loaded) during the import and the searches; "
            "commit time includes its own re-check of every row; baselines: row-by-row registration through "
            "services.register_household on a sample, extrapolated linearly; the ID search with index scans off; "
            "search = registry.search.persons with a "
            "province-level scope filter; timings_s entries ending in _ms are milliseconds; "
            f"{os.cpu_count()} cores shared with other work."
        ),
    }


if __name__ == "__main__":
    size = sys.argv[1] if len(sys.argv) > 1 else "small"
    root = pathlib.Path(__file__).resolve().parents[1]
    outcome = run(size, pathlib.Path(tempfile.gettempdir()) / "huimin-bench-registry")
    out_dir = root / "results"
    out_dir.mkdir(exist_ok=True)
    out = out_dir / f"registry-{datetime.date.today():%Y-%m-%d}{'' if size == 'full' else '-' + size}.json"
    out.write_text(json.dumps(outcome, ensure_ascii=False, indent=2) + "\n")
    print(json.dumps(outcome, ensure_ascii=False, indent=2))
