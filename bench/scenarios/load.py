"""Load: 200 concurrent staff users of the demo city against gunicorn + PostgreSQL, driven by locust (headless); 1,000
at size ``province`` (issue 23), whose registry holds 10,000,000 persons; size ``province-capacity`` runs the same
database and paths with 400 staff users, what these 2 cores carry within the target.

Setup (not timed, reused): ``huimin demo load`` of a city (small 3,000 persons, full and province 50,000) into its
own database named after ``DATABASE_URL``'s (``<name>_bench_load_<size>``, C collation as docs/deploy.md asks), its
keys under ``bench/data/load/<size>/var``; ``ANALYZE`` of every table (as autovacuum would); ``huimin
collectstatic`` into ``bench/data/load/<size>/static``. The database is reused while ``loaded.json`` beside it
names the same size and seed, its ``demo.load`` audit entry is there and so are the keys.

Run: gunicorn (``huimin.wsgi``, 5 sync workers — 2 × 2 cores + 1 — on 127.0.0.1 and a free port, DEBUG off, static
files from STATIC_ROOT through WhiteNoise as in production), then ``bench/load/run.py`` (locust's library API, in its
own process) spawns the users (small 40, full 200, province 1,000) a few a second; each logs in once as a demo
account of its own region (round robin over the township clerks and reviewers and the county approvers), loads the
static files, then works: person and household lists with filters, name search, a household page, the application
list and an application, the API person list (session auth), and — county approvers — the statistics dashboard,
waiting 1–5 s (small) or 3–10 s between requests. After the ramp-up, the steady state is measured for 15 s (small),
60 s (full) or 120 s (province). At size ``province`` the registry is then grown by COPY to 10,000,000 persons in the
demo villages (``_grow_registry``, reused while it holds exactly that many). Every process started here is stopped at
the end (its process group), even on failure.
"""

import datetime
import importlib.util
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psycopg

# Logins are spread (spawn_rate users a second): each checks an Argon2 hash (~100 MB, deliberately slow), and
# 200 staff do not all log in within the same few seconds.
# Think time ("wait", seconds between a user's pages): a clerk reads a household page or fills a form before the
# next click, so the full size paces 200 staff at 3–10 s (≈ 30 requests/s offered). At 1–5 s (≈ 67 requests/s)
# the 2 cores saturate: on 2026-11-23, idle machine, 58 requests/s served with p95 800 ms and 0 errors — set
# HUIMIN_LOAD_WAIT_MIN / HUIMIN_LOAD_WAIT_MAX to measure that stress case.
SIZES = {
    "small": {"persons": 3_000, "users": 40, "seconds": 15, "spawn_rate": 4, "wait": (1, 5)},
    "full": {"persons": 50_000, "users": 200, "seconds": 60, "spawn_rate": 3, "wait": (3, 10)},
    # issue 23: the demo city's registry grown to ten million persons (COPY, ``_grow_registry``); 1,000 staff
    "province": {"persons": 50_000, "registry_persons": 10_000_000, "users": 1_000, "seconds": 120, "spawn_rate": 5,
                 "wait": (3, 10)},
    # what these 2 cores carry within the target: the province's database and paths, fewer staff at once
    # (logins 2 a second: 400 staff signing in within four minutes)
    "province-capacity": {"persons": 50_000, "registry_persons": 10_000_000, "users": 400, "seconds": 120,
                          "spawn_rate": 2, "wait": (3, 10), "database": "province"},
}  # fmt: skip
SEED = 1
WORKERS = 5  # gunicorn's 2 × cores + 1 for the 2 cores the target names
TARGET_P95_MS = 500
BENCH = Path(__file__).resolve().parents[1]
ROOT = BENCH.parent
BIN = Path(sys.executable).parent
STAFF_ROLES = ("clerk", "reviewer", "approver")


