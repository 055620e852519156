"""The monthly payroll: a month for N recipients built and its bank 代发 file written, against the same done
record by record through the ORM.

Setup (not timed): a synthetic county (411798 small, 411799 full; not real codes) with N 低保 enrolments —
households, one payee each with an encrypted bank account, applications, members and 纳入 changes, some
suspended, in 渐退 or adjusted — inserted with COPY; reused while it has exactly N enrolments.

Huimin path (timed): ``services.build`` (PostgreSQL COPY out → DuckDB over Arrow → COPY in) and
``bank.export`` of the locked month as CSV (accounts decrypted once each, payments written with COPY).
Baseline (timed on a sample, extrapolated linearly): per enrolment, load it, its changes and its members
through the ORM, decide the amount and status in Python, ``PayrollLine.objects.create``, load the payee
(ProtectedField decrypts the account), write the CSV row and ``Payment.objects.create`` — in a transaction
rolled back at the end.
"""

import csv
import datetime
import io
import json
import time
import uuid
from decimal import Decimal

import duckdb
from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone

from huimin.assistance.models import (
    Application,
    Enrolment,
    EnrolmentChange,
    EnrolmentMember,
    Programme,
)
from huimin.benefits import bank, services
from huimin.benefits.models import BankBatch, BankTemplate, Payment, PayrollLine, PayrollMonth
from huimin.core import crypto
from huimin.core.models import Region, RoleAssignment, User
from huimin.registry.models import Household, Person

# recipients, baseline sample, synthetic county (not real codes), first explicit id: each size keeps its own
# data so a small run does not wipe the full one
SIZES = {
    "small": (20_000, 1_000, "411798", 790_000_000),
    "full": (350_000, 5_000, "411799", 800_000_000),
}
TARGET_SECONDS = 10
TOWNS, VILLAGES_PER_TOWN = 10, 35
ID_SPAN = 5_000_000
COUNTY = PREFIX = ""
ID_BASE = 0


def _use(size: str) -> tuple[int, int]:
    global COUNTY, PREFIX, ID_BASE
    n, sample, PREFIX, ID_BASE = SIZES[size]
    COUNTY = f"{PREFIX}000000"
    return n, sample


MONTH = datetime.date(2026, 3, 1)


def _regions() -> list[str]:
    Region.objects.get_or_create(
        code=COUNTY, defaults={"name": f"基准测试县{PREFIX}", "level": 3, "parent_id": "411700000000"}
    )
    villages = []
    for t in range(1, TOWNS + 1):
        town = f"{PREFIX}{t:03d}000"
        Region.objects.get_or_create(code=town, defaults={"name": f"基准乡{t}", "level": 4, "parent_id": COUNTY})
        for v in range(1, VILLAGES_PER_TOWN + 1):
            code = f"{PREFIX}{t:03d}{v:03d}"
            Region.objects.get_or_create(
                code=code, defaults={"name": f"基准村{t}-{v}", "level": 5, "parent_id": town, "urban_rural_code": "220"}
            )
            villages.append(code)
    return villages


def _user(suffix: str = "") -> User:
    user, created = User.objects.get_or_create(
        username=f"bench_payroll_{PREFIX}{suffix}",
        defaults={"full_name": f"基准测试审批人{suffix}", "region_id": COUNTY},
    )
    if created:
        RoleAssignment.objects.create(user=user, role="approver", line="assistance")
    if not user.has_usable_password():
        return user
    user.set_unusable_password()
    user.save()
    return user


def _default(field, now):
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return now
    value = field.get_default()
    return json.dumps(value) if isinstance(value, (dict, list)) else value


def _copy(model, n: int, vary) -> None:
    """COPY ``n`` rows of ``model``: every column from the field default, those ``vary(i)`` returns replaced."""
    now = timezone.now()
    fields = [f for f in model._meta.concrete_fields if not (f.primary_key and "id" not in vary(0))]
    columns = [f.column for f in fields]
    position = {f.attname: k for k, f in enumerate(fields)}
    base = [_default(f, now) for f in fields]
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    sql = f"COPY {connection.ops.quote_name(model._meta.db_table)} ({names}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for i in range(n):
            row = base.copy()
            for name, value in vary(i).items():
                row[position[name]] = value
            copy.write_row(row)


