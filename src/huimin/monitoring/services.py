"""动态监测 services: runs (incremental / full, idempotent), triage of warnings, rule editing and dry runs.

Every state change checks capability and scope, writes ``audit.record`` and is atomic."""

import datetime
import time

import ibis
import pyarrow as pa
import pyarrow.compute as pc
from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django_tasks import task

from huimin.assistance import rules as assistance_rules
from huimin.assistance import services as assistance
from huimin.assistance.actions.common import check_upload
from huimin.assistance.models import CURRENT_STATUSES, Enrolment, EnrolmentChange, EnrolmentMember
from huimin.core import audit, regions, workers
from huimin.core.access import BusinessRuleError, require_capability, require_writable_region
from huimin.core.context import SYSTEM, acting_as, actor_for
from huimin.core.models import User
from huimin.core.services import ServiceError
from huimin.engine import backends, counties, tables
from huimin.engine import monitoring as engine
from huimin.monitoring import by_county, elderly_link, population
from huimin.monitoring import capabilities as cap
from huimin.monitoring.access import access_warning_by_id
from huimin.monitoring.error_codes import MonitoringErrorCode
from huimin.monitoring.models import (
    Category,
    Direction,
    MonitoringCounty,
    MonitoringRun,
    Warning,
    WarningEvent,
    WarningRule,
)
from huimin.registry import services as registry
from huimin.registry.models import Household, Person
from huimin.verification import services as verification
from huimin.verification.models import Report, Snapshot

INSERT_BATCH = 500
COUNTY_LEVEL = 3


def _actor_name(actor) -> str:
    return getattr(actor, "username", "") or "system"


# --- runs ------------------------------------------------------------------------------------------------------


def _empty_households() -> pa.Table:
    return tables.HOUSEHOLDS_SCHEMA.empty_table()


def _bind(con, pop: pa.Table, snapshots: dict[str, list[Snapshot]]):
    return tables.load(
        con,
        persons=pop,
        households=_empty_households(),
        thresholds=tables.THRESHOLDS_SCHEMA.empty_table(),
        sources=verification.source_inputs(snapshots),
    )


def last_done_run() -> MonitoringRun | None:
    return (MonitoringRun.objects.filter(status=MonitoringRun.Status.DONE)
            .exclude(kind=MonitoringRun.Kind.RECORD).order_by("-id").first())  # fmt: skip


def _watermark_ids(value) -> list[int]:
    """A source's entry of a run's watermark: the snapshots it read (one id in runs before regional feeds)."""
    if value is None:
        return []
    return sorted(value) if isinstance(value, list) else [value]


def _changed_sources(con, t, watermark: dict, current: dict[str, list[Snapshot]]):
    """For an incremental run: per changed source, the table the previous run read (empty if none)."""
    previous = {}
    for code, old in _changed(watermark, current).items():
        data = verification.source_inputs({code: old}).get(code) if old else None
        if data is None:
            data = tables.source_schema(code).empty_table()
        previous[code] = tables._table(con, data, f"prev_{code}")
    return previous


def active_rules() -> tuple[list[WarningRule], list[WarningRule]]:
    """The active rules: those the engine evaluates over the departmental feeds, and the 养老服务 ones whose facts
    come from the visits (``elderly_link``), not from a feed."""
    rules = list(WarningRule.objects.filter(is_active=True).select_related("region"))
    return [r for r in rules if r.kind != elderly_link.KIND], [r for r in rules if r.kind == elderly_link.KIND]


def facts_for(t, pop_expr, rules, as_of) -> list[tuple[WarningRule, pa.Table]]:
    return [(rule, t_to_arrow(t, engine.evaluate(t, pop_expr, rule.kind, rule.params, as_of))) for rule in rules]


def t_to_arrow(t, expr) -> pa.Table:
    return expr.to_pyarrow()


def close_stale_runs() -> list[MonitoringRun]:
    """Close as 中断 (audited) every 运行中 run that can no longer finish (huimin.core.workers). A killed run keeps
    the warnings it inserted; the rerun the page offers inserts the rest, never a duplicate. A killed
    county-by-county run keeps its finished counties and resumes from the others (``run(resume=…)``)."""
    return workers.close_stale(
        MonitoringRun,
        action="monitoring.run.interrupted",
        message=lambda mrun: (
            f"按县监测运行中断：{{reason}}。已完成的 {mrun.counties_done} 个县（区）的预警已保存，可按县续跑，"
            "不会重复、不会遗漏。"
            if mrun.by_county
            else "监测运行中断：{reason}。已生成的预警保留，重新运行不会重复、不会遗漏。"
        ),
    )


def _refuse_while_running() -> None:
    """Close the runs that cannot finish; refuse while one whose process lives is still under way."""
    close_stale_runs()
    live = workers.running(MonitoringRun)
    if live:
        message = f"监测运行 #{live[0].pk} 正在进行，请待其完成后再运行"
        raise BusinessRuleError(MonitoringErrorCode.RUN_IN_PROGRESS, message)


def _watermark(current: dict[str, list[Snapshot]]) -> dict:
    return {code: sorted(s.pk for s in snaps) for code, snaps in current.items() if snaps}


def _resumable(mrun: MonitoringRun) -> MonitoringRun:
    """A stopped county-by-county run, set 运行中 again in this process (audited); refused in words otherwise."""
    _refuse_while_running()
    mrun.refresh_from_db()

    def refuse(message: str):
        raise BusinessRuleError(MonitoringErrorCode.RUN_NOT_RESUMABLE, message)

    if not mrun.by_county:
        refuse(f"监测运行 #{mrun.pk} 不是按县运行的，不能续跑，请重新运行")
    if mrun.status == MonitoringRun.Status.DONE:
        refuse(f"监测运行 #{mrun.pk} 已完成，无需续跑")
    if mrun.status == MonitoringRun.Status.RUNNING:
        refuse(f"监测运行 #{mrun.pk} 仍在运行中，请待其完成或中断后再续跑")
    later = last_done_run()
    if later is not None and later.pk > mrun.pk:
        refuse(f"监测运行 #{later.pk} 已在其后完成，无需续跑 #{mrun.pk}，请重新运行")
    if _watermark(verification.current_snapshots(mrun.as_of)) != mrun.watermark:
        refuse(f"监测运行 #{mrun.pk} 开始后部门数据已有更新，不能续跑，请重新运行")
    with transaction.atomic():
        MonitoringRun.objects.filter(pk=mrun.pk).update(
            status=MonitoringRun.Status.RUNNING, error="", **workers.this_worker()
        )
        mrun.refresh_from_db()
        audit.record("monitoring.run.resume", mrun,
                     after={"counties_done": mrun.counties_done, "counties_total": mrun.counties_total})  # fmt: skip
    return mrun


