"""Faults: a registry import, a 核对 batch run, a payroll build and a bank file export are SIGKILLed half-way: each runs
in a child process (the payroll also for a month of every allowance, 低保/特困 beside the two disability subsidies, its
bank files one per programme) that stops right after the step that writes the rows that matter (the persons, the
batch's result file, the payroll lines, the payments), while its transaction is open — the watcher also sees the
child's row-exclusive lock on that table in pg_locks — and is killed there. After that nothing is half-written, the
audit chain verifies, a rerun completes and nothing is paid twice. (The batch run commits its 运行中 record first: it
is left without a result, and is closed as 中断 — audited, with a rerun offered — as soon as its process is seen to be
gone.) A database connection dropped inside a request's transaction commits nothing and answers with the Chinese
error page."""

import datetime
from pathlib import Path

import psycopg
import pytest
from bench.faults import audit_ok, child, db_url, kill_while_writing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from huimin.core import audit
from huimin.core.models import User
from huimin.registry import idnumbers
from huimin.registry.models import Household, ImportJob, Person
from tests.conftest import VILLAGE_A1
from tests.registry.conftest import row, xlsx

TRANSACTIONAL = pytest.mark.django_db(transaction=True, serialized_rollback=True)


# --- registry import ---------------------------------------------------------------------------------------------


@TRANSACTIONAL
def test_registry_import_killed_half_way_writes_nothing_and_reruns_once(users, settings, tmp_path):
    from huimin.registry import imports

    settings.MEDIA_ROOT = tmp_path
    n = 500
    rows = [
        row(household_number=f"FAULT{i}", relation="户主", name=f"故障{i}", region=VILLAGE_A1,
            id_number=idnumbers.make("411702", datetime.date(1940, 1, 1) + datetime.timedelta(days=i), i % 1000))
        for i in range(n)
    ]  # fmt: skip
    job = imports.dry_run(users["clerk_a"], SimpleUploadedFile("台账.xlsx", xlsx(rows)))
    assert job.status == ImportJob.Status.CHECKED, job.errors[:3]
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.QUEUED)
    entries = audit.verify().checked

    code = f"from huimin.registry.imports import commit_import\ncommit_import.call({job.pk})\n"
    proc = child("huimin.registry.bulk:write_plan", code)
    kill_while_writing(proc, "registry_person")
    assert not Person.objects.exists() and not Household.objects.exists()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.RUNNING  # what the dead worker left: nothing was written
    audit_ok()
    assert audit.verify().checked == entries

    assert imports.commit_import.call(job.pk) == ImportJob.Status.DONE  # the rerun
    assert Person.objects.count() == n and Household.objects.count() == n
    assert imports.commit_import.call(job.pk) == ImportJob.Status.DONE  # a second rerun writes nothing more
    assert Person.objects.count() == n
    audit_ok()


# --- 核对 batch run ------------------------------------------------------------------------------------------------