def _urls(size: str) -> tuple[str, str, str]:
    size = SIZES[size].get("database", size)  # a size that measures another size's database
    url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/huimin")
    if not url.startswith("postgres"):
        raise SystemExit("load 基准需要 PostgreSQL：请设置 DATABASE_URL=postgres://…")
    server, name = url.rsplit("/", 1)
    name = f"{name.split('?')[0]}_bench_load_{size}"
    return f"{server}/{name}", f"{server}/postgres", name


def _env(db_url: str, workdir: Path) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": db_url,
        "DJANGO_SETTINGS_MODULE": "huimin.settings",
        "HUIMIN_VAR_DIR": str(workdir / "var"),
        "HUIMIN_STATIC_ROOT": str(workdir / "static"),
        "HUIMIN_MEDIA_ROOT": str(workdir / "var" / "media"),
        "HUIMIN_DEBUG": "0",
        "HUIMIN_ALLOWED_HOSTS": "127.0.0.1",
        "HUIMIN_LOG_LEVEL": "ERROR",
    }


def _loaded(db_url: str, persons: int, workdir: Path) -> bool:
    """The database holds the demo city this size asked for, with its keys beside it. The loader's audit entry
    names the persons it made (not quite the number asked for), so what was asked is kept in ``loaded.json``."""
    asked = workdir / "loaded.json"
    if not (workdir / "var" / ".field_key").exists() or not asked.exists():
        return False
    if json.loads(asked.read_text()) != {"persons": persons, "seed": SEED}:
        return False
    try:
        with psycopg.connect(db_url, connect_timeout=5) as conn:
            row = conn.execute(
                "SELECT detail FROM core_auditentry WHERE action = 'demo.load' ORDER BY seq DESC"
            ).fetchone()
    except psycopg.Error:
        return False
    return bool(row) and f"种子 {SEED}，" in row[0]


def _setup(size: str, workdir: Path) -> float:
    persons = SIZES[size]["persons"]
    db_url, admin_url, name = _urls(size)
    env = _env(db_url, workdir)
    started = time.perf_counter()

    def huimin(*args: str) -> None:
        subprocess.run([BIN / "huimin", *args], env=env, cwd=workdir, check=True, capture_output=True)

    reused = _loaded(db_url, persons, workdir)
    if not reused:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8' LOCALE 'C.UTF-8'")
    huimin("migrate", "--noinput")  # a reused database gets the migrations added since
    if not reused:
        huimin("demo", "load", "--persons", str(persons), "--seed", str(SEED))
        (workdir / "loaded.json").write_text(json.dumps({"persons": persons, "seed": SEED}))
    grown = SIZES[size].get("registry_persons")
    if grown and _registry_persons(db_url) != grown:
        code = f"from bench.scenarios import load; load._grow_registry({grown})"
        subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, check=True)
    # what the nightly ``huimin daily`` leaves: the staff's indicator boards stored (huimin.stats.IndicatorRun);
    # run once a day, as the nightly job is — a second run of the day finds them stored
    if not _boards_stored_today(db_url, workdir):
        daily = time.perf_counter()
        huimin("daily", "--only", "stats.indicators")
        (workdir / "daily.json").write_text(json.dumps({"stats.indicators_s": round(time.perf_counter() - daily, 1),
                                                        "date": datetime.date.today().isoformat()}))  # fmt: skip
    with psycopg.connect(db_url, autocommit=True) as conn:
        # the planner's statistics of every table, as autovacuum keeps them in a deployment (it may be off on a
        # benchmark machine: then the tables the demo loaded had none, and a page's plan was a guess)
        conn.execute("ANALYZE")
    huimin("collectstatic", "--noinput")
    return time.perf_counter() - started


def _boards_stored_today(db_url: str, workdir: Path) -> bool:
    """The daily job stored the boards today, in this database (after any reload: a reload empties them)."""
    done = workdir / "daily.json"
    if not done.exists() or json.loads(done.read_text()).get("date") != datetime.date.today().isoformat():
        return False
    with psycopg.connect(db_url) as conn:
        return bool(conn.execute("SELECT count(*) FROM stats_indicatorrun").fetchone()[0])