def run(
    actor,
    kind: str = MonitoringRun.Kind.INCREMENTAL,
    as_of: datetime.date | None = None,
    backend=None,
    *,
    resume: MonitoringRun | None = None,
    progress=None,
):
    """One monitoring run. Incremental: only persons with records that arrived since the last successful run's
    watermark (the snapshot of each source it read); full: everybody. Facts already warned are skipped and
    warnings go in with ON CONFLICT DO NOTHING, so a rerun after an interruption neither duplicates nor misses.

    The 运行中 row is committed first with the process running it, and a heartbeat follows each step (population,
    rules, every batch of warnings): a run whose process is killed is closed as 中断 by ``close_stale_runs``.

    When the current departmental snapshots are county-partitioned (``by_county.partitioned``) and the engine is
    DuckDB, the run goes county by county (``_run_by_county``): the same rules and the same facts, each county's
    finished part recorded (``MonitoringCounty``, ``counties_done`` / ``counties_total``: the runs page's progress
    figure; ``progress(finished, total, county, persons)`` after each), so a killed run is resumed with
    ``resume`` (a 中断 or 失败 county-by-county run) from the counties not done, with the data it started on."""
    if actor is not None:  # None: the system itself (a scheduled run)
        require_capability(actor, cap.RUN, "启动监测运行")
    if resume is not None:
        mrun = _resumable(resume)
        current = verification.current_snapshots(mrun.as_of)
    else:
        as_of = as_of or timezone.localdate()
        _refuse_while_running()
        previous_run = last_done_run()
        if kind == MonitoringRun.Kind.INCREMENTAL and previous_run is None:
            kind = MonitoringRun.Kind.FULL  # nothing to be incremental from
        current = verification.current_snapshots(as_of)
        split = (backend or backends.default_backend()) == "duckdb" and by_county.partitioned(current)
        if split:
            by_county.check_present(current)
        with transaction.atomic():
            mrun = MonitoringRun.objects.create(
                kind=kind, as_of=as_of, created_by=_actor_name(actor), by_county=split,
                watermark=_watermark(current) if split else {},
                since=previous_run.watermark if split and kind == MonitoringRun.Kind.INCREMENTAL else {},
                **workers.this_worker(),
            )  # fmt: skip
            audit.record("monitoring.run.start", mrun,
                         after={"kind": kind, "as_of": str(as_of), "by_county": split})  # fmt: skip
    kind, as_of = mrun.kind, mrun.as_of
    started = time.perf_counter() - mrun.seconds
    try:
        pop = population.refresh()
        workers.heartbeat(mrun)
        if mrun.by_county:
            new_records = _run_by_county(mrun, pop, current, started, progress)
            parts = MonitoringCounty.objects.filter(run=mrun)
            facts = sum(parts.values_list("facts", flat=True))
            raised = Warning.objects.filter(run=mrun).count()  # with those of an attempt killed half-way
        else:
            raised, facts, new_records = _run_whole(mrun, pop, current, backend)
    except Exception as exc:
        MonitoringRun.objects.filter(pk=mrun.pk).update(status=MonitoringRun.Status.FAILED, error=str(exc)[:2000],
                                                        seconds=time.perf_counter() - started)  # fmt: skip
        raise
    with transaction.atomic():
        # even if it was taken for stale (silent too long on another host) and closed as 中断, a run that does
        # finish is done: its warnings are all in
        MonitoringRun.objects.filter(pk=mrun.pk).update(
            status=MonitoringRun.Status.DONE, error="", heartbeat_at=timezone.now(), watermark=_watermark(current),
            population=pop.num_rows, facts=facts, raised=raised, new_records=new_records,
            seconds=time.perf_counter() - started,
        )  # fmt: skip
        mrun.refresh_from_db()
        audit.record("monitoring.run.done", mrun, after={"raised": raised, "facts": facts})
    return mrun


def _run_whole(mrun: MonitoringRun, pop: pa.Table, current: dict, backend) -> tuple[int, int, int]:
    """Every rule over the whole population and every current snapshot at once. Returns (raised, facts, the
    persons with new records)."""
    as_of = mrun.as_of
    con = backends.connect(backend)
    t = _bind(con, pop, current)
    pop_expr = t.persons
    new_records = 0
    if mrun.kind == MonitoringRun.Kind.INCREMENTAL:
        previous = _changed_sources(con, t, last_done_run().watermark, current)
        keys = engine.touched(t, previous)
        if keys is None:
            t = engine.restrict(t, ibis_empty_keys())
        else:
            keys = keys.to_pyarrow()  # computed once: the restriction reads it for every source
            new_records = keys.num_rows
            keys = ibis.memtable(keys)
            t = engine.restrict(t, engine.household_keys(pop_expr, keys))
    feed_rules, visit_rules = active_rules()
    found, extra_regions = _visit_facts(visit_rules, as_of)
    found = facts_for(t, pop_expr, feed_rules, as_of) + found
    workers.heartbeat(mrun)
    raised, facts = _raise(mrun, found, pop, extra_regions)
    return raised, facts, new_records


def _visit_facts(visit_rules, as_of: datetime.date) -> tuple[list, dict]:
    """The 养老服务 visit rules' facts (they read the visits, not a feed) and the regions of the persons they name."""
    found, where = [], {}
    for rule in visit_rules:
        table, regions_ = elderly_link.facts(rule, as_of)
        found.append((rule, table))
        where.update(regions_)
    return found, where


