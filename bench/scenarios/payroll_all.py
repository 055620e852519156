"""One payroll for every allowance: a county month of 低保/特困 and the two disability subsidies built, and its bank
代发 files written one per programme (分项目报盘, a .zip), against the same done record by record through the ORM.

Setup (not timed): the ``payroll`` scenario's synthetic county at its own codes (411796 small, 411795 full; not real
codes) — N 低保 enrolments, every tenth moved to 特困 (分散供养), some suspended, in 渐退 or adjusted — plus M
per-person subsidy enrolments of the same payees, split between 困难残疾人生活补贴 and 重度残疾人护理补贴 in 眉山's
proportion (31,604 : 38,611), a band of persons receiving both; inserted with COPY and reused while the county has
exactly N + M enrolments. The two subsidy programmes and their 资金来源 rows are created when missing.

Huimin path (timed): ``services.build`` of the month (every programme that a 发放项目与资金来源 row pays, lines
tagged by programme and fund) and ``bank.export_files`` with a template that splits by programme (one file and
batch per programme, accounts decrypted, payments written). Review, approval and locking by two other people are
not timed. Baseline: ``payroll``'s per-enrolment ORM path on a sample spread over the programmes, rolled back,
extrapolated linearly to N + M.
"""

import datetime
import json
import time
import uuid
import zipfile

import duckdb
from django.db import connection, transaction

from bench.scenarios import payroll as base
from huimin.assistance.models import Application, Enrolment, EnrolmentChange, EnrolmentMember, Programme
from huimin.benefits import bank, funds, services
from huimin.benefits.models import BankTemplate

# dibao/tekun enrolments, subsidy enrolments, baseline sample, synthetic county, first explicit id
SIZES = {
    "small": (20_000, 4_000, 1_000, "411796", 760_000_000),
    "full": (350_000, 70_000, 5_000, "411795", 740_000_000),
}
TARGET_SECONDS = 12
LIVING_SHARE = 31_604 / (31_604 + 38_611)  # 眉山, 2020
SUBSIDIES = {"disability_living": ("困难残疾人生活补贴", "90.00"), "severe_care": ("重度残疾人护理补贴", "100.00")}
START = datetime.date(2025, 6, 1)


def use(size: str) -> tuple[int, int, int]:
    """Point the ``payroll`` scenario's helpers at this scenario's county; returns (N, M, sample)."""
    n, m, sample, prefix, id_base = SIZES[size]
    base.SIZES[f"all_{size}"] = (n, sample, prefix, id_base)
    base._use(f"all_{size}")
    return n, m, sample


def programmes() -> dict[str, Programme]:
    """The two subsidies (per person, monthly) as they come from the disability branch, and their fund rows."""
    made = {}
    for sort, (code, (name, _)) in enumerate(SUBSIDIES.items(), start=60):
        made[code], _ = Programme.objects.get_or_create(
            code=code,
            defaults={"name": name, "kind": "disability", "scope": "person", "stages": ["accept", "review", "decision"],
                      "review_cycle": {"default_months": 12}, "exclusive_group": code, "sort": sort},
        )  # fmt: skip
    funds.load_defaults()
    return made