def _wipe_payroll() -> None:
    with connection.cursor() as c:
        months = f"SELECT id FROM benefits_payrollmonth WHERE region_id LIKE '{PREFIX}%%'"  # noqa: S608
        batches = f"SELECT id FROM benefits_bankbatch WHERE payroll_id IN ({months})"  # noqa: S608
        c.execute(f"DELETE FROM benefits_payment WHERE batch_id IN ({batches})")  # noqa: S608
        c.execute(f"DELETE FROM benefits_bankbatch WHERE payroll_id IN ({months})")  # noqa: S608
        c.execute(f"DELETE FROM benefits_payrollline WHERE payroll_id IN ({months})")  # noqa: S608
        c.execute(months.replace("SELECT id", "DELETE"))


def _ours(column: str) -> str:
    return f"{column} BETWEEN {ID_BASE} AND {ID_BASE + ID_SPAN}"


def _vacuum() -> None:
    """Outside any transaction (autocommit): clear what the wipes left and refresh the statistics."""
    tables = [
        "registry_household",
        "registry_person",
        "assistance_application",
        "assistance_enrolment",
        "assistance_enrolmentmember",
        "assistance_enrolmentchange",
        "benefits_payrollline",
        "benefits_payment",
    ]
    with connection.cursor() as c:
        for table in tables:
            c.execute(f"VACUUM ANALYZE {table}")


def _wipe_people() -> None:
    enrolments = f"SELECT id FROM assistance_enrolment WHERE region_id LIKE '{PREFIX}%%'"  # noqa: S608 - constant
    with connection.cursor() as c:
        c.execute(f"DELETE FROM assistance_enrolmentchange WHERE enrolment_id IN ({enrolments})")  # noqa: S608
        c.execute(f"DELETE FROM assistance_enrolmentmember WHERE enrolment_id IN ({enrolments})")  # noqa: S608
        c.execute(enrolments.replace("SELECT id", "DELETE"))
        for table in ("assistance_application", "registry_membership"):
            column = "region_id" if table == "assistance_application" else "household_id"
            if column == "region_id":
                c.execute(f"DELETE FROM {table} WHERE region_id LIKE '{PREFIX}%%'")  # noqa: S608
            else:
                c.execute(f"DELETE FROM {table} WHERE {_ours('household_id')}")  # noqa: S608
        c.execute(f"UPDATE registry_household SET head_id = NULL WHERE {_ours('id')}")  # noqa: S608
        c.execute(f"DELETE FROM registry_person WHERE {_ours('id')}")  # noqa: S608
        c.execute(f"DELETE FROM registry_household WHERE {_ours('id')}")  # noqa: S608