def _changed(since: dict, current: dict[str, list[Snapshot]]) -> dict[str, list[Snapshot]]:
    """For an incremental run: per source with newer data than ``since`` (a run's watermark), the snapshots that
    run read (none: the source is new)."""
    changed = {}
    for code, snaps in current.items():
        now_ids = sorted(s.pk for s in snaps)
        old_ids = _watermark_ids(since.get(code))
        if now_ids != old_ids and now_ids:
            changed[code] = list(Snapshot.objects.filter(pk__in=old_ids).select_related("region"))
    return changed


def _run_by_county(mrun: MonitoringRun, pop: pa.Table, current: dict, started: float, progress) -> int:
    """The run county by county (DuckDB, out of core: ``engine.counties.Monitor``, each rule compiled once). Each
    county's watched population (split by its household's county) is evaluated over that county's partitions
    (``by_county``), restricted in an incremental run to the members of the households whose persons have new
    records there (``engine.household_keys``, as the whole run does); its facts are raised by ``_raise`` (ON
    CONFLICT DO NOTHING) and then the county is marked finished, with the run's progress, in one transaction.
    A county cut short by a kill has no mark: the resume runs it again and warns only what is missing.

    The rules that read no departmental source (``by_county.ACROSS_COUNTIES``: ``enrolled_twice``, the same person
    enrolled in two places; ``also_enrolled``) compare persons across counties: they run first, once, over the
    whole population as in a whole run (with the 养老服务 visit rules, which read the visits, not a feed), as the
    part with an empty county code. Returns the persons with new records (the watched counties' partitions)."""
    as_of = mrun.as_of
    incremental = mrun.kind == MonitoringRun.Kind.INCREMENTAL
    feed_rules, visit_rules = active_rules()
    across = [r for r in feed_rules if r.kind in by_county.ACROSS_COUNTIES]
    local = [r for r in feed_rules if r.kind not in by_county.ACROSS_COUNTIES]
    done = dict(MonitoringCounty.objects.filter(run=mrun).values_list("county_code", "pk"))
    sources = by_county.Sources(current)
    touched = by_county.Touched(backends.connect("duckdb"), sources, _changed(mrun.since, current)) if incremental \
        else None  # fmt: skip
    shared_new = len(touched.shared) if touched else 0
    parts = by_county.split(pop)
    MonitoringRun.objects.filter(pk=mrun.pk).update(counties_total=len(parts))

    def finish(county: str, began: float, population_: int, new: int, found, part_pop, extra=None) -> None:
        raised, facts = _raise(mrun, found, part_pop, extra)
        with transaction.atomic():
            MonitoringCounty.objects.create(
                run=mrun, county_code=county, population=population_, new_records=new, facts=facts, raised=raised,
                seconds=time.perf_counter() - began,
            )  # fmt: skip
            MonitoringRun.objects.filter(pk=mrun.pk).update(
                counties_done=F("counties_done") + (1 if county else 0), facts=F("facts") + facts,
                raised=F("raised") + raised, heartbeat_at=timezone.now(), seconds=time.perf_counter() - started,
            )  # fmt: skip

    if "" not in done:
        began = time.perf_counter()
        t = _bind(backends.connect("duckdb"), pop, {})  # these rules read the population only
        found, extra_regions = _visit_facts(visit_rules, as_of)
        found = facts_for(t, t.persons, across, as_of) + found
        finish("", began, pop.num_rows, shared_new, found, _of_households(pop, found), extra_regions)

    by_code = {r.code: r for r in local}
    monitor = counties.Monitor(None, [(r.code, r.kind, r.params) for r in local], as_of, incremental=incremental)
    also = by_county.strays(pop)

    def work(county: str) -> int:
        began = time.perf_counter()
        part = parts[county]
        read = [county, *also.get(county, [])]
        feed, new = None, 0
        if touched is not None:
            own = touched.county([county])  # the county's own partitions: its figure of persons with new records
            new = len(own)
            feed = by_county.feed_table(own | touched.county(read[1:]) | touched.shared)
        found = []
        if local and (feed is None or feed.num_rows):
            facts = monitor.county(county, part, feed, sources=sources.county(read))
            found = [(by_code[code], table) for code, table in facts.items()]
        finish(county, began, part.num_rows, new, found, part)
        return part.num_rows

    counties.run(sorted(parts), work, done=set(done) - {""}, progress=progress)
    return sum(MonitoringCounty.objects.filter(run=mrun).values_list("new_records", flat=True))


def _of_households(pop: pa.Table, found) -> pa.Table:
    """The population's rows of the households the facts name (``_raise`` looks up only those)."""
    households = pa.concat_arrays([t["household_id"].combine_chunks().cast(pa.int64()) for _, t in found] or
                                  [pa.array([], pa.int64())])  # fmt: skip
    return pop.filter(pc.is_in(pop["household_id"], value_set=pc.unique(households)))


@task()
def run_task(user_id: int | None, kind: str, resume: int | None = None) -> int:
    """``run`` as a background task (``huimin db_worker`` runs the queue), acting as the user who started it;
    ``resume``: the county-by-county run to resume."""
    user = User.objects.filter(pk=user_id).first() if user_id else None
    with acting_as(actor_for(user) if user else SYSTEM):
        if resume is not None:
            return run(user, kind, resume=MonitoringRun.objects.get(pk=resume)).pk
        return run(user, kind).pk


def queued_runs() -> int:
    """Runs started from the page that no worker has picked up yet."""
    return workers.waiting(run_task).count()


def queued_since():
    """When the oldest run still waiting for a worker was queued (None when none waits)."""
    return workers.waiting_since(run_task)


RUN_QUEUE = "monitoring.run"  # the lock a run holds while it is checked and queued (core.workers.submitting)


def _refuse_while_running_or_queued() -> None:
    _refuse_while_running()
    if queued_runs():
        raise BusinessRuleError(MonitoringErrorCode.RUN_IN_PROGRESS, "已有一次监测运行在排队，请待其完成后再运行")


def start_run(actor, kind: str):
    """Queue a run for the task worker (what the runs page does), refusing while one is under way or queued.
    Returns the task's result: with the immediate backend (tests) the run has already finished."""
    require_capability(actor, cap.RUN, "启动监测运行")
    if kind not in MonitoringRun.Kind.values:
        raise ServiceError("请选择增量运行或全量运行")
    with workers.submitting(RUN_QUEUE) as queue:
        _refuse_while_running_or_queued()
        queue.enqueue(run_task, actor.pk, kind)
    return queue.result


