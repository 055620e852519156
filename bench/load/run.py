"""Run the locustfile headless through locust's library API and write its statistics as JSON.

``python -m bench.load.run --host http://127.0.0.1:PORT --users 200 --spawn-rate 10 --seconds 60 --out stats.json``
(``HUIMIN_LOAD_PLAN`` names the plan). Percentiles come from locust's response-time histograms.
"""

import argparse
import importlib
import json
import os
import time

import gevent
from locust.env import Environment
from locust.stats import StatsEntry

from bench.load import cpu

PERCENTILES = (0.5, 0.95, 0.99)


def _entry(e: StatsEntry, seconds: float) -> dict:
    out = {
        "requests": e.num_requests,
        "failures": e.num_failures,
        "rps": round(e.num_requests / seconds, 2) if seconds else 0.0,
        "mean_ms": round(e.avg_response_time, 1),
        "max_ms": round(e.max_response_time or 0, 1),
    }
    for p in PERCENTILES:
        out[f"p{int(p * 100)}_ms"] = e.get_response_time_percentile(p) if e.num_requests else None
    return out


def _summary(stats, seconds: float) -> dict:
    return {
        "total": _entry(stats.total, seconds),
        "paths": {name: _entry(e, seconds) for (name, _method), e in sorted(stats.entries.items())},
        "errors": [
            {"path": e.name, "error": str(e.error)[:200], "count": e.occurrences} for e in stats.errors.values()
        ],
    }


def main(argv=None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", required=True)
    parser.add_argument("--users", type=int, required=True)
    parser.add_argument("--spawn-rate", type=float, required=True)
    parser.add_argument("--seconds", type=float, required=True, help="measured time after the ramp-up")
    parser.add_argument("--out", required=True)
    parser.add_argument("--user-class", default="bench.load.locustfile:Staff", help="module:class of the users")
    parser.add_argument("--cpu-of", default="", help="name=pid,… of the process trees whose CPU is measured")
    args = parser.parse_args(argv)
    roots = {name: int(pid) for name, pid in (p.split("=") for p in args.cpu_of.split(",") if p)}
    roots["locust"] = os.getpid()
    module_name, class_name = args.user_class.split(":")
    module = importlib.import_module(module_name)
    logged_in = module.LOGGED_IN

    env = Environment(user_classes=[getattr(module, class_name)], host=args.host)
    runner = env.create_local_runner()
    t0 = time.monotonic()
    runner.start(args.users, spawn_rate=args.spawn_rate)
    ramp = args.users / args.spawn_rate
    gevent.sleep(ramp)
    deadline = time.monotonic() + 180
    while logged_in[0] < args.users and time.monotonic() < deadline:  # every user spawned and logged in
        gevent.sleep(0.2)
    ramp_logged_in = logged_in[0]
    ramp_stats = {"seconds": round(time.monotonic() - t0, 1), **_summary(env.stats, time.monotonic() - t0)}
    env.stats.reset_all()  # measure the steady state: 200 users logged in and working
    started, cpu_before = time.monotonic(), cpu.snapshot(roots)
    gevent.sleep(args.seconds)
    seconds, cpu_after = time.monotonic() - started, cpu.snapshot(roots)
    runner.stop()
    runner.quit()
    result = {
        "users": args.users,
        "logged_in_before_measuring": ramp_logged_in,
        "seconds": round(seconds, 1),
        "ramp_up": ramp_stats,
        **_summary(env.stats, seconds),
        "cpu": cpu.share(cpu_before, cpu_after, seconds, env.stats.total.num_requests),
    }
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(result, f, ensure_ascii=False, indent=2)


if __name__ == "__main__":
    main()
