"""Province scale over the application's own data: departmental snapshots and the registry export written by
county, the county-by-county batch over them giving the rows, the comparison with previous results and the review
list of the whole run, and the batch page starting and resuming such a run in the task worker."""

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from django.db import connection
from django.test import Client
from django_tasks_db.models import DBTaskResult

from huimin.core.access import BusinessRuleError
from huimin.core.models import AuditEntry
from huimin.core.roles import Role
from huimin.engine import counties, export
from huimin.registry import idnumbers
from huimin.registry.models import Household, Person
from huimin.verification import services
from huimin.verification.models import BatchCounty, BatchResult, BatchRun, Snapshot
from tests.concurrency import at_once, slowed
from tests.conftest import OTHER_COUNTY, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1
from tests.task_worker import run_the_worker
from tests.verification.factories import AS_OF, IMMEDIATE, D, load, make_household, standard_thresholds

CITY = "411700000000"
HOME = "411702000000"


def _vehicle(person):
    return {"id_number": person.id_number, "plate_no": "豫Q12345", "vehicle_type": "轿车", "value": "120000.00",
            "registered_on": "2023-04-01", "status": "正常"}  # fmt: skip


def _deposit(id_number: str):
    return {"id_number": id_number, "institution": "某银行", "product": "理财", "balance": "500000.00",
            "as_of": "2026-06-01"}  # fmt: skip


@pytest.fixture
def city(users, make_user):
    """Households in two counties; 机动车 kept by county, 社保 as one file."""
    standard_thresholds()
    approver = make_user("city_approver", Role.APPROVER, CITY)
    made = {
        "poor": make_household(VILLAGE_A1, [("甲一", D(1950, 1, 1)), ("甲二", D(1952, 1, 1))]),
        "earner": make_household(VILLAGE_A2, [("乙一", D(1980, 1, 1))]),
        "car": make_household(VILLAGE_B1, [("丙一", D(1985, 1, 1))]),
        "other": make_household(OTHER_COUNTY, [("丁一", D(1975, 1, 1)), ("丁二", D(2015, 1, 1))]),
        "mover": make_household(VILLAGE_A1, [("戊一", D(1960, 1, 1))]),
    }
    vehicles = [_vehicle(made["car"][1][0]), _vehicle(made["mover"][1][0])]
    load(approver, "vehicles", vehicles, by_county=True)
    pension = {"id_number": made["poor"][1][0].id_number, "month": "2026-01", "kind": "养老金", "amount": "1200.00"}
    load(approver, "social_insurance", [pension], by_county=False)
    return approver, made


def _household_of(region_code: str, name: str, id_number: str) -> Household:
    household = Household.objects.create(number="LATE1", region_id=region_code)
    person = Person.objects.create(name=name, id_number=id_number, birth_date=D(1990, 1, 1), region_id=region_code,
                                   household=household)  # fmt: skip
    household.head = person
    household.save()
    return household


def _rows(path) -> list[dict]:
    return sorted(services.read_results(path).to_pylist(), key=lambda r: r["household_id"])


def _facts(run) -> list[tuple]:
    return sorted(BatchResult.objects.filter(run=run).values_list(*services.RESULT_COLUMNS[2:]))


def _whole_facts(run) -> list[tuple]:
    table = services._result_rows(0, "", services.read_results(run.results_path))
    return sorted(zip(*(table[f].to_pylist() for f in services.RESULT_COLUMNS[2:]), strict=True))


def test_records_are_kept_by_the_county_of_their_persons_household_and_none_is_lost(city):
    approver, made = city
    late = idnumbers.make("411721", D(1990, 1, 1), 901)  # registered only after the feed came in
    never = idnumbers.make("411721", D(1991, 1, 1), 902)  # nobody in the registry
    upload = load(approver, "deposits", [_deposit(made["earner"][1][0].id_number), _deposit(late), _deposit(never),
                                         _deposit(made["other"][1][0].id_number)], by_county=True)  # fmt: skip
    snap = upload.snapshot
    assert upload.unregistered_rows == 2 and snap.row_count == 4 and Path(snap.path).is_dir()
    parts = {d.name: pq.read_table(d / "part-0.parquet").num_rows for d in Path(snap.path).iterdir()}
    assert parts == {"county=411702000000": 1, "county=411721000000": 1, "county=unknown": 2}
    # every reader still sees every record, in the snapshot's own columns
    every = services.ingest.read_snapshot(snap.path)
    assert every.num_rows == 4 and every.column_names == pq.read_table(next(Path(snap.path).glob("*/*"))).column_names