def start_resume(actor, pk) -> object:
    """Queue the resumption of a stopped county-by-county run (the runs page's 按县续跑), refusing in words what
    cannot be resumed; the checks are made again when the worker runs it."""
    require_capability(actor, cap.RUN, "续跑监测运行")
    try:
        mrun = MonitoringRun.objects.get(pk=int(pk))
    except (MonitoringRun.DoesNotExist, TypeError, ValueError) as exc:
        raise BusinessRuleError(MonitoringErrorCode.RUN_NOT_RESUMABLE, "要续跑的监测运行不存在") from exc
    close_stale_runs()
    mrun.refresh_from_db()
    if not mrun.resumable:
        raise BusinessRuleError(MonitoringErrorCode.RUN_NOT_RESUMABLE,
                                f"监测运行 #{mrun.pk} 不是中断或失败的按县运行，不能续跑")  # fmt: skip
    with workers.submitting(RUN_QUEUE) as queue:
        _refuse_while_running_or_queued()
        queue.enqueue(run_task, actor.pk, mrun.kind, mrun.pk)
    return queue.result


def ibis_empty_keys():
    return ibis.memtable(pa.table({"person_key": pa.array([], pa.string())}))


def fact_key(rule_code: str, person_id, household_id, record_key) -> str:
    return f"{rule_code}:{person_id}:{household_id}:{record_key or ''}"[:200]


def _raise(mrun: MonitoringRun, found, pop: pa.Table, extra_regions: dict | None = None) -> tuple[int, int]:
    """Create the warnings of the facts not yet warned, in batches (each its own transaction). ``extra_regions``:
    the village of households outside the monitored population (the older people of 养老服务)."""
    category = {}
    region = dict(extra_regions or {})
    for p, h, c, r in zip(*(pop[n].to_pylist() for n in ("person_id", "household_id", "category", "region_code")),
                          strict=True):  # fmt: skip
        category.setdefault((p, h), c)
        region[h] = r
    today = timezone.localdate()
    due_cache = {}
    pending = []
    seen = set()
    for rule, table in found:
        watched = rule.region.prefix if rule.region_id else ""
        for row in table.to_pylist():
            if not region.get(row["household_id"], "").startswith(watched):
                continue  # a region's own rule warns only there
            key = fact_key(rule.code, row["person_id"], row["household_id"], row["record_key"])
            if key in seen:
                continue
            seen.add(key)
            pending.append((rule, key, row))
    existing, reraise = _warned(pending, mrun.as_of)
    todo = [item for item in pending if item[1] not in existing]
    raised = 0
    for i in range(0, len(todo), INSERT_BATCH):
        batch = []
        for rule, key, row in todo[i : i + INSERT_BATCH]:
            village = region[row["household_id"]]
            township = regions.ancestor_code(village, regions.TOWNSHIP)
            due_key = (township, rule.deadline_days)
            if due_key not in due_cache:
                due_cache[due_key] = assistance_rules.due_date(today, rule.deadline_days, township)
            batch.append(Warning(
                rule=rule, run=mrun, fact_key=key, household_id=row["household_id"], person_id=row["person_id"],
                region_id=village, township_id=township,
                category=category.get((row["person_id"], row["household_id"]), ""),
                direction=rule.direction, severity=rule.severity, record_key=(row["record_key"] or "")[:100],
                occurred_on=row["occurred_on"], detail={"value": row["value"]}, due_on=due_cache[due_key],
                reraised_from_id=reraise.get(key),
            ))  # fmt: skip
        raised += _insert_batch(batch)
        workers.heartbeat(mrun)
    return raised, len(pending)


def _warned(pending, as_of: datetime.date) -> tuple[set[str], dict[str, int]]:
    """The facts not to warn again, and the facts to warn again with the warning they follow. A fact with an
    open warning is never warned twice; a closed one is warned again only when its rule is 应退 and sets
    ``reraise_days``, and that many days have passed since it was closed (the condition still holds: this run
    found it)."""
    existing: set[str] = set()
    reraise: dict[str, int] = {}
    keys = [k for _, k, _ in pending]
    latest: dict[str, tuple] = {}
    for i in range(0, len(keys), 5000):
        rows = Warning.objects.filter(fact_key__in=keys[i : i + 5000]).values_list(
            "fact_key", "pk", "status", "closed_at", "direction", "rule__reraise_days"
        )
        for key, pk, status, closed_at, direction, days in rows:
            existing.add(key)
            if status != Warning.Status.CLOSED:
                latest[key] = (pk, None, direction, None)  # open: blocks
            elif key not in latest or (latest[key][1] is not None and latest[key][0] < pk):
                latest[key] = (pk, closed_at, direction, days)
    for key, (pk, closed_at, direction, days) in latest.items():
        if closed_at is None or direction != Direction.EXIT or days is None:
            continue
        if timezone.localtime(closed_at).date() + datetime.timedelta(days=days) <= as_of:
            existing.discard(key)
            reraise[key] = pk
    return existing, reraise


def _insert_batch(batch: list[Warning]) -> int:
    with transaction.atomic():
        created = Warning.objects.bulk_create(batch, ignore_conflicts=True)
    return len(created)


# --- triage ----------------------------------------------------------------------------------------------------


def _locked(actor, warning: Warning) -> Warning:
    require_capability(actor, cap.HANDLE, "处置预警")
    return access_warning_by_id(actor, warning.pk, capability=cap.HANDLE, for_update=True)


def _move(actor, w: Warning, to: str, *, action: str = "", note: str = "") -> Warning:
    before = w.status
    w.status = to
    if action:
        w.action = action
    if note:
        w.note = (w.note + "\n" + note).strip() if w.note else note
    if to == Warning.Status.HANDLED:
        w.handled_at = timezone.now()
        w.handled_by = _actor_name(actor)
    if to == Warning.Status.CLOSED:
        w.closed_at = timezone.now()
    w.save()
    WarningEvent.objects.create(warning=w, from_status=before, to_status=to, action=action, note=note,
                                actor=_actor_name(actor))  # fmt: skip
    audit.record(f"monitoring.warning.{to}", w, before={"status": before}, after={"status": to, "action": action},
                 detail=note[:500])  # fmt: skip
    return w