def _registry_persons(db_url: str) -> int:
    with psycopg.connect(db_url) as conn:
        return conn.execute("SELECT count(*) FROM registry_person").fetchone()[0]


def _grow_registry(total: int) -> None:
    """Persons added by COPY to the demo city's villages until the registry holds ``total`` (with ID numbers of
    other counties, no household: residents the registry knows, in no programme), as the registry benchmark loads
    its province; run in a child process with the scenario's database and keys."""
    import random

    import django

    django.setup()
    from huimin.core.models import Region
    from huimin.registry.models import Person

    from . import registry

    villages = tuple(Region.objects.filter(level=5).order_by("code").values_list("code", flat=True))
    names = registry._names(random.Random(20261123), 5000)
    registry._copy_persons(total - Person.objects.count(), names, villages)


def _plan(db_url: str) -> dict:
    """Every staff account with a sample of what its region holds, so each user works on its own region's data."""
    accounts = []
    with psycopg.connect(db_url) as conn:
        users = conn.execute(
            "SELECT u.username, a.role, r.code, r.level FROM core_user u JOIN core_region r ON r.code = u.region_id "
            "JOIN core_roleassignment a ON a.user_id = u.id AND a.line = 'assistance' "
            "WHERE u.is_active AND a.role = ANY(%s) ORDER BY r.code, a.role",
            [list(STAFF_ROLES)],
        ).fetchall()
        for username, role, code, level in users:
            like = code[: {3: 6, 4: 9}.get(level, 12)] + "%"
            sample = "SELECT {col} FROM {table} WHERE region_id LIKE %s {extra} ORDER BY id LIMIT 25"
            households = conn.execute(
                sample.format(col="id", table="registry_household", extra="AND is_active"), [like]
            ).fetchall()
            names = conn.execute(
                sample.format(col="name", table="registry_person", extra="AND merged_into_id IS NULL"), [like]
            ).fetchall()
            applications = conn.execute(
                sample.format(col="id", table="assistance_application", extra=""), [like]
            ).fetchall()
            accounts.append(
                {
                    "username": username,
                    "role": role,
                    "region": code,
                    "households": [r[0] for r in households],
                    "names": [r[0] for r in names],
                    "applications": [r[0] for r in applications],
                    "stats": role == "approver",
                }
            )
    # interleave regions so that the first users of a small run already cover many townships and counties
    accounts.sort(key=lambda a: (STAFF_ROLES.index(a["role"]) != 2, a["region"][::-1]))
    return {"accounts": accounts}


