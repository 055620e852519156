# ruff: noqa: S608, S310 - synthetic prefixes of our own; requests to our loopback server
"""居家养老: a month of service records settled per provider, and 智慧养老 device events through the API.

Setup (not timed): a synthetic county (411796 small, 411795 full; not real codes) with 200 providers, each with a
contract and 20 workers, one order per older person, and a month (November 2026) of service records inserted with
COPY — one worker's visits laid end to end, with impossible ones planted: every 1,000th ends before it starts,
every 997th is unconfirmed, every 5,003rd starts 10 minutes inside its worker's previous visit (both flagged).
Reused while it has exactly N records.

Settlement (timed): ``settlement.build`` — the seven rules as one INSERT … SELECT each, then one aggregate per
order and provider. Baseline (timed on a sample, extrapolated linearly, in a transaction rolled back): per record,
load it with its order and contract through the ORM, look for an overlapping record of its worker and a death
event, decide in Python, create its flags, add its subsidy into per-order totals.

Alarms (timed): gunicorn (5 sync workers, DEBUG off) on this database; one asyncio loop offers ``RATE`` device events
a second (open loop: each event arrives at its scheduled time) with a provider's bearer token for ``seconds``, twice:
one call per event to ``POST /api/homecare/events``, then as a provider's platform forwards them — what arrived in
each ``BATCH_WINDOW`` in one call to ``POST /api/homecare/events/batch``. Latency runs from an event's arrival to
the answer, so the wait for the window is counted.
"""

import asyncio
import datetime
import json
import os
import statistics
import subprocess
import time
import zoneinfo
from decimal import Decimal
from pathlib import Path

from django.db import connection, transaction

from bench.scenarios.load import BIN, WORKERS, _env, _free_port, _stop, _wait_ready
from bench.scenarios.payroll import _copy
from huimin.apiclients.models import ApiClient
from huimin.apiclients.tokens import token_hash
from huimin.core.models import Region, RoleAssignment, User
from huimin.homecare import settlement
from huimin.homecare.models import (
    Alarm,
    Contract,
    Device,
    DutyShift,
    Order,
    Provider,
    RecordFlag,
    ServiceItem,
    ServiceRecord,
    Settlement,
    Worker,
)
from huimin.registry.codes import EventKind
from huimin.registry.models import LifeEvent, Person

SIZES = {  # records, baseline sample, alarm seconds, prefix, first explicit id
    "small": (100_000, 1_000, 10, "411796", 760_000_000),
    "full": (2_000_000, 2_000, 30, "411795", 770_000_000),
}
PROVIDERS, WORKERS_PER_PROVIDER, VISITS_PER_ORDER = 200, 20, 40
RATE = 200  # device events a second
OPERATIONS = ("report_device_event", "report_device_events")
BATCH_WINDOW = 0.1  # seconds a provider's platform gathers events before it forwards them in one call
TARGET_SECONDS, TARGET_P95_MS = 10, 200
MONTH = datetime.date(2026, 11, 1)
BEIJING = zoneinfo.ZoneInfo("Asia/Shanghai")
TOKEN = "bench-homecare-token"  # noqa: S105 - a synthetic client of the synthetic county
DEVICES = 2_000


def _regions(prefix: str) -> list[str]:
    county = f"{prefix}000000"
    Region.objects.get_or_create(code=county, defaults={"name": f"基准测试县{prefix}", "level": 3,
                                                        "parent_id": "411700000000"})  # fmt: skip
    villages = []
    for t in range(1, 6):
        town = f"{prefix}{t:03d}000"
        Region.objects.get_or_create(code=town, defaults={"name": f"基准乡{t}", "level": 4, "parent_id": county})
        for v in range(1, 11):
            code = f"{prefix}{t:03d}{v:03d}"
            fields = {"name": f"基准村{t}-{v}", "level": 5, "parent_id": town, "urban_rural_code": "220"}
            Region.objects.get_or_create(code=code, defaults=fields)
            villages.append(code)
    return villages


def _user(prefix: str, role: str) -> User:
    fields = {"full_name": f"基准{role}", "region_id": f"{prefix}000000"}
    user, created = User.objects.get_or_create(username=f"bench_homecare_{prefix}_{role}", defaults=fields)
    if created:
        RoleAssignment.objects.create(user=user, role=role, line="elderly")
        user.set_unusable_password()
        user.save()
    return user


