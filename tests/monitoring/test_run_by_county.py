"""The monitoring service county by county (issue 23): over county-partitioned departmental snapshots
``services.run`` goes county by county through ``engine.counties.Monitor`` and raises exactly the warnings of a
run over everybody on the same data (full and incremental); each finished county is recorded, the runs page shows
the progress, and a run stopped half-way resumes from the counties not done — no warning twice, none missed."""

import datetime
import io
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from huimin.core import crypto, regions
from huimin.core.models import AuditEntry
from huimin.core.services import ServiceError
from huimin.engine import counties, export
from huimin.monitoring import by_county, elderly_link, services
from huimin.monitoring.models import MonitoringCounty, MonitoringRun, Warning
from huimin.registry.models import Household, Person
from huimin.verification import services as verification
from huimin.verification.models import Snapshot
from tests.monitoring.conftest import AS_OF
from tests.verification.test_stale_runs import HOST, _dead_pid

FIELDS = ("fact_key", "rule__code", "household_id", "person_id", "region_id", "township_id", "category", "direction",
          "severity", "record_key", "occurred_on", "due_on")  # fmt: skip
NOWHERE = "000000000000"  # the partition of records whose person is in no registry household


def _warnings(**where) -> set[tuple]:
    return {(*row[:-2], json.dumps(row[-2], sort_keys=True), row[-1])
            for row in Warning.objects.filter(**where).values_list(*FIELDS, "detail", "reraised_from_id")}  # fmt: skip


def _forget(runs) -> None:
    """Take back what runs raised (the same data is then run the other way)."""
    Warning.objects.filter(run__in=runs).delete()
    MonitoringCounty.objects.filter(run__in=runs).delete()
    MonitoringRun.objects.filter(pk__in=[r.pk for r in runs]).delete()


def _county_of_keys() -> dict[str, str]:
    """Where ingestion puts a person's records: the county of his registry household (the lowest of two)."""
    rows = Person.objects.filter(household__isnull=False, merged_into__isnull=True).exclude(id_number_bidx="")
    out: dict[str, str] = {}
    for key, region in rows.values_list("id_number_bidx", "household__region_id"):
        out[key] = min(out.get(key, "999999999999"), export.county_of(region))
    return out


def _registered_elsewhere(case) -> Person:
    """Move a planted case's person's registry home to another county: his enrolment (and the warning) stays in
    the first, his departmental records lie in the other."""
    person = Person.objects.get(id_number_bidx=crypto.blind_index("id_number", case["id_number"]))
    away = Household.objects.exclude(region__code__startswith=person.household.region_id[:6]).order_by("id").first()
    Person.objects.filter(pk=person.pk).update(household=away)
    return person


def partition(snapshots, out: Path) -> None:
    """Rewrite snapshots as ingestion does at province scale: a directory per snapshot, its records in the county
    of the household their person is registered in (``county=<code>/part-0.parquet``); the Snapshot rows (same
    ids: the same data) then point at the directories."""
    where = _county_of_keys()
    for snap in snapshots:
        table = pq.read_table(snap.path)
        codes = pa.array([where.get(k, NOWHERE) for k in table["person_key"].to_pylist()], pa.string())
        directory = out / f"{snap.source}-{snap.pk}"
        for code in sorted(set(codes.to_pylist())):
            part = directory / f"{counties.PREFIX}{code}" / "part-0.parquet"
            part.parent.mkdir(parents=True)
            pq.write_table(table.filter(pc.equal(codes, code)), part)
        snap.path = str(directory)
        snap.save(update_fields=["path"])


def _partition_all(tmp_path) -> None:
    partition(Snapshot.objects.all(), tmp_path / "partitioned")
    assert by_county.partitioned(verification.current_snapshots(AS_OF))


def test_a_full_run_county_by_county_raises_the_whole_runs_warnings(city, city_approver, tmp_path):
    case = next(t for t in city["truth"] if t["kind"] == "death_of_recipient")
    moved = _registered_elsewhere(case)
    whole = services.run(city_approver, MonitoringRun.Kind.FULL, AS_OF)
    expected = _warnings()
    assert not whole.by_county and len(expected) > 20
    warned = Warning.objects.get(rule__code="death_of_recipient", person=moved)
    assert warned.household.number == case["household_number"] != Person.objects.get(pk=moved.pk).household.number
    _forget([whole])
    _partition_all(tmp_path)

    run = services.run(city_approver, MonitoringRun.Kind.FULL, AS_OF)

    assert run.by_county and run.status == MonitoringRun.Status.DONE
    assert _warnings() == expected
    assert (run.facts, run.raised, run.population) == (whole.facts, whole.raised, whole.population)
    parts = MonitoringCounty.objects.filter(run=run)
    codes = sorted(parts.exclude(county_code="").values_list("county_code", flat=True))
    assert len(codes) > 1 and run.counties_done == run.counties_total == len(codes) and run.progress_percent == 100
    assert sum(parts.values_list("facts", flat=True)) == run.facts
    # the rules that compare persons across counties ran once, over everybody, as the part with no county
    across = parts.get(county_code="")
    kinds = [*by_county.ACROSS_COUNTIES, elderly_link.KIND]
    assert across.population == run.population and Warning.objects.filter(rule__code="enrolled_twice").exists()
    assert Warning.objects.filter(rule__kind__in=kinds).count() == across.raised
    assert run.watermark == {c: sorted(s.pk for s in snaps)
                             for c, snaps in verification.current_snapshots(AS_OF).items() if snaps}  # fmt: skip