def _postmaster_pid(db_url: str) -> int | None:
    """The local PostgreSQL server's main process (its ``postmaster.pid``), whose tree holds every backend."""
    try:
        with psycopg.connect(db_url) as conn:
            data_dir = conn.execute("SHOW data_directory").fetchone()[0]
        return int((Path(data_dir) / "postmaster.pid").read_text().split("\n", 1)[0])
    except (psycopg.Error, OSError, ValueError):
        return None  # another machine's server, or no right to read its directory


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _stop(proc: subprocess.Popen | None) -> None:
    """Stop a process started in its own session, and everything it started (its process group)."""
    if proc is None or proc.poll() is not None:
        return
    for sig, wait in ((signal.SIGTERM, 15), (signal.SIGKILL, 5)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(wait)
            return
        except subprocess.TimeoutExpired:
            continue


def _wait_ready(url: str, proc: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn 未能启动：{log.read_text()[-1500:]}")
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2) as r:  # noqa: S310 - our loopback server
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("gunicorn 在 60 秒内没有就绪")


def _warm_up(host: str) -> None:
    """Let every worker import the URLconf and views before measuring (the first request of a worker does)."""
    from concurrent.futures import ThreadPoolExecutor

    def get(_):
        with urllib.request.urlopen(host + "/login/", timeout=60) as r:  # noqa: S310 - our loopback server
            return r.status

    with ThreadPoolExecutor(WORKERS * 2) as pool:
        list(pool.map(get, range(WORKERS * 6)))


def run(size: str, workdir) -> dict:
    if importlib.util.find_spec("locust") is None:  # before a setup of minutes, not after it
        raise SystemExit("load 基准需要 locust：请先运行 make bench（安装 bench 附加依赖）")
    cfg = SIZES[size]
    workdir = Path(workdir).parent / cfg.get("database", size)  # the database's keys and static files live there
    setup_s = _setup(size, workdir)
    db_url, _, db_name = _urls(size)
    plan = _plan(db_url)
    plan_path = workdir / "plan.json"
    plan_path.write_text(json.dumps(plan, ensure_ascii=False))
    port = _free_port()
    host = f"http://127.0.0.1:{port}"
    env = _env(db_url, workdir)
    gunicorn_log = workdir / "gunicorn.log"
    stats_path = workdir / "locust.json"
    stats_path.unlink(missing_ok=True)
    server = locust = None
    try:
        with gunicorn_log.open("w") as log:
            server = subprocess.Popen(
                [BIN / "gunicorn", "huimin.wsgi", "-b", f"127.0.0.1:{port}", "-w", str(WORKERS), "--timeout", "120",
                 "--access-logfile", "-", "--access-logformat", '%(s)s %(M)sms "%(r)s"'],
                env=env, cwd=workdir, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        _wait_ready(host, server, gunicorn_log)
        _warm_up(host)
        ramp_s = cfg["users"] / cfg["spawn_rate"]
        wait = (float(os.environ.get("HUIMIN_LOAD_WAIT_MIN", cfg["wait"][0])),
                float(os.environ.get("HUIMIN_LOAD_WAIT_MAX", cfg["wait"][1])))  # fmt: skip
        load_before = os.getloadavg()[0]
        measured = {"gunicorn": server.pid, "postgres": _postmaster_pid(db_url)}
        cpu_of = ",".join(f"{name}={pid}" for name, pid in measured.items() if pid)
        locust = subprocess.Popen(
            [sys.executable, "-m", "bench.load.run", "--host", host, "--users", str(cfg["users"]),
             "--spawn-rate", str(cfg["spawn_rate"]), "--seconds", str(cfg["seconds"]), "--out", str(stats_path),
             "--cpu-of", cpu_of],
            env={**env, "HUIMIN_LOAD_WAIT_MIN": str(wait[0]), "HUIMIN_LOAD_WAIT_MAX": str(wait[1]),
                 "HUIMIN_LOAD_PLAN": str(plan_path)},
            cwd=ROOT, start_new_session=True,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        out, _ = locust.communicate(timeout=ramp_s + cfg["seconds"] + 400)
        if locust.returncode != 0 or not stats_path.exists():
            raise RuntimeError(f"locust 运行失败（{locust.returncode}）：{out[-1500:]}")
    finally:
        _stop(locust)
        _stop(server)
    stats = json.loads(stats_path.read_text())
    return _result(size, {**cfg, "wait": wait, "load_before": load_before}, stats, plan, setup_s, db_name, gunicorn_log)


def _cpu_note(cpu: dict | None) -> str:
    """Where the 2 cores went in the measured window (``cpu``: bench/load/cpu.py's figures)."""
    if not cpu or "machine_busy" not in cpu["cores"]:
        return "CPU by process: not measured (no /proc)."
    cores, per = cpu["cores"], cpu["cpu_ms_per_request"]
    parts = [f"{k} {cores[k]} cores ({per.get(k, '-')} ms/request)" for k in ("gunicorn", "postgres", "locust", "other")
             if cores.get(k) is not None]  # fmt: skip
    return f"CPU in the measured window: machine busy {cores['machine_busy']} of 2 cores; " + ", ".join(parts) + "."


def _result(size, cfg, stats, plan, setup_s, db_name, gunicorn_log) -> dict:
    wait, load_before = cfg["wait"], cfg["load_before"]
    total, paths, ramp = stats["total"], stats["paths"], stats["ramp_up"]
    errors = total["failures"] + ramp["total"]["failures"]
    server_errors = sum(1 for line in gunicorn_log.read_text().splitlines() if line[:1] == "5")
    slowest = sorted(paths.items(), key=lambda kv: -(kv[1]["p95_ms"] or 0))
    login = ramp["paths"].get("POST /login/", {})
    pages = {k: v for k, v in paths.items() if v["requests"] and not k.startswith("GET /static")}
    server_ms = sorted(
        float(line.split()[1][:-2]) for line in gunicorn_log.read_text().splitlines() if line[:1] in "2345"
    )
    server = {q: server_ms[int(len(server_ms) * q)] if server_ms else None for q in (0.5, 0.95)}
    per_path = "; ".join(
        f"{k} p50/p95/p99 {v['p50_ms']}/{v['p95_ms']}/{v['p99_ms']} ms ({v['requests']})" for k, v in pages.items()
    )
    return {
        "scenario": "load",
        "sizes": {
            "persons": cfg.get("registry_persons", cfg["persons"]),
            "users": cfg["users"],
            "accounts": len(plan["accounts"]),
            "requests": total["requests"],
            "gunicorn_workers": WORKERS,
            "think_time_s": f"{wait[0]:g}–{wait[1]:g}",
        },
        "timings_s": {
            "setup_not_timed": round(setup_s, 1),
            "daily_indicator_boards_not_timed": json.loads((gunicorn_log.parent / "daily.json").read_text())[
                "stats.indicators_s"
            ],
            "measured": stats["seconds"],
            "p50": (total["p50_ms"] or 0) / 1000,
            "p95": (total["p95_ms"] or 0) / 1000,
            "p99": (total["p99_ms"] or 0) / 1000,
            "slowest_path_p95": (slowest[0][1]["p95_ms"] or 0) / 1000 if slowest else None,
            "login_p95_during_ramp_up": (login.get("p95_ms") or 0) / 1000,
        },
        "ratios": {"requests_per_s": total["rps"]},
        "peak_memory_mb": None,
        "targets": {
            "0 errors": errors == 0 and server_errors == 0,
            f"p95 < {TARGET_P95_MS} ms": (total["p95_ms"] or 0) < TARGET_P95_MS,
        },
        "cpu": stats.get("cpu"),
        "paths": paths,
        "ramp_up": ramp,
        "errors": stats["errors"] + ramp["errors"],
        "notes": (
            f"{cfg['users']} staff users ({wait[0]:g}–{wait[1]:g} s between requests) on gunicorn ({WORKERS} sync "
            "workers, DEBUG off, "
            f"static via WhiteNoise) + PostgreSQL database {db_name} with the demo city of {cfg['persons']:,} persons"
            + (
                f", its registry grown by COPY to {cfg['registry_persons']:,} persons (the added ones in the demo "
                "villages, without household or programme); "
                if cfg.get("registry_persons")
                else "; "
            )
            + "the staff's indicator boards stored by the daily job first, as the nightly run leaves them (its "
            "time: daily_indicator_boards_not_timed); "
            + f"locust on the same 2 cores. Steady state after a {ramp['seconds']} s ramp-up (logins: "
            f"{login.get('requests', 0)}, p95 {login.get('p95_ms')} ms). Errors: {errors} (5xx in the server log: "
            f"{server_errors}). {cfg['users']} users share the {len(plan['accounts'])} staff accounts of the demo "
            f"city (one session each). Offered load ≈ {cfg['users'] / (sum(wait) / 2):.0f} req/s if answers were "
            "instant; time spent "
            f"inside gunicorn (its log, whole run incl. ramp-up) p50 {server[0.5]} ms, p95 {server[0.95]} ms — the "
            "rest of the client-side figure is queueing for a worker. "
            f"Slowest p95: {slowest[0][0] if slowest else '-'}. Per path: {per_path}. "
            f"Load average when locust started: {load_before:.1f} (2 cores; above ~1, other work was running). "
            + _cpu_note(stats.get("cpu"))
        ),
    }