@TRANSACTIONAL
def test_batch_run_killed_half_way_is_closed_as_interrupted_and_reruns(users, settings, tmp_path, login):
    from huimin.core.models import AuditEntry
    from huimin.verification.models import BatchRun, Report, Threshold

    settings.VAR_DIR = tmp_path
    for i in range(50):
        household = Household.objects.create(number=f"VB{i}", region_id=VILLAGE_A1)
        person = Person.objects.create(
            name=f"核对{i}", id_number=idnumbers.make("411702", datetime.date(1960, 1, 1), i), region_id=VILLAGE_A1,
            birth_date=datetime.date(1960, 1, 1), household=household,
        )  # fmt: skip
        Household.objects.filter(pk=household.pk).update(head=person)
    Threshold.objects.create(programme="dibao", rule="income_standard", value=1, valid_from=datetime.date(2020, 1, 1))
    approver = users["approver"].pk

    code = (
        "import datetime\nfrom django.conf import settings\n"
        f"settings.VAR_DIR = __import__('pathlib').Path({str(tmp_path)!r})\n"
        "from huimin.core.models import User\nfrom huimin.verification import services\n"
        f"services.run_batch(User.objects.get(pk={approver}), 'dibao', datetime.date(2026, 6, 30), '411702')\n"
    )
    # run_batch commits its BatchRun (运行中, with the child's host and pid) first and its result at the end, in two
    # transactions: killed while writing the result file, the run is left 运行中 with no result, nothing else written
    proc = child("huimin.verification.ingest:write_parquet", code)
    kill_while_writing(proc, None)
    killed = BatchRun.objects.get()
    assert killed.status == BatchRun.Status.RUNNING and not killed.results_path and killed.households == 0
    assert killed.worker_pid == proc.pid and killed.heartbeat_at is not None
    assert not Report.objects.exists()
    audit_ok()

    # the runs page sees that the process is gone: the run shows 中断 with a rerun, and the closing is audited
    client = login(users["approver"])
    page = client.get("/verification/batches/").content.decode()
    killed.refresh_from_db()
    assert killed.status == BatchRun.Status.INTERRUPTED and "进程" in killed.error
    assert "中断" in page and "运行中" not in page and 'data-testid="batch-rerun"' in page
    closing = AuditEntry.objects.get(action="verification.batch.interrupted")
    assert closing.object_id == str(killed.pk) and closing.actor == users["approver"].username
    detail = client.get(f"/verification/batches/{killed.pk}/").content.decode()
    assert "中断" in detail and "重新运行" in detail
    client.get("/verification/batches/")  # a second look closes nothing twice
    assert AuditEntry.objects.filter(action="verification.batch.interrupted").count() == 1
    audit_ok()

    # the rerun the page offers posts the same programme, date and scope, and completes (queued for the task
    # worker: here the immediate backend runs it at once, in the request)
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    response = client.post(
        "/verification/batches/",
        {"programme": "dibao", "as_of": "2026-06-30", "region_prefix": "411702", "backend": "duckdb"},
    )
    run = BatchRun.objects.exclude(pk=killed.pk).get()
    assert response.status_code == 302 and response.url == f"/verification/batches/{run.pk}/"
    assert run.status == BatchRun.Status.DONE and run.households == 50
    assert Path(run.results_path).exists()
    assert BatchRun.objects.filter(status=BatchRun.Status.DONE).count() == 1
    killed.refresh_from_db()
    assert killed.status == BatchRun.Status.INTERRUPTED
    audit_ok()


# --- payroll build and bank file ---------------------------------------------------------------------------------


@pytest.fixture
def payroll_county(seeded, monkeypatch):
    """The payroll benchmark's synthetic county at a test size: enrolments with payees and bank accounts."""
    from bench.scenarios import payroll as scenario

    monkeypatch.setitem(scenario.SIZES, "fault", (500, 10, "411797", 770_000_000))
    n, _ = scenario._use("fault")
    villages = scenario._regions()
    user = scenario._user()
    scenario._setup(n, villages, user)
    return scenario, user, n