def _new_records(city, tmp_path) -> None:
    """A day's feeds: deaths and vehicles with new records of 低保 members (besides all the old ones)."""
    households = [h["number"] for h in city["households"] if h["programme"] == "dibao"]
    persons = [Person.objects.filter(household__number=n).order_by("id").first() for n in households[:40:4]]
    deaths = pq.read_table(city["dir"] / "departments" / "deaths.parquet")
    died = AS_OF - datetime.timedelta(days=2)
    new = pa.table({"id_number": [p.id_number for p in persons[:4]], "death_date": [died] * 4,
                    "reporter": ["火化"] * 4}, schema=deaths.schema)  # fmt: skip
    vehicles = pq.read_table(city["dir"] / "departments" / "vehicles.parquet")
    cars = {name: [] for name in vehicles.schema.names}
    for i, p in enumerate(persons[4:]):
        row = {**vehicles.slice(0, 1).to_pylist()[0], "id_number": p.id_number, "plate_no": f"豫Q{i:05d}",
               "registered_on": AS_OF - datetime.timedelta(days=5), "value": 8_000_000, "status": "正常",
               "vehicle_type": "小型轿车"}  # fmt: skip
        for name in cars:
            cars[name].append(row[name])
    cars = pa.table(cars, schema=vehicles.schema)
    for code, table in (("deaths", pa.concat_tables([deaths, new])), ("vehicles", pa.concat_tables([vehicles, cars]))):
        path = tmp_path / f"{code}.parquet"
        pq.write_table(table, path)
        upload = verification.ingest_file(None, code, path.read_bytes(), path.name, AS_OF, channel="cli")
        assert upload.status == "accepted", upload.errors[:3]


def test_an_incremental_run_county_by_county_raises_the_whole_runs_warnings(city, city_approver, tmp_path):
    services.run(city_approver, MonitoringRun.Kind.FULL, AS_OF)
    _new_records(city, tmp_path)
    whole = services.run(city_approver, MonitoringRun.Kind.INCREMENTAL, AS_OF)
    expected = _warnings(run=whole)
    assert whole.kind == "incremental" and not whole.by_county and whole.raised == len(expected) >= 6
    _forget([whole])
    _partition_all(tmp_path)

    run = services.run(city_approver, MonitoringRun.Kind.INCREMENTAL, AS_OF)

    assert run.by_county and run.kind == "incremental" and run.status == MonitoringRun.Status.DONE
    assert _warnings(run=run) == expected
    assert (run.facts, run.raised, run.new_records) == (whole.facts, whole.raised, whole.new_records)
    assert run.since == MonitoringRun.objects.filter(kind="full").get().watermark
    # nothing new since: the next incremental run reads no new record and raises nothing
    again = services.run(city_approver, MonitoringRun.Kind.INCREMENTAL, AS_OF)
    assert again.by_county and again.new_records == 0 and again.raised == 0


def test_a_run_stopped_half_way_resumes_from_the_counties_not_done(city, city_approver, login, tmp_path, settings,
                                                                    monkeypatch):  # fmt: skip
    whole = services.run(city_approver, MonitoringRun.Kind.FULL, AS_OF)
    expected = _warnings()
    _forget([whole])
    _partition_all(tmp_path)
    evaluated = []
    real_county = counties.Monitor.county

    def county(self, code, *args, **kwargs):
        evaluated.append(code)
        return real_county(self, code, *args, **kwargs)

    real_insert = services._insert_batch

    def insert(batch):  # killed in the third county, after one batch of its warnings went in
        inserted = real_insert(batch)
        if MonitoringCounty.objects.exclude(county_code="").count() == 2:
            raise KeyboardInterrupt("killed")
        return inserted

    monkeypatch.setattr(counties.Monitor, "county", county)
    monkeypatch.setattr(services, "INSERT_BATCH", 2)
    monkeypatch.setattr(services, "_insert_batch", insert)
    with pytest.raises(KeyboardInterrupt):
        services.run(city_approver, MonitoringRun.Kind.FULL, AS_OF)
    killed = MonitoringRun.objects.get()
    finished = set(MonitoringCounty.objects.filter(run=killed).values_list("county_code", flat=True))
    assert killed.counties_done == 2 and finished == {"", *evaluated[:2]} and len(evaluated) == 3
    partial = Warning.objects.filter(run=killed).count()
    assert 0 < partial < len(expected)
    # as a SIGKILL leaves it: 运行中, its process gone
    MonitoringRun.objects.filter(pk=killed.pk).update(status=MonitoringRun.Status.RUNNING, error="",
                                                      worker_host=HOST, worker_pid=_dead_pid())  # fmt: skip
    monkeypatch.setattr(services, "_insert_batch", real_insert)

    client = login(city_approver)
    page = client.get(reverse("monitoring:runs")).content.decode()
    killed.refresh_from_db()
    assert killed.status == MonitoringRun.Status.INTERRUPTED and "已完成的 2 个县（区）" in killed.error
    total = killed.counties_total
    percent = 2 * 100 // total
    assert f"按县运行：已完成 2 / {total} 个县（区）" in page and f'value="{percent}"' in page
    assert f'name="resume" value="{killed.pk}" data-testid="run-resume"' in page

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    response = client.post(reverse("monitoring:runs"), {"resume": killed.pk}, follow=True)

    run = MonitoringRun.objects.get()  # the same run, resumed: no second one
    assert run.pk == killed.pk and run.status == MonitoringRun.Status.DONE and run.progress_percent == 100
    assert f"新增预警 {run.raised} 条" in response.content.decode()
    assert _warnings() == expected and Warning.objects.count() == len(expected)  # none twice, none missed
    assert run.raised == len(expected) and run.facts == whole.facts and run.counties_done == total
    # the finished counties were not evaluated again: the third (cut short) and the others were
    assert evaluated[:3] == sorted(evaluated[:3]) and len(evaluated) == 3 + total - 2
    assert set(evaluated[3:]) == set(evaluated) - set(evaluated[:2])
    assert AuditEntry.objects.filter(action="monitoring.run.resume", object_id=str(run.pk)).count() == 1
    page = client.get(reverse("monitoring:runs")).content.decode()
    assert f"已完成 {total} / {total} 个县（区）" in page and 'data-testid="run-resume"' not in page