def _setup(n: int, villages: list[str], user: User) -> float:
    if Enrolment.objects.filter(region__code__startswith=PREFIX).count() == n:
        return 0.0
    started = time.perf_counter()
    with transaction.atomic():
        _wipe_payroll()
        _wipe_people()
        dibao = Programme.objects.get(code="dibao")
        start = datetime.date(2025, 6, 1)
        token = crypto.encrypt("6222020200112233445")
        accounts = [crypto.encrypt(f"62220202{i:011d}") for i in range(n)] if n <= 20_000 else None

        def account(i):
            return accounts[i] if accounts else (crypto.encrypt(f"62220202{i:011d}") if i % 50 else token)

        region = [villages[i % len(villages)] for i in range(n)]
        amount = [Decimal(200 + (i * 37) % 900).quantize(Decimal("0.01")) for i in range(n)]
        _copy(Household, n, lambda i: {"id": ID_BASE + i, "number": f"B{PREFIX}{i:08d}", "region_id": region[i],
                                       "head_id": ID_BASE + i})  # fmt: skip
        _copy(Person, n, lambda i: {"id": ID_BASE + i, "name": f"基准{i}", "no_id_reason": "基准测试合成",
                                    "region_id": region[i], "household_id": ID_BASE + i, "bank_account": account(i),
                                    "bank_name": "邮储银行"})  # fmt: skip
        _copy(Application, n, lambda i: {"id": ID_BASE + i, "number": f"B{PREFIX}-{i}", "programme_id": dibao.pk,
                                         "household_id": ID_BASE + i, "applicant_id": ID_BASE + i,
                                         "region_id": region[i], "channel": "window", "reason": "基准测试",
                                         "stage": "enrolled", "stage_entered_on": start, "public_token": uuid.uuid4(),
                                         "created_by_id": user.pk, "approved_amount": amount[i]})  # fmt: skip

        def status(i):
            return "suspended" if i % 20 == 1 else ("grace" if i % 33 == 2 else "active")

        _copy(Enrolment, n, lambda i: {"id": ID_BASE + i, "programme_id": dibao.pk, "household_id": ID_BASE + i,
                                       "application_id": ID_BASE + i, "region_id": region[i], "status": status(i),
                                       "monthly_amount": amount[i], "start_month": start,
                                       "grace_until": datetime.date(2026, 2, 1) if status(i) == "grace" else None,
                                       "basis": json.dumps({"standard": "560", "members": "1"})})  # fmt: skip
        _copy(EnrolmentMember, n, lambda i: {"enrolment_id": ID_BASE + i, "person_id": ID_BASE + i, "added_on": start})

        def change(i):
            after = {"amount": str(amount[i])}
            return {"enrolment_id": ID_BASE + i, "kind": "enrol", "effective_month": start,
                    "after": json.dumps(after), "reasons": "基准", "actor": "bench"}  # fmt: skip

        _copy(EnrolmentChange, n, change)
        extra = [i for i in range(n) if status(i) != "active" or i % 50 == 3]

        def later(k):
            i = extra[k]
            after = {"status": status(i)} if status(i) != "active" else {"amount": str(amount[i] + 50)}
            kind = {"suspended": "suspend", "grace": "grace"}.get(status(i), "adjust")
            return {"enrolment_id": ID_BASE + i, "kind": kind, "effective_month": datetime.date(2026, 1, 1),
                    "after": json.dumps(after), "reasons": "基准", "actor": "bench"}  # fmt: skip

        _copy(EnrolmentChange, len(extra), later)
    _vacuum()
    return time.perf_counter() - started


def _baseline(sample: int, user: User, template: BankTemplate, ids: list[int] | None = None) -> tuple[float, int]:
    """Record by record through the ORM on ``sample`` enrolments (or those ``ids``); rolled back."""
    if ids is None:
        ids = list(
            Enrolment.objects.filter(region__code__startswith=PREFIX)
            .order_by("id")
            .values_list("id", flat=True)[:sample]
        )
    month = datetime.date(2026, 4, 1)
    out = io.StringIO()
    writer = csv.writer(out)
    started = time.perf_counter()
    written = 0
    with transaction.atomic():
        payroll = PayrollMonth.objects.create(region_id=COUNTY, month=month)
        batch = BankBatch.objects.create(payroll=payroll, region_id=COUNTY, template=template, count=0, total=0,
                                         sha256="", created_by=user)  # fmt: skip
        for pk in ids:
            e = Enrolment.objects.select_related("programme", "household").get(pk=pk)
            amount, state = e.monthly_amount, "active"
            for ch in EnrolmentChange.objects.filter(enrolment=e, effective_month__lte=month).order_by(
                "effective_month", "id"
            ):
                amount = Decimal(ch.after["amount"]) if "amount" in ch.after else amount
                state = ch.after.get("status", state)
            members = list(EnrolmentMember.objects.filter(enrolment=e).select_related("person"))
            dead = members and all(m.person.is_deceased for m in members)
            if state in ("suspended", "stopped") or (state == "grace" and e.grace_until and month > e.grace_until):
                continue
            if dead:
                continue
            paid = PayrollLine.objects.filter(enrolment=e, service_month=month, payroll__status="locked").aggregate(
                t=Sum("amount")
            )["t"] or Decimal(0)
            line = PayrollLine.objects.create(
                payroll=payroll, enrolment=e, service_month=month, kind="regular", amount=amount - paid,
                programme_code=e.programme.code, region_id=e.region_id, payee_id=e.person_id or e.household.head_id,
                explanation={"规则": "按月发放", "核定依据": e.basis},
            )  # fmt: skip
            payee = Person.objects.get(pk=line.payee_id)
            reference = f"X{line.pk}"
            writer.writerow([payee.bank_account, payee.name, f"{line.amount:.2f}", reference])
            Payment.objects.create(batch=batch, line=line, reference=reference)
            written += 1
        transaction.set_rollback(True)
    return time.perf_counter() - started, written


