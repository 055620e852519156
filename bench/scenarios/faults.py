"""Faults at the payroll scenario's size: the month's build and its bank 代发 export are SIGKILLed half-way.

Setup (not timed, shared with ``payroll``): the synthetic county of 20,000 (small, 411798) or 350,000 (full,
411799) 低保 enrolments; the county's payroll months are wiped first.

1. ``benefits.services.build`` runs in a child process (``bench.faults.child``) that stops right after
   ``payroll_engine.write_lines`` has written every line, inside its transaction (its RowExclusiveLock on
   ``benefits_payrollline`` is checked in pg_locks), and is SIGKILLed there. Nothing of the month may be left;
   the rerun in this process is timed.
2. The month is reviewed, approved and locked by two other people (职责分离). ``benefits.bank.export`` runs in a
   child that stops after its last step before commit (its audit entry, ``huimin.core.audit:record``), holding
   the lock on ``benefits_payment``, and is SIGKILLed. No batch and no payment may be left; the rerun is timed,
   must pay every line with an amount exactly once, and a second export must be refused.
3. ``python -m huimin audit verify`` (a fresh process, as an operator runs it) passes.

Also timed: how long each child ran before its pause (start-up, Django, the work itself) — informative only.
"""

import datetime
import subprocess
import sys
import time

import duckdb
from django.db import connection, transaction
from django.db.models import Count

from bench.faults import ROOT, child, kill_while_writing
from bench.scenarios import payroll as base
from huimin.benefits import bank, services
from huimin.benefits.models import BankBatch, Payment, PayrollLine, PayrollMonth
from huimin.core.services import ServiceError


def _ours():
    return PayrollMonth.objects.filter(region_id=base.COUNTY, month=base.MONTH)


def _killed(pause_at: str, code: str, table: str) -> float:
    """Run ``code`` in a child, SIGKILL it while it writes ``table``; seconds until it paused."""
    started = time.perf_counter()
    proc = child(pause_at, code)
    try:
        kill_while_writing(proc, table, timeout=600)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return time.perf_counter() - started


def run(size: str, workdir) -> dict:
    n, _ = base._use(size)
    villages = base._regions()
    user = base._user()
    setup_s = base._setup(n, villages, user)
    with transaction.atomic():
        base._wipe_payroll()
    base._vacuum()
    template = base._template()
    today = datetime.date(2026, 3, 15)
    duckdb.connect().close()  # as in ``payroll``: the process's first DuckDB connection is not the month's cost
    timings, targets = {"setup_copy_not_timed": round(setup_s, 2)}, {}

    # 1. the build, killed after writing every line
    build = (
        "import datetime\nfrom huimin.benefits import services\nfrom huimin.core.models import User\n"
        f"services.build(User.objects.get(pk={user.pk}), region_code={base.COUNTY!r}, "
        f"month=datetime.date({base.MONTH.year}, {base.MONTH.month}, 1), today=datetime.date(2026, 3, 15))\n"
    )
    timings["killed_build_until_pause"] = round(
        _killed("huimin.benefits.payroll_engine:write_lines", build, "benefits_payrollline"), 2
    )
    left = _ours().count() + PayrollLine.objects.filter(payroll__region_id=base.COUNTY).count()
    targets["killed build leaves nothing (no month, no line)"] = left == 0

    t0 = time.perf_counter()
    payroll = services.build(user, region_code=base.COUNTY, month=base.MONTH, today=today)
    timings["rerun_build"] = round(time.perf_counter() - t0, 2)
    lines = PayrollLine.objects.filter(payroll=payroll).count()
    targets["rerun builds the month once"] = _ours().count() == 1 and lines == payroll.line_count > n * 0.8
    payroll = base._lock(payroll)

    # 2. the bank export, killed after its audit entry (its last step before commit)
    export = (
        "from huimin.benefits import bank\nfrom huimin.benefits.models import BankTemplate, PayrollMonth\n"
        "from huimin.core.models import User\n"
        f"bank.export(User.objects.get(pk={user.pk}), PayrollMonth.objects.get(pk={payroll.pk}), "
        f"BankTemplate.objects.get(pk={template.pk}))\n"
    )
    timings["killed_export_until_pause"] = round(_killed("huimin.core.audit:record", export, "benefits_payment"), 2)
    left = BankBatch.objects.filter(payroll=payroll).count() + Payment.objects.filter(batch__payroll=payroll).count()
    targets["killed export leaves no batch, no payment"] = left == 0

    t0 = time.perf_counter()
    _, content, batch = bank.export(user, payroll, template)
    timings["rerun_export"] = round(time.perf_counter() - t0, 2)
    (workdir / "daifa.csv").write_bytes(content)
    paid_lines = PayrollLine.objects.filter(payroll=payroll, amount__gt=0).count()
    payments = Payment.objects.filter(batch__payroll=payroll)
    twice = payments.values("line_id").annotate(k=Count("id")).filter(k__gt=1).count()
    targets["rerun pays each line once"] = batch.count == paid_lines == payments.count() > 0 and twice == 0
    try:
        bank.export(user, payroll, template)
        refused = False
    except ServiceError:
        refused = True
    refused = refused and BankBatch.objects.filter(payroll=payroll).count() == 1 and payments.count() == paid_lines
    targets["second export refused"] = refused

    # 3. the audit chain, verified by the operator's command in a fresh process
    t0 = time.perf_counter()
    verify = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "huimin", "audit", "verify"], cwd=ROOT, capture_output=True, text=True
    )
    timings["audit_verify"] = round(time.perf_counter() - t0, 2)
    targets["huimin audit verify passes"] = verify.returncode == 0
    with connection.cursor() as c:
        c.execute("SELECT count(*) FROM core_auditentry")
        entries = c.fetchone()[0]
    return {
        "scenario": "faults",
        "sizes": {"recipients": n, "lines": payroll.line_count, "payments": payments.count(), "audit_entries": entries},
        "timings_s": timings,
        "ratios": {},
        "peak_memory_mb": None,
        "targets": targets,
        "notes": (
            "Each child is SIGKILLed while its transaction holds a RowExclusiveLock on the table it writes "
            "(checked in pg_locks); the reruns run in the benchmark's process. `..._until_pause` includes the "
            "child's start-up (Python, Django) and is informative only. "
            f"audit verify: {(verify.stdout or verify.stderr).strip()[-200:]}. "
            + ("Setup reused." if not setup_s else f"Setup by COPY took {setup_s:.0f} s (not timed).")
        ),
    }