def test_what_cannot_be_resumed_is_refused_in_words(city, city_approver, tmp_path):
    plain = services.run(city_approver, MonitoringRun.Kind.FULL, AS_OF)
    with pytest.raises(ServiceError, match="不是按县运行的，不能续跑"):
        services.run(city_approver, resume=plain)
    _partition_all(tmp_path)
    done = services.run(city_approver, MonitoringRun.Kind.FULL, AS_OF)
    with pytest.raises(ServiceError, match="已完成，无需续跑"):
        services.run(city_approver, resume=done)
    MonitoringRun.objects.filter(pk=done.pk).update(status=MonitoringRun.Status.FAILED)
    later = services.run(city_approver, MonitoringRun.Kind.FULL, AS_OF)
    with pytest.raises(ServiceError, match=f"#{later.pk} 已在其后完成"):
        services.run(city_approver, resume=done)
    with pytest.raises(ServiceError, match="不是中断或失败的按县运行"):
        services.start_resume(city_approver, later.pk)
    with pytest.raises(ServiceError, match="要续跑的监测运行不存在"):
        services.start_resume(city_approver, "abc")
    # the data changed since the stopped run began: resuming would mix two days' data
    MonitoringRun.objects.filter(pk=later.pk).update(status=MonitoringRun.Status.FAILED)
    _new_records(city, tmp_path)
    with pytest.raises(ServiceError, match="部门数据已有更新，不能续跑"):
        services.run(city_approver, resume=later)
    # a partitioned snapshot whose directory is gone is named
    snap = Snapshot.objects.filter(source="deaths").order_by("-id").first()
    partition([snap], tmp_path / "again")
    moved = Path(snap.path).rename(tmp_path / "gone")
    with pytest.raises(ServiceError, match=f"部门数据快照 #{snap.pk}（deaths，.*）的文件不存在"):
        services.run(city_approver, MonitoringRun.Kind.FULL, AS_OF)
    assert moved.exists()


def test_the_command_line_shows_a_progress_bar_and_resumes(city, city_approver, tmp_path):
    _partition_all(tmp_path)
    out, err = io.StringIO(), io.StringIO()
    call_command("monitoring", "run", "--full", "--as-of", AS_OF.isoformat(), "--user", city_approver.username,
                 stdout=out, stderr=err)  # fmt: skip
    run = MonitoringRun.objects.get()
    assert run.by_county and f"{run.counties_done} 个县（区）" in out.getvalue()
    lines = err.getvalue().splitlines()
    assert len(lines) == run.counties_total and lines[-1].startswith("动态监测 ")
    assert f"{run.counties_total}/{run.counties_total} 县（100%）" in lines[-1] and " 人 · " in lines[-1]
    county = regions.full_code(lines[0].split("· ")[1].split()[0])
    assert MonitoringCounty.objects.filter(run=run, county_code=county).exists()
    for args, message in (
        (["--as-of", "2026-13-01"], "监测基准日格式应为 YYYY-MM-DD"),
        (["--user", "nobody"], "用户 nobody 不存在或已停用"),
        (["--resume", "999999"], "监测运行 #999999 不存在"),
        (["--resume", str(run.pk), "--full"], "续跑沿用原运行的类型和基准日"),
        (["--resume", str(run.pk)], "已完成，无需续跑"),
    ):
        with pytest.raises(CommandError, match=message):
            call_command("monitoring", "run", *args, stdout=io.StringIO(), stderr=io.StringIO())