def _template() -> BankTemplate:
    template, _ = BankTemplate.objects.get_or_create(
        name="基准邮储CSV", region_id=COUNTY,
        defaults={"bank_name": "邮储银行", "format": "csv",
                  "columns": [{"field": "account", "header": "账号"}, {"field": "name", "header": "户名"},
                              {"field": "amount", "header": "金额"}, {"field": "reference", "header": "流水号"}]},
    )  # fmt: skip
    return template


def _lock(payroll: PayrollMonth) -> PayrollMonth:
    """职责分离: the month built by ``_user()`` is reviewed and approved and locked by two other people."""
    reviewer, approver = _user("_r"), _user("_a")
    for who, action in ((reviewer, "review"), (approver, "approve"), (approver, "lock")):
        payroll = services.advance(who, payroll, action)
    return payroll


def run(size: str, workdir) -> dict:
    n, sample = _use(size)
    villages = _regions()
    user = _user()
    setup_s = _setup(n, villages, user)
    with transaction.atomic():
        _wipe_payroll()
    _vacuum()
    template = _template()
    today = datetime.date(2026, 3, 15)
    # a server process pays its first DuckDB connection once (duckdb imports pandas then, ~0.5–1 s): not per month
    w0 = time.perf_counter()
    duckdb.connect().close()
    warm_s = time.perf_counter() - w0
    t0 = time.perf_counter()
    payroll = services.build(user, region_code=COUNTY, month=MONTH, today=today)
    t1 = time.perf_counter()
    payroll = _lock(payroll)  # 职责分离: three people build, review and approve
    t2 = time.perf_counter()
    _, content, batch = bank.export(user, payroll, template)
    t3 = time.perf_counter()
    (workdir / "daifa.csv").write_bytes(content)
    huimin_s = (t1 - t0) + (t3 - t2)
    with connection.cursor() as c:  # fresh statistics for the baseline's per-row lookups (not timed)
        c.execute("ANALYZE benefits_payrollline")
        c.execute("ANALYZE benefits_payment")
    base_s, base_lines = _baseline(sample, user, template)
    extrapolated = base_s * n / sample
    return {
        "scenario": "payroll",
        "sizes": {"recipients": n, "lines": payroll.line_count, "bank_rows": batch.count, "baseline_sample": sample},
        "timings_s": {
            "setup_copy_not_timed": round(setup_s, 2),
            "first_duckdb_connect_not_timed": round(warm_s, 2),
            "huimin_build": round(t1 - t0, 2),
            "huimin_bank_file": round(t3 - t2, 2),
            "huimin_total": round(huimin_s, 2),
            "baseline_sample": round(base_s, 2),
            "baseline_extrapolated": round(extrapolated, 2),
        },
        "ratios": {"baseline_over_huimin": round(extrapolated / huimin_s, 1)},
        "peak_memory_mb": None,
        "targets": {f"{n:,} recipients built + bank file < {TARGET_SECONDS} s": huimin_s < TARGET_SECONDS},
        "notes": (
            f"{payroll.line_count:,} lines (suspended and expired 渐退 enrolments unpaid), total {payroll.total} 元; "
            f"bank file {len(content) / 1e6:.1f} MB CSV. Baseline: ORM record by record on {sample:,} enrolments "
            f"({base_lines:,} lines written, rolled back), extrapolated linearly to {n:,}. "
            + ("Setup reused. " if not setup_s else f"Setup by COPY took {setup_s:.0f} s (not timed). ")
            + f"The process's first DuckDB connection ({warm_s:.2f} s, pandas imported once) is made before timing."
        ),
    }