@transaction.atomic
def confirm(actor, warning: Warning, note: str = "") -> Warning:
    """待研判 → 核实中: the clerk judges the warning worth verifying."""
    w = _locked(actor, warning)
    if w.status != Warning.Status.PENDING:
        raise BusinessRuleError(MonitoringErrorCode.WARNING_STATE, "只有待研判的预警可以转入核实")
    return _move(actor, w, Warning.Status.VERIFYING, note=note.strip())


def current_enrolment(w: Warning) -> Enrolment | None:
    """The household's current means-tested enrolment (低保, 特困 …) the warning is about — not an allowance a member
    receives beside it (残疾人两项补贴, which rest on the certificate, not on the household's means)."""
    return (
        Enrolment.objects.filter(household_id=w.household_id, status__in=CURRENT_STATUSES, programme__means_tested=True)
        .select_related("programme").order_by("-id").first()
    )  # fmt: skip


def enrolment_for(w: Warning) -> Enrolment | None:
    """The enrolment a 应退 outcome changes: the household's current one, or one the death confirmation on this
    warning has just stopped."""
    return current_enrolment(w) or (
        Enrolment.objects.filter(household_id=w.household_id).select_related("programme").order_by("-id").first()
    )


def linkable_changes(w: Warning, action: str = ""):
    """The enrolment changes of the household made since the warning was raised that an outcome may rest on."""
    kinds = Warning.CHANGE_ACTIONS.get(action) or [k for ks in Warning.CHANGE_ACTIONS.values() for k in ks]
    return (
        EnrolmentChange.objects.filter(enrolment__household_id=w.household_id, kind__in=kinds, at__gte=w.raised_at)
        .select_related("enrolment__programme").order_by("-id")
    )  # fmt: skip


def _change_for(actor, w: Warning, action: str, *, change_id, monthly_amount, note: str) -> EnrolmentChange:
    """The enrolment change a 已停止保障 / 已调整保障 / 渐退 outcome rests on: one already made (``change_id``, of
    the household, of a fitting kind, since the warning) or one made now through the assistance actions (check
    first, then do), which refuse whoever does not hold the right (the county, or a township where delegated)."""
    if change_id not in (None, ""):
        try:
            pk = int(change_id)
        except (TypeError, ValueError) as exc:
            raise ServiceError("在保变更编号不正确") from exc
        change = linkable_changes(w, action).filter(pk=pk).first()
        if change is None:
            message = f"该家庭自预警以来没有编号为 {pk} 的“{Warning.Action(action).label}”在保变更"
            raise BusinessRuleError(MonitoringErrorCode.CHANGE_REQUIRED, message)
        return change
    enrolment = current_enrolment(w)
    if enrolment is None:
        raise BusinessRuleError(MonitoringErrorCode.NO_ENROLMENT, "该家庭没有在保记录，无法办理在保变更")
    enr = (
        Enrolment.objects.select_for_update(of=("self",)).select_related("programme", "household").get(pk=enrolment.pk)
    )
    reasons = f"动态监测预警 #{w.pk}（{w.rule.name}）：{note}"
    if action == Warning.Action.STOPPED:
        reasons = assistance.check_stop(actor, enr, reasons)
        return assistance.do_stop(actor, enr, reasons, day=assistance.today())
    if action == Warning.Action.GRACE:
        months, reasons = assistance.check_grace(actor, enr, reasons)
        return assistance.do_grace(actor, enr, months=months, reasons=reasons)
    if monthly_amount in (None, ""):
        message = "调整保障须填写调整后的月保障金额，或选择已办理的在保变更"
        raise BusinessRuleError(MonitoringErrorCode.CHANGE_REQUIRED, message)
    amount, reasons = assistance.check_adjust(actor, enr, monthly_amount=monthly_amount, reasons=reasons)
    assistance.do_adjust(actor, enr, amount=amount, basis={"note": reasons[:200]}, reasons=reasons)
    return enr.changes.order_by("-id").first()


@transaction.atomic
def attach_evidence(actor, warning: Warning, evidence_file) -> Warning:
    """证明材料 for an open warning (a PDF, JPG or PNG), kept for its 不属实 / 无需处理 outcome; audited."""
    w = _locked(actor, warning)
    if not w.is_open or w.status == Warning.Status.HANDLED:
        raise BusinessRuleError(MonitoringErrorCode.WARNING_STATE, "只有待研判或核实中的预警可以上传证明材料")
    if not evidence_file:
        raise ServiceError("请选择证明材料文件")
    check_upload(evidence_file, "证明材料")
    w.evidence_file = evidence_file
    w.save(update_fields=["evidence_file"])
    audit.record("monitoring.warning.evidence", w, detail=f"证明材料：{getattr(evidence_file, 'name', '')}"[:200])
    return w


def _evidence(w: Warning, *, evidence_file, report_id, visit_on, visit_by) -> dict:
    """The evidence a 不属实 / 无需处理 outcome rests on: an uploaded file, a 核对 report of this household, or a
    visit (date and visitors). At least one."""
    found = {}
    if evidence_file:
        check_upload(evidence_file, "证明材料")
        found["evidence_file"] = evidence_file
    if report_id not in (None, ""):
        try:
            pk = int(report_id)
        except (TypeError, ValueError) as exc:
            raise ServiceError("核对报告编号不正确") from exc
        report = Report.objects.filter(pk=pk, household_id=w.household_id).first()
        if report is None:
            raise BusinessRuleError(MonitoringErrorCode.EVIDENCE_REQUIRED, f"该家庭没有编号为 {pk} 的核对报告")
        found["evidence_report"] = report
    if visit_on or (visit_by or "").strip():
        if not isinstance(visit_on, datetime.date) or not (visit_by or "").strip():
            raise ServiceError("入户核实须填写核实日期和核实人员")
        if visit_on > timezone.localdate():
            raise ServiceError("入户核实日期不能晚于今天")
        found["evidence_visit"] = {"on": visit_on.isoformat(), "by": visit_by.strip()[:100]}
    if not found and w.evidence_file:  # uploaded before (attach_evidence)
        found["evidence_file"] = w.evidence_file
    if not found:
        raise BusinessRuleError(
            MonitoringErrorCode.EVIDENCE_REQUIRED,
            "不属实或无需处理须附证明：上传证明材料、选择该家庭的核对报告，或填写入户核实的日期和人员",
        )
    return found