def _wipe(prefix: str, id_base: int) -> None:
    like = f"{prefix}%%"
    with connection.cursor() as c:
        c.execute(f"DELETE FROM homecare_alarm WHERE region_id LIKE '{like}'")
        c.execute(f"DELETE FROM homecare_device WHERE region_id LIKE '{like}'")
        c.execute(
            "DELETE FROM homecare_recordflag WHERE record_id IN (SELECT id FROM homecare_servicerecord "
            f"WHERE region_id LIKE '{like}')"
        )
        c.execute(f"DELETE FROM homecare_servicerecord WHERE region_id LIKE '{like}'")
        c.execute(
            "DELETE FROM homecare_settlementline WHERE settlement_id IN (SELECT id FROM homecare_settlement "
            f"WHERE region_id LIKE '{like}')"
        )
        c.execute(f"DELETE FROM homecare_settlement WHERE region_id LIKE '{like}'")
        c.execute(f"DELETE FROM homecare_order WHERE region_id LIKE '{like}'")
        c.execute(
            "DELETE FROM homecare_worker WHERE provider_id IN (SELECT id FROM homecare_provider "
            f"WHERE region_id LIKE '{like}')"
        )
        c.execute(
            "DELETE FROM homecare_contract WHERE provider_id IN (SELECT id FROM homecare_provider "
            f"WHERE region_id LIKE '{like}')"
        )
        c.execute(f"DELETE FROM homecare_provider WHERE region_id LIKE '{like}'")
        c.execute(f"DELETE FROM registry_lifeevent WHERE person_id BETWEEN {id_base} AND {id_base + 5_000_000}")
        c.execute(f"DELETE FROM registry_person WHERE id BETWEEN {id_base} AND {id_base + 5_000_000}")


def _uscc(prefix: str, n: int) -> str:
    from stdnum.cn import uscc

    base = f"91{prefix}MA{n:07d}"
    return base + uscc.calc_check_digit(base)