def test_the_registry_export_by_county_holds_the_rows_of_the_whole_export(city, tmp_path):
    whole = export.export_registry(tmp_path / "whole")
    parted = export.export_registry(tmp_path / "parted", by_county=True)
    assert counties.counties(tmp_path / "parted") == [HOME, OTHER_COUNTY]
    for name in ("persons", "households"):
        rows = sorted(pq.read_table(whole[name]).to_pylist(), key=str)
        parts = [pq.read_table(f).to_pylist() for f in sorted(parted[name].glob("*/*.parquet"))]
        assert sorted((r for p in parts for r in p), key=str) == rows and rows
    other = pq.read_table(parted["households"] / f"county={OTHER_COUNTY}" / "part-0.parquet")
    assert other["household_id"].to_pylist() == [city[1]["other"][0].pk]


def test_the_county_by_county_run_over_the_own_data_is_the_whole_run_with_its_comparison(city, login):
    approver, made = city
    first = services.run_batch(approver, "dibao", AS_OF, "4117")
    # after the first run: a new feed by county, a household moved to the other county after its 机动车 record came
    # in, a person registered after his deposit was reported
    late = idnumbers.make("411721", D(1990, 1, 1), 901)
    load(approver, "deposits", [_deposit(made["earner"][1][0].id_number), _deposit(late)], by_county=True)
    Household.objects.filter(pk=made["mover"][0].pk).update(region_id=OTHER_COUNTY)
    Person.objects.filter(pk=made["mover"][1][0].pk).update(region_id=OTHER_COUNTY)
    newcomer = _household_of(OTHER_COUNTY, "庚一", late)

    by_county = services.run_batch_by_county(approver, "dibao", AS_OF, None, "4117")
    assert by_county.status == BatchRun.Status.DONE and by_county.counties_total == by_county.counties_done == 2
    # so that the whole run compares with the same first run, the county-by-county one is not "the last batch"
    BatchRun.objects.filter(pk=by_county.pk).update(status=BatchRun.Status.FAILED)
    whole = services.run_batch(approver, "dibao", AS_OF, "4117")
    BatchRun.objects.filter(pk=by_county.pk).update(status=BatchRun.Status.DONE)

    assert _facts(by_county) == _whole_facts(whole) and len(_facts(by_county)) == 6
    assert _rows(by_county.results_path) == _rows(whole.results_path)
    rows = {r["household_id"]: r for r in _rows(by_county.results_path)}
    assert rows[made["mover"][0].pk]["conclusion"] == "not_eligible"  # his record lay in the old county's files
    assert rows[newcomer.pk]["conclusion"] == "not_eligible"  # his deposit lay under county=unknown
    assert rows[made["earner"][0].pk]["prev_conclusion"] == "eligible" and rows[made["earner"][0].pk]["changed"]
    assert (by_county.counts, by_county.changed, by_county.households) == (whole.counts, whole.changed, 6)
    assert by_county.changed == 1
    assert services.review_rows(by_county) == services.review_rows(whole)
    assert services.review_rows(by_county, only_changed=True)[0]["number"] == made["earner"][0].number
    assert {p.county_code for p in BatchCounty.objects.filter(run=by_county)} == {HOME, OTHER_COUNTY}
    assert first.pk < by_county.pk < whole.pk

    client = login(approver)
    page = client.get(f"/verification/batches/{by_county.pk}/?changed=1").content.decode()
    assert made["earner"][0].number in page and "结论变化 1 户" in page
    assert client.get(f"/verification/batches/{by_county.pk}/review.xlsx").status_code == 200


