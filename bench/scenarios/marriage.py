"""婚姻登记 benchmark: the subsisting-marriage check on a national-size archive, and registrations at the window.

* check — ``marriage.services.subsisting_offices`` (the query every 结婚登记 runs for each party: two probes of the
  partial indexes on the parties' blind indexes, rows of every region and year) for random ID numbers among an
  archive of ``records`` marriage records loaded with COPY (ciphertext and blind indexes computed here), half of
  them people who are in the archive. Target: p95 < 20 ms on 10,000,000 records.
  Baseline: the same query with PostgreSQL index scans switched off (what the check costs without the index: a scan
  of every record per person), on a sample.
* registrations over HTTP (the target) — the load harness (``bench/load/run.py``, locust, with the user class
  ``bench/load/marriage.py:Officer``) against gunicorn (``load.WORKERS`` sync workers, DEBUG off) on this
  database: ``officers`` 婚姻登记员 of the county, each logged in once, register couple after couple at the same
  office (the worst case for the certificate counter) through the page's POST (``action=register``: the parties
  locked, the rules, the number, the record, the registry, the audit entry), waiting ``WAIT_S`` between couples
  (~2.7 registrations a second offered: a day's 1,000 in about six minutes, ~75 times a 1,000-a-day office's
  average over 8 hours). The steady state after the logins is measured for ``seconds`` (full: over 1,000
  registrations). Target: p95 < 300 ms.
* registrations in process — ``do_register_marriage`` by ``threads`` threads at once, ``registrations`` in all:
  the service's own time without HTTP, sessions and templates (informative).

Runs against a dedicated PostgreSQL database (``huimin_bench_marriage``), emptied of marriage rows at the start.
"""

import concurrent.futures
import datetime
import json
import os
import pathlib
import random
import resource
import statistics
import subprocess
import sys
import time

SIZES = {
    "small": {"records": 200_000, "checks": 300, "baseline_checks": 10, "registrations": 200, "threads": 4,
              "officers": 8, "seconds": 60},
    "full": {"records": 10_000_000, "checks": 500, "baseline_checks": 5, "registrations": 1_000, "threads": 4,
             "officers": 8, "seconds": 420},
}  # fmt: skip
WAIT_S = (2, 4)  # between an officer's couples: 8 officers offer ~2.7 registrations/s, ~75× a 1,000-a-day office
RECORDS = int(os.environ.get("HUIMIN_BENCH_MARRIAGE_RECORDS", "0"))  # another archive size (e.g. a 2 M step)
TARGETS = {"check_p95_ms": 20.0, "registration_p95_ms": 300.0}
BENCH_DB = "huimin_bench_marriage"
AREAS = ["410102", "410103", "410302", "411102", "411702", "411721", "411722", "411723", "420102", "440103"]


def _bench_url() -> str:
    url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/huimin")
    if not url.startswith("postgres"):
        raise SystemExit("marriage 基准需要 PostgreSQL：请设置 DATABASE_URL=postgres://…")
    return url.rsplit("/", 1)[0] + "/" + BENCH_DB


def _setup_django() -> None:
    import psycopg

    url = _bench_url()
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
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