@TRANSACTIONAL
def test_payroll_build_and_bank_export_killed_half_way_pay_nothing_twice(payroll_county):
    from huimin.benefits import bank, services
    from huimin.benefits.models import BankBatch, BankTemplate, Payment, PayrollLine, PayrollMonth

    scenario, user, n = payroll_county
    today = datetime.date(2026, 3, 15)
    build = (
        "import datetime\nfrom huimin.benefits import services\nfrom huimin.core.models import User\n"
        f"services.build(User.objects.get(pk={user.pk}), region_code={scenario.COUNTY!r}, "
        f"month=datetime.date(2026, 3, 1), today=datetime.date(2026, 3, 15))\n"
    )
    kill_while_writing(child("huimin.benefits.payroll_engine:write_lines", build), "benefits_payrollline")
    assert not PayrollMonth.objects.exists() and not PayrollLine.objects.exists()
    audit_ok()

    payroll = services.build(user, region_code=scenario.COUNTY, month=scenario.MONTH, today=today)
    assert payroll.line_count > n * 0.8 and PayrollLine.objects.count() == payroll.line_count
    payroll = scenario._lock(payroll)  # 职责分离: reviewed, approved and locked by two other people
    template = BankTemplate.objects.create(
        name="故障测试", bank_name="邮储银行", region_id=scenario.COUNTY, format="csv",
        columns=[{"field": "account", "header": "账号"}, {"field": "amount", "header": "金额"},
                 {"field": "reference", "header": "流水号"}],
    )  # fmt: skip
    export = (
        "from huimin.benefits import bank\nfrom huimin.benefits.models import BankTemplate, PayrollMonth\n"
        "from huimin.core.models import User\n"
        f"bank.export(User.objects.get(pk={user.pk}), PayrollMonth.objects.get(pk={payroll.pk}), "
        f"BankTemplate.objects.get(pk={template.pk}))\n"
    )
    # paused after the export's last step (its audit entry): the payments and the batch are written, not committed
    kill_while_writing(child("huimin.core.audit:record", export), "benefits_payment")
    assert not Payment.objects.exists() and not BankBatch.objects.exists()
    audit_ok()

    _, content, batch = bank.export(user, payroll, template)
    paid_lines = PayrollLine.objects.filter(payroll=payroll, amount__gt=0).count()
    assert batch.count == paid_lines == Payment.objects.count() > 0
    with pytest.raises(Exception):  # noqa: B017 - whatever it says, a second file must not be made
        bank.export(user, payroll, template)
    assert Payment.objects.count() == paid_lines and BankBatch.objects.count() == 1
    assert len(set(Payment.objects.values_list("line_id", flat=True))) == paid_lines  # one payment per line
    audit_ok()


@pytest.fixture
def mixed_county(seeded, monkeypatch):
    """The ``payroll_all`` benchmark's county at a test size: 低保/特困 enrolments and the two disability subsidies
    of the same payees (some persons in both), with their bank accounts."""
    from bench.scenarios import payroll as base
    from bench.scenarios import payroll_all as scenario

    monkeypatch.setitem(scenario.SIZES, "fault", (400, 120, 10, "411794", 750_000_000))
    monkeypatch.setitem(base.SIZES, "all_fault", None)  # filled by ``use``, taken away again after the test
    n, m, _ = scenario.use("fault")
    villages = base._regions()
    user = base._user()
    scenario._setup(n, m, villages, user)
    return base, user, n + m