@transaction.atomic
def handle(actor, warning: Warning, action: str, note: str, *, change_id=None, monthly_amount=None,
           evidence_file=None, report_id=None, visit_on=None, visit_by="") -> Warning:  # fmt: skip
    """核实中 → 已处置 with the outcome and what backs it: 已停止保障 / 已调整保障 / 渐退 the enrolment change (made
    here through the assistance actions, or one already made and named by ``change_id``); 不属实 / 无需处理 a
    reason and evidence. Nothing is written when either is missing."""
    w = _locked(actor, warning)
    if w.status not in (Warning.Status.PENDING, Warning.Status.VERIFYING):
        raise BusinessRuleError(MonitoringErrorCode.WARNING_STATE, "该预警已处置")
    if action not in Warning.Action.values:
        raise ServiceError("请选择处置结果")
    note = (note or "").strip()
    if not note:
        message = "请填写处置说明" if action not in Warning.EVIDENCE_ACTIONS else "不属实或无需处理须说明理由"
        raise BusinessRuleError(MonitoringErrorCode.NOTE_REQUIRED, message)
    if (action == Warning.Action.STOPPED and change_id in (None, "") and w.rule.kind == "death" and w.person_id
            and not Person.objects.filter(pk=w.person_id, is_deceased=True).exists()):  # fmt: skip
        message = "死亡预警须先确认死亡（对象库登记死亡日期），停止保障才能自死亡次月起生效"
        raise BusinessRuleError(MonitoringErrorCode.DEATH_UNCONFIRMED, message)
    if action in Warning.CHANGE_ACTIONS:
        change = _change_for(actor, w, action, change_id=change_id, monthly_amount=monthly_amount, note=note)
        w.change = change
        name, month = change.enrolment.programme.name, change.effective_month
        note = f"{note}（{name}：{change.get_kind_display()}，{month:%Y年%m月}起）"
    elif action in Warning.EVIDENCE_ACTIONS:
        for field, value in _evidence(w, evidence_file=evidence_file, report_id=report_id, visit_on=visit_on,
                                      visit_by=visit_by).items():  # fmt: skip
            setattr(w, field, value)
    return _move(actor, w, Warning.Status.HANDLED, action=action, note=note)


def backed(w: Warning) -> bool:
    """Whether the outcome rests on what it names (the change, or the evidence)."""
    if w.action in Warning.CHANGE_ACTIONS:
        return w.change_id is not None
    if w.action in Warning.EVIDENCE_ACTIONS:
        return bool(w.evidence_file or w.evidence_report_id or w.evidence_visit)
    return bool(w.action)


@transaction.atomic
def close(actor, warning: Warning, note: str = "") -> Warning:
    """已处置 → 办结, only when the outcome rests on what it names."""
    w = _locked(actor, warning)
    if w.status != Warning.Status.HANDLED:
        raise BusinessRuleError(MonitoringErrorCode.WARNING_STATE, "只有已处置的预警可以办结")
    if not backed(w):
        message = (f"处置结果“{w.get_action_display()}”尚无对应的在保变更，不能办结"
                   if w.action in Warning.CHANGE_ACTIONS else "处置结果尚无证明材料，不能办结")  # fmt: skip
        raise BusinessRuleError(MonitoringErrorCode.CHANGE_REQUIRED, message)
    return _move(actor, w, Warning.Status.CLOSED, note=note.strip())


# --- death -----------------------------------------------------------------------------------------------------