def _subsidies(n: int, m: int, user) -> None:
    """M subsidy enrolments of the county's payees: 生活补贴 for persons [0, L), 护理补贴 for [L/2, L/2 + M − L)."""
    made = programmes()
    living = round(m * LIVING_SHARE)
    plan = [("disability_living", i) for i in range(living)]
    plan += [("severe_care", living // 2 + k) for k in range(m - living)]
    ids = {code: made[code].pk for code in SUBSIDIES}
    first = base.ID_BASE + n  # after the 低保 enrolments' and applications' ids
    region = {}
    with connection.cursor() as c:
        c.execute(f"SELECT id, region_id FROM registry_person WHERE {base._ours('id')}")  # noqa: S608 - constants
        region = dict(c.fetchall())

    def person(k):
        return base.ID_BASE + plan[k][1]

    def amount(k):
        return SUBSIDIES[plan[k][0]][1]

    base._copy(Application, m, lambda k: {"id": first + k, "number": f"S{base.PREFIX}-{k}",
                                          "programme_id": ids[plan[k][0]], "household_id": person(k),
                                          "applicant_id": person(k), "beneficiary_id": person(k),
                                          "region_id": region[person(k)], "channel": "window", "reason": "基准测试",
                                          "stage": "enrolled", "stage_entered_on": START,
                                          "public_token": uuid.uuid4(), "created_by_id": user.pk,
                                          "approved_amount": amount(k)})  # fmt: skip
    base._copy(Enrolment, m, lambda k: {"id": first + k, "programme_id": ids[plan[k][0]], "household_id": person(k),
                                        "person_id": person(k), "application_id": first + k,
                                        "region_id": region[person(k)], "status": "active",
                                        "monthly_amount": amount(k), "start_month": START,
                                        "basis": json.dumps({"standard": amount(k)})})  # fmt: skip
    base._copy(EnrolmentMember, m, lambda k: {"enrolment_id": first + k, "person_id": person(k), "added_on": START})
    base._copy(EnrolmentChange, m, lambda k: {"enrolment_id": first + k, "kind": "enrol", "effective_month": START,
                                              "after": json.dumps({"amount": amount(k)}), "reasons": "基准",
                                              "actor": "bench"})  # fmt: skip


def _setup(n: int, m: int, villages, user) -> float:
    programmes()
    ours = Enrolment.objects.filter(region__code__startswith=base.PREFIX)
    if ours.count() == n + m and ours.filter(programme__code__in=list(SUBSIDIES)).count() == m:
        return 0.0
    started = time.perf_counter()
    if ours.count() != n or ours.exclude(programme__code__in=["dibao", "tekun_scattered"]).exists():
        with transaction.atomic():
            base._wipe_payroll()
            base._wipe_people()
    base._setup(n, villages, user)  # the 低保 county (reused when it is exactly that)
    with transaction.atomic():
        dibao, tekun = (Programme.objects.get(code=c).pk for c in ("dibao", "tekun_scattered"))
        with connection.cursor() as c:  # every tenth 低保 enrolment is a 特困 one instead
            for table in ("assistance_enrolment", "assistance_application"):
                c.execute(
                    f"UPDATE {table} SET programme_id = %s WHERE {base._ours('id')} AND id %% 10 = 0"  # noqa: S608
                    " AND programme_id = %s",
                    [tekun, dibao],
                )
        _subsidies(n, m, user)
    base._vacuum()
    return time.perf_counter() - started


def _template() -> BankTemplate:
    template, _ = BankTemplate.objects.get_or_create(
        name="基准分项目CSV", region_id=base.COUNTY,
        defaults={"bank_name": "邮储银行", "format": "csv", "split_by_programme": True,
                  "columns": [{"field": "account", "header": "账号"}, {"field": "name", "header": "户名"},
                              {"field": "amount", "header": "金额"}, {"field": "reference", "header": "流水号"},
                              {"field": "programme", "header": "项目"}]},
    )  # fmt: skip
    return template


def run(size: str, workdir) -> dict:
    n, m, sample = use(size)
    villages = base._regions()
    user = base._user()
    setup_s = _setup(n, m, villages, user)
    with transaction.atomic():
        base._wipe_payroll()
    base._vacuum()
    template = _template()
    today = datetime.date(2026, 3, 15)
    w0 = time.perf_counter()
    duckdb.connect().close()  # as in ``payroll``: a server process pays its first DuckDB connection once
    warm_s = time.perf_counter() - w0
    t0 = time.perf_counter()
    payroll = services.build(user, region_code=base.COUNTY, month=base.MONTH, today=today)
    t1 = time.perf_counter()
    payroll = base._lock(payroll)
    t2 = time.perf_counter()
    name, content, batches = bank.export_files(user, payroll, template)
    t3 = time.perf_counter()
    (workdir / name).write_bytes(content)
    files = len(zipfile.ZipFile(workdir / name).namelist())
    huimin_s = (t1 - t0) + (t3 - t2)
    by_programme = {}
    for row in payroll.programme_totals:
        by_programme[row["programme"]] = by_programme.get(row["programme"], 0) + row["count"]
    with connection.cursor() as c:  # fresh statistics for the baseline's per-row lookups (not timed)
        c.execute("ANALYZE benefits_payrollline")
        c.execute("ANALYZE benefits_payment")
    ids = list(
        Enrolment.objects.filter(region__code__startswith=base.PREFIX).order_by("id").values_list("id", flat=True)
    )
    picked = ids[:: max(1, len(ids) // sample)][:sample]  # spread over 低保, 特困 and both subsidies
    base_s, base_lines = base._baseline(sample, user, template, ids=picked)
    extrapolated = base_s * (n + m) / len(picked)
    return {
        "scenario": "payroll_all",
        "sizes": {
            "dibao_tekun_enrolments": n,
            "subsidy_enrolments": m,
            "lines": payroll.line_count,
            **{f"lines_{k}": v for k, v in sorted(by_programme.items())},
            "bank_files": files,
            "bank_rows": sum(b.count for b in batches),
            "baseline_sample": len(picked),
        },  # fmt: skip
        "timings_s": {
            "setup_copy_not_timed": round(setup_s, 2),
            "first_duckdb_connect_not_timed": round(warm_s, 2),
            "huimin_build": round(t1 - t0, 2),
            "huimin_bank_files": round(t3 - t2, 2),
            "huimin_total": round(huimin_s, 2),
            "baseline_sample": round(base_s, 2),
            "baseline_extrapolated": round(extrapolated, 2),
        },
        "ratios": {"baseline_over_huimin": round(extrapolated / huimin_s, 1)},
        "peak_memory_mb": None,
        "targets": {
            f"{n:,} 低保/特困 + {m:,} subsidy enrolments built + bank files < {TARGET_SECONDS} s": huimin_s
            < TARGET_SECONDS
        },
        "notes": (
            f"{payroll.line_count:,} lines in one month (suspended and expired 渐退 低保 unpaid), "
            f"total {payroll.total} 元, tagged by programme and fund; bank files: {files} CSV files "
            "(one per programme) in a "
            f"{len(content) / 1e6:.1f} MB zip, one batch each. Baseline: ORM record by record on {len(picked):,} "
            f"enrolments spread over the programmes ({base_lines:,} lines written, rolled back; it does not look up "
            f"the fund row), extrapolated linearly to {n + m:,}. "
            + ("Setup reused. " if not setup_s else f"Setup by COPY took {setup_s:.0f} s (not timed). ")
            + f"The process's first DuckDB connection ({warm_s:.2f} s) is made before timing."
        ),
    }