def test_without_snapshots_by_county_the_run_is_refused_naming_who_configures_it_and_where(users, login, settings):
    settings.TASKS = IMMEDIATE
    standard_thresholds()
    hh, (person,) = make_household(VILLAGE_A1, [("王一", D(1960, 1, 1))])
    load(users["approver"], "vehicles", [_vehicle(person)])  # one file, as before
    with pytest.raises(BusinessRuleError, match="县级审批人在「核对 → 部门数据」页面.*按县（区）分区保存"):
        services.run_batch_by_county(users["approver"], "dibao", AS_OF, None, "411702")
    response = login(users["approver"]).post(
        "/verification/batches/by-county/", {"programme": "dibao", "as_of": AS_OF.isoformat()}, follow=True
    )
    assert "县级审批人在「核对 → 部门数据」页面" in response.content.decode()
    assert not BatchRun.objects.exists()
    assert not AuditEntry.objects.filter(action="verification.batch.queue").exists()


def test_the_batch_page_starts_a_run_by_county_in_the_worker_and_refuses_bad_input(city, login, settings, users):
    settings.TASKS = IMMEDIATE
    approver, made = city
    client = login(approver)
    page = client.get("/verification/batches/").content.decode()
    assert 'data-testid="batch-by-county"' in page and 'id="county_as_of"' in page
    data = {"programme": "dibao", "as_of": AS_OF.isoformat(), "region_prefix": "4117"}
    response = client.post("/verification/batches/by-county/", data, follow=True)
    run = BatchRun.objects.get()
    assert run.by_county and run.status == BatchRun.Status.DONE and run.counties_done == 2
    assert response.redirect_chain[-1][0] == f"/verification/batches/{run.pk}/"
    assert "按县复核完成：2 个县（区），5 户" in response.content.decode()
    for action in ("verification.batch.queue", "verification.batch.start", "verification.batch.done"):
        assert AuditEntry.objects.filter(action=action).count() == 1, action

    bad = client.post("/verification/batches/by-county/", {"programme": "dibao", "as_of": "2026-13-40"}, follow=True)
    assert "按县复核的参数有误：核对基准日" in bad.content.decode()
    future = client.post("/verification/batches/by-county/", {"programme": "dibao", "as_of": "2027-01-01"}, follow=True)
    assert "核对基准日不能晚于今天" in future.content.decode()
    outside = client.post("/verification/batches/by-county/",
                          {"programme": "dibao", "as_of": AS_OF.isoformat(), "region_prefix": "4401"})  # fmt: skip
    assert outside.status_code == 404
    assert login(users["clerk_a"]).post("/verification/batches/by-county/", {"programme": "dibao"}).status_code == 403
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(approver)
    assert strict.post("/verification/batches/by-county/", {"programme": "dibao"}).status_code == 403
    assert BatchRun.objects.count() == 1


def test_a_run_queued_from_the_page_waits_for_the_worker_and_is_not_queued_twice(city, login):
    approver, _ = city
    client = login(approver)
    data = {"programme": "dibao", "as_of": AS_OF.isoformat()}
    first = client.post("/verification/batches/by-county/", data, follow=True).content.decode()
    assert "按县复核已提交后台处理" in first and "有 1 次批量复核在排队" in first
    assert first.count('data-testid="batch-queued"') == 1 and "按县复核，已等待不到 1 分钟" in first
    second = client.post("/verification/batches/by-county/", data, follow=True).content.decode()
    assert "已有一次按县复核在排队" in second
    assert services.queued_batches() == 1 and not BatchRun.objects.exists()  # the worker has not run it yet


class Killed(BaseException):
    """Stands for SIGKILL (not an Exception: the run stays 运行中, as after a kill)."""