def source_row(w: Warning) -> dict:
    """The departmental record a death warning rests on, as the feed sent it: the row of the person in the
    snapshots the raising run read (source, upload, department, date of death, reporter)."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    if isinstance(w.detail.get("source"), dict):  # a record pushed by a department's app (raise_for_record)
        return {**w.detail["source"], "warning": w.pk}
    key = w.person.id_number_bidx if w.person else None
    ids = _watermark_ids((w.run.watermark or {}).get("deaths"))
    for snap in Snapshot.objects.filter(pk__in=ids).select_related("upload").order_by("-as_of", "-id"):
        try:
            table = pq.read_table(snap.path)
        except OSError:
            continue
        rows = table.filter(pc.equal(table["person_key"], key)).to_pylist() if key else []
        for row in rows:
            if row.get("death_date") == w.occurred_on:
                upload = getattr(snap, "upload", None)
                return {
                    "source": "deaths", "snapshot": snap.pk, "upload": getattr(upload, "pk", None),
                    "department": getattr(upload, "department", "") or "", "as_of": snap.as_of.isoformat(),
                    "death_date": row["death_date"].isoformat(), "reporter": row.get("reporter") or "",
                    "warning": w.pk,
                }  # fmt: skip
    return {"source": "deaths", "record_key": w.record_key, "death_date": str(w.occurred_on), "warning": w.pk}


@transaction.atomic
def confirm_death(actor, warning: Warning, note: str = "") -> Warning:
    """The township confirms a death warning: the registry records the death (the person becomes deceased, the
    life event carries the feed's record). Only then is the person deceased; the enrolment is stopped as the
    outcome 已停止保障 (from the month after death, by the region's rule, whoever stops it and whenever)."""
    w = _locked(actor, warning)
    if w.rule.kind != "death" or w.person is None or w.occurred_on is None:
        raise BusinessRuleError(MonitoringErrorCode.WARNING_STATE, "只有死亡预警可以确认死亡")
    if not w.is_open:
        raise BusinessRuleError(MonitoringErrorCode.WARNING_STATE, "该预警已办结")
    person = Person.objects.select_for_update().get(pk=w.person_id)
    if person.is_deceased:
        raise BusinessRuleError(MonitoringErrorCode.WARNING_STATE,
                                f"{person.name} 已于 {person.death_date:%Y年%m月%d日} 登记死亡")  # fmt: skip
    row = source_row(w)
    text = f"动态监测预警 #{w.pk} 确认：{row.get('reporter') or '部门数据'}"
    text += f"；{note.strip()}" if note.strip() else ""
    registry.record_death(actor, person, on=w.occurred_on, note=text, source=row)
    w.detail = {**w.detail, "death_confirmed": {"by": _actor_name(actor), "source": row}}
    to = Warning.Status.VERIFYING if w.status == Warning.Status.PENDING else w.status
    return _move(actor, w, to, note=f"已确认死亡（{w.occurred_on:%Y年%m月%d日}），对象库已登记")


# --- departmental records pushed by an app (the death signal of 殡葬) ---------------------------------------------


def _categories_of(person: Person) -> dict[str, int]:
    """category → household of the person in the monitored population, read now (as ``population.refresh``
    derives it, for one person); a living person in none is ``registered`` in his own household."""
    found: dict[str, int] = {}
    members = EnrolmentMember.objects.filter(
        person=person, removed_on__isnull=True, enrolment__status__in=CURRENT_STATUSES,
        enrolment__programme__kind__in=list(population.KIND_TO_CATEGORY),
    ).values_list("enrolment__programme__kind", "enrolment__household_id")  # fmt: skip
    for kind, household_id in members:
        found.setdefault(population.KIND_TO_CATEGORY[kind], household_id)
    if not found and person.household_id and not person.is_deceased:
        found[Category.REGISTERED] = person.household_id
    return found


def raise_for_record(actor, person: Person, *, kind: str, occurred_on: datetime.date, record_key: str,
                     source: dict) -> list[Warning]:  # fmt: skip
    """A departmental record pushed by an app above monitoring (殡葬's record of a body: the death signal) raises
    the warnings the active rules of ``kind`` would raise for it in a run — same rules, categories, regions,
    household sizes, deadlines and fact keys (``record_key`` as the engine makes it, the date), so a later feed
    of the same death is not warned twice. ``source`` is kept as the record the warning rests on
    (``source_row``, then the registry's life event when the death is confirmed). Returns the new warnings (none
    when no rule covers the person, or the fact is already warned). Runs in the caller's transaction."""
    categories = _categories_of(person)
    rules_ = [r for r in WarningRule.objects.filter(is_active=True, kind=kind).select_related("region")
              if set(r.params.get("categories", [])) & set(categories)]  # fmt: skip
    pending = []
    for rule in rules_:
        category = next(c for c in rule.params.get("categories", []) if c in categories)
        household = Household.objects.select_related("region").get(pk=categories[category])
        if rule.region_id and not household.region_id.startswith(rule.region.prefix):
            continue
        minimum = int(rule.params.get("min_members") or 0)
        if minimum and household.memberships.filter(ended_on__isnull=True).count() < minimum:
            continue
        key = fact_key(rule.code, person.pk, household.pk, record_key)
        if Warning.objects.filter(fact_key=key, status__in=Warning.OPEN).exists():
            continue
        pending.append((rule, category, household, key))
    if not pending:
        return []
    today = timezone.localdate()
    mrun = MonitoringRun.objects.create(
        kind=MonitoringRun.Kind.RECORD, as_of=today, status=MonitoringRun.Status.DONE, population=1,
        facts=len(pending), raised=len(pending), new_records=1, created_by=_actor_name(actor),
        watermark={"record": source}, **workers.this_worker(),
    )  # fmt: skip
    raised = []
    for rule, category, household, key in pending:
        township = regions.ancestor_code(household.region_id, regions.TOWNSHIP)
        w = Warning.objects.create(
            rule=rule, run=mrun, fact_key=key, household=household, person=person, region_id=household.region_id,
            township_id=township, category=category, direction=rule.direction, severity=rule.severity,
            record_key=record_key[:100], occurred_on=occurred_on, detail={"value": 0, "source": source},
            due_on=assistance_rules.due_date(today, rule.deadline_days, township),
        )  # fmt: skip
        audit.record("monitoring.warning.raised", w, after={"rule": rule.code, "person": person.pk,
                                                             "source": source.get("source", "")})  # fmt: skip
        raised.append(w)
    return raised


def overdue(queryset, day: datetime.date | None = None):
    day = day or timezone.localdate()
    return queryset.filter(status__in=Warning.OPEN, due_on__lt=day)


# --- rules -----------------------------------------------------------------------------------------------------


def _check_rule_writable(actor, rule: WarningRule) -> None:
    """Rules are county or city business, and a rule of a wider region (the whole city's) is read-only below it:
    a county cannot switch off the city's rule (404, as for anything outside its region)."""
    require_capability(actor, cap.RULES, "修改预警规则")
    if actor.region is None or actor.region.level > COUNTY_LEVEL:
        raise BusinessRuleError(MonitoringErrorCode.RULE_LEVEL, "预警规则只能由县级或市级民政部门修改")
    require_writable_region(actor, rule.region, "预警规则")


def _coded_names(name: str) -> dict[str, str]:
    """code → Chinese name of the values of a coded list parameter (监测类别, programmes); {} for a free list."""
    from huimin.assistance.models import Programme
    from huimin.monitoring.defaults import CATEGORY_NAMES

    if name in ("categories", "low_income_categories", "subsidy_categories"):
        return dict(CATEGORY_NAMES)
    if name in ("propose", "programmes"):
        return dict(Programme.objects.values_list("code", "name"))
    return {}


def value_names(name: str, values: list) -> list[str]:
    """A list parameter's values as a person reads them: codes shown by their Chinese names."""
    names = _coded_names(name)
    return [names.get(str(v), str(v)) for v in values]


def parse_params(rule: WarningRule, data: dict) -> dict:
    """New parameter values from a form: each keeps the type of the current value; a coded list (监测类别, 建议启动
    的救助申请) is typed by its Chinese names (or codes) and refused when a name is unknown; bad input changes
    nothing."""
    from huimin.monitoring.defaults import LABELS

    params = dict(rule.params)
    for name, old in rule.params.items():
        if name not in data:
            continue
        raw = str(data[name]).strip()
        try:
            if isinstance(old, list):
                value = [v.strip() for v in raw.replace("，", ",").replace("、", ",").split(",") if v.strip()]
                names = _coded_names(name)
                if names:
                    code_of = {**{n: c for c, n in names.items()}, **{c: c for c in names}}
                    unknown = [v for v in value if v not in code_of]
                    if unknown:
                        raise ServiceError(f"参数“{LABELS.get(name, name)}”中没有“{'、'.join(unknown)}”，可填："
                                           + "、".join(names.values()))  # fmt: skip
                    value = [code_of[v] for v in value]
            elif isinstance(old, bool):
                value = raw in ("1", "true", "on")
            elif isinstance(old, int):
                value = int(raw)
            elif isinstance(old, float):
                value = float(raw)
            else:
                value = raw
        except ValueError as exc:
            raise ServiceError(f"参数“{LABELS.get(name, name)}”应为数字") from exc
        if isinstance(value, int | float) and value < 0:
            raise ServiceError(f"参数“{LABELS.get(name, name)}”不能为负数")
        params[name] = value
    return params


@transaction.atomic
def update_rule(actor, rule: WarningRule, *, params: dict, is_active: bool, severity: str, deadline_days: int,
                reraise_days=...):  # fmt: skip
    """``reraise_days``: days after closure before a closed 应退 warning whose condition holds is raised again
    (None: never; left out: unchanged)."""
    rule = WarningRule.objects.select_for_update().get(pk=rule.pk)
    _check_rule_writable(actor, rule)
    if severity not in WarningRule.Severity.values:
        raise BusinessRuleError(MonitoringErrorCode.RULE_INVALID, "预警等级无效")
    if not 1 <= int(deadline_days) <= 90:
        raise BusinessRuleError(MonitoringErrorCode.RULE_INVALID, "处置时限应在 1–90 个工作日之间")
    if reraise_days is ...:
        reraise_days = rule.reraise_days
    elif reraise_days in (None, ""):
        reraise_days = None
    else:
        try:
            reraise_days = int(str(reraise_days).strip())
        except ValueError as exc:
            raise BusinessRuleError(MonitoringErrorCode.RULE_INVALID, "重新预警天数应为整数") from exc
        if not 1 <= reraise_days <= 3650:
            raise BusinessRuleError(MonitoringErrorCode.RULE_INVALID, "重新预警天数应在 1–3650 天之间")
    before = {"params": rule.params, "is_active": rule.is_active, "severity": rule.severity,
              "deadline_days": rule.deadline_days, "reraise_days": rule.reraise_days}  # fmt: skip
    rule.params, rule.is_active, rule.severity, rule.deadline_days = params, is_active, severity, int(deadline_days)
    rule.reraise_days = reraise_days
    rule.updated_by = _actor_name(actor)
    rule.save()
    audit.record("monitoring.rule.update", rule, before=before, after={"params": params, "is_active": is_active,
                 "severity": severity, "deadline_days": int(deadline_days),
                 "reraise_days": reraise_days})  # fmt: skip
    return rule


def dry_run(actor, rule: WarningRule, params: dict | None = None, as_of: datetime.date | None = None) -> dict:
    """What the rule (with ``params``) would raise today over everybody, without creating anything."""
    require_capability(actor, cap.RULES, "试运行预警规则")
    as_of = as_of or timezone.localdate()
    pop = population.refresh()
    if rule.kind == elderly_link.KIND:
        table, where = elderly_link.facts(rule, as_of)
        pop = pa.table({"household_id": pa.array(list(where), pa.int64()),
                        "region_code": pa.array(list(where.values()), pa.string())})  # fmt: skip
    else:
        t = _bind(backends.connect(), pop, verification.current_snapshots(as_of))
        facts = engine.evaluate(t, t.persons, rule.kind, params if params is not None else rule.params, as_of)
        table = facts.to_pyarrow()
    keys = [fact_key(rule.code, p, h, r) for p, h, r in zip(table["person_id"].to_pylist(),
            table["household_id"].to_pylist(), table["record_key"].to_pylist(), strict=True)]  # fmt: skip
    warned = set(Warning.objects.filter(fact_key__in=keys).values_list("fact_key", flat=True))
    region_of = dict(zip(pop["household_id"].to_pylist(), pop["region_code"].to_pylist(), strict=False))
    by_township: dict[str, int] = {}
    for h in table["household_id"].to_pylist():
        code = regions.ancestor_code(region_of[h], regions.TOWNSHIP)
        by_township[code] = by_township.get(code, 0) + 1
    return {"facts": len(keys), "new": len(set(keys) - warned), "households": len(set(table["household_id"]
            .to_pylist())), "by_township": sorted(by_township.items())}  # fmt: skip


# --- feedback --------------------------------------------------------------------------------------------------

# 确认: an application started or a referral, or an outcome that names an enrolment change and rests on it
CONFIRMED = Q(action__in=["application", "referred"]) | Q(action__in=list(Warning.CHANGE_ACTIONS), change__isnull=False)


def rule_statistics(queryset) -> list[dict]:
    rows = queryset.values("rule_id").annotate(
        raised=Count("id"),
        open=Count("id", filter=Q(status__in=Warning.OPEN)),
        confirmed=Count("id", filter=CONFIRMED),
        false=Count("id", filter=Q(action="false")),
    )
    by_rule = {r["rule_id"]: r for r in rows}
    out = []
    for rule in WarningRule.objects.all():
        r = by_rule.get(rule.pk, {"raised": 0, "open": 0, "confirmed": 0, "false": 0})
        judged = r["confirmed"] + r["false"]
        out.append({"rule": rule, **{k: r[k] for k in ("raised", "open", "confirmed", "false")},
                    "precision": (r["confirmed"] / judged) if judged else None})  # fmt: skip
    return out


def dashboard(queryset) -> list[dict]:
    """Open warnings per township and severity."""
    rows = (
        queryset.filter(status__in=Warning.OPEN)
        .values("township_id", "township__name", "severity")
        .annotate(n=Count("id"))
    )
    table: dict[str, dict] = {}
    for r in rows:
        entry = table.setdefault(r["township_id"], {"code": r["township_id"], "name": r["township__name"],
                                                     "high": 0, "medium": 0, "low": 0})  # fmt: skip
        entry[r["severity"]] = r["n"]
    for entry in table.values():
        entry["total"] = entry["high"] + entry["medium"] + entry["low"]
    return sorted(table.values(), key=lambda e: (-e["total"], e["code"]))