@TRANSACTIONAL
def test_mixed_month_build_and_split_export_killed_half_way_pay_each_line_once(mixed_county):
    """A month of every allowance: the killed build leaves nothing; the rerun pays each enrolment and service month
    once, 低保, 特困 and both subsidies side by side; the killed per-programme export leaves no batch, and its rerun
    sends every line once, in one file per programme."""
    from django.db.models import Count

    from huimin.benefits import bank, services
    from huimin.benefits.models import BankBatch, BankTemplate, Payment, PayrollLine, PayrollMonth

    base, user, enrolments = mixed_county
    build = (
        "import datetime\nfrom huimin.benefits import services\nfrom huimin.core.models import User\n"
        f"services.build(User.objects.get(pk={user.pk}), region_code={base.COUNTY!r}, "
        f"month=datetime.date(2026, 3, 1), today=datetime.date(2026, 3, 15))\n"
    )
    kill_while_writing(child("huimin.benefits.payroll_engine:write_lines", build), "benefits_payrollline")
    assert not PayrollMonth.objects.exists() and not PayrollLine.objects.exists()
    audit_ok()

    payroll = services.build(user, region_code=base.COUNTY, month=base.MONTH, today=datetime.date(2026, 3, 15))
    lines = PayrollLine.objects.filter(payroll=payroll)
    assert lines.count() == payroll.line_count > enrolments * 0.8
    assert not lines.values("enrolment_id", "service_month", "kind").annotate(k=Count("id")).filter(k__gt=1).exists()
    paid = dict(lines.values_list("programme_code").annotate(n=Count("id")))
    assert set(paid) == {"dibao", "tekun_scattered", "disability_living", "severe_care"}
    assert paid["disability_living"] + paid["severe_care"] == 120 and not lines.filter(fund__isnull=True).exists()
    both = lines.values("payee_id").annotate(k=Count("programme_code", distinct=True)).filter(k=3).count()
    assert both > 0  # persons paid 低保 and both subsidies: a line each

    payroll = base._lock(payroll)
    template = BankTemplate.objects.create(
        name="故障分项目", bank_name="邮储银行", region_id=base.COUNTY, format="csv", split_by_programme=True,
        columns=[{"field": "account", "header": "账号"}, {"field": "amount", "header": "金额"},
                 {"field": "reference", "header": "流水号"}],
    )  # fmt: skip
    export = (
        "from huimin.benefits import bank\nfrom huimin.benefits.models import BankTemplate, PayrollMonth\n"
        "from huimin.core.models import User\n"
        f"bank.export_files(User.objects.get(pk={user.pk}), PayrollMonth.objects.get(pk={payroll.pk}), "
        f"BankTemplate.objects.get(pk={template.pk}))\n"
    )
    # paused after the first programme's audit entry: every batch's payments are written, nothing committed
    kill_while_writing(child("huimin.core.audit:record", export), "benefits_payment")
    assert not Payment.objects.exists() and not BankBatch.objects.exists()
    audit_ok()

    _, _, batches = bank.export_files(user, payroll, template)
    positive = lines.filter(amount__gt=0)
    assert sorted(b.programme_code for b in batches) == sorted(paid)
    assert sum(b.count for b in batches) == positive.count() == Payment.objects.count()
    assert len(set(Payment.objects.values_list("line_id", flat=True))) == positive.count()  # one payment per line
    with pytest.raises(Exception):  # noqa: B017 - whatever it says, no second file may be made
        bank.export_files(user, payroll, template)
    assert BankBatch.objects.count() == len(batches) and Payment.objects.count() == positive.count()
    audit_ok()


# --- a connection dropped inside a request -----------------------------------------------------------------------


@TRANSACTIONAL
def test_connection_dropped_in_a_transaction_commits_nothing_and_shows_the_chinese_page(users, monkeypatch):
    """An account is created through the page; after its row is written and before the transaction commits,
    another connection terminates the request's backend (as a database restart or a network cut would)."""
    from django.test import Client
    from django.urls import reverse

    from huimin.core import audit as audit_module

    original = audit_module.record

    def record_then_lose_the_connection(*args, **kwargs):
        pid = connection.connection.info.backend_pid
        with psycopg.connect(db_url(), autocommit=True) as other:
            other.execute("SELECT pg_terminate_backend(%s)", [pid])
        return original(*args, **kwargs)

    before = User.objects.count(), audit.verify().checked
    monkeypatch.setattr(audit_module, "record", record_then_lose_the_connection)
    client = Client(raise_request_exception=False)
    client.force_login(users["sysadmin"])
    form = {"username": "dropped_conn", "full_name": "断线", "region": "411702000000"}
    response = client.post(reverse("core:user_create"), form)
    monkeypatch.setattr(audit_module, "record", original)
    body = response.content.decode()
    assert response.status_code == 500, (response.status_code, body[:500])
    assert "系统出错" in body and "Traceback" not in body
    connection.close()  # this test's own connection was the one terminated
    assert (User.objects.count(), audit.verify().checked) == before
    assert not User.objects.filter(username="dropped_conn").exists()
    audit_ok()
    assert client.get(reverse("core:users")).status_code == 200  # the app answers again