def test_an_interrupted_run_is_resumed_from_its_page(city, login, settings):
    settings.TASKS = IMMEDIATE
    approver, _ = city

    def kill_after_one(*_):
        raise Killed

    with pytest.raises(Killed):
        services.run_batch_by_county(approver, "dibao", AS_OF, None, "4117", progress=kill_after_one)
    run = BatchRun.objects.get()
    assert run.counties_done == 1 and run.counties_total == 2
    BatchRun.objects.filter(pk=run.pk).update(worker_pid=_dead_pid())
    services.close_stale_runs()
    client = login(approver)
    page = client.get(f"/verification/batches/{run.pk}/").content.decode()
    assert 'data-testid="batch-resume"' in page and "已完成 1 / 2 个县（区）" in page
    # a new feed meanwhile does not change what the resumed run reads: the inputs of its first part
    load(approver, "deposits", [_deposit(Person.objects.filter(region_id=VILLAGE_B1).first().id_number)],
         by_county=True)  # fmt: skip
    response = client.post(f"/verification/batches/{run.pk}/resume/", follow=True).content.decode()
    run.refresh_from_db()
    assert "按县续跑完成：2 个县（区），5 户" in response and run.status == BatchRun.Status.DONE
    assert BatchCounty.objects.filter(run=run).count() == 2
    assert AuditEntry.objects.filter(action="verification.batch.resume", object_id=str(run.pk)).count() == 1
    read = json.loads((Path(run.snapshot_root) / services.INPUTS).read_text())["snapshots"]
    assert "deposits" not in read and Snapshot.objects.filter(source="deposits").exists()
    assert {r["conclusion"] for r in _rows(run.results_path)} == {"eligible", "not_eligible"}
    again = client.post(f"/verification/batches/{run.pk}/resume/", follow=True).content.decode()
    assert "已完成，无需续跑" in again


def _dead_pid() -> int:
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-c", "pass"])  # noqa: S603
    proc.wait()
    return proc.pid


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_runs_by_county_submitted_at_the_same_instant_queue_one(city, monkeypatch):
    """As for the whole run (test_batch_queue): one queued, the other refused in words once the first committed."""
    if connection.vendor != "postgresql":
        pytest.skip("the advisory lock is PostgreSQL's (SQLite lets one writer in at a time)")
    approver, _ = city
    monkeypatch.setattr(services, "_refuse_while_queued", slowed(services._refuse_while_queued))

    def submit():
        return services.start_batch_by_county(approver, "dibao", AS_OF, "4117")

    outcomes = at_once(submit, submit)
    refused = [o for o in outcomes if isinstance(o, BusinessRuleError)]
    assert len(refused) == 1, outcomes
    assert refused[0].message == "已有一次按县复核在排队等待后台处理，请待其开始后再提交"
    assert services.queued_batches() == 1 and not BatchRun.objects.exists()


def test_a_run_queued_under_the_old_task_name_before_the_upgrade_still_runs(city, monkeypatch):
    """Jobs queued by 48d604b's page name batch_by_county_task (positional arguments, the region's code; a resume:
    no region, resume_id): the worker imports that path, and the kept task runs them as batch_task by county."""
    approver, _ = city
    services.batch_by_county_task.enqueue(approver.pk, "dibao", AS_OF.isoformat(), CITY)  # as the old page did
    job = DBTaskResult.objects.get()
    assert job.task_path == "huimin.verification.services.batch_by_county_task"
    assert job.args_kwargs == {"args": [approver.pk, "dibao", "2026-06-30", CITY], "kwargs": {}}
    # it waits as a county-by-county run: listed, counted, and a new one is refused while it waits
    (waiting,) = services.queued_runs()
    assert (waiting.by_county, waiting.region_code, waiting.as_of, waiting.resume_id) == (True, CITY, AS_OF, None)
    with pytest.raises(BusinessRuleError, match="已有一次按县复核在排队"):
        services.start_batch_by_county(approver, "dibao", AS_OF, "4117")

    run_the_worker(monkeypatch)
    job.refresh_from_db()
    assert job.status == "SUCCESSFUL", job.traceback
    run = BatchRun.objects.get(pk=job.return_value)
    assert (run.status, run.by_county, run.region_id, run.created_by) == (BatchRun.Status.DONE, True, CITY, approver)
    assert run.counties_done == run.counties_total == 2 and run.households == 5
    assert AuditEntry.objects.get(action="verification.batch.start").actor == approver.username
    assert services.queued_batches() == 0