def _number(k: int) -> tuple[str, datetime.date]:
    from huimin.registry import idnumbers

    birth = datetime.date(1950, 1, 1) + datetime.timedelta(days=(k // 1000) % 20000)
    return idnumbers.make(AREAS[(k // 20_000_000) % len(AREAS)], birth, k % 1000), birth


def _copy_archive(count: int) -> bool:
    """COPY ``count`` marriage records (80 % still subsisting); party k is male when k is odd. False: the archive
    of a previous run was reused."""
    from django.db import connection
    from django.utils import timezone

    from huimin.core import crypto

    columns = [
        "kind",
        "number",
        "office_name",
        "region_id",
        "registered_on",
        "status",
        "status_basis",
        "source",
        "agreement",
        "first_marriage_male",
        "first_marriage_female",
        "verify_token",
        "scan",
        "created_at",
        "male_name",
        "male_id_number",
        "male_id_number_bidx",
        "male_birth_date",
        "female_name",
        "female_id_number",
        "female_id_number_bidx",
        "female_birth_date",
    ]
    now = timezone.now()
    with connection.cursor() as cursor:
        # what a previous run registered goes; the archive is reused while it holds ``count`` records
        cursor.execute(
            "TRUNCATE marriage_request, marriage_divorceapplication, marriage_counselling, "
            "marriage_refusal, marriage_appointment, marriage_counter, marriage_specialdate"
        )
        cursor.execute("DELETE FROM marriage_record WHERE source <> 'archive' OR office_id IS NOT NULL")
        cursor.execute("DELETE FROM marriage_office")
        cursor.execute("SELECT count(*) FROM marriage_record")
        if cursor.fetchone()[0] == count:
            return False
        cursor.execute("TRUNCATE marriage_record RESTART IDENTITY CASCADE")
        # plain indexes are built after the COPY (one sort each instead of 2 × count insertions)
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'marriage_record' AND indexname NOT IN "
            "(SELECT conname FROM pg_constraint WHERE conrelid = 'marriage_record'::regclass)"
        )
        plain = cursor.fetchall()
        for name, _ in plain:
            cursor.execute(f'DROP INDEX "{name}"')
        with cursor.cursor.copy(f"COPY marriage_record ({', '.join(columns)}) FROM STDIN") as copy:
            for i in range(count):
                male, mb = _number(2 * i + 1)
                female, fb = _number(2 * i)
                day = datetime.date(1985, 1, 1) + datetime.timedelta(days=i % 14000)
                copy.write_row(
                    (
                        "marriage",
                        f"A{i:09d}",
                        f"档案机关{i % 3000}",
                        "411702000000",
                        day,
                        "valid" if i % 5 else "dissolved",
                        "",
                        "archive",
                        "",
                        True,
                        True,
                        f"t{i}",
                        "",
                        now,
                        "男",
                        crypto.encrypt(male),
                        crypto.blind_index("id_number", male),
                        mb,
                        "女",
                        crypto.encrypt(female),
                        crypto.blind_index("id_number", female),
                        fb,
                    )
                )
        for _, definition in plain:
            cursor.execute(definition)
        cursor.execute("ANALYZE marriage_record")
    return True


def _percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def _checks(count: int, records: int, rng: random.Random, *, index: bool) -> list[float]:
    from django.db import connection, transaction

    from huimin.marriage import services

    out = []
    for _ in range(count):
        k = rng.randrange(4 * records)  # half in the archive, half not
        number, _ = _number(k)
        with transaction.atomic():
            if not index:
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL enable_indexscan = off; SET LOCAL enable_bitmapscan = off")
            start = time.perf_counter()
            services.subsisting_offices(number)
            out.append((time.perf_counter() - start) * 1000)
    return out


def _registrations(count: int, threads: int) -> list[float]:
    from django.db import connection

    from huimin.core.context import acting_as, actor_for
    from huimin.core.models import Region, RoleAssignment, User
    from huimin.core.roles import BusinessLine, Role
    from huimin.marriage import services
    from huimin.marriage.models import Office
    from huimin.registry import idnumbers

    region = Region.objects.get(code="411702000000")
    office = Office.objects.create(code="bench", name="基准婚姻登记处", region=region, daily_capacity=1000)
    officer, _ = User.objects.get_or_create(username="bench_marriage", defaults={"region": region})
    RoleAssignment.objects.get_or_create(user=officer, role=Role.CLERK, line=BusinessLine.MARRIAGE)

    def one(k: int) -> float:
        m = services.PartyInput(
            "男方",
            idnumbers.make("411702", datetime.date(1995, 1, 1) + datetime.timedelta(days=k // 500), 2 * (k % 500) + 1),
        )
        f = services.PartyInput(
            "女方",
            idnumbers.make("411702", datetime.date(1997, 1, 1) + datetime.timedelta(days=k // 500), 2 * (k % 500)),
        )
        start = time.perf_counter()
        with acting_as(actor_for(officer)):
            services.do_register_marriage(officer, office, m, f, no_kinship_declared=True)
        took = (time.perf_counter() - start) * 1000
        connection.close()
        return took

    with concurrent.futures.ThreadPoolExecutor(threads) as pool:
        return list(pool.map(one, range(count)))


def _couple(k: int, base: int) -> tuple[str, str]:
    from huimin.registry import idnumbers

    born = datetime.timedelta(days=k // 500)
    return (
        idnumbers.make("411702", datetime.date(base, 1, 1) + born, 2 * (k % 500) + 1),
        idnumbers.make("411702", datetime.date(base + 2, 1, 1) + born, 2 * (k % 500)),
    )


def _http_registrations(p: dict, workdir: pathlib.Path) -> dict:
    """The load harness against gunicorn: ``officers`` officers registering at one office (see the docstring)."""
    from django.contrib.auth.hashers import make_password

    from bench.scenarios import load
    from huimin.core.models import Region, RoleAssignment, User
    from huimin.core.roles import BusinessLine, Role
    from huimin.marriage.models import Office

    region = Region.objects.get(code="411702000000")
    office = Office.objects.create(  # its own numbering: the in-process office of the same county counts too
        code="bench-http", name="基准婚姻登记处（窗口）", region=region, daily_capacity=2000,
        number_format="{prefix}{area}-W-{year}-{seq:06d}",
    )  # fmt: skip
    password = make_password("Huimin@2026")
    accounts = []
    per_officer = 400  # more than an officer registers in the measured time
    for i in range(p["officers"]):
        user, _ = User.objects.update_or_create(
            username=f"bench_window_{i}",
            defaults={"region": region, "password": password, "is_active": True, "must_change_password": False},
        )
        RoleAssignment.objects.get_or_create(user=user, role=Role.CLERK, line=BusinessLine.MARRIAGE)
        couples = [_couple(i * per_officer + k, 1980) for k in range(per_officer)]
        accounts.append({"username": user.username, "couples": couples})
    workdir.mkdir(parents=True, exist_ok=True)
    plan_path, stats_path, log_path = workdir / "plan.json", workdir / "locust.json", workdir / "gunicorn.log"
    plan_path.write_text(json.dumps({"office": office.pk, "accounts": accounts}))
    stats_path.unlink(missing_ok=True)
    root = pathlib.Path(__file__).resolve().parents[2]
    env = {**os.environ, "DATABASE_URL": _bench_url(), "DJANGO_SETTINGS_MODULE": "huimin.settings",
           "PYTHONPATH": f"{root / 'src'}:{root}", "HUIMIN_DEBUG": "0", "HUIMIN_ALLOWED_HOSTS": "127.0.0.1",
           "HUIMIN_LOG_LEVEL": "ERROR", "HUIMIN_LOAD_PLAN": str(plan_path),
           "HUIMIN_LOAD_WAIT_MIN": str(WAIT_S[0]), "HUIMIN_LOAD_WAIT_MAX": str(WAIT_S[1])}  # fmt: skip
    port = load._free_port()
    host = f"http://127.0.0.1:{port}"
    server = harness = None
    try:
        with log_path.open("w") as log:
            server = subprocess.Popen(
                [load.BIN / "gunicorn", "huimin.wsgi", "-b", f"127.0.0.1:{port}", "-w", str(load.WORKERS),
                 "--timeout", "120", "--access-logfile", "-", "--access-logformat", '%(s)s %(M)sms "%(r)s"'],
                env=env, cwd=root, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        load._wait_ready(host, server, log_path)
        load._warm_up(host)
        harness = subprocess.Popen(
            [sys.executable, "-m", "bench.load.run", "--host", host, "--users", str(p["officers"]),
             "--spawn-rate", "4", "--seconds", str(p["seconds"]), "--out", str(stats_path),
             "--user-class", "bench.load.marriage:Officer"],
            env=env, cwd=root, start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        out, _ = harness.communicate(timeout=p["seconds"] + 300)
        if harness.returncode != 0 or not stats_path.exists():
            raise RuntimeError(f"locust 运行失败（{harness.returncode}）：{out[-1500:]}")
    finally:
        load._stop(harness)
        load._stop(server)
    stats = json.loads(stats_path.read_text())
    return {"stats": stats, "register": stats["paths"].get("POST register", {}), "office": office}


def run(size: str, workdir=None) -> dict:
    _setup_django()
    p = dict(SIZES[size])
    if RECORDS:
        p["records"] = RECORDS
    workdir = pathlib.Path(workdir) if workdir else pathlib.Path(__file__).resolve().parents[1] / "data" / "marriage"
    rng = random.Random(20)
    t0 = time.perf_counter()
    copied = _copy_archive(p["records"])
    load_s = time.perf_counter() - t0
    _checks(20, p["records"], rng, index=True)  # warm the cache
    indexed = _checks(p["checks"], p["records"], rng, index=True)
    baseline = _checks(p["baseline_checks"], p["records"], rng, index=False)
    t1 = time.perf_counter()
    regs = _registrations(p["registrations"], p["threads"])
    regs_s = time.perf_counter() - t1
    load_before = os.getloadavg()[0]
    http = _http_registrations(p, workdir)
    reg = http["register"]
    done = reg.get("requests", 0) + http["stats"]["ramp_up"]["paths"].get("POST register", {}).get("requests", 0)
    http_p95 = reg.get("p95_ms") or float("inf")
    failures = reg.get("failures", 0) + http["stats"]["ramp_up"]["total"]["failures"]
    check_p95, reg_p95 = _percentile(indexed, 0.95), _percentile(regs, 0.95)
    return {
        "scenario": "marriage",
        "sizes": {"size": size, **p, "http_registrations": done},
        "timings_s": {
            "copy_archive" if copied else "archive_reused": round(load_s, 1),
            "registrations_in_process_total": round(regs_s, 1),
            "http_measured": http["stats"]["seconds"],
        },
        "ratios": {
            "check_p50_ms": round(statistics.median(indexed), 2),
            "check_p95_ms": round(check_p95, 2),
            "baseline_check_p50_ms": round(statistics.median(baseline), 1),
            "baseline_speedup": round(statistics.median(baseline) / max(statistics.median(indexed), 1e-6), 1),
            "http_registration_p50_ms": reg.get("p50_ms"),
            "http_registration_p95_ms": reg.get("p95_ms"),
            "http_registration_p99_ms": reg.get("p99_ms"),
            "http_registrations_per_s": reg.get("rps"),
            "http_failures": failures,
            "http_load_average_before": round(load_before, 2),
            "in_process_registration_p50_ms": round(statistics.median(regs), 1),
            "in_process_registration_p95_ms": round(reg_p95, 1),
            "in_process_registrations_per_s": round(len(regs) / regs_s, 1),
        },
        "peak_memory_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "targets": {
            "check_p95_ms": {
                "target": TARGETS["check_p95_ms"],
                "value": round(check_p95, 2),
                "met": check_p95 < TARGETS["check_p95_ms"],
            },
            "registration_p95_ms": {
                "target": TARGETS["registration_p95_ms"],
                "value": reg.get("p95_ms"),
                "met": http_p95 < TARGETS["registration_p95_ms"] and not failures,
            },
        },
        "notes": f"archive of {p['records']:,} records{_instead(size, p)}; "
        "subsisting-marriage check = one statement, two probes of the partial indexes "
        "(kind='marriage' AND status='valid') on the parties' blind indexes, every region; baseline = "
        "the same statement with index and bitmap scans off (sequential scan of the archive); registrations through "
        f"the load harness: {p['officers']} officers over HTTP (gunicorn {_workers()} workers, locust) at one office, "
        f"{WAIT_S[0]}–{WAIT_S[1]} s between an officer's couples, steady state after the logins; in process: "
        f"{p['threads']} threads calling the service",
    }


def _instead(size: str, p: dict) -> str:
    wanted = SIZES[size]["records"]
    if p["records"] == wanted:
        return ""
    return f" instead of the size's {wanted:,} (HUIMIN_BENCH_MARRIAGE_RECORDS; the larger archive was not generated)"


def _workers() -> int:
    from bench.scenarios import load

    return load.WORKERS


if __name__ == "__main__":
    size = sys.argv[1] if len(sys.argv) > 1 else "small"
    outcome = run(size)
    out_dir = pathlib.Path(__file__).resolve().parents[1] / "results"
    out = out_dir / f"marriage-{datetime.date.today():%Y-%m-%d}{'' if size == 'full' else '-' + size}.json"
    out.write_text(json.dumps(outcome, ensure_ascii=False, indent=2) + "\n")
    print(json.dumps(outcome, ensure_ascii=False, indent=2))