def _setup(n: int, prefix: str, id_base: int, villages: list[str]) -> float:
    if ServiceRecord.objects.filter(region__code__startswith=prefix).count() == n:
        return 0.0
    started = time.perf_counter()
    county = f"{prefix}000000"
    with transaction.atomic():
        _wipe(prefix, id_base)
        meal = ServiceItem.objects.get(code="meal")
        providers = Provider.objects.bulk_create([
            Provider(name=f"基准服务商{prefix}-{p}", kind="company", uscc=_uscc(prefix, p), region_id=county)
            for p in range(PROVIDERS)])  # fmt: skip
        contracts = Contract.objects.bulk_create([
            Contract(provider=p, region_id=county, number=f"B{prefix}-{i}", starts_on=datetime.date(2026, 1, 1),
                     ends_on=datetime.date(2026, 12, 31)) for i, p in enumerate(providers)])  # fmt: skip
        workers = Worker.objects.bulk_create(
            [
                Worker(provider=p, code=f"W{w}", name=f"护理员{w}")
                for p in providers
                for w in range(WORKERS_PER_PROVIDER)
            ]
        )
        orders_n = max(n // VISITS_PER_ORDER, PROVIDERS)
        per_provider = orders_n // PROVIDERS
        born = datetime.date(1942, 5, 1)
        _copy(Person, orders_n, lambda i: {"id": id_base + i, "name": f"基准老人{i}", "no_id_reason": "基准测试合成",
                                           "region_id": villages[i % len(villages)], "birth_date": born})  # fmt: skip
        # a few died on 10 November: their visits after that day are flagged
        died = datetime.date(2026, 11, 10)
        LifeEvent.objects.bulk_create(
            [LifeEvent(person_id=id_base + i, kind=EventKind.DEATH, occurred_on=died) for i in range(0, orders_n, 4999)]
        )
        _copy(Order, orders_n, lambda i: {
            "id": id_base + i, "person_id": id_base + i, "region_id": villages[i % len(villages)],
            "provider_id": providers[i // per_provider % PROVIDERS].pk,
            "contract_id": contracts[i // per_provider % PROVIDERS].pk, "item_id": meal.pk, "funding": "subsidy",
            "subsidy_percent": 100, "monthly_allowance": Decimal("400.00"), "unit_price": Decimal("12.00"),
            "starts_on": MONTH, "status": "active", "created_by": "bench"})  # fmt: skip
        base = datetime.datetime(2026, 11, 1, 6, 0, tzinfo=BEIJING)
        total_workers = len(workers)

        def row(i):
            w = i % total_workers
            s = i // total_workers
            day, slot = s % 30, s // 30
            provider = w // WORKERS_PER_PROVIDER
            order = provider * per_provider + (s + w) % per_provider
            start = base + datetime.timedelta(days=day, minutes=45 * slot - (10 if i % 5003 == 0 and slot else 0))
            minutes = -5 if i % 1000 == 999 else 40
            end = start + datetime.timedelta(minutes=minutes)
            local = start.astimezone(BEIJING)
            return {"id": id_base + i, "order_id": id_base + order, "provider_id": providers[provider].pk,
                    "region_id": villages[order % len(villages)], "worker_id": workers[w].pk,
                    "service_date": local.date(), "started_at": start, "ended_at": end, "minutes": minutes,
                    "start_minute": local.hour * 60 + local.minute, "units": Decimal(1), "amount": Decimal("12.00"),
                    "subsidy_amount": Decimal("12.00"), "checkin_at": start, "checkin_location": "32.9,114.0",
                    "confirmed_at": None if i % 997 == 0 else end, "confirmed_by": "" if i % 997 == 0 else "self",
                    "created_by": "bench"}  # fmt: skip

        _copy(ServiceRecord, n, row)
        _devices(prefix, providers[0], villages, id_base)
    with connection.cursor() as c:
        for table in ("homecare_servicerecord", "homecare_order", "registry_person", "registry_lifeevent"):
            c.execute(f"ANALYZE {table}")
    return time.perf_counter() - started


def _devices(prefix: str, provider: Provider, villages: list[str], id_base: int) -> None:
    fields = {"department": "基准服务商", "token_prefix": f"bh{prefix}", "token_hash": token_hash(TOKEN + prefix),
              "operations": list(OPERATIONS), "region_prefixes": [prefix],
              "rate_limit_per_minute": 1_000_000}  # fmt: skip
    client, _ = ApiClient.objects.update_or_create(name=f"基准服务商系统{prefix}", defaults=fields)
    provider.api_client = client
    provider.save(update_fields=["api_client"])
    Device.objects.bulk_create([
        Device(serial=f"B{prefix}-{d}", kind="button", person_id=id_base + d, region_id=villages[d % len(villages)],
               provider=provider, heartbeat_minutes=1440, installed_on=MONTH) for d in range(DEVICES)])  # fmt: skip
    if not DutyShift.objects.filter(region_id=f"{prefix}000000").exists():
        DutyShift.objects.create(region_id=f"{prefix}000000", level=1, responder="provider", name="基准值班",
                                 starts=datetime.time(0), ends=datetime.time(0), effective_from=MONTH)  # fmt: skip


def _baseline(prefix: str, sample: int) -> tuple[float, int]:
    """Record by record through the ORM (what a loop per record costs), rolled back."""
    ids = list(ServiceRecord.objects.filter(region__code__startswith=prefix).order_by("id")
               .values_list("id", flat=True)[:sample])  # fmt: skip
    flagged = 0
    with transaction.atomic():
        RecordFlag.objects.filter(record__region__code__startswith=prefix).delete()  # Huimin's flags (not timed)
        started = time.perf_counter()
        per_order: dict[int, Decimal] = {}
        for pk in ids:
            r = ServiceRecord.objects.select_related("order__contract", "order__item").get(pk=pk)
            rules = []
            if ServiceRecord.objects.filter(worker_id=r.worker_id, started_at__lt=r.ended_at,
                                            ended_at__gt=r.started_at).exclude(pk=r.pk).exists():  # fmt: skip
                rules.append("overlap")
            if r.minutes <= 0:
                rules.append("end_before_start")
            if r.minutes > r.order.item.max_minutes:
                rules.append("too_long")
            if r.start_minute + r.minutes > 1440 + 60:
                rules.append("midnight")
            if LifeEvent.objects.filter(person_id=r.order.person_id, kind="death",
                                        occurred_on__lt=r.service_date).exists():  # fmt: skip
                rules.append("dead")
            if not r.order.contract.starts_on <= r.service_date <= r.order.contract.ends_on:
                rules.append("out_of_contract")
            if r.confirmed_at is None:
                rules.append("unconfirmed")
            for rule in rules:
                RecordFlag.objects.create(record=r, rule=rule, reason=rule)
            if rules:
                flagged += 1
                continue
            per_order[r.order_id] = per_order.get(r.order_id, Decimal(0)) + r.subsidy_amount
        for order_id, total in per_order.items():
            min(total, Order.objects.get(pk=order_id).monthly_allowance)
        transaction.set_rollback(True)
    return time.perf_counter() - started, flagged


async def _post(port: int, path: str, body: bytes, headers: dict) -> tuple[int, bytes]:
    """One HTTP/1.1 POST on its own connection (gunicorn's sync workers close each one): the status (0 on failure)
    and the body."""
    head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    request = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: {len(body)}\r\n{head}"
               "Connection: close\r\n\r\n").encode() + body  # fmt: skip
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(request)
        await writer.drain()
        status_line = await asyncio.wait_for(reader.readline(), 30)
        rest = await reader.read()
        writer.close()
        return int(status_line.split()[1]), rest.partition(b"\r\n\r\n")[2]
    except (OSError, ValueError, IndexError, TimeoutError):
        return 0, b""


async def _offer(port: int, bodies, headers: dict, rate: int, total: int, first: int = 0):
    """Open loop: request i leaves at start + i/rate whatever the earlier ones are doing; latency is from its
    scheduled departure to the status line. One event loop keeps the client's own CPU small beside the server."""
    loop = asyncio.get_running_loop()
    start = loop.time() + 0.2
    latencies, statuses = [], {}

    async def one(i):
        await asyncio.sleep(max(0.0, start + i / rate - loop.time()))
        t0 = loop.time()
        status, _ = await _post(port, "/api/homecare/events", bodies(first + i), headers)
        latencies.append((loop.time() - t0) * 1000)
        statuses[status] = statuses.get(status, 0) + 1

    await asyncio.gather(*(one(i) for i in range(total)))
    return latencies, statuses, loop.time() - start


async def _offer_batched(port: int, bodies, headers: dict, rate: int, total: int, window: float, first: int = 0):
    """The same open-loop events, forwarded as a provider's platform does: what arrived in each ``window`` seconds
    goes in one call of the batch operation when the window closes. An event's latency runs from its own arrival
    (not the batch's departure) to the answer, so the wait for the window is counted."""
    loop = asyncio.get_running_loop()
    start = loop.time() + 0.2
    latencies, statuses = [], {}
    per_batch = max(1, round(rate * window))

    async def one(at: int, count: int, offset: int):
        await asyncio.sleep(max(0.0, start + (at + count) / rate - loop.time()))
        body = b'{"events": [' + b", ".join(bodies(offset + at + j) for j in range(count)) + b"]}"
        status, answer = await _post(port, "/api/homecare/events/batch", body, headers)
        done = loop.time()
        results = json.loads(answer)["results"] if status == 200 else [{"code": str(status)}] * count
        for j, result in enumerate(results):
            latencies.append((done - (start + (at + j) / rate)) * 1000)
            key = 200 if not result.get("code") else result["code"]
            statuses[key] = statuses.get(key, 0) + 1

    async def batch(at: int, count: int):
        await one(at, count, first)

    await asyncio.gather(*(batch(f, min(per_batch, total - f)) for f in range(0, total, per_batch)))
    return latencies, statuses, loop.time() - start


def _summary(latencies, statuses, wall) -> dict:
    ordered = sorted(latencies)

    def pct(p):
        return round(ordered[min(len(ordered) - 1, int(p * len(ordered)))], 1) if ordered else None

    return {"requests": len(latencies), "seconds": round(wall, 1), "accepted": statuses.get(200, 0),
            "statuses": statuses, "rps": round(len(latencies) / wall, 1), "p50_ms": pct(0.5), "p95_ms": pct(0.95),
            "p99_ms": pct(0.99), "mean_ms": round(statistics.mean(latencies), 1) if latencies else None}  # fmt: skip


def _alarms(prefix: str, seconds: int, workdir: Path) -> dict:
    port = _free_port()
    host = f"http://127.0.0.1:{port}"
    env = _env(os.environ["DATABASE_URL"], workdir)
    log_path = workdir / "gunicorn.log"
    server = None
    body_of = [f'{{"serial": "B{prefix}-{d}", "kind": "fall", "event_id": "%s"}}' for d in range(DEVICES)]
    # the batched run sends other event ids (a repeated id would answer the first alarm without raising one)
    headers = {"Authorization": f"Bearer {TOKEN}{prefix}", "Content-Type": "application/json"}
    run_id = str(int(time.time()))

    def bodies(i: int) -> bytes:
        return (body_of[i % DEVICES] % f"{run_id}-{i}").encode()

    try:
        with log_path.open("w") as log:
            server = subprocess.Popen(
                [BIN / "gunicorn", "huimin.wsgi", "-b", f"127.0.0.1:{port}", "-w", str(WORKERS), "--timeout", "120"],
                env=env, cwd=workdir, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        _wait_ready(host, server, log_path)
        asyncio.run(_offer(port, bodies, headers, RATE, WORKERS * 8, first=10**8))  # warm every worker
        single = _summary(*asyncio.run(_offer(port, bodies, headers, RATE, RATE * seconds)))
        batched = _summary(*asyncio.run(_offer_batched(port, bodies, headers, RATE, RATE * seconds, BATCH_WINDOW,
                                                       first=10**9)))  # fmt: skip
    finally:
        _stop(server)
    return {"single": single, "batched": batched}


def run(size: str, workdir) -> dict:
    n, sample, alarm_seconds, prefix, id_base = SIZES[size]
    workdir = Path(workdir)
    villages = _regions(prefix)
    builder = _user(prefix, "clerk")
    setup_s = _setup(n, prefix, id_base, villages)
    # a reused setup keeps the client it made: grant it what this run calls
    ApiClient.objects.filter(name=f"基准服务商系统{prefix}").update(operations=list(OPERATIONS))
    with transaction.atomic():
        Settlement.objects.filter(region_id=f"{prefix}000000").delete()
        Alarm.objects.filter(region__code__startswith=prefix).delete()
    t0 = time.perf_counter()
    s = settlement.build(builder, f"{prefix}000000", MONTH)
    settle_s = time.perf_counter() - t0
    base_s, base_flagged = _baseline(prefix, sample)
    extrapolated = base_s * n / sample
    measured = _alarms(prefix, alarm_seconds, workdir)
    single, batched = measured["single"], measured["batched"]

    def met(a):
        return a["accepted"] == a["requests"] and a["rps"] >= RATE * 0.95 and (a["p95_ms"] or 1e9) < TARGET_P95_MS

    def told(a):
        return (f"{a['accepted']:,} of {a['requests']:,} accepted, {a['rps']} /s, p50 {a['p50_ms']} ms, "
                f"p95 {a['p95_ms']} ms, p99 {a['p99_ms']} ms; answers {a['statuses']}")  # fmt: skip

    return {
        "scenario": "elderly_services",
        "sizes": {
            "records": n,
            "providers": PROVIDERS,
            "workers": PROVIDERS * WORKERS_PER_PROVIDER,
            "baseline_sample": sample,
            "alarm_requests": single["requests"],
            "alarm_events_batched": batched["requests"],
        },  # fmt: skip
        "timings_s": {
            "setup_copy_not_timed": round(setup_s, 2),
            "huimin_settlement": round(settle_s, 2),
            "baseline_sample": round(base_s, 2),
            "baseline_extrapolated": round(extrapolated, 2),
            "alarm_run_single": single["seconds"],
            "alarm_run_batched": batched["seconds"],
        },
        "ratios": {"baseline_over_huimin": round(extrapolated / settle_s, 1)},
        "peak_memory_mb": None,
        "targets": {
            f"{n:,} records of {PROVIDERS} providers settled < {TARGET_SECONDS} s": settle_s < TARGET_SECONDS,
            f"{RATE} alarms/s accepted, p95 < {TARGET_P95_MS} ms (events forwarded each {BATCH_WINDOW:g} s in one "
            "call)": met(batched),
            f"{RATE} alarms/s accepted, p95 < {TARGET_P95_MS} ms (one call per event)": met(single),
        },
        "alarms": measured,
        "notes": (
            f"Settlement: {s.records:,} records paid, {s.flagged:,} flagged, total {s.total} 元. Baseline: ORM record "
            f"by record on {sample:,} records ({base_flagged} flagged, rolled back), extrapolated linearly to {n:,}. "
            f"Alarms: events offered at {RATE}/s (open loop, client on the same 2 cores, latency from each event's "
            f"arrival to the answer) to gunicorn ({WORKERS} sync workers) for {alarm_seconds} s each way. One call per "
            f"event: {told(single)}. Forwarded as a platform does, what arrived in each {BATCH_WINDOW:g} s in one "
            f"call of /api/homecare/events/batch: {told(batched)}. "
            + ("Setup reused. " if not setup_s else f"Setup by COPY took {setup_s:.0f} s (not timed). ")
        ),
    }
